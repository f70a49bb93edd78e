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

pub mod migrate;

use crate::model::{
    Action, Cadence, Comparator, Direction, Entry, Kind, Observation, Period, Provenance,
    Qualifier, Quantity, TargetDef,
};
use crate::targets_file::SeedTarget;
use crate::value::format_plain;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use rust_decimal::Decimal;
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
        // A file that is not SQLite at all fails on the first read.
        let version = match migrate::inspect(&conn) {
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
            .query_row(&sql, params![id, known_at], target_from_row)
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
        let sql = format!(
            "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end
             FROM observations o
             WHERE o.target_id = ?1 AND {CURRENT}
             ORDER BY o.period_end, o.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, known_at], observation_from_row)?;
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
        let observations_sql = format!(
            "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end, o.target_id
             FROM observations o
             WHERE {CURRENT}
             ORDER BY o.target_id, o.period_end, o.id"
        );
        let mut targets_stmt = self.conn.prepare(&targets_sql)?;
        let mut targets = targets_stmt.query(params![known_at])?;
        let mut obs_stmt = self.conn.prepare(&observations_sql)?;
        let mut obs_rows = obs_stmt.query(params![Option::<String>::None, known_at])?;
        let mut pending: Option<(String, Observation)> = None;
        let mut batch: Vec<Observation> = Vec::new();
        while let Some(row) = targets.next()? {
            let def = target_from_row(row)??;
            batch.clear();
            loop {
                if pending.is_none() {
                    pending = match obs_rows.next()? {
                        Some(row) => {
                            let target_id: String = row.get(5)?;
                            Some((target_id, observation_from_row(row)??))
                        }
                        None => None,
                    };
                }
                match pending.take() {
                    Some((target_id, obs)) if target_id == def.id => batch.push(obs),
                    // Observations of a target not visible at known_at.
                    Some((target_id, _)) if target_id < def.id => {}
                    other => {
                        pending = other;
                        break;
                    }
                }
            }
            visit(def, &batch)?;
        }
        Ok(())
    }

    /// Every entry of the trail, oldest first; one target's or all.
    pub fn entries(&self, id: Option<&str>) -> StorageResult<Vec<Entry>> {
        let mut stmt = self.conn.prepare(
            &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE ?1 IS NULL OR target_id = ?1 ORDER BY id"),
        )?;
        let rows = stmt.query_map(params![id], entry_from_row)?;
        rows.map(|row| row?).collect()
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
        // Current amounts of a cumulative target never overlap.
        let overlaps: i64 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM observations o
                 JOIN target_versions v ON v.target_id = o.target_id AND v.kind = 'cumulative'
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcome = ImportOutcome::default();
        let mut kinds: std::collections::HashMap<String, Option<Kind>> = Default::default();
        for (index, row) in rows.iter().enumerate() {
            let kind = match kinds.get(&row.target_id) {
                Some(kind) => *kind,
                None => {
                    let kind = match target_kind(&tx, &row.target_id) {
                        Ok(kind) => Some(kind),
                        Err(StorageError::UnknownTarget { .. }) => None,
                        Err(e) => return Err(e),
                    };
                    kinds.insert(row.target_id.clone(), kind);
                    kind
                }
            };
            let Some(kind) = kind else {
                outcome
                    .conflicts
                    .push((index, format!("unknown target `{}`", row.target_id)));
                continue;
            };
            if has_same_entry(&tx, row)? {
                outcome.skipped += 1;
                continue;
            }
            if kind == Kind::Cumulative
                && let Some((id, start, end)) = overlapping(&tx, &row.target_id, &row.period, None)?
            {
                outcome.conflicts.push((
                    index,
                    format!(
                        "period {}..{} overlaps observation #{id} ({start}..{end}) of `{}`",
                        row.period.start, row.period.end, row.target_id
                    ),
                ));
                continue;
            }
            insert_entry(
                &tx,
                &EntryInsert {
                    target_id: &row.target_id,
                    action: Action::Record,
                    quantity: Some(row.quantity),
                    period: Some(row.period),
                    source: &row.source,
                    url: row.url.as_deref(),
                    note: row.note.as_deref(),
                    recorded_by: &row.recorded_by,
                    supersedes: None,
                    reason: None,
                },
                &at,
            )?;
            outcome.added += 1;
        }
        if outcome.conflicts.is_empty() {
            tx.commit()?;
        } else {
            outcome.added = 0;
        }
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
                .query_row(
                    &format!(
                        "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = ?1
                         ORDER BY v.version DESC LIMIT 1"
                    ),
                    params![def.id],
                    target_from_row,
                )
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
            tx.execute(
                "INSERT INTO targets (id, created_at) VALUES (?1, ?2)",
                params![def.id, at],
            )?;
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

/// Per-connection settings; see the module docs for why each is set.
fn configure(conn: &Connection, access: Access) -> StorageResult<()> {
    let timeout = std::env::var("TRACKER_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_BUSY_TIMEOUT);
    conn.busy_timeout(timeout)?;
    conn.pragma_update(None, "foreign_keys", true)?;
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
    conn.execute(
        "INSERT INTO target_versions (target_id, version, title, kind, metric, unit, direction,
            comparator, target_value, window_start, deadline, limit_value, is_rate, cadence,
            quote, speaker, speaker_role, statement_date, source_title, source_url,
            interpretation, recorded_at, recorded_by, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
        params![
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
        ],
    )?;
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

/// Whether the same observation (a record or correction, current or not)
/// is already in the trail.
fn has_same_entry(conn: &Connection, row: &NewObservation) -> StorageResult<bool> {
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
                iso_date(row.period.end),
                iso_date(row.period.start),
                format_plain(row.quantity.value),
                row.quantity.qualifier.as_str(),
                row.source
            ],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The kind of a target's current definition, or an unknown-target error.
fn target_kind(conn: &Connection, target_id: &str) -> StorageResult<Kind> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT kind FROM target_versions WHERE target_id = ?1 ORDER BY version DESC LIMIT 1",
            params![target_id],
            |row| row.get(0),
        )
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
    let sql = format!(
        "SELECT o.id, o.period_start, o.period_end FROM observations o
         WHERE o.target_id = ?1 AND {CURRENT}
           AND o.period_start <= ?4 AND o.period_end >= ?3 AND o.id IS NOT ?5
         ORDER BY o.id LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(
            params![
                target_id,
                Option::<String>::None,
                iso_date(period.start),
                iso_date(period.end),
                excluding
            ],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?)
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

fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
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
            window_start: parse_opt::<NaiveDate>("date", window_start)?,
            deadline: parse_opt::<NaiveDate>("date", deadline)?,
            limit: parse_opt::<Decimal>("number", limit)?,
            is_rate,
            cadence: parse_col::<Cadence>("cadence", cadence)?,
            provenance: Provenance {
                quote,
                speaker,
                speaker_role,
                statement_date: parse_col::<NaiveDate>("date", stated)?,
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
        start: parse_col::<NaiveDate>("date", start)?,
        end: parse_col::<NaiveDate>("date", end)?,
    })
}

fn observation_from_row(row: &Row) -> RowResult<Observation> {
    let id: i64 = row.get(0)?;
    let (value, qualifier, start, end): (String, String, String, String) =
        (row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?);
    Ok((|| {
        Ok(Observation {
            id,
            quantity: quantity_from(value, qualifier)?,
            period: period_from(start, end)?,
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
