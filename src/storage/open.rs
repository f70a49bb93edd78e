//! Opening and creating a ledger file and configuring each connection:
//! the one place that decides journal mode, durability and busy waiting.

use super::error::diagnose_read_only;
use super::*;
use rusqlite::{Connection, MAIN_DB, OpenFlags};
use std::path::Path;

impl SqliteLedger {
    /// Folds the write-ahead log into the file and closes the connection,
    /// returning any failure instead of dropping it silently. A new ledger
    /// is built under a temporary name and then linked into place: linked
    /// before its log was folded in, the file would be empty.
    pub fn close(self) -> StorageResult<()> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        if busy != 0 {
            return Err(StorageError::Busy);
        }
        self.conn.close().map_err(|(_, error)| error)?;
        Ok(())
    }

    /// Creates a new ledger file (and its folder) with the current schema.
    pub fn create(path: &Path) -> StorageResult<SqliteLedger> {
        if path.exists() {
            return Err(StorageError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StorageError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        configure(&conn, Access::ReadWrite)?;
        migrate::migrate(&mut conn)?;
        Ok(SqliteLedger {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing ledger; never creates one. Opened for writing, a
    /// ledger that cannot be written is refused here, before any work, with
    /// the reason (file, folder or mount).
    pub fn open(path: &Path, access: Access) -> StorageResult<SqliteLedger> {
        let read_only = |why: Option<ReadOnly>| StorageError::ReadOnly {
            path: Some(path.to_path_buf()),
            why: why.unwrap_or(ReadOnly::Unknown),
        };
        let ledger = Self::open_as(path, access).map_err(|e| match e {
            StorageError::ReadOnly { .. } => read_only(diagnose_read_only(path)),
            StorageError::Database(_) if access == Access::ReadWrite => {
                match diagnose_read_only(path) {
                    Some(why) => read_only(Some(why)),
                    None => e,
                }
            }
            e => e,
        })?;
        if access == Access::ReadWrite && ledger.conn.is_readonly(MAIN_DB)? {
            return Err(read_only(diagnose_read_only(path)));
        }
        Ok(ledger)
    }

    fn open_as(path: &Path, access: Access) -> StorageResult<SqliteLedger> {
        if !path.is_file() {
            return Err(StorageError::NotFound {
                path: path.to_path_buf(),
            });
        }
        let flags = match access {
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        let not_a_ledger = || StorageError::NotALedger {
            path: path.to_path_buf(),
        };
        let mut inspected = migrate::inspect(&conn);
        if access == Access::ReadOnly
            && inspected.as_ref().is_err_and(cannot_create_wal_files)
            && wal_is_empty(path)
        {
            // A WAL ledger in a folder this user cannot write to: SQLite
            // cannot create the -wal/-shm files a reader needs. With no
            // pending -wal, every commit is in the main file: read it as is.
            conn = open_immutable(path)?;
            inspected = migrate::inspect(&conn);
        }
        // A file that is not SQLite at all fails on the first read.
        let version = match inspected {
            Ok(version) => version,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                return Err(not_a_ledger());
            }
            Err(e) => return Err(e.into()),
        };
        match version {
            migrate::Version::Ledger(found) if found > migrate::current_version() => {
                return Err(StorageError::TooNew {
                    path: path.to_path_buf(),
                    found,
                    supported: migrate::current_version(),
                });
            }
            migrate::Version::Ledger(found) => {
                configure(&conn, access)?;
                if found < migrate::current_version() {
                    match access {
                        Access::ReadWrite => {
                            migrate::migrate(&mut conn)?;
                        }
                        Access::ReadOnly => migrate::read_as_current(&conn, found)?,
                    }
                }
            }
            migrate::Version::Empty | migrate::Version::Foreign => return Err(not_a_ledger()),
        }
        Ok(SqliteLedger {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// SQLite could not create a WAL ledger's -wal or -shm file for a reader.
pub(super) fn cannot_create_wal_files(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_READONLY_DIRECTORY
            || e.code == rusqlite::ErrorCode::CannotOpen)
}

/// Whether `path` has no -wal file, or an empty one.
pub(super) fn wal_is_empty(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(true, |m| m.len() == 0)
}

/// Opens the ledger read-only as an immutable file (no locks, no -wal or
/// -shm), for a reader in a folder it cannot write to. A writer can only
/// exist with write access to that folder; should one checkpoint while
/// this short read runs, the read may fail, but it never writes.
pub(super) fn open_immutable(path: &Path) -> StorageResult<Connection> {
    let text = path.to_string_lossy();
    let mut uri = String::from("file:");
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Ok(Connection::open_with_flags(uri, flags)?)
}

/// Per-connection settings; see the module docs for why each is set.
pub(super) fn configure(conn: &Connection, access: Access) -> StorageResult<()> {
    // A bad value was refused when the configuration was read.
    let timeout = super::busy_timeout_setting()
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_BUSY_TIMEOUT);
    conn.busy_timeout(timeout)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Plans never depend on bound values. Without this, SQLite re-prepares
    // (re-parses and re-plans) a cached statement each time a parameter it
    // compared against a partial index (observations_superseded_once) is
    // bound again: every INSERT and overlap check of an import, per row.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    if access == Access::ReadWrite {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StorageError::Database(format!(
                "could not switch the ledger to WAL journal mode (got `{mode}`)"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    Ok(())
}
