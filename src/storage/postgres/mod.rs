//! The shared team ledger in PostgreSQL, behind the same [`Store`] seam as
//! the SQLite file: every command works unchanged against either.
//!
//! How this backend keeps the seam's promises (docs/architecture.md,
//! "PostgreSQL"):
//! * **One transaction per write, serialised.** Every writing transaction
//!   first takes one transaction-level advisory lock for the whole ledger
//!   (`pg_advisory_xact_lock`), then runs its checks (overlapping amounts,
//!   supersede-once, import duplicates) and its inserts under READ
//!   COMMITTED, whose statements see every write committed before the lock
//!   was granted. Two writers on two machines therefore never both pass a
//!   check, ids grow in commit order and an import's rows get consecutive
//!   ids, exactly as with SQLite's single writer. Waiting is bounded by
//!   `lock_timeout` (`TRACKER_BUSY_TIMEOUT_MS`, default 10 s): past it, the
//!   write is refused as busy. Readers never wait (MVCC).
//! * **Snapshot reads.** Every reading method runs in one REPEATABLE READ,
//!   READ ONLY transaction; a report walks a snapshot, whatever commits
//!   meanwhile. A ledger opened for reading sets every transaction
//!   read-only, so a reading command cannot write even by mistake.
//! * **The database enforces the trail.** Triggers refuse UPDATE, DELETE
//!   and TRUNCATE; `recorded_by` is `session_user`, set by a trigger
//!   (migrations/0001-schema.sql); roles are in roles.sql.
//!
//! Layout mirrors the SQLite backend: `connect.rs` (URL and libpq
//! conventions), `migrate.rs` + `migrations/`, `codec.rs` (rows and the
//! ledger clock), `read.rs`, `write.rs`, `bulk.rs`, `changes.rs`,
//! `maintain.rs`, `error.rs` (SQLSTATE → kinds), this file (open, the
//! transaction helpers and the binding to the trait).

mod bulk;
mod changes;
mod codec;
mod connect;
mod error;
mod import;
mod maintain;
pub mod migrate;
mod read;
mod write;

#[cfg(test)]
mod tests;

use super::*;
use crate::model::{Entry, Observation, TargetDef};
use crate::targets_file::SeedTarget;
use ::postgres::{Client, IsolationLevel, Transaction};
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::path::Path;

/// The SQL that creates the reader, writer and owner roles and their
/// rights (README, "A shared ledger").
pub const ROLES_SQL: &str = include_str!("roles.sql");

/// The role a connection to `url` logs in as: on a shared ledger the
/// database records it as the author of every entry, whatever name the
/// client claims.
pub fn login_role(url: &str) -> Option<String> {
    connect::login_role(url)
}

/// The advisory lock key every writing transaction holds ("TRKRledg").
const LEDGER_LOCK: i64 = 0x5452_4B52_6C65_6467;

/// A ledger in a PostgreSQL database.
pub struct PgLedger {
    client: RefCell<Client>,
    location: Location,
}

impl PgLedger {
    /// Sets up the ledger's tables in an empty database (a database that
    /// already holds a ledger is [`StorageError::AlreadyExists`]).
    pub fn create(url: &str) -> StorageResult<PgLedger> {
        let location = Location::Url(url.to_string());
        let mut client = connect::connect(url, &location)?;
        match migrate::inspect(&mut client)? {
            migrate::Version::Empty => {}
            migrate::Version::Ledger(_) => {
                return Err(StorageError::AlreadyExists {
                    path: as_path(&location),
                });
            }
            migrate::Version::Foreign => {
                return Err(StorageError::NotALedger {
                    path: as_path(&location),
                });
            }
            migrate::Version::NoRights => return Err(no_rights(&mut client, &location)),
        }
        let ledger = PgLedger::configured(client, location, Access::ReadWrite)?;
        ledger.migrate()?;
        Ok(ledger)
    }

    /// Opens an existing ledger; never creates one. Opened for writing, a
    /// ledger whose schema is older is migrated, and a role that may not
    /// write is refused here, before any work.
    pub fn open(url: &str, access: Access) -> StorageResult<PgLedger> {
        let location = Location::Url(url.to_string());
        let mut client = connect::connect(url, &location)?;
        let found = match migrate::inspect(&mut client)? {
            migrate::Version::Ledger(found) => found,
            migrate::Version::Empty => {
                return Err(StorageError::NotFound {
                    path: as_path(&location),
                });
            }
            migrate::Version::Foreign => {
                return Err(StorageError::NotALedger {
                    path: as_path(&location),
                });
            }
            migrate::Version::NoRights => return Err(no_rights(&mut client, &location)),
        };
        if found > migrate::current_version() {
            return Err(too_new(&location, found));
        }
        let ledger = PgLedger::configured(client, location, access)?;
        if access == Access::ReadWrite {
            let may_write: bool = ledger
                .client
                .borrow_mut()
                .query_one(
                    "SELECT has_table_privilege('observations', 'INSERT')
                        AND NOT pg_is_in_recovery()",
                    &[],
                )?
                .get(0);
            if !may_write {
                return Err(StorageError::ReadOnly {
                    path: Some(as_path(&ledger.location)),
                    why: ReadOnly::Role,
                });
            }
            if found < migrate::current_version() {
                ledger.migrate()?;
            }
        }
        Ok(ledger)
    }

    fn configured(mut client: Client, location: Location, access: Access) -> StorageResult<Self> {
        let timeout = busy_timeout_setting()
            .ok()
            .flatten()
            .unwrap_or(DEFAULT_BUSY_TIMEOUT);
        let read_only = if access == Access::ReadOnly {
            "on"
        } else {
            "off"
        };
        // temp_buffers: an import stages its rows in a temporary table,
        // which then stays in this process's memory rather than on disk (it
        // can only be set before the session's first temporary table).
        client.batch_execute(&format!(
            "SET lock_timeout = {}; SET default_transaction_read_only = {read_only};
             SET TimeZone = 'UTC'; SET temp_buffers = '64MB'",
            timeout.as_millis().max(1)
        ))?;
        Ok(PgLedger {
            client: RefCell::new(client),
            location,
        })
    }

    fn migrate(&self) -> StorageResult<()> {
        let found = migrate::migrate(&mut self.client.borrow_mut())?;
        if found > migrate::current_version() {
            return Err(too_new(&self.location, found));
        }
        if found == -2 {
            return Err(no_rights(&mut self.client.borrow_mut(), &self.location));
        }
        if found < 0 {
            return Err(StorageError::NotALedger {
                path: as_path(&self.location),
            });
        }
        Ok(())
    }

    /// Runs `f` in one REPEATABLE READ, READ ONLY transaction: one
    /// snapshot, whatever commits meanwhile.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> StorageResult<T>,
    ) -> StorageResult<T> {
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in one writing transaction holding the ledger's write lock
    /// (see the module docs); commits if `f` returns `Ok((value, true))`,
    /// rolls back if it returns `false` or fails.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Transaction<'_>) -> StorageResult<(T, bool)>,
    ) -> StorageResult<T> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LEDGER_LOCK])?;
        let (value, commit) = f(&mut tx)?;
        if commit {
            tx.commit()?;
        }
        Ok(value)
    }
}

/// The location where the kinds shared with file ledgers expect a path:
/// its redacted text, so no password reaches a message.
fn as_path(location: &Location) -> std::path::PathBuf {
    std::path::PathBuf::from(location.to_string())
}

/// A ledger is there but this role may not read it: say so, naming the
/// role, rather than offer to create a ledger.
fn no_rights(client: &mut Client, location: &Location) -> StorageError {
    let role: String = client
        .query_one("SELECT session_user::text", &[])
        .map(|row| row.get(0))
        .unwrap_or_else(|_| "this role".to_string());
    StorageError::CannotOpen {
        location: location.clone(),
        reason: format!(
            "the database holds a ledger, but the role `{role}` has no rights on it; \
             ask its owner to grant `{role}` the reader or writer role \
             (GRANT tracker_reader TO {role}; README, \"A shared ledger\")"
        ),
    }
}

fn too_new(location: &Location, found: i64) -> StorageError {
    StorageError::TooNew {
        path: as_path(location),
        found,
        supported: migrate::current_version(),
    }
}

impl From<PgLedger> for Ledger {
    fn from(store: PgLedger) -> Self {
        Ledger {
            store: Box::new(store),
        }
    }
}

impl Store for PgLedger {
    fn close(self: Box<Self>) -> StorageResult<()> {
        // Every write committed before its method returned; closing tells
        // the server, and a failure here loses nothing.
        let _ = self.client.into_inner().close();
        Ok(())
    }
    fn location(&self) -> Location {
        self.location.clone()
    }
    fn target_count(&self) -> StorageResult<i64> {
        self.read(read::target_count)
    }
    fn entry_count(&self) -> StorageResult<i64> {
        self.read(read::entry_count)
    }
    fn target_ids(&self) -> StorageResult<Vec<String>> {
        self.read(read::target_ids)
    }
    fn target(&self, id: &str, known_at: KnownAt) -> StorageResult<TargetDef> {
        match self.read(|tx| read::target(tx, id, known_at))? {
            Some(def) => Ok(def),
            None => Err(self.unknown_target(id)),
        }
    }
    fn unknown_target(&self, id: &str) -> StorageError {
        let ids = self.target_ids().unwrap_or_default();
        StorageError::UnknownTarget {
            id: id.to_string(),
            suggestions: super::read::nearest(id, &ids),
        }
    }
    fn current_observations(&self, id: &str, known_at: KnownAt) -> StorageResult<Vec<Observation>> {
        self.read(|tx| read::current_observations(tx, id, known_at))
    }
    fn visit_targets(&self, known_at: KnownAt, visit: &mut Visit<'_>) -> StorageResult<()> {
        self.read(|tx| read::visit_targets(tx, known_at, visit))
    }
    fn entries(&self, id: Option<&str>) -> StorageResult<Vec<Entry>> {
        self.read(|tx| read::entries(tx, id))
    }
    fn entry(&self, id: i64) -> StorageResult<Entry> {
        self.read(|tx| read::entry(tx, id))?
            .ok_or(StorageError::UnknownObservation { id })
    }
    fn target_versions(&self, id: Option<&str>) -> StorageResult<Vec<TargetVersion>> {
        self.read(|tx| read::target_versions(tx, id))
    }
    fn record(&mut self, new: &NewObservation, now: DateTime<Utc>) -> StorageResult<i64> {
        self.write(|tx| Ok((write::record(tx, new, now)?, true)))
    }
    fn correct(&mut self, correction: &Correction, now: DateTime<Utc>) -> StorageResult<i64> {
        self.write(|tx| Ok((write::correct(tx, correction, now)?, true)))
    }
    fn retract(
        &mut self,
        id: i64,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        self.write(|tx| Ok((write::retract(tx, id, reason, recorded_by, now)?, true)))
    }
    fn amend_target(
        &mut self,
        def: &TargetDef,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        self.write(|tx| {
            Ok((
                write::amend_target(tx, def, reason, recorded_by, now)?,
                true,
            ))
        })
    }
    fn import_observations(
        &mut self,
        rows: &mut dyn ImportSource,
        now: DateTime<Utc>,
        mode: ImportMode,
    ) -> StorageResult<ImportOutcome> {
        let outcome = self.write(|tx| import::import_observations(tx, rows, now, mode))?;
        if outcome.added >= import::VACUUM_AFTER_ROWS {
            import::after_bulk_load(&mut self.client.borrow_mut());
        }
        Ok(outcome)
    }
    fn restore(
        &mut self,
        versions: &[TargetVersion],
        entries: &[Entry],
    ) -> StorageResult<RestoreSummary> {
        self.write(|tx| Ok((bulk::restore(tx, versions, entries)?, true)))
    }
    fn import_targets(
        &mut self,
        targets: &[SeedTarget],
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<ImportSummary> {
        self.write(|tx| Ok((bulk::import_targets(tx, targets, recorded_by, now)?, true)))
    }
    fn entries_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<Entry>> {
        self.read(|tx| changes::entries_between(tx, since, until))
    }
    fn target_versions_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<TargetVersion>> {
        self.read(|tx| changes::target_versions_between(tx, since, until))
    }
    fn latest_mark(&self, name: Option<&str>) -> StorageResult<Option<DateTime<Utc>>> {
        self.read(|tx| changes::latest_mark(tx, name))
    }
    fn add_mark(
        &mut self,
        name: Option<&str>,
        until: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        self.write(|tx| Ok((changes::add_mark(tx, name, until, recorded_at, by)?, true)))
    }
    fn check(&self) -> StorageResult<Vec<String>> {
        self.read(maintain::check)
    }
    fn backup_to(&self, dest: &Path) -> StorageResult<()> {
        maintain::backup_to(self, dest)
    }
}
