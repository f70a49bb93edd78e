//! Where a ledger lives. Today a file; the type leaves room for a database
//! URL (`postgres://…`), so that such a URL is never taken for a relative
//! file path and no ledger is ever created in a folder named `postgres:`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite ledger file.
    File(PathBuf),
    /// A database server URL (`postgres://` or `postgresql://`).
    Url(String),
}

/// What a URL starts with. Only the scheme and its colon: `postgres:/h/db`
/// or `postgres:h/db` is a mistyped URL (refused when connecting, saying
/// how to write it), never a path that would put a ledger in a folder
/// named `postgres:`.
const URL_SCHEMES: [&str; 2] = ["postgres:", "postgresql:"];

impl Location {
    /// Whether `text` names a database server (`postgres:…`,
    /// `postgresql:…`, any case) rather than a file.
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

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, and
/// `?password=secret` → `?password=***`.
fn redact(url: &str) -> String {
    let mut spans: Vec<Range<usize>> = userinfo_password(url).map(|(s, _)| s).into_iter().collect();
    spans.extend(query_passwords(url));
    spans.sort_by_key(|s| s.start);
    let (mut out, mut shown) = (String::new(), 0);
    for span in spans {
        if span.start < shown {
            continue;
        }
        out.push_str(&url[shown..span.start]);
        out.push_str("***");
        shown = span.end;
    }
    out.push_str(&url[shown..]);
    out
}

/// Where the user-info's password sits in `url`, and whether it runs past
/// the first `/` or `?` (a password whose `/`, `?` or `@` was not
/// percent-encoded). The password ends at the last `@`, unless that `@`
/// is in a query value (`?user=ann@corp`): then at the host's own `@`.
/// Errs towards hiding: what might be a password is one.
pub(crate) fn userinfo_password(url: &str) -> Option<(Range<usize>, bool)> {
    let start = after_scheme(url)?;
    let rest = &url[start..];
    let delim = rest.find(['/', '?']).unwrap_or(rest.len());
    let mut at = rest.rfind('@')?;
    if at > delim && rest[delim..at].contains('=') {
        at = rest[..delim].rfind('@')?;
    }
    let colon = rest.find(':')?;
    (colon < at && colon < delim).then(|| (start + colon + 1..start + at, at > delim))
}

/// Where the part after `scheme:` and its slashes (`//`, or a mistyped
/// number of them) begins.
fn after_scheme(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    Some(colon + 1 + url[colon + 1..].len() - url[colon + 1..].trim_start_matches('/').len())
}

/// The values of `password=` parameters in the query.
fn query_passwords(url: &str) -> Vec<Range<usize>> {
    const KEY: &str = "password=";
    let lower = url.to_ascii_lowercase();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(KEY) {
        let key = from + found;
        let value = key + KEY.len();
        from = value;
        if key == 0 || !matches!(url.as_bytes()[key - 1], b'?' | b'&') {
            continue;
        }
        let end = url[value..].find('&').map_or(url.len(), |i| value + i);
        spans.push(value..end);
    }
    spans
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

    #[test]
    fn passwords_written_any_way_are_hidden() {
        for (url, shown) in [
            ("postgres://a:p/q@h:5/d", "postgres://a:***@h:5/d"),
            ("postgres://a:p@q:w/r@h/d", "postgres://a:***@h/d"),
            ("postgres://a:p?q@h/d", "postgres://a:***@h/d"),
            (
                "postgres://a@h/d?password=p",
                "postgres://a@h/d?password=***",
            ),
            (
                "postgres://a:p@h/d?sslmode=disable&PASSWORD=p&x=1",
                "postgres://a:***@h/d?sslmode=disable&PASSWORD=***&x=1",
            ),
            (
                "postgres://h:5432/d?user=a@corp",
                "postgres://h:5432/d?user=a@corp",
            ),
            (
                "postgres://a:p@h/d?user=a@corp",
                "postgres://a:***@h/d?user=a@corp",
            ),
            ("postgres://h:5432/d", "postgres://h:5432/d"),
            ("postgres:/a:p@h/d", "postgres:/a:***@h/d"),
            ("postgres:a:p@h/d", "postgres:a:***@h/d"),
        ] {
            assert_eq!(Location::Url(url.into()).to_string(), shown, "{url}");
        }
        assert_eq!(
            userinfo_password("postgres://a:p/q@h/d").map(|p| p.1),
            Some(true)
        );
        assert_eq!(
            userinfo_password("postgres://a:p@q@h/d").map(|p| p.1),
            Some(false)
        );
        assert_eq!(userinfo_password("postgres://h:5/d?user=a@b"), None);
    }
}
