//! The database URL: `sqlite://FILE` (the default, `sqlite://vigie.db`), `sqlite::memory:`, or
//! `postgres://...`.

use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    SqliteMemory,
    Postgres(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl, String> {
        if url == "sqlite::memory:" {
            return Ok(DbUrl::SqliteMemory);
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(format!("`{url}` names no file: write e.g. `sqlite://vigie.db`"));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        Err(format!(
            "`{}` is not a database URL Vigie knows: use `sqlite://FILE` (e.g. `sqlite://vigie.db`) or `postgres://USER@HOST/DB`",
            redact(url)
        ))
    }
}

/// Hides a password (`user:secret@host`) so that URLs can be logged and printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &credentials[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DbUrl::SqliteMemory => f.write_str("sqlite::memory:"),
            DbUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_schemes_and_hides_passwords() {
        assert_eq!(DbUrl::parse("sqlite://vigie.db"), Ok(DbUrl::Sqlite("vigie.db".into())));
        assert_eq!(DbUrl::parse("sqlite:///tmp/v.db"), Ok(DbUrl::Sqlite("/tmp/v.db".into())));
        assert_eq!(DbUrl::parse("sqlite::memory:"), Ok(DbUrl::SqliteMemory));
        let pg = DbUrl::parse("postgres://vigie:s3cret@localhost/vigie").expect("postgres URL");
        assert_eq!(format!("{pg:?}"), "postgres://vigie:***@localhost/vigie");
        let err = DbUrl::parse("mysql://root:pw@h/db").expect_err("refused");
        assert!(err.contains("sqlite://") && !err.contains("pw"), "{err}");
        assert!(DbUrl::parse("sqlite://").is_err());
    }
}
