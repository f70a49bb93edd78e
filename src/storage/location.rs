//! Where a ledger lives. Today a file; the type leaves room for a database
//! URL (`postgres://…`), so that such a URL is never taken for a relative
//! file path and no ledger is ever created in a folder named `postgres:`.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite ledger file.
    File(PathBuf),
    /// A database server URL (`postgres://` or `postgresql://`).
    Url(String),
}

const URL_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

impl Location {
    /// Whether `text` names a database server (`postgres://…`,
    /// `postgresql://…`, any case) rather than a file.
    pub fn is_url(text: &str) -> bool {
        URL_SCHEMES
            .iter()
            .any(|s| text.len() >= s.len() && text[..s.len()].eq_ignore_ascii_case(s))
    }

    /// The file path, for a file ledger.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Url(_) => None,
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        match path.to_str() {
            Some(text) if Location::is_url(text) => Location::Url(text.to_string()),
            _ => Location::File(path.to_path_buf()),
        }
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Self {
        Location::from(path.as_path())
    }
}

/// Shown in messages: a URL without its password.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Url(url) => f.write_str(&redact(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_not_paths_and_hide_passwords() {
        let url = Location::from(Path::new("postgres://ann:s3cret@db.example/ledger"));
        assert!(matches!(url, Location::Url(_)));
        assert_eq!(url.to_string(), "postgres://ann:***@db.example/ledger");
        assert!(!url.to_string().contains("s3cret"));
        let file = Location::from(Path::new("postgres/ledger.db"));
        assert_eq!(file, Location::File(PathBuf::from("postgres/ledger.db")));
        assert_eq!(
            Location::from(Path::new("PostgreSQL://h/db")).to_string(),
            "PostgreSQL://h/db"
        );
    }
}
