//! PostgreSQL failures onto [`StorageError`]'s kinds, by SQLSTATE: a
//! command sees "busy", "read-only role" or "disk full" with its own words
//! and exit code, never a driver's raw text without context.

use super::super::{Location, ReadOnly, StorageError};
use ::postgres::error::{DbError, SqlState};

impl From<::postgres::Error> for StorageError {
    fn from(error: ::postgres::Error) -> Self {
        let Some(db) = error.as_db_error() else {
            return if error.is_closed() {
                StorageError::Database(
                    "the connection to the database server was lost; what the command had \
                     not committed was not written (`tracker history` shows what was)"
                        .to_string(),
                )
            } else {
                StorageError::Database(format!("talking to the database server: {error}"))
            };
        };
        from_db_error(db)
    }
}

fn detail(db: &DbError) -> String {
    match db.detail() {
        Some(detail) => format!("{} ({detail})", db.message()),
        None => db.message().to_string(),
    }
}

fn from_db_error(db: &DbError) -> StorageError {
    let code = db.code();
    let class = &code.code()[..2];
    if *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::LOCK_NOT_AVAILABLE
        || *code == SqlState::QUERY_CANCELED
    {
        return StorageError::Busy;
    }
    if *code == SqlState::INSUFFICIENT_PRIVILEGE || *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        return StorageError::ReadOnly {
            path: None,
            why: ReadOnly::Role,
        };
    }
    if *code == SqlState::DISK_FULL {
        return StorageError::DiskFull;
    }
    if *code == SqlState::DATA_CORRUPTED || *code == SqlState::INDEX_CORRUPTED {
        return StorageError::Corrupt(detail(db));
    }
    match class {
        // Integrity constraints (check, unique, foreign key, not null, the
        // append-only triggers) and data exceptions (a value out of range).
        "23" | "22" => StorageError::Invalid(detail(db)),
        // The server ended the session (an administrator, a shutdown, a
        // crash): the open transaction was rolled back.
        "57" | "08" => StorageError::Database(format!(
            "the database server ended the connection ({}); the command's \
             transaction was not written: run it again once the server is back",
            db.message()
        )),
        "53" => StorageError::Database(format!(
            "the database server is out of resources: {}",
            detail(db)
        )),
        _ => StorageError::Database(format!("{} [SQLSTATE {}]", detail(db), code.code())),
    }
}

/// A failure to connect: unreachable server, refused login, missing
/// database. The message names the redacted location and the cause.
pub(super) fn connect_error(error: ::postgres::Error, location: &Location) -> StorageError {
    let reason = match error.as_db_error() {
        Some(db) if *db.code() == SqlState::INVALID_CATALOG_NAME => {
            format!(
                "{} (create it with `createdb`, then run `tracker init`)",
                db.message()
            )
        }
        Some(db) if db.code().code().starts_with("28") => {
            format!("the server refused the login: {}", db.message())
        }
        Some(db) => detail(db),
        None => {
            // The driver's text for I/O and TLS failures names no password.
            let text = error.to_string();
            let source = std::error::Error::source(&error)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            format!("{text}{source}")
        }
    };
    StorageError::CannotOpen {
        location: location.clone(),
        reason,
    }
}
