//! What can go wrong with a ledger, in kinds a caller can act on. SQLite's
//! numeric codes stop here: a command sees "read-only", "disk full" or
//! "corrupt", each with its own words and exit code, never "Error code
//! 1544". A second backend maps its own failures onto the same kinds.

use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("no ledger at {}", path.display())]
    NotFound { path: PathBuf },
    #[error("{} is not a tracker ledger (not an SQLite database, or one without tracker's tables)", path.display())]
    NotALedger { path: PathBuf },
    #[error(
        "{} has schema version {found}, newer than this tracker understands (up to {supported})",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{} already exists", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("unknown target `{id}`")]
    UnknownTarget {
        id: String,
        suggestions: Vec<String>,
    },
    #[error("unknown observation #{id}")]
    UnknownObservation { id: i64 },
    /// The write contradicts what the ledger holds (an overlapping amount,
    /// an entry already corrected, a different definition history).
    #[error("{0}")]
    Conflict(String),
    /// Input the database's own constraints refused: the second line of
    /// defence behind the domain rules.
    #[error("the ledger refused the data: {0}")]
    Invalid(String),
    /// The ledger file is damaged or holds values it cannot read back.
    #[error("the ledger is damaged: {0}")]
    Corrupt(String),
    #[error("the ledger is busy: another process held the write lock for too long")]
    Busy,
    /// A write was attempted where the ledger cannot be written.
    #[error("{}", read_only_message(path.as_deref(), *why))]
    ReadOnly {
        path: Option<PathBuf>,
        why: ReadOnly,
    },
    /// The disk (or the file system holding the ledger) is full.
    #[error("the disk holding the ledger is full; nothing was written")]
    DiskFull,
    /// A database ledger that cannot be reached or logged into (server
    /// down, wrong host, password refused, no such database).
    #[error("cannot open the ledger at {location}: {reason}")]
    CannotOpen {
        location: super::Location,
        reason: String,
    },
    /// A ledger kind this build cannot open.
    #[error(
        "{location}: a ledger there cannot be created this way (a database ledger is set up with `tracker --db URL init`)"
    )]
    Unsupported { location: super::Location },
    /// Any other database failure (a bug, or the machine).
    #[error("database error: {0}")]
    Database(String),
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a ledger cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnly {
    /// The ledger file's permissions.
    File,
    /// The folder: SQLite needs to create its journal files next to the
    /// ledger.
    Folder,
    /// The whole file system is mounted read-only.
    Mount,
    /// The database said so; the cause is not known.
    Unknown,
    /// A database ledger: the role this connection logged in as may read
    /// but not write (or the server is a read-only standby).
    Role,
}

fn read_only_message(path: Option<&Path>, why: ReadOnly) -> String {
    let file = path.map_or("the ledger".to_string(), |p| p.display().to_string());
    let folder = path
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map_or("its folder".to_string(), |p| p.display().to_string());
    let what = match why {
        ReadOnly::File => format!("the ledger file {file} is read-only"),
        ReadOnly::Folder => format!(
            "the folder {folder} is read-only, and writing {file} needs to create journal files there"
        ),
        ReadOnly::Mount => format!("{file} is on a file system mounted read-only"),
        ReadOnly::Unknown => format!("{file} cannot be written (read-only)"),
        ReadOnly::Role => format!(
            "the database role this connection uses may not write to {file} (it has no INSERT rights on the ledger's tables, or the server is read-only)"
        ),
    };
    format!(
        "{what}; nothing was written (reading commands such as `list`, `report` and `export` still work)"
    )
}

pub type StorageResult<T> = Result<T, StorageError>;

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        // A statement of this tracker that SQLite cannot prepare on this
        // ledger ("no such column"): its tables are not those of the
        // schema version it claims, e.g. after a hand edit. Say what is
        // missing, not the statement's SQL.
        if let rusqlite::Error::SqlInputError { msg, .. } = &error {
            return StorageError::Corrupt(format!(
                "its tables do not match its schema version ({msg})"
            ));
        }
        let Some(code) = error.sqlite_error_code() else {
            return StorageError::Database(error.to_string());
        };
        let detail = match &error {
            rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
            _ => code_words(code).to_string(),
        };
        match code {
            C::DatabaseBusy | C::DatabaseLocked => StorageError::Busy,
            C::ReadOnly => StorageError::ReadOnly {
                path: None,
                why: ReadOnly::Unknown,
            },
            C::DiskFull => StorageError::DiskFull,
            C::DatabaseCorrupt | C::NotADatabase => StorageError::Corrupt(detail),
            C::ConstraintViolation | C::TooBig => StorageError::Invalid(detail),
            _ => StorageError::Database(detail),
        }
    }
}

/// Words for a code without a message of its own.
fn code_words(code: rusqlite::ErrorCode) -> &'static str {
    use rusqlite::ErrorCode as C;
    match code {
        C::DatabaseCorrupt => "the database file is malformed",
        C::NotADatabase => "the file is not a database",
        C::CannotOpen => "the file cannot be opened",
        C::SystemIoFailure => "a disk read or write failed",
        C::ConstraintViolation => "a constraint failed",
        _ => "the database reported a failure",
    }
}

/// Why `path` cannot be written, found by trying what SQLite needs: to
/// open the file for writing, and to create a file next to it. `None` when
/// both work.
pub fn diagnose_read_only(path: &Path) -> Option<ReadOnly> {
    use std::io::ErrorKind;
    let classify = |e: &std::io::Error, denied: ReadOnly| match e.kind() {
        ErrorKind::ReadOnlyFilesystem => Some(ReadOnly::Mount),
        ErrorKind::PermissionDenied => Some(denied),
        _ => None,
    };
    if let Err(e) = std::fs::OpenOptions::new().append(true).open(path)
        && let Some(why) = classify(&e, ReadOnly::File)
    {
        return Some(why);
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match tempfile::tempfile_in(&folder) {
        Err(e) => classify(&e, ReadOnly::Folder),
        Ok(_) => None,
    }
}
