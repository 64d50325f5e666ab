//! A form's submissions fetched live from the KoBoToolbox API v2
//! (`/api/v2/assets/<uid>/data/?format=json`), following its pages.

use crate::KoboError;
use crate::export::{Export, read_json};

/// The most pages one fetch follows: KoBo serves at most 30 000 submissions a page, so this is
/// far beyond any form; a loop of `next` links stops here.
const MAX_PAGES: usize = 10_000;

/// The largest page read (KoBo pages of 30 000 submissions are tens of megabytes).
const MAX_PAGE_BYTES: u64 = 1 << 30;

/// Fetches every page from `url` on, with the account's API token, into one export named by the
/// URL (the token is never part of a message).
pub fn fetch(url: &str, token: &str) -> Result<Export, KoboError> {
    let error = |message: String| KoboError::Read { file: url.to_owned(), message };
    let mut pages = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(page_url) = next.take() {
        if pages.len() == MAX_PAGES {
            return Err(error(format!("more than {MAX_PAGES} pages: the `next` links loop")));
        }
        let response = ureq::get(&page_url)
            .header("Authorization", &format!("Token {token}"))
            .header("Accept", "application/json")
            .call()
            .map_err(|e| match e {
                ureq::Error::StatusCode(401 | 403) => error(format!(
                    "{page_url}: the server refused the token (check it, and that it may read the form's data)"
                )),
                ureq::Error::StatusCode(404) => {
                    error(format!("{page_url}: not found (check the form's uid in the URL)"))
                }
                e => error(format!("{page_url}: {e}")),
            })?;
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_PAGE_BYTES)
            .read_to_vec()
            .map_err(|e| error(format!("{page_url}: {e}")))?;
        let page: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| error(format!("{page_url}: not a KoBo API page: {e}")))?;
        next = page["next"].as_str().map(str::to_owned);
        pages.push(page);
    }
    let bytes = serde_json::to_vec(&serde_json::Value::Array(pages)).map_err(|e| error(e.to_string()))?;
    read_json(url, &bytes, &crate::bounds::Limits::LOCAL)
}
