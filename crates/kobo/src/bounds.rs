//! How much an export may hold. An archive (ODK Central's zip, a workbook) is inflated once
//! into nothing, entry by entry, counting, before anything reads it: an entry or an archive
//! larger than the limits, or an entry that inflates more than a real export does (a "zip
//! bomb"), is refused having cost a bounded amount of memory and time. Files read whole (CSV,
//! KoBo API JSON) are refused by their size, and their sheets by their number of rows.

use std::io::Read;
use std::path::Path;

use crate::KoboError;

/// The limits an export is read within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file read whole (a CSV or JSON file), and the largest entry of an archive
    /// once inflated.
    pub file: u64,
    /// All the entries of one archive, inflated.
    pub archive: u64,
    /// The most an entry of 1 MiB or more may inflate (inflated / compressed size). Real
    /// exports (XML, CSV) inflate 5 to 30 times; deflate's most is about 1 000.
    pub ratio: u64,
    /// A workbook's shared strings, which the workbook reader holds whole.
    pub shared_strings: u64,
    /// The most rows a sheet read from CSV or JSON may hold: each costs about a hundred bytes
    /// beyond its text, so a file of empty lines or of `{}` is small on disk and large in memory.
    pub rows: usize,
    /// The most cells a sheet read from CSV may hold (4 bytes each beyond their text).
    pub cells: usize,
}

const MIB: u64 = 1024 * 1024;

impl Limits {
    /// An upload to the server: each is read within a memory budget (the converted rows are
    /// held in memory). Larger exports go through `vigie import kobo`.
    pub const UPLOAD: Limits = Limits {
        file: 48 * MIB,
        archive: 96 * MIB,
        ratio: 100,
        shared_strings: 32 * MIB,
        rows: 250_000,
        cells: 16_000_000,
    };
    /// A file on the operator's own machine: only archives no real export is.
    pub const LOCAL: Limits = Limits {
        file: 8192 * MIB,
        archive: 16384 * MIB,
        ratio: 1000,
        shared_strings: 4096 * MIB,
        rows: usize::MAX,
        cells: usize::MAX,
    };
}

pub(crate) fn too_large(file: &str, message: String) -> KoboError {
    KoboError::TooLarge { file: file.to_owned(), message }
}

/// Refuses a file read whole that is larger than the limits allow.
pub fn check_file(file: &str, path: &Path, limits: &Limits) -> Result<(), KoboError> {
    let size =
        std::fs::metadata(path).map_err(|e| KoboError::Read { file: file.to_owned(), message: e.to_string() })?.len();
    if size > limits.file {
        return Err(too_large(
            file,
            format!("{} MiB, more than the {} MiB allowed", size.div_ceil(MIB), limits.file / MIB),
        ));
    }
    Ok(())
}

/// Inflates every entry of the archive at `path` into nothing, counting, and refuses it when an
/// entry or the whole is larger than the limits allow, or an entry inflates too much.
pub fn check_archive(file: &str, path: &Path, limits: &Limits) -> Result<(), KoboError> {
    let unreadable = |message: String| KoboError::Read { file: file.to_owned(), message };
    let opened = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(opened))
        .map_err(|e| unreadable(format!("not a zip archive: {e}")))?;
    let mut total = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| unreadable(e.to_string()))?;
        let name = entry.name().to_owned();
        let cap = if name.eq_ignore_ascii_case("xl/sharedStrings.xml") { limits.shared_strings } else { limits.file };
        let compressed = entry.compressed_size().max(1);
        let bomb = || {
            too_large(
                file,
                format!("{name} inflates more than {} times: no real export does (a zip bomb?)", limits.ratio),
            )
        };
        // What the entry says it holds first (a bomb says so), then what it really inflates to.
        if entry.size() >= MIB && entry.size() / compressed > limits.ratio {
            return Err(bomb());
        }
        let mut inflated = 0u64;
        loop {
            let n = entry.read(&mut buffer).map_err(|e| unreadable(format!("{name}: {e}")))? as u64;
            if n == 0 {
                break;
            }
            inflated += n;
            total += n;
            if inflated > cap {
                return Err(too_large(file, format!("{name} inflates past the {} MiB allowed", cap / MIB)));
            }
            if total > limits.archive {
                return Err(too_large(
                    file,
                    format!("its files inflate past the {} MiB allowed", limits.archive / MIB),
                ));
            }
            if inflated >= MIB && inflated / compressed > limits.ratio {
                return Err(bomb());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A zip of one entry: `size` bytes of one letter (deflated to almost nothing).
    fn bomb(dir: &Path, size: u64) -> std::path::PathBuf {
        let path = dir.join("bomb.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
        zip.start_file("submissions.csv", zip::write::SimpleFileOptions::default()).expect("entry");
        std::io::copy(&mut std::io::repeat(b'a').take(size), &mut zip).expect("write");
        zip.finish().expect("finish").flush().expect("flush");
        path
    }

    #[test]
    fn an_archive_that_inflates_too_much_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = bomb(dir.path(), 64 * MIB);
        let refused = check_archive("bomb.zip", &path, &Limits::UPLOAD).expect_err("a bomb");
        assert!(refused.to_string().contains("inflates more than 100 times"), "{refused}");
        let small = Limits { ratio: 10_000, file: 16 * MIB, ..Limits::UPLOAD };
        let refused = check_archive("bomb.zip", &path, &small).expect_err("too large");
        assert!(refused.to_string().contains("past the 16 MiB allowed"), "{refused}");
        let roomy = Limits { ratio: 10_000, file: 128 * MIB, archive: 128 * MIB, ..Limits::UPLOAD };
        assert!(check_archive("bomb.zip", &path, &roomy).is_ok());
    }
}
