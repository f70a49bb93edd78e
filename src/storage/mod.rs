//! The ledger on disk. All SQL lives in this module and nowhere else.
//!
//! The rest of the program talks to [`Ledger`] in the vocabulary of
//! `model.rs` (targets, observations, entries) and never sees a rusqlite
//! type, so a second backend (PostgreSQL for teams sharing one ledger) is a
//! new implementation of these methods, not a rewrite of the commands.
//!
//! Invariants kept here:
//! * a path that does not exist is never created by `open`: a typo must not
//!   become a new, empty ledger (only [`Ledger::create`] creates);
//! * every writing transaction is `BEGIN IMMEDIATE`, so concurrent writers
//!   queue on the busy timeout instead of failing half-way;
//! * WAL journal with `synchronous=FULL`: readers (cron exports) never block
//!   writers, and a committed entry survives power loss;
//! * reads stream: reports walk observations in one ordered query, never one
//!   query per target.

mod changes;
pub mod migrate;

use crate::model::{
    Action, Cadence, Comparator, Direction, Entry, Kind, Observation, Period, Provenance,
    Qualifier, Quantity, TargetDef,
};
use crate::targets_file::SeedTarget;
use crate::value::format_plain;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

/// How long a writer waits for another writer before giving up, unless
/// `TRACKER_BUSY_TIMEOUT_MS` says otherwise.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("no ledger at {}", path.display())]
    NotFound { path: PathBuf },
    #[error("{} is not a tracker ledger", path.display())]
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
    #[error("{0}")]
    Conflict(String),
    #[error("the ledger is busy: another process held the write lock for too long")]
    Busy,
    #[error("database error")]
    Sqlite(#[source] rusqlite::Error),
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                StorageError::Busy
            }
            _ => StorageError::Sqlite(error),
        }
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// Whether a command may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// An observation about to be recorded.
#[derive(Debug, Clone)]
pub struct NewObservation {
    pub target_id: String,
    pub quantity: Quantity,
    pub period: Period,
    pub source: String,
    pub url: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
}

/// What an observation import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub added: usize,
    /// Rows already in the ledger.
    pub skipped: usize,
    /// (row index, problem); non-empty means nothing was written.
    pub conflicts: Vec<(usize, String)>,
}

/// What a restore did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    pub targets_added: usize,
    pub versions_added: usize,
    pub entries_added: usize,
    pub entries_present: usize,
}

/// A replacement for an earlier entry.
#[derive(Debug, Clone)]
pub struct Correction {
    pub supersedes: i64,
    pub quantity: Quantity,
    /// None: the corrected entry's period.
    pub period: Option<Period>,
    /// None: the corrected entry's source (and likewise URL and note).
    pub source: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub reason: String,
    pub recorded_by: String,
}

/// One version of a target's definition with who/when/why.
#[derive(Debug, Clone)]
pub struct TargetVersion {
    pub def: TargetDef,
    pub version: i64,
    pub recorded_at: String,
    pub recorded_by: String,
    pub reason: Option<String>,
}

/// What a target import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: Vec<String>,
    pub unchanged: Vec<String>,
    pub observations: usize,
}

/// A point on the ledger's own clock: entries recorded at or before it are
/// visible. `None` sees everything.
pub type KnownAt<'a> = Option<&'a str>;

/// The canonical form of `recorded_at`: fixed-width UTC with milliseconds,
/// so text order is time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

impl Ledger {
    /// Creates a new ledger file (and its folder) with the current schema.
    pub fn create(path: &Path) -> StorageResult<Ledger> {
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
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing ledger; never creates one.
    pub fn open(path: &Path, access: Access) -> StorageResult<Ledger> {
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
                if found < migrate::current_version() && access == Access::ReadWrite {
                    migrate::migrate(&mut conn)?;
                }
            }
            migrate::Version::Empty | migrate::Version::Foreign => return Err(not_a_ledger()),
        }
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn target_count(&self) -> StorageResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM targets", [], |row| row.get(0))?)
    }

    pub fn entry_count(&self) -> StorageResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM observations", [], |row| row.get(0))?)
    }

    /// Every target id, sorted.
    pub fn target_ids(&self) -> StorageResult<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM targets ORDER BY id")?;
        let ids = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The definition of `id` in force at `known_at`.
    pub fn target(&self, id: &str, known_at: KnownAt) -> StorageResult<TargetDef> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v
             WHERE v.target_id = ?1 AND (?2 IS NULL OR v.recorded_at <= ?2)
             ORDER BY v.version DESC LIMIT 1"
        );
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![id, known_at], target_from_row)
            .optional()?;
        match found {
            Some(def) => def,
            None => Err(self.unknown_target(id)),
        }
    }

    /// The error for an id that is not in the ledger, with the nearest ids.
    pub fn unknown_target(&self, id: &str) -> StorageError {
        let ids = self.target_ids().unwrap_or_default();
        StorageError::UnknownTarget {
            id: id.to_string(),
            suggestions: nearest(id, &ids),
        }
    }

    /// The current observations of one target (corrections applied,
    /// retractions removed) as known at `known_at`, in period order.
    pub fn current_observations(
        &self,
        id: &str,
        known_at: KnownAt,
    ) -> StorageResult<Vec<Observation>> {
        let sql = match known_at {
            None => format!(
                "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end
                 FROM observations o
                 WHERE o.target_id = ?1 AND {CURRENT_NOW}
                 ORDER BY o.period_end, o.id"
            ),
            Some(_) => format!(
                "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end
                 FROM observations o
                 WHERE o.target_id = ?1 AND {CURRENT}
                 ORDER BY o.period_end, o.id"
            ),
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = match known_at {
            None => stmt.query_map(params![id], observation_from_row)?,
            Some(_) => stmt.query_map(params![id, known_at], observation_from_row)?,
        };
        rows.map(|row| row?).collect()
    }

    /// Streams every target (sorted by id) with its current observations:
    /// two ordered queries merged in one pass, so the cost is linear in the
    /// ledger and memory holds one target's observations at a time.
    pub fn for_each_target<F>(&self, known_at: KnownAt, mut visit: F) -> StorageResult<()>
    where
        F: FnMut(TargetDef, &[Observation]) -> StorageResult<()>,
    {
        let targets_sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v
             WHERE (?1 IS NULL OR v.recorded_at <= ?1)
               AND v.version = (SELECT max(version) FROM target_versions w
                                WHERE w.target_id = v.target_id
                                  AND (?1 IS NULL OR w.recorded_at <= ?1))
             ORDER BY v.target_id"
        );
        // Without --known-at: CURRENT_NOW, with the superseded rows left
        // out by an anti-join (one cursor kept open) rather than a
        // correlated NOT EXISTS (a subquery run per row). The covering
        // index observations_by_target_covering (migration 2) holds every
        // column read, so SQLite walks one b-tree in order and never visits
        // the table.
        let observations_sql = match known_at {
            None => "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end, o.target_id
                 FROM observations o
                 LEFT JOIN observations s ON s.supersedes = o.id
                 WHERE o.value IS NOT NULL AND s.id IS NULL
                 ORDER BY o.target_id, o.period_end, o.id"
                .to_string(),
            Some(_) => format!(
                "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end, o.target_id
                 FROM observations o
                 WHERE {CURRENT}
                 ORDER BY o.target_id, o.period_end, o.id"
            ),
        };
        let mut targets_stmt = self.conn.prepare(&targets_sql)?;
        let mut targets = targets_stmt.query(params![known_at])?;
        let mut obs_stmt = self.conn.prepare(&observations_sql)?;
        let mut obs_rows = match known_at {
            None => obs_stmt.query([])?,
            Some(_) => obs_stmt.query(params![Option::<String>::None, known_at])?,
        };
        // The observation read ahead, and its target id in a buffer reused
        // for every row (no allocation per observation).
        let mut pending: Option<Observation> = None;
        let mut pending_target: Vec<u8> = Vec::new();
        let mut exhausted = false;
        let mut batch: Vec<Observation> = Vec::new();
        while let Some(row) = targets.next()? {
            let def = target_from_row(row)??;
            batch.clear();
            loop {
                if pending.is_none() && !exhausted {
                    match obs_rows.next()? {
                        Some(row) => {
                            pending_target.clear();
                            pending_target.extend_from_slice(bytes_ref(row, 5)?);
                            pending = Some(observation_from_row(row)??);
                        }
                        None => exhausted = true,
                    }
                }
                match pending {
                    Some(obs) if pending_target == def.id.as_bytes() => {
                        batch.push(obs);
                        pending = None;
                    }
                    // Observations of a target not visible at known_at.
                    Some(_) if pending_target.as_slice() < def.id.as_bytes() => pending = None,
                    _ => break,
                }
            }
            visit(def, &batch)?;
        }
        Ok(())
    }

    /// Every entry of the trail, oldest first; one target's or all.
    pub fn entries(&self, id: Option<&str>) -> StorageResult<Vec<Entry>> {
        // Two statements, not `?1 IS NULL OR target_id = ?1`: SQLite cannot
        // use the index for that OR, so one target's trail would scan the
        // whole table.
        match id {
            Some(id) => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM observations WHERE target_id = ?1 ORDER BY id"
                ))?
                .query_map(params![id], entry_from_row)?
                .map(|row| row?)
                .collect(),
            None => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM observations ORDER BY id"
                ))?
                .query_map([], entry_from_row)?
                .map(|row| row?)
                .collect(),
        }
    }

    /// Records one observation. For a cumulative target, a period that
    /// overlaps a current observation is refused, naming it.
    pub fn record(&mut self, new: &NewObservation, now: DateTime<Utc>) -> StorageResult<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_observation(&tx, new, &timestamp(now))?;
        tx.commit()?;
        Ok(id)
    }

    /// One entry of the trail.
    pub fn entry(&self, id: i64) -> StorageResult<Entry> {
        self.conn
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE id = ?1"),
                params![id],
                entry_from_row,
            )
            .optional()?
            .ok_or(StorageError::UnknownObservation { id })?
    }

    /// Appends a correction of entry `correction.supersedes`. Period,
    /// source, URL and note default to the corrected entry's.
    pub fn correct(&mut self, correction: &Correction, now: DateTime<Utc>) -> StorageResult<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = supersedable(&tx, correction.supersedes)?;
        let period = correction.period.or(old.period);
        let id = insert_entry(
            &tx,
            &EntryInsert {
                target_id: &old.target_id,
                action: Action::Correct,
                quantity: Some(correction.quantity),
                period,
                source: correction.source.as_deref().unwrap_or(&old.source),
                url: correction.url.as_deref().or(old.url.as_deref()),
                note: correction.note.as_deref().or(old.note.as_deref()),
                recorded_by: &correction.recorded_by,
                supersedes: Some(old.id),
                reason: Some(&correction.reason),
            },
            &timestamp(now),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Appends a retraction of entry `id`.
    pub fn retract(
        &mut self,
        id: i64,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = supersedable(&tx, id)?;
        let new_id = insert_entry(
            &tx,
            &EntryInsert {
                target_id: &old.target_id,
                action: Action::Retract,
                quantity: None,
                period: None,
                source: &old.source,
                url: None,
                note: None,
                recorded_by,
                supersedes: Some(old.id),
                reason: Some(reason),
            },
            &timestamp(now),
        )?;
        tx.commit()?;
        Ok(new_id)
    }

    /// Adds a new version of a target's definition; earlier ones stay.
    /// Returns the new version number.
    pub fn amend_target(
        &mut self,
        def: &TargetDef,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: Option<i64> = tx.query_row(
            "SELECT max(version) FROM target_versions WHERE target_id = ?1",
            params![def.id],
            |row| row.get(0),
        )?;
        let Some(version) = version else {
            return Err(StorageError::UnknownTarget {
                id: def.id.clone(),
                suggestions: Vec::new(),
            });
        };
        insert_target_version(
            &tx,
            def,
            version + 1,
            &timestamp(now),
            recorded_by,
            Some(reason),
        )?;
        tx.commit()?;
        Ok(version + 1)
    }

    /// Every version of every target's definition (or one target's),
    /// ordered by target then version.
    pub fn target_versions(&self, id: Option<&str>) -> StorageResult<Vec<TargetVersion>> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS}, v.version, v.recorded_at, v.recorded_by, v.reason
             FROM target_versions v WHERE ?1 IS NULL OR v.target_id = ?1
             ORDER BY v.target_id, v.version"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![id], |row| {
            let def = target_from_row(row)?;
            let n = TARGET_COLUMN_COUNT;
            let version = row.get(n)?;
            let recorded_at = row.get(n + 1)?;
            let recorded_by = row.get(n + 2)?;
            let reason = row.get(n + 3)?;
            Ok(def.map(|def| TargetVersion {
                def,
                version,
                recorded_at,
                recorded_by,
                reason,
            }))
        })?;
        rows.map(|row| row?).collect()
    }

    /// Runs SQLite's own checks and the ledger's rules; returns every
    /// problem found (empty: healthy).
    pub fn check(&self) -> StorageResult<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let results: Vec<String> = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        if results != ["ok"] {
            problems.extend(results.into_iter().map(|r| format!("integrity: {r}")));
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let fk: Vec<(String, i64)> = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (table, rowid) in fk {
            problems.push(format!(
                "foreign key: row {rowid} of {table} points nowhere"
            ));
        }
        match migrate::inspect(&self.conn)? {
            migrate::Version::Ledger(v) if v == migrate::current_version() => {}
            other => problems.push(format!(
                "schema: expected version {}, found {other:?}",
                migrate::current_version()
            )),
        }
        for trigger in [
            "observations_no_update",
            "observations_no_delete",
            "observations_supersede_rules",
            "target_versions_no_update",
            "target_versions_no_delete",
            "targets_no_delete",
            "marks_no_update",
            "marks_no_delete",
        ] {
            let present: i64 = self.conn.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                params![trigger],
                |row| row.get(0),
            )?;
            if present == 0 {
                problems.push(format!("append-only guard `{trigger}` is missing"));
            }
        }
        let orphans: i64 = self.conn.query_row(
            "SELECT count(*) FROM targets t
             WHERE NOT EXISTS (SELECT 1 FROM target_versions v WHERE v.target_id = t.id AND v.version = 1)",
            [],
            |row| row.get(0),
        )?;
        if orphans > 0 {
            problems.push(format!("{orphans} target(s) without a first definition"));
        }
        let gaps: i64 = self.conn.query_row(
            "SELECT count(*) FROM (SELECT target_id FROM target_versions
             GROUP BY target_id HAVING max(version) <> count(*))",
            [],
            |row| row.get(0),
        )?;
        if gaps > 0 {
            problems.push(format!("{gaps} target(s) with missing definition versions"));
        }
        // Every stored number, date and enum reads back.
        if let Err(e) = self.for_each_target(None, |_, _| Ok(())) {
            problems.push(format!("unreadable definition or observation: {e}"));
        }
        if let Err(e) = self.entries(None) {
            problems.push(format!("unreadable entry in the trail: {e}"));
        }
        // Current amounts of a cumulative target never overlap. CROSS JOIN
        // keeps SQLite from scanning every observation first and running the
        // overlap subquery for level targets too (quadratic in their size).
        let overlaps: i64 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM target_versions v CROSS JOIN observations o
                 ON v.target_id = o.target_id AND v.kind = 'cumulative'
                  AND v.version = (SELECT max(version) FROM target_versions w WHERE w.target_id = o.target_id)
                 WHERE {CURRENT} AND EXISTS (
                    SELECT 1 FROM observations p
                    WHERE p.target_id = o.target_id AND p.id < o.id AND p.action <> 'retract'
                      AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = p.id)
                      AND p.period_start <= o.period_end AND p.period_end >= o.period_start)"
            ),
            params![Option::<String>::None, Option::<String>::None],
            |row| row.get(0),
        )?;
        if overlaps > 0 {
            problems.push(format!(
                "{overlaps} current observation(s) of cumulative targets overlap another"
            ));
        }
        Ok(problems)
    }

    /// Copies the ledger to `dest` with SQLite's online backup: one
    /// consistent snapshot even while others write. `dest` must not exist;
    /// the copy appears there whole or not at all.
    pub fn backup_to(&self, dest: &Path) -> StorageResult<()> {
        if dest.exists() {
            return Err(StorageError::AlreadyExists {
                path: dest.to_path_buf(),
            });
        }
        let folder = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let io = |source| StorageError::Io {
            path: dest.to_path_buf(),
            source,
        };
        let temp = tempfile::Builder::new()
            .prefix(".tracker-backup-")
            .suffix(".db")
            .tempfile_in(&folder)
            .map_err(io)?
            .into_temp_path();
        {
            let mut target = Connection::open(&temp)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
            backup.step(-1)?;
            drop(backup);
            target.pragma_update_and_check(None, "journal_mode", "delete", |_| Ok(()))?;
            target.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        std::fs::File::open(&temp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        temp.persist_noclobber(dest).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Adds many observations in one transaction, all or nothing. Rows
    /// already in the ledger (same target, value, qualifier, period and
    /// source, as a record or correction, current or not) are skipped, so
    /// importing a file twice adds nothing. Conflicts (unknown target,
    /// overlapping amounts) are collected per row index; if there is any,
    /// nothing is written.
    pub fn import_observations(
        &mut self,
        rows: &[NewObservation],
        now: DateTime<Utc>,
    ) -> StorageResult<ImportOutcome> {
        let at = timestamp(now);
        // A bulk load touches index pages all over the file: a larger page
        // cache keeps them from being spilled to the WAL and read back, and
        // statement journals of the batched INSERTs stay in memory. Both
        // only trade memory for I/O; the previous values are restored.
        let cache_size: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))?;
        let temp_store: i64 = self
            .conn
            .pragma_query_value(None, "temp_store", |row| row.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        let outcome = self.import_observations_in_tx(rows, &at);
        self.conn.pragma_update(None, "cache_size", cache_size)?;
        self.conn.pragma_update(None, "temp_store", temp_store)?;
        outcome
    }

    /// The import in two passes inside one IMMEDIATE transaction: first
    /// every row is checked (against the ledger as it was, and against the
    /// rows of this import accepted before it, in memory), then, if no row
    /// conflicts, the accepted rows are inserted in batches. The outcome,
    /// observation ids included, is exactly that of checking and inserting
    /// row by row, which is what this did before and what `record` does.
    fn import_observations_in_tx(
        &mut self,
        rows: &[NewObservation],
        at: &str,
    ) -> StorageResult<ImportOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcome = ImportOutcome::default();
        // Ids are handed out in order from here (an INTEGER PRIMARY KEY is
        // max + 1, and BEGIN IMMEDIATE keeps other writers out): the k-th
        // accepted row becomes #first_id + k.
        let first_id: i64 = tx.query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM observations",
            [],
            |row| row.get(0),
        )?;
        // Per target: its kind, and whether the ledger holds any entry of
        // it (if not, nothing in the ledger can duplicate or overlap a row,
        // and the per-row queries are skipped).
        let mut targets: HashMap<&str, Option<(Kind, bool)>> = HashMap::new();
        // Accepted rows, in order: (row index, the value's text). Dates are
        // cheap to write again, so their texts are not kept.
        let mut accepted: Vec<(usize, String)> = Vec::new();
        // Accepted rows with the same target and period (possible
        // duplicates): the latest, and from each the one before (a chain,
        // almost always of one). A cumulative target's accepted periods by
        // start (disjoint): start -> (end, k).
        let mut latest_same: HashMap<(&str, Period), usize> = HashMap::new();
        let mut before_same: Vec<usize> = Vec::new();
        let mut periods: HashMap<&str, BTreeMap<NaiveDate, (NaiveDate, usize)>> = HashMap::new();
        for (index, row) in rows.iter().enumerate() {
            let target = row.target_id.as_str();
            let state = match targets.get(target) {
                Some(state) => *state,
                None => {
                    let state = match target_kind(&tx, target) {
                        Ok(kind) => Some((kind, has_entries(&tx, target)?)),
                        Err(StorageError::UnknownTarget { .. }) => None,
                        Err(e) => return Err(e),
                    };
                    targets.insert(target, state);
                    state
                }
            };
            let Some((kind, in_ledger)) = state else {
                outcome
                    .conflicts
                    .push((index, format!("unknown target `{target}`")));
                continue;
            };
            let text = RowText::of(row);
            let key = (target, row.period);
            let same_key = latest_same.get(&key).copied().unwrap_or(usize::MAX);
            let mut accepted_same = false;
            let mut k = same_key;
            while k != usize::MAX && !accepted_same {
                let (i, value) = &accepted[k];
                let earlier = &rows[*i];
                accepted_same = earlier.quantity.qualifier == row.quantity.qualifier
                    && earlier.source == row.source
                    && *value == text.value;
                k = before_same[k];
            }
            if accepted_same || (in_ledger && has_same_entry(&tx, row, &text)?) {
                outcome.skipped += 1;
                continue;
            }
            if kind == Kind::Cumulative {
                // The ledger's entries have lower ids than this import's, so
                // an overlap there is the one to name.
                let mut overlap = if in_ledger {
                    overlapping_text(&tx, target, &text.start, &text.end, None)?
                } else {
                    None
                };
                if overlap.is_none()
                    && let Some(taken) = periods.get(target)
                {
                    // Disjoint periods by start: those overlapping end last.
                    overlap = taken
                        .range(..=row.period.end)
                        .rev()
                        .take_while(|(_, (end, _))| *end >= row.period.start)
                        .map(|(start, (end, k))| (*k, *start, *end))
                        .min()
                        .map(|(k, start, end)| {
                            (first_id + k as i64, iso_date(start), iso_date(end))
                        });
                }
                if let Some((id, start, end)) = overlap {
                    outcome.conflicts.push((
                        index,
                        format!(
                            "period {}..{} overlaps observation #{id} ({start}..{end}) of `{target}`",
                            row.period.start, row.period.end
                        ),
                    ));
                    continue;
                }
                periods
                    .entry(target)
                    .or_default()
                    .insert(row.period.start, (row.period.end, accepted.len()));
            }
            before_same.push(same_key);
            latest_same.insert(key, accepted.len());
            accepted.push((index, text.value));
        }
        if !outcome.conflicts.is_empty() {
            // Nothing was written; dropping `tx` ends the transaction.
            return Ok(outcome);
        }
        outcome.added = accepted.len();

        // A load at least as large as the ledger: drop the covering index
        // and build it again afterwards from sorted keys, rather than
        // inserting a million keys at random places. Same transaction, so
        // a crash or error leaves the index (and the ledger) as it was.
        let rebuild =
            if accepted.len() >= REBUILD_INDEX_MIN_ROWS && accepted.len() as i64 >= first_id - 1 {
                tx.query_row(
                    "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                    params![COVERING_INDEX],
                    |row| row.get::<_, String>(0),
                )
                .optional()?
            } else {
                None
            };
        if rebuild.is_some() {
            tx.execute_batch(&format!("DROP INDEX {COVERING_INDEX}"))?;
        }
        let mut batch = BatchInsert::new(&tx, at)?;
        for (index, value) in accepted {
            batch.push(&rows[index], value)?;
        }
        batch.flush()?;
        drop(batch);
        if let Some(sql) = rebuild {
            tx.execute_batch(&sql)?;
        }
        if cfg!(debug_assertions) {
            let last: i64 =
                tx.query_row("SELECT coalesce(max(id), 0) FROM observations", [], |row| {
                    row.get(0)
                })?;
            assert_eq!(
                last,
                first_id - 1 + outcome.added as i64,
                "ids as predicted"
            );
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Restores an export: definition versions and entries with their
    /// original times and authors, in one transaction. What the ledger
    /// already holds (same definitions, same entries) is matched, not
    /// duplicated, so restoring into a freshly seeded ledger works.
    pub fn restore(
        &mut self,
        versions: &[TargetVersion],
        entries: &[Entry],
    ) -> StorageResult<RestoreSummary> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = RestoreSummary::default();
        let mut by_target: std::collections::BTreeMap<&str, Vec<&TargetVersion>> =
            Default::default();
        for v in versions {
            by_target.entry(v.def.id.as_str()).or_default().push(v);
        }
        for (id, mut wanted) in by_target {
            wanted.sort_by_key(|v| v.version);
            let sql = format!(
                "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = ?1 ORDER BY v.version"
            );
            let existing: Vec<TargetDef> = tx
                .prepare(&sql)?
                .query_map(params![id], target_from_row)?
                .map(|row| row?)
                .collect::<StorageResult<_>>()?;
            let is_prefix = existing.len() <= wanted.len()
                && existing
                    .iter()
                    .zip(&wanted)
                    .all(|(have, want)| *have == want.def);
            if !is_prefix {
                return Err(StorageError::Conflict(format!(
                    "target `{id}` exists here with a different definition history than the export"
                )));
            }
            if existing.is_empty() {
                let created = wanted.first().map(|v| v.recorded_at.as_str()).unwrap_or("");
                tx.execute(
                    "INSERT INTO targets (id, created_at) VALUES (?1, ?2)",
                    params![id, created],
                )?;
                summary.targets_added += 1;
            }
            for (n, v) in wanted.iter().enumerate().skip(existing.len()) {
                insert_target_version(
                    &tx,
                    &v.def,
                    n as i64 + 1,
                    &v.recorded_at,
                    &v.recorded_by,
                    v.reason.as_deref(),
                )?;
                summary.versions_added += 1;
            }
        }
        let mut new_ids: std::collections::HashMap<i64, i64> = Default::default();
        let mut sorted: Vec<&Entry> = entries.iter().collect();
        sorted.sort_by_key(|e| e.id);
        for e in sorted {
            let supersedes = match e.supersedes {
                Some(old) => Some(*new_ids.get(&old).ok_or_else(|| {
                    StorageError::Conflict(format!(
                        "entry #{} supersedes #{old}, which the export does not hold",
                        e.id
                    ))
                })?),
                None => None,
            };
            let found: Option<i64> = tx
                .prepare_cached(
                    "SELECT id FROM observations
                     WHERE target_id = ?1 AND action = ?2 AND value IS ?3 AND qualifier IS ?4
                       AND period_start IS ?5 AND period_end IS ?6 AND source = ?7
                       AND supersedes IS ?8 AND reason IS ?9
                     ORDER BY id LIMIT 1",
                )?
                .query_row(
                    params![
                        e.target_id,
                        e.action.as_str(),
                        e.quantity.map(|q| format_plain(q.value)),
                        e.quantity.map(|q| q.qualifier.as_str()),
                        e.period.map(|p| iso_date(p.start)),
                        e.period.map(|p| iso_date(p.end)),
                        e.source,
                        supersedes,
                        e.reason,
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            let id = match found {
                Some(id) => {
                    summary.entries_present += 1;
                    id
                }
                None => {
                    summary.entries_added += 1;
                    insert_entry(
                        &tx,
                        &EntryInsert {
                            target_id: &e.target_id,
                            action: e.action,
                            quantity: e.quantity,
                            period: e.period,
                            source: &e.source,
                            url: e.url.as_deref(),
                            note: e.note.as_deref(),
                            recorded_by: &e.recorded_by,
                            supersedes,
                            reason: e.reason.as_deref(),
                        },
                        &e.recorded_at,
                    )?
                }
            };
            new_ids.insert(e.id, id);
        }
        tx.commit()?;
        Ok(summary)
    }

    /// Adds the targets of a target file (with their seed observations) in
    /// one transaction. A target already present with the same definition is
    /// left alone; one present with a different definition refuses the whole
    /// import.
    pub fn import_targets(
        &mut self,
        targets: &[SeedTarget],
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<ImportSummary> {
        let at = timestamp(now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = ImportSummary::default();
        for seed in targets {
            let def = &seed.def;
            let existing = tx
                .prepare_cached(&format!(
                    "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = ?1
                     ORDER BY v.version DESC LIMIT 1"
                ))?
                .query_row(params![def.id], target_from_row)
                .optional()?
                .transpose()?;
            match existing {
                Some(current) if current == *def => {
                    summary.unchanged.push(def.id.clone());
                    continue;
                }
                Some(_) => {
                    return Err(StorageError::Conflict(format!(
                        "target `{}` already exists with a different definition; \
                         use `tracker target amend {}` to change it, or pick a new id",
                        def.id, def.id
                    )));
                }
                None => {}
            }
            tx.prepare_cached("INSERT INTO targets (id, created_at) VALUES (?1, ?2)")?
                .execute(params![def.id, at])?;
            insert_target_version(&tx, def, 1, &at, recorded_by, None)?;
            for obs in &seed.observations {
                let new = NewObservation {
                    target_id: def.id.clone(),
                    quantity: obs.quantity,
                    period: obs.period,
                    source: obs.source.clone(),
                    url: obs.url.clone(),
                    note: obs.note.clone(),
                    recorded_by: recorded_by.to_string(),
                };
                insert_observation(&tx, &new, &at)?;
                summary.observations += 1;
            }
            summary.added.push(def.id.clone());
        }
        tx.commit()?;
        Ok(summary)
    }
}

/// SQLite could not create a WAL ledger's -wal or -shm file for a reader.
fn cannot_create_wal_files(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_READONLY_DIRECTORY
            || e.code == rusqlite::ErrorCode::CannotOpen)
}

/// Whether `path` has no -wal file, or an empty one.
fn wal_is_empty(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(true, |m| m.len() == 0)
}

/// Opens the ledger read-only as an immutable file (no locks, no -wal or
/// -shm), for a reader in a folder it cannot write to. A writer can only
/// exist with write access to that folder; should one checkpoint while
/// this short read runs, the read may fail, but it never writes.
fn open_immutable(path: &Path) -> StorageResult<Connection> {
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
fn configure(conn: &Connection, access: Access) -> StorageResult<()> {
    let timeout = std::env::var("TRACKER_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map(Duration::from_millis)
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
            return Err(StorageError::Conflict(format!(
                "could not switch the ledger to WAL journal mode (got `{mode}`)"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    Ok(())
}

/// SQL predicate: `o` is visible at known_at (`?2`) and not superseded by
/// an entry visible then. Retractions themselves are filtered by callers.
const CURRENT: &str = "(?2 IS NULL OR o.recorded_at <= ?2)
    AND o.action <> 'retract'
    AND NOT EXISTS (SELECT 1 FROM observations s
                    WHERE s.supersedes = o.id AND (?2 IS NULL OR s.recorded_at <= ?2))";

/// [`CURRENT`] as of now (no known_at), without the parameter, so that a
/// query using it reads only columns of the covering index
/// (observations_by_target_covering). `o.value IS NOT NULL` is
/// `o.action <> 'retract'`: the schema gives a value to every record and
/// correction and none to a retraction.
const CURRENT_NOW: &str = "o.value IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)";

const ENTRY_COLUMNS: &str = "id, target_id, action, value, qualifier, period_start, period_end,
    source, url, note, recorded_by, recorded_at, supersedes, reason";

const TARGET_COLUMN_COUNT: usize = 20;

const TARGET_COLUMNS: &str = "v.target_id, v.title, v.kind, v.metric, v.unit, v.direction,
    v.comparator, v.target_value, v.window_start, v.deadline, v.limit_value, v.is_rate,
    v.cadence, v.quote, v.speaker, v.speaker_role, v.statement_date, v.source_title,
    v.source_url, v.interpretation";

fn insert_target_version(
    conn: &Connection,
    def: &TargetDef,
    version: i64,
    at: &str,
    recorded_by: &str,
    reason: Option<&str>,
) -> StorageResult<()> {
    let p = &def.provenance;
    conn.prepare_cached(
        "INSERT INTO target_versions (target_id, version, title, kind, metric, unit, direction,
            comparator, target_value, window_start, deadline, limit_value, is_rate, cadence,
            quote, speaker, speaker_role, statement_date, source_title, source_url,
            interpretation, recorded_at, recorded_by, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
    )?
    .execute(params![
        def.id,
        version,
        def.title,
        def.kind.as_str(),
        def.metric,
        def.unit,
        def.direction.as_str(),
        def.comparator.map(Comparator::as_str),
        def.target_value.map(format_plain),
        def.window_start.map(iso_date),
        def.deadline.map(iso_date),
        def.limit.map(format_plain),
        def.is_rate,
        def.cadence.as_str(),
        p.quote,
        p.speaker,
        p.speaker_role,
        iso_date(p.statement_date),
        p.source_title,
        p.source_url,
        def.interpretation,
        at,
        recorded_by,
        reason,
    ])?;
    Ok(())
}

/// One row for the trail: a new value (record/correct) or a retraction.
struct EntryInsert<'a> {
    target_id: &'a str,
    action: Action,
    quantity: Option<Quantity>,
    period: Option<Period>,
    source: &'a str,
    url: Option<&'a str>,
    note: Option<&'a str>,
    recorded_by: &'a str,
    supersedes: Option<i64>,
    reason: Option<&'a str>,
}

fn insert_observation(conn: &Connection, new: &NewObservation, at: &str) -> StorageResult<i64> {
    insert_entry(
        conn,
        &EntryInsert {
            target_id: &new.target_id,
            action: Action::Record,
            quantity: Some(new.quantity),
            period: Some(new.period),
            source: &new.source,
            url: new.url.as_deref(),
            note: new.note.as_deref(),
            recorded_by: &new.recorded_by,
            supersedes: None,
            reason: None,
        },
        at,
    )
}

/// Rows a bulk import inserts with one INSERT statement. Executing a
/// statement has a fixed cost (among others, the schema's `IN (...)` CHECK
/// lists are built into temporary b-trees, and a statement journal is
/// opened) that one row per statement paid a million times.
const IMPORT_BATCH: usize = 64;

/// Imports of at least this many rows, and at least as many as the ledger
/// holds, rebuild the covering index instead of inserting into it.
const REBUILD_INDEX_MIN_ROWS: usize = 10_000;

/// The index reports read (migration 2).
const COVERING_INDEX: &str = "observations_by_target_covering";

/// Page cache during a bulk import, in KiB (negative: `PRAGMA cache_size`
/// counts KiB, not pages). Allocated only as pages are touched.
const IMPORT_CACHE_KIB: i64 = -65536;

/// Checked import rows waiting to be inserted as records, [`IMPORT_BATCH`]
/// at a time with one multi-row INSERT prepared once per import.
struct BatchInsert<'c, 'r> {
    conn: &'c Connection,
    full: rusqlite::Statement<'c>,
    at: &'r str,
    /// Rows with the text of their value.
    rows: Vec<(&'r NewObservation, String)>,
}

impl<'c, 'r> BatchInsert<'c, 'r> {
    fn new(conn: &'c Connection, at: &'r str) -> StorageResult<Self> {
        Ok(BatchInsert {
            conn,
            full: conn.prepare(&batch_insert_sql(IMPORT_BATCH))?,
            at,
            rows: Vec::with_capacity(IMPORT_BATCH),
        })
    }

    fn push(&mut self, row: &'r NewObservation, value: String) -> StorageResult<()> {
        self.rows.push((row, value));
        if self.rows.len() == IMPORT_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> StorageResult<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut partial;
        let stmt = if self.rows.len() == IMPORT_BATCH {
            &mut self.full
        } else {
            partial = self
                .conn
                .prepare_cached(&batch_insert_sql(self.rows.len()))?;
            &mut *partial
        };
        stmt.raw_bind_parameter(1, self.at)?;
        for (i, (row, value)) in self.rows.iter().enumerate() {
            let b = 2 + i * 9;
            stmt.raw_bind_parameter(b, &row.target_id)?;
            stmt.raw_bind_parameter(b + 1, value)?;
            stmt.raw_bind_parameter(b + 2, row.quantity.qualifier.as_str())?;
            stmt.raw_bind_parameter(b + 3, iso_date(row.period.start))?;
            stmt.raw_bind_parameter(b + 4, iso_date(row.period.end))?;
            stmt.raw_bind_parameter(b + 5, &row.source)?;
            stmt.raw_bind_parameter(b + 6, &row.url)?;
            stmt.raw_bind_parameter(b + 7, &row.note)?;
            stmt.raw_bind_parameter(b + 8, &row.recorded_by)?;
        }
        stmt.raw_execute()?;
        self.rows.clear();
        Ok(())
    }
}

/// A multi-row INSERT of `n` records: ?1 is the time shared by every row,
/// each row binds 9 more.
fn batch_insert_sql(n: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, url, note, recorded_by, recorded_at, supersedes, reason)
         VALUES ",
    );
    for i in 0..n {
        let b = 2 + i * 9;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(?{}, 'record', ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?1, NULL, NULL)",
            b,
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8
        ));
    }
    sql
}

/// The texts a row is stored and compared as, made once per row.
struct RowText {
    value: String,
    start: String,
    end: String,
}

impl RowText {
    fn of(row: &NewObservation) -> RowText {
        RowText {
            value: format_plain(row.quantity.value),
            start: iso_date(row.period.start),
            end: iso_date(row.period.end),
        }
    }
}

/// Whether the same observation (a record or correction, current or not)
/// is already in the trail.
fn has_same_entry(conn: &Connection, row: &NewObservation, text: &RowText) -> StorageResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM observations
             WHERE target_id = ?1 AND period_end = ?2 AND period_start = ?3 AND value = ?4
               AND qualifier = ?5 AND source = ?6 AND action <> 'retract'
             LIMIT 1",
        )?
        .query_row(
            params![
                row.target_id,
                text.end,
                text.start,
                text.value,
                row.quantity.qualifier.as_str(),
                row.source
            ],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Whether the trail holds any entry of `target_id`.
fn has_entries(conn: &Connection, target_id: &str) -> StorageResult<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM observations WHERE target_id = ?1)")?
        .query_row(params![target_id], |row| row.get(0))?)
}

/// The kind of a target's current definition, or an unknown-target error.
fn target_kind(conn: &Connection, target_id: &str) -> StorageResult<Kind> {
    let kind: Option<String> = conn
        .prepare_cached(
            "SELECT kind FROM target_versions WHERE target_id = ?1 ORDER BY version DESC LIMIT 1",
        )?
        .query_row(params![target_id], |row| row.get(0))
        .optional()?;
    match kind {
        Some(kind) => parse_col("kind", kind),
        None => Err(StorageError::UnknownTarget {
            id: target_id.to_string(),
            suggestions: Vec::new(),
        }),
    }
}

/// For a cumulative target, the first current observation (other than the
/// one being superseded) whose period overlaps `period`.
fn overlapping(
    conn: &Connection,
    target_id: &str,
    period: &Period,
    excluding: Option<i64>,
) -> StorageResult<Option<(i64, String, String)>> {
    overlapping_text(
        conn,
        target_id,
        &iso_date(period.start),
        &iso_date(period.end),
        excluding,
    )
}

/// [`CURRENT_NOW`] written out, for a statement made once: `min(o.id)`
/// rather than `ORDER BY o.id LIMIT 1`, which would build a temporary
/// b-tree on every run (SQLite returns the other columns of the row with
/// the minimum; no row gives one row of NULLs).
const OVERLAPPING_SQL: &str = "SELECT min(o.id), o.period_start, o.period_end FROM observations o
     WHERE o.target_id = ?1 AND o.value IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)
       AND o.period_start <= ?3 AND o.period_end >= ?2 AND o.id IS NOT ?4";

fn overlapping_text(
    conn: &Connection,
    target_id: &str,
    start: &str,
    end: &str,
    excluding: Option<i64>,
) -> StorageResult<Option<(i64, String, String)>> {
    let found: (Option<i64>, Option<String>, Option<String>) = conn
        .prepare_cached(OVERLAPPING_SQL)?
        .query_row(params![target_id, start, end, excluding], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
    Ok(match found {
        (Some(id), Some(start), Some(end)) => Some((id, start, end)),
        _ => None,
    })
}

fn insert_entry(conn: &Connection, entry: &EntryInsert, at: &str) -> StorageResult<i64> {
    let kind = target_kind(conn, entry.target_id)?;
    if let (Kind::Cumulative, Some(period)) = (kind, &entry.period)
        && let Some((id, start, end)) =
            overlapping(conn, entry.target_id, period, entry.supersedes)?
    {
        return Err(StorageError::Conflict(format!(
            "period {}..{} overlaps observation #{id} ({start}..{end}) of `{}`; \
             amounts of a cumulative target must not be counted twice \
             (correct #{id} instead with `tracker correct {id} VALUE --reason ...`)",
            period.start, period.end, entry.target_id
        )));
    }
    conn.prepare_cached(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start, period_end,
            source, url, note, recorded_by, recorded_at, supersedes, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        entry.target_id,
        entry.action.as_str(),
        entry.quantity.map(|q| format_plain(q.value)),
        entry.quantity.map(|q| q.qualifier.as_str()),
        entry.period.map(|p| iso_date(p.start)),
        entry.period.map(|p| iso_date(p.end)),
        entry.source,
        entry.url,
        entry.note,
        entry.recorded_by,
        at,
        entry.supersedes,
        entry.reason,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Loads entry `id` and checks it may be superseded: it exists, is not a
/// retraction, and nothing supersedes it yet.
fn supersedable(conn: &Connection, id: i64) -> StorageResult<Entry> {
    let entry = conn
        .query_row(
            &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE id = ?1"),
            params![id],
            entry_from_row,
        )
        .optional()?
        .ok_or(StorageError::UnknownObservation { id })??;
    if entry.action == Action::Retract {
        return Err(StorageError::Conflict(format!(
            "#{id} is a retraction; it cannot be corrected or retracted (record a new observation instead)"
        )));
    }
    let newer: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, action FROM observations WHERE supersedes = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((newer, action)) = newer {
        let verb = if action == "retract" {
            "retracted"
        } else {
            "corrected"
        };
        return Err(StorageError::Conflict(format!(
            "#{id} was already {verb} by #{newer}; only the current entry can be changed (try #{newer})"
        )));
    }
    Ok(entry)
}

/// `YYYY-MM-DD`, as the schema stores dates. Written by hand: chrono's
/// formatter is the larger part of an import's per-row cost otherwise.
fn iso_date(date: NaiveDate) -> String {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if (0..=9999).contains(&y) {
        let mut s = String::with_capacity(10);
        for digit in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
            s.push(char::from(b'0' + digit as u8));
        }
        s.push('-');
        s.push(char::from(b'0' + (m / 10) as u8));
        s.push(char::from(b'0' + (m % 10) as u8));
        s.push('-');
        s.push(char::from(b'0' + (d / 10) as u8));
        s.push(char::from(b'0' + (d % 10) as u8));
        s
    } else {
        date.format("%Y-%m-%d").to_string()
    }
}

/// Reads a date stored as `YYYY-MM-DD` (all the schema admits) without
/// chrono's general parser; anything else falls back to it.
fn parse_date_col(text: &[u8]) -> StorageResult<NaiveDate> {
    let b = text;
    let fast = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            let num = |range: std::ops::Range<usize>| {
                b[range].iter().try_fold(0u32, |acc, &c| {
                    c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
                })
            };
            NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
        })
        .flatten();
    match fast {
        Some(date) => Ok(date),
        None => {
            let text = String::from_utf8_lossy(text);
            text.parse().map_err(|_| corrupt("date", &text))
        }
    }
}

/// Reads a number stored as `format_plain` writes it (`-123.45`: at most
/// 18 digits, no exponent) without the general decimal parser; anything
/// else falls back to it. Same value and scale as `Decimal::from_str`.
fn parse_decimal_col(text: &[u8]) -> StorageResult<Decimal> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: i64 = 0;
    let mut count = 0;
    let mut scale: Option<u32> = None;
    let mut plain = digits.first().is_some_and(u8::is_ascii_digit);
    for &c in digits {
        match c {
            b'0'..=b'9' if count < 18 => {
                mantissa = mantissa * 10 + i64::from(c - b'0');
                count += 1;
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => {
                plain = false;
                break;
            }
        }
    }
    if plain && scale != Some(0) && !(negative && mantissa == 0) {
        let mantissa = if negative { -mantissa } else { mantissa };
        return Ok(Decimal::new(mantissa, scale.unwrap_or(0)));
    }
    let text = String::from_utf8_lossy(text);
    text.parse().map_err(|_| corrupt("number", &text))
}

/// Reads a qualifier by its spelling, from the column's bytes.
fn parse_qualifier_col(text: &[u8]) -> StorageResult<Qualifier> {
    Qualifier::ALL
        .iter()
        .copied()
        .find(|q| q.as_str().as_bytes() == text)
        .ok_or_else(|| corrupt("qualifier", &String::from_utf8_lossy(text)))
}

/// A TEXT column's bytes, borrowed from the row: no copy, no UTF-8 check
/// (callers parse ASCII or compare bytes).
fn bytes_ref<'r>(row: &'r Row, index: usize) -> rusqlite::Result<&'r [u8]> {
    Ok(row.get_ref(index)?.as_bytes()?)
}

/// Ids within a small edit distance of `id`, nearest first (for "did you
/// mean").
fn nearest(id: &str, ids: &[String]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = ids
        .iter()
        .map(|candidate| (strsim::jaro_winkler(id, candidate), candidate))
        .filter(|(score, candidate)| *score > 0.75 || candidate.contains(id))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}

/// A value stored by this program failed to read back: the file was edited
/// by hand or is damaged.
fn corrupt(what: &str, text: &str) -> StorageError {
    StorageError::Conflict(format!(
        "the ledger holds an unreadable {what} `{text}`; run `tracker check`"
    ))
}

fn parse_col<T: FromStr>(what: &str, text: String) -> StorageResult<T> {
    text.parse().map_err(|_| corrupt(what, &text))
}

fn parse_opt<T: FromStr>(what: &str, text: Option<String>) -> StorageResult<Option<T>> {
    text.map(|t| parse_col(what, t)).transpose()
}

type RowResult<T> = rusqlite::Result<StorageResult<T>>;

fn target_from_row(row: &Row) -> RowResult<TargetDef> {
    let raw = (
        row.get::<_, String>(2)?,
        row.get::<_, String>(5)?,
        row.get::<_, Option<String>>(6)?,
        row.get::<_, Option<String>>(7)?,
        row.get::<_, Option<String>>(8)?,
        row.get::<_, Option<String>>(9)?,
        row.get::<_, Option<String>>(10)?,
        row.get::<_, String>(12)?,
        row.get::<_, String>(16)?,
    );
    let (id, title, metric, unit): (String, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(3)?, row.get(4)?);
    let is_rate: bool = row.get(11)?;
    let (quote, speaker, speaker_role, source_title, source_url, interpretation) = (
        row.get(13)?,
        row.get(14)?,
        row.get(15)?,
        row.get(17)?,
        row.get(18)?,
        row.get(19)?,
    );
    let build = move || -> StorageResult<TargetDef> {
        let (
            kind,
            direction,
            comparator,
            target_value,
            window_start,
            deadline,
            limit,
            cadence,
            stated,
        ) = raw;
        Ok(TargetDef {
            id,
            title,
            kind: parse_col::<Kind>("kind", kind)?,
            metric,
            unit,
            direction: parse_col::<Direction>("direction", direction)?,
            comparator: parse_opt::<Comparator>("comparator", comparator)?,
            target_value: parse_opt::<Decimal>("number", target_value)?,
            window_start: window_start
                .map(|d| parse_date_col(d.as_bytes()))
                .transpose()?,
            deadline: deadline.map(|d| parse_date_col(d.as_bytes())).transpose()?,
            limit: parse_opt::<Decimal>("number", limit)?,
            is_rate,
            cadence: parse_col::<Cadence>("cadence", cadence)?,
            provenance: Provenance {
                quote,
                speaker,
                speaker_role,
                statement_date: parse_date_col(stated.as_bytes())?,
                source_title,
                source_url,
            },
            interpretation,
        })
    };
    Ok(build())
}

fn quantity_from(value: String, qualifier: String) -> StorageResult<Quantity> {
    Ok(Quantity {
        value: parse_col::<Decimal>("number", value)?,
        qualifier: parse_col::<Qualifier>("qualifier", qualifier)?,
    })
}

fn period_from(start: String, end: String) -> StorageResult<Period> {
    Ok(Period {
        start: parse_date_col(start.as_bytes())?,
        end: parse_date_col(end.as_bytes())?,
    })
}

/// One current observation. Reports read a million of these, so the
/// columns are borrowed, not copied, and parsed without allocating.
fn observation_from_row(row: &Row) -> RowResult<Observation> {
    let id: i64 = row.get(0)?;
    let (value, qualifier, start, end) = (
        bytes_ref(row, 1)?,
        bytes_ref(row, 2)?,
        bytes_ref(row, 3)?,
        bytes_ref(row, 4)?,
    );
    Ok((|| {
        Ok(Observation {
            id,
            quantity: Quantity {
                value: parse_decimal_col(value)?,
                qualifier: parse_qualifier_col(qualifier)?,
            },
            period: Period {
                start: parse_date_col(start)?,
                end: parse_date_col(end)?,
            },
        })
    })())
}

fn entry_from_row(row: &Row) -> RowResult<Entry> {
    let id: i64 = row.get(0)?;
    let target_id: String = row.get(1)?;
    let action: String = row.get(2)?;
    let value: Option<String> = row.get(3)?;
    let qualifier: Option<String> = row.get(4)?;
    let start: Option<String> = row.get(5)?;
    let end: Option<String> = row.get(6)?;
    let source: String = row.get(7)?;
    let url: Option<String> = row.get(8)?;
    let note: Option<String> = row.get(9)?;
    let recorded_by: String = row.get(10)?;
    let recorded_at: String = row.get(11)?;
    let supersedes: Option<i64> = row.get(12)?;
    let reason: Option<String> = row.get(13)?;
    Ok((|| {
        let quantity = match (value, qualifier) {
            (Some(v), Some(q)) => Some(quantity_from(v, q)?),
            _ => None,
        };
        let period = match (start, end) {
            (Some(s), Some(e)) => Some(period_from(s, e)?),
            _ => None,
        };
        Ok(Entry {
            id,
            target_id,
            action: parse_col::<Action>("action", action)?,
            quantity,
            period,
            source,
            url,
            note,
            recorded_by,
            recorded_at,
            supersedes,
            reason,
        })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets_file::parse_target_file;

    #[test]
    fn fast_decimal_reads_what_the_general_parser_reads() {
        let mut inputs: Vec<String> = [
            "0",
            "-0",
            "1",
            "-1",
            "1.5",
            "-0.05",
            "123.450",
            "0001.50",
            "1.",
            ".5",
            "+5",
            "1e3",
            "",
            "-",
            "1.2.3",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "1234567890.123456789",
            "3000000000000",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for i in 0..2000u64 {
            let m = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (i % 60);
            let digits = m.to_string();
            let point = (i as usize) % (digits.len() + 1);
            let sign = if i % 3 == 0 { "-" } else { "" };
            inputs.push(format!("{sign}{digits}"));
            if point > 0 && point < digits.len() {
                inputs.push(format!("{sign}{}.{}", &digits[..point], &digits[point..]));
            }
        }
        for input in &inputs {
            let general = input.parse::<Decimal>().ok();
            let fast = parse_decimal_col(input.as_bytes()).ok();
            assert_eq!(fast, general, "{input:?}");
            if let (Some(f), Some(g)) = (fast, general) {
                assert_eq!(f.scale(), g.scale(), "{input:?}");
                assert_eq!(f.to_string(), g.to_string(), "{input:?}");
            }
        }
    }

    #[test]
    fn fast_date_reads_what_chrono_reads() {
        let mut day = NaiveDate::from_ymd_opt(1999, 12, 1).unwrap();
        while day.year() < 2031 {
            let text = iso_date(day);
            assert_eq!(text, day.format("%Y-%m-%d").to_string());
            assert_eq!(parse_date_col(text.as_bytes()).unwrap(), day);
            day = day.succ_opt().unwrap();
        }
        for odd in [
            "2024-02-30",
            "2024-13-01",
            "2024-1-01",
            "20240101",
            "",
            "2024-01-0x",
        ] {
            // The fast path declines these; chrono decides, as before.
            assert_eq!(
                parse_date_col(odd.as_bytes()).ok(),
                odd.parse::<NaiveDate>().ok(),
                "{odd}"
            );
        }
        assert_eq!(
            parse_qualifier_col(b"more-than").unwrap(),
            Qualifier::MoreThan
        );
        assert!(parse_qualifier_col(b"more than").is_err());
    }

    /// A ledger with two synthetic targets (not briefing data): a
    /// cumulative one with a window over 2020-2030, and a level one.
    fn ledger(dir: &Path) -> Ledger {
        let file = r#"
format = 1
[source]
title = "synthetic"
date = 2020-01-01

[[target]]
id = "syn-sum"
title = "synthetic cumulative"
kind = "cumulative"
metric = "synthetic"
unit = "CNY"
direction = "up"
target = ">= 1000"
window_start = 2020-01-01
deadline = 2030-12-31
quote = "synthetic"
speaker = "nobody"
speaker_role = "test"

[[target]]
id = "syn-level"
title = "synthetic level"
kind = "level"
metric = "synthetic"
unit = "CNY"
direction = "up"
target = ">= 10"
quote = "synthetic"
speaker = "nobody"
speaker_role = "test"
"#;
        let parsed = parse_target_file(file, "synthetic.toml").unwrap();
        let mut ledger = Ledger::create(&dir.join("ledger.db")).unwrap();
        ledger
            .import_targets(&parsed.targets, "test", Utc::now())
            .unwrap();
        ledger
    }

    fn row(target: &str, value: i64, start: &str, end: &str, source: &str) -> NewObservation {
        NewObservation {
            target_id: target.to_string(),
            quantity: Quantity {
                value: Decimal::from(value),
                qualifier: Qualifier::Exact,
            },
            period: Period {
                start: start.parse().unwrap(),
                end: end.parse().unwrap(),
            },
            source: source.to_string(),
            url: None,
            note: None,
            recorded_by: "test".to_string(),
        }
    }

    #[test]
    fn import_checks_rows_against_the_ledger_and_earlier_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = ledger(dir.path());
        // #1 in the ledger.
        ledger
            .record(
                &row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"),
                Utc::now(),
            )
            .unwrap();
        let rows = [
            row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"), // in the ledger: skipped
            row("syn-sum", 7, "2022-01-01", "2022-06-30", "s"), // #2
            row("syn-sum", 7, "2022-01-01", "2022-06-30", "s"), // same as #2: skipped
            row("syn-level", 3, "2022-01-01", "2022-01-01", "s"), // #3
            row("syn-level", 3, "2022-01-01", "2022-01-01", "t"), // other source: #4
        ];
        let outcome = ledger.import_observations(&rows, Utc::now()).unwrap();
        assert_eq!(
            outcome,
            ImportOutcome {
                added: 3,
                skipped: 2,
                conflicts: vec![]
            }
        );
        let ids: Vec<(i64, String)> = ledger
            .entries(None)
            .unwrap()
            .into_iter()
            .map(|e| (e.id, e.source))
            .collect();
        assert_eq!(
            ids.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );

        // Overlaps name the entry overlapped: in the ledger (#2), or a row
        // of this import by the id it would have had (#5); nothing is
        // written.
        let rows = [
            row("syn-sum", 1, "2023-01-01", "2023-03-31", "s"), // would be #5
            row("syn-sum", 1, "2022-06-01", "2022-07-31", "s"), // overlaps #2
            row("syn-sum", 1, "2023-02-01", "2023-02-28", "s"), // overlaps #5
            row("nope", 1, "2023-02-01", "2023-02-28", "s"),
        ];
        let outcome = ledger.import_observations(&rows, Utc::now()).unwrap();
        assert_eq!(outcome.added, 0);
        assert_eq!(
            outcome.conflicts,
            vec![
                (
                    1,
                    "period 2022-06-01..2022-07-31 overlaps observation #2 \
                     (2022-01-01..2022-06-30) of `syn-sum`"
                        .to_string()
                ),
                (
                    2,
                    "period 2023-02-01..2023-02-28 overlaps observation #5 \
                     (2023-01-01..2023-03-31) of `syn-sum`"
                        .to_string()
                ),
                (3, "unknown target `nope`".to_string()),
            ]
        );
        assert_eq!(ledger.entry_count().unwrap(), 4);
    }

    #[test]
    fn a_large_import_rebuilds_the_covering_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = ledger(dir.path());
        let index_sql = |ledger: &Ledger| -> String {
            ledger
                .conn
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE name = ?1",
                    params![COVERING_INDEX],
                    |row| row.get(0),
                )
                .unwrap()
        };
        let before = index_sql(&ledger);
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let rows: Vec<NewObservation> = (0..REBUILD_INDEX_MIN_ROWS as u64 + 10)
            .map(|i| {
                let day = iso_date(start + chrono::Days::new(i / 2));
                let target = if i % 2 == 0 { "syn-sum" } else { "syn-level" };
                row(target, i as i64, &day, &day, "s")
            })
            .collect();
        let outcome = ledger.import_observations(&rows, Utc::now()).unwrap();
        assert_eq!(outcome.added, rows.len());
        assert_eq!(index_sql(&ledger), before);
        assert_eq!(ledger.check().unwrap(), Vec::<String>::new());
        // Ids in file order.
        let entries = ledger.entries(None).unwrap();
        assert_eq!(entries.len(), rows.len());
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.id, i as i64 + 1);
            assert_eq!(e.quantity.unwrap().value, Decimal::from(i as i64));
        }
        // The report's stream sees every row, per target, in period order.
        let mut seen = 0;
        ledger
            .for_each_target(None, |def, observations| {
                assert!(
                    observations
                        .windows(2)
                        .all(|w| w[0].period.end <= w[1].period.end)
                );
                seen += observations.len();
                assert!(def.id.starts_with("syn-"));
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, rows.len());
    }
}
