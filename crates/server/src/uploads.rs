//! Uploads reach the disk, never memory whole: a request body or a form's file is written to a
//! temporary file as it arrives, within [`IMPORT_LIMIT`], and at most [`AT_ONCE`] uploads are
//! taken in at a time. What reads the files then bounds itself (`vigie_kobo::bounds` for
//! archives; CSV imports stream).

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Multipart;
use axum::http::StatusCode;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::error::ApiError;

/// The largest file an upload may send.
pub const IMPORT_LIMIT: u64 = 256 * 1024 * 1024;
/// Uploads taken in at once; more are asked to come back.
pub const AT_ONCE: usize = 2;

/// An upload's files in a temporary folder of their own (deleted when dropped), each under the
/// name its sender gave it, made safe, in a folder of its own (two files may share a name).
pub(crate) struct Upload {
    dir: tempfile::TempDir,
    /// Each file's path, and its name as its sender named it.
    pub files: Vec<(PathBuf, String)>,
}

impl Upload {
    pub fn new() -> Result<Upload, ApiError> {
        Ok(Upload { dir: tempfile::tempdir().map_err(ApiError::internal)?, files: Vec::new() })
    }

    /// A message with each file named as its sender named it, never by its path here.
    pub fn hide(&self, text: String) -> String {
        let text = self.files.iter().fold(text, |text, (path, name)| text.replace(&path.display().to_string(), name));
        text.replace(&format!("{}/", self.dir.path().display()), "")
    }

    async fn create(&mut self, name: &str, default: &str) -> Result<(tokio::fs::File, PathBuf), ApiError> {
        let folder = self.dir.path().join(self.files.len().to_string());
        tokio::fs::create_dir(&folder).await.map_err(ApiError::internal)?;
        let path = folder.join(safe_name(name, default));
        let file = tokio::fs::File::create(&path).await.map_err(ApiError::internal)?;
        self.files.push((path.clone(), name.to_owned()));
        Ok((file, path))
    }

    /// A request body, written to a file as it arrives.
    pub async fn body(&mut self, body: Body, name: &str) -> Result<(), ApiError> {
        let (mut file, _) = self.create(name, "upload.csv").await?;
        let mut stream = body.into_data_stream();
        let mut written = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request(format!("the body could not be read: {e}")))?;
            written += chunk.len() as u64;
            if written > IMPORT_LIMIT {
                return Err(too_large(name));
            }
            file.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        file.flush().await.map_err(ApiError::internal)
    }

    /// A form's `file` parts written to files as they arrive; its other text fields returned
    /// (`kind`, and `mapping`, a small text file, as text).
    pub async fn form(&mut self, mut form: Multipart) -> Result<Vec<(String, String)>, ApiError> {
        let mut fields = Vec::new();
        let bad = |e: axum::extract::multipart::MultipartError| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => too_large("upload"),
            _ => ApiError::bad_request(e.body_text()),
        };
        while let Some(mut field) = form.next_field().await.map_err(bad)? {
            let (part, name) = (field.name().unwrap_or_default().to_owned(), field.file_name().map(str::to_owned));
            match (part.as_str(), name) {
                ("file", Some(name)) => {
                    let (mut file, path) = self.create(&name, "export.xlsx").await?;
                    let mut written = 0u64;
                    while let Some(chunk) = field.chunk().await.map_err(bad)? {
                        written += chunk.len() as u64;
                        if written > IMPORT_LIMIT {
                            return Err(too_large(&name));
                        }
                        file.write_all(&chunk).await.map_err(ApiError::internal)?;
                    }
                    file.flush().await.map_err(ApiError::internal)?;
                    // A file input left empty still sends a part, nameless and empty.
                    if written == 0 && name.is_empty() {
                        self.files.retain(|(p, _)| *p != path);
                    }
                }
                (_, _) => {
                    let mut text = Vec::new();
                    while let Some(chunk) = field.chunk().await.map_err(bad)? {
                        text.extend_from_slice(&chunk);
                        if text.len() > 1024 * 1024 {
                            return Err(too_large(&part));
                        }
                    }
                    fields.push((part, String::from_utf8_lossy(&text).into_owned()));
                }
            }
        }
        Ok(fields)
    }
}

/// 413, naming the file.
pub(crate) fn too_large(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("{name}: larger than the {} MiB an upload may be", IMPORT_LIMIT / (1024 * 1024)),
    )
}

/// An upload's file name, safe to write in a temporary folder.
fn safe_name(file_name: &str, default: &str) -> String {
    let name: String =
        file_name.rsplit(['/', '\\']).next().unwrap_or_default().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name.starts_with('.') { default.to_owned() } else { name }
}
