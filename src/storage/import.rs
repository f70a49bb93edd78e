//! The observation import, streamed: rows are pulled from an
//! [`ImportSource`] one at a time, decided, and inserted, inside one
//! `BEGIN IMMEDIATE` transaction that commits at the end or is rolled
//! back. What it promises is written on [`Store::import_observations`].
//!
//! # Why it is built this way
//!
//! A million-row file must import in well under 100 MiB, as fast as the
//! two-pass import that held every row did (about 76,000 rows a second
//! here). So no row is kept once it is inserted:
//!
//! * **Earlier rows are already in the transaction.** An accepted row is
//!   inserted at once ([`IMPORT_BATCH`] rows per multi-row INSERT), so the
//!   k-th accepted row gets id `first_id + k` and can be read back by id.
//!   Nothing is visible to other connections until the commit; a conflict,
//!   a refused line, a stop or a check-only run rolls everything back.
//! * **Compact state finds the candidates among earlier rows.** A 32-bit
//!   fingerprint of what makes a row a duplicate (target, period, value,
//!   qualifier, source) maps to the latest id with it, and each id to the
//!   previous one with the same fingerprint ([`Seen`]); a fingerprint hit
//!   is only a candidate, read back by id and decided by
//!   [`trail::is_duplicate`]. A cumulative target's accepted periods are
//!   kept with their lines (disjoint, by start) for
//!   [`trail::first_overlap`]. About 40 bytes per row at a million rows.
//! * **The ledger's entries are asked for with SQL while the covering
//!   index is there,** only for targets that had entries before the
//!   import (candidates narrowed by the index, decided by the same domain
//!   functions). Once the import has accepted as many rows as the ledger
//!   held (and at least [`REBUILD_INDEX_MIN_ROWS`]), inserting into the
//!   covering index at random places costs more than building it again:
//!   the ledger's own entries are then loaded into the compact state in
//!   one scan, the index is dropped, and it is built again from sorted keys
//!   after the last row, in the same transaction.
//! * **SQLite's memory is bounded**: a page cache of [`IMPORT_CACHE_KIB`]
//!   while rows go into the covering index (random places all over it: a
//!   smaller cache made an import of 400,000 rows into a 600,000-row ledger
//!   a third slower), [`LOADED_CACHE_KIB`] once the index is dropped (rows
//!   are appended; the index build's sorter keeps this much in memory and
//!   spills the rest to temporary files).

use super::codec::*;
use super::write::*;
use super::*;
use crate::domain::trail::{self, Sameness};
use crate::model::{Kind, Period};
use crate::value::format_plain;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Rows a bulk import inserts with one INSERT statement. Executing a
/// statement has a fixed cost (among others, the schema's `IN (...)` CHECK
/// lists are built into temporary b-trees, and a statement journal is
/// opened) that one row per statement paid a million times.
pub(super) const IMPORT_BATCH: usize = 64;

/// Imports that have accepted at least this many rows, and at least as many
/// as the ledger held, rebuild the covering index instead of inserting
/// into it.
pub(super) const REBUILD_INDEX_MIN_ROWS: i64 = 10_000;

/// The index reports read (migration 2).
pub(super) const COVERING_INDEX: &str = "observations_by_target_covering";

/// Page cache during a bulk import while the covering index is kept, in
/// KiB (negative: `PRAGMA cache_size` counts KiB, not pages). Allocated
/// only as pages are touched.
pub(super) const IMPORT_CACHE_KIB: i64 = -65536;

/// Page cache once the ledger is loaded and the covering index dropped. It
/// also bounds the memory of the index build's sorter, which spills the
/// rest to temporary files.
pub(super) const LOADED_CACHE_KIB: i64 = -16384;

impl SqliteLedger {
    /// See [`Store::import_observations`].
    pub fn import_observations(
        &mut self,
        source: &mut dyn ImportSource,
        now: DateTime<Utc>,
        mode: ImportMode,
    ) -> StorageResult<ImportOutcome> {
        let at = timestamp(now);
        let cache_size: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))?;
        let temp_store: i64 = self
            .conn
            .pragma_query_value(None, "temp_store", |row| row.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // Temporary files, not memory: the index build's sorter keeps up to
        // the page cache's size in memory and spills the rest (a statement
        // journal of one batch stays in memory below 64 KiB either way).
        // Only settable outside a transaction.
        self.conn.pragma_update(None, "temp_store", "FILE")?;
        let outcome = import_in_tx(&mut self.conn, source, &at, mode);
        self.conn.pragma_update(None, "cache_size", cache_size)?;
        self.conn.pragma_update(None, "temp_store", temp_store)?;
        outcome
    }
}

/// The import's one transaction: pull, decide, insert; commit only a
/// complete, conflict-free import in [`ImportMode::Write`].
fn import_in_tx(
    conn: &mut Connection,
    source: &mut dyn ImportSource,
    at: &str,
    mode: ImportMode,
) -> StorageResult<ImportOutcome> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let first_id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM observations",
        [],
        |row| row.get(0),
    )?;
    let mut import = Import::new(&tx, at, first_id)?;
    let mut complete = true;
    {
        let mut definitions = |id: &str| definition(&tx, id);
        while let Some(item) = source.next_item(&mut definitions) {
            match item {
                ImportItem::Row(row) => import.row(row)?,
                ImportItem::Refused { .. } => complete = false,
                ImportItem::Stop => {
                    complete = false;
                    break;
                }
            }
        }
    }
    let write = complete && mode == ImportMode::Write && import.outcome.conflicts.is_empty();
    let mut outcome = import.finish(write)?;
    if write {
        tx.commit()?;
        outcome.written = true;
    } else {
        // Dropping `tx` rolls back every row inserted so far.
        outcome.added = 0;
    }
    Ok(outcome)
}

/// A target's current definition inside the importing transaction.
fn definition(conn: &Connection, id: &str) -> StorageResult<Option<TargetDef>> {
    let sql = format!(
        "SELECT {} FROM target_versions v WHERE v.target_id = ?1
         ORDER BY v.version DESC LIMIT 1",
        super::sql::TARGET_COLUMNS
    );
    match conn
        .prepare_cached(&sql)?
        .query_row(params![id], target_from_row)
        .optional()?
    {
        Some(def) => Ok(Some(def?)),
        None => Ok(None),
    }
}

/// What the import knows of one target.
struct Target {
    kind: Kind,
    /// Whether the ledger held entries of it before the import (if not,
    /// nothing in the ledger can be a duplicate or an overlap).
    in_ledger: bool,
    /// Periods of the accepted rows (a cumulative target's only), by start:
    /// start -> (end, line). Disjoint: an overlapping row is refused.
    rows: BTreeMap<NaiveDate, (NaiveDate, u64)>,
    /// Once the ledger is loaded: its current periods (a cumulative
    /// target's only), sorted by start, with ids, and the longest's length.
    ledger: Vec<(NaiveDate, NaiveDate, i64)>,
    ledger_longest: i64,
}

/// One import in progress.
struct Import<'c> {
    conn: &'c Connection,
    first_id: i64,
    outcome: ImportOutcome,
    /// Rows accepted so far; the next gets id `first_id + accepted`.
    accepted: i64,
    batch: BatchInsert<'c>,
    /// Each target id seen: its place in `known`, or `None` if unknown.
    targets: HashMap<String, Option<usize>>,
    known: Vec<Target>,
    seen: Seen,
    /// Whether the ledger's entries are in the compact state (and the
    /// covering index dropped: its `CREATE` statement).
    loaded: bool,
    index_sql: Option<String>,
}

impl<'c> Import<'c> {
    fn new(conn: &'c Connection, at: &str, first_id: i64) -> StorageResult<Self> {
        Ok(Import {
            conn,
            first_id,
            outcome: ImportOutcome::default(),
            accepted: 0,
            batch: BatchInsert::new(conn, at)?,
            targets: HashMap::new(),
            known: Vec::new(),
            seen: Seen::new(first_id),
            loaded: false,
            index_sql: None,
        })
    }

    /// Decides one row: skipped as a duplicate, refused as a conflict, or
    /// accepted and inserted.
    fn row(&mut self, row: ImportRow) -> StorageResult<()> {
        let ImportRow { line, observation } = row;
        let conflict = |conflict| RowConflict {
            line,
            target_id: observation.target_id.clone(),
            period: observation.period,
            conflict,
        };
        let Some(t) = self.target(&observation.target_id)? else {
            let found = conflict(ImportConflict::UnknownTarget);
            self.outcome.conflicts.push(found);
            return Ok(());
        };
        let (kind, in_ledger) = (self.known[t].kind, self.known[t].in_ledger);
        let same = Sameness {
            quantity: observation.quantity,
            period: observation.period,
            source: &observation.source,
        };
        let print = fingerprint(&observation.target_id, &same);
        if self.is_duplicate(&observation.target_id, in_ledger, print, &same)? {
            self.outcome.skipped += 1;
            return Ok(());
        }
        if kind == Kind::Cumulative {
            if let Some(found) = self.overlap(t, &observation.target_id, &same.period)? {
                self.outcome.conflicts.push(conflict(found));
                return Ok(());
            }
            let p = observation.period;
            self.known[t].rows.insert(p.start, (p.end, line));
        }
        self.seen.insert(print, self.first_id + self.accepted)?;
        self.batch.push(observation)?;
        self.accepted += 1;
        if !self.loaded && self.accepted >= REBUILD_INDEX_MIN_ROWS.max(self.first_id - 1) {
            self.load_ledger()?;
        }
        Ok(())
    }

    /// Where a target is in `known`; `None` for an unknown target. The
    /// ledger is asked once per target; a row costs one map lookup.
    fn target(&mut self, id: &str) -> StorageResult<Option<usize>> {
        if let Some(&t) = self.targets.get(id) {
            return Ok(t);
        }
        let t = self.lookup(id)?.map(|target| {
            self.known.push(target);
            self.known.len() - 1
        });
        self.targets.insert(id.to_string(), t);
        Ok(t)
    }

    fn lookup(&self, id: &str) -> StorageResult<Option<Target>> {
        let kind = match target_kind(self.conn, id) {
            Ok(kind) => kind,
            Err(StorageError::UnknownTarget { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        // Once loaded, the ledger's entries are all in the compact state.
        let in_ledger = !self.loaded && has_entries_before(self.conn, id, self.first_id)?;
        Ok(Some(Target {
            kind,
            in_ledger,
            rows: BTreeMap::new(),
            ledger: Vec::new(),
            ledger_longest: 0,
        }))
    }

    /// Whether the trail (the ledger, or this import's accepted rows)
    /// already holds the observation: candidates by fingerprint read back
    /// by id, and the ledger's by SQL until it is loaded.
    fn is_duplicate(
        &mut self,
        target_id: &str,
        in_ledger: bool,
        print: u32,
        same: &Sameness<'_>,
    ) -> StorageResult<bool> {
        let candidates: Vec<i64> = self.seen.candidates(print).collect();
        for id in candidates {
            if id >= self.first_id {
                // The candidate may still wait in the batch.
                self.batch.flush()?;
            }
            if let Some((target, entry)) = entry_by_id(self.conn, id)?
                && target == target_id
                && trail::is_duplicate(same, &entry.trail())
            {
                return Ok(true);
            }
        }
        if in_ledger && !self.loaded {
            let candidates =
                same_period_candidates(self.conn, target_id, &same.period, self.first_id)?;
            return Ok(candidates
                .iter()
                .any(|c| trail::is_duplicate(same, &c.trail())));
        }
        Ok(false)
    }

    /// For a cumulative target's row, the current amount it would be
    /// counted twice with: an entry of the ledger (lower ids than any row,
    /// so named first), else the first earlier row.
    fn overlap(
        &self,
        t: usize,
        target_id: &str,
        period: &Period,
    ) -> StorageResult<Option<ImportConflict>> {
        let target = &self.known[t];
        let kind = Kind::Cumulative;
        let in_ledger = if self.loaded {
            // Sorted by start: those overlapping start at most `longest`
            // days before `period` does.
            let end = target.ledger.partition_point(|(s, _, _)| *s <= period.end);
            let from = period.start - chrono::Days::new(target.ledger_longest as u64);
            let candidates = target.ledger[..end]
                .iter()
                .rev()
                .take_while(|(s, _, _)| *s >= from)
                .map(|&(start, end, id)| (id, Period { start, end }));
            trail::first_overlap(kind, period, candidates)
        } else if target.in_ledger {
            first_overlap(self.conn, kind, target_id, period, None, self.first_id)?
        } else {
            None
        };
        if let Some((id, period)) = in_ledger {
            return Ok(Some(ImportConflict::OverlapsEntry { id, period }));
        }
        // Disjoint periods by start: those overlapping end last.
        let candidates = target
            .rows
            .range(..=period.end)
            .rev()
            .take_while(|(_, (end, _))| *end >= period.start)
            .map(|(&start, &(end, line))| (line, Period { start, end }));
        Ok(trail::first_overlap(kind, period, candidates)
            .map(|(line, period)| ImportConflict::OverlapsRow { line, period }))
    }

    /// Moves the ledger's entries into the compact state and drops the
    /// covering index (see the module's docs).
    fn load_ledger(&mut self) -> StorageResult<()> {
        self.seen.extend_back(1)?;
        let mut stmt = self.conn.prepare(
            "SELECT o.id, o.target_id, o.action, o.value, o.qualifier, o.period_start,
                    o.period_end, o.source,
                    EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)
             FROM observations o WHERE o.id < ?1 AND o.value IS NOT NULL ORDER BY o.id",
        )?;
        let mut rows = stmt.query(params![self.first_id])?;
        while let Some(row) = rows.next()? {
            let (id, target_id): (i64, String) = (row.get(0)?, row.get(1)?);
            let entry = Candidate {
                id,
                action: parse_col("action", row.get::<_, String>(2)?)?,
                quantity: Some(quantity_from(row.get(3)?, row.get(4)?)?),
                period: Some(period_from(row.get(5)?, row.get(6)?)?),
                source: row.get(7)?,
                superseded: row.get(8)?,
            };
            self.load_entry(&target_id, &entry)?;
        }
        for target in &mut self.known {
            target.ledger.sort_unstable();
            target.in_ledger = false;
        }
        self.index_sql = self
            .conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                params![COVERING_INDEX],
                |row| row.get::<_, String>(0),
            )
            .optional()?;
        if self.index_sql.is_some() {
            self.conn
                .execute_batch(&format!("DROP INDEX {COVERING_INDEX}"))?;
        }
        self.conn
            .pragma_update(None, "cache_size", LOADED_CACHE_KIB)?;
        self.loaded = true;
        Ok(())
    }

    /// One entry of the ledger into the compact state.
    fn load_entry(&mut self, target_id: &str, entry: &Candidate) -> StorageResult<()> {
        let (Some(quantity), Some(period)) = (entry.quantity, entry.period) else {
            return Ok(());
        };
        let same = Sameness {
            quantity,
            period,
            source: &entry.source,
        };
        self.seen.insert(fingerprint(target_id, &same), entry.id)?;
        if let Some(t) = self.target(target_id)?
            && let target = &mut self.known[t]
            && target.kind == Kind::Cumulative
            && trail::is_current(entry.action, entry.superseded)
        {
            target.ledger.push((period.start, period.end, entry.id));
            let days = (period.end - period.start).num_days();
            target.ledger_longest = target.ledger_longest.max(days);
        }
        Ok(())
    }

    /// The last rows inserted and the covering index built again (when
    /// writing; otherwise the transaction is rolled back anyway).
    fn finish(self, write: bool) -> StorageResult<ImportOutcome> {
        let Import {
            conn,
            first_id,
            mut outcome,
            accepted,
            mut batch,
            targets,
            known,
            seen,
            index_sql,
            ..
        } = self;
        drop((targets, known, seen));
        if !write {
            return Ok(outcome);
        }
        batch.flush()?;
        drop(batch);
        if let Some(sql) = index_sql {
            conn.execute_batch(&sql)?;
        }
        if cfg!(debug_assertions) {
            let last: i64 =
                conn.query_row("SELECT coalesce(max(id), 0) FROM observations", [], |row| {
                    row.get(0)
                })?;
            assert_eq!(last, first_id - 1 + accepted, "ids as predicted");
        }
        outcome.added = usize::try_from(accepted).unwrap_or(usize::MAX);
        Ok(outcome)
    }
}

/// Whether the trail held entries of `target_id` below id `before`.
fn has_entries_before(conn: &Connection, target_id: &str, before: i64) -> StorageResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM observations WHERE target_id = ?1 AND id < ?2)",
        )?
        .query_row(params![target_id, before], |row| row.get(0))?)
}

/// Entry `id` as the duplicate rule compares it, with its target.
fn entry_by_id(conn: &Connection, id: i64) -> StorageResult<Option<(String, Candidate)>> {
    let found = conn
        .prepare_cached(
            "SELECT target_id, action, value, qualifier, period_start, period_end, source
             FROM observations WHERE id = ?1",
        )?
        .query_row(params![id], |row| {
            let columns: (String, String, Option<String>, Option<String>) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            let more: (Option<String>, Option<String>, String) =
                (row.get(4)?, row.get(5)?, row.get(6)?);
            Ok((columns, more))
        })
        .optional()?;
    let Some(((target, action, value, qualifier), (start, end, source))) = found else {
        return Ok(None);
    };
    let entry = Candidate {
        id,
        action: parse_col("action", action)?,
        quantity: match (value, qualifier) {
            (Some(v), Some(q)) => Some(quantity_from(v, q)?),
            _ => None,
        },
        period: match (start, end) {
            (Some(s), Some(e)) => Some(period_from(s, e)?),
            _ => None,
        },
        source,
        superseded: false,
    };
    Ok(Some((target, entry)))
}

/// What makes an observation a duplicate, as 32 bits: equal observations
/// have equal fingerprints (the value normalised: `1.50` is `1.5`), so a
/// fingerprint narrows the candidates and [`trail::is_duplicate`] decides.
fn fingerprint(target_id: &str, same: &Sameness<'_>) -> u32 {
    let mut h = std::hash::DefaultHasher::new();
    target_id.hash(&mut h);
    same.period.hash(&mut h);
    let value = same.quantity.value.normalize();
    value.mantissa().hash(&mut h);
    value.scale().hash(&mut h);
    same.quantity.qualifier.as_str().hash(&mut h);
    same.source.hash(&mut h);
    let x = h.finish();
    (x ^ (x >> 32)) as u32
}

/// No id in [`Seen`].
const NONE: u32 = u32::MAX;

/// The fingerprints of the observations the trail holds: for each, the
/// latest id with it, and for each id the previous one with the same
/// fingerprint (a chain, almost always of one). 8-9 bytes per row in the
/// map, 4 in the chain.
struct Seen {
    latest: HashMap<u32, u32, BuildHasherDefault<Spread>>,
    /// By `id - base`.
    previous: Vec<u32>,
    base: i64,
}

impl Seen {
    fn new(base: i64) -> Self {
        Seen {
            latest: HashMap::default(),
            previous: Vec::new(),
            base,
        }
    }

    fn insert(&mut self, print: u32, id: i64) -> StorageResult<()> {
        let short = u32::try_from(id)
            .ok()
            .filter(|&s| s != NONE)
            .ok_or_else(|| {
                StorageError::Database(format!("entry id {id} beyond the import's range"))
            })?;
        let slot = usize::try_from(id - self.base).unwrap_or(usize::MAX);
        if slot >= self.previous.len() {
            self.previous.resize(slot + 1, NONE);
        }
        self.previous[slot] = self.latest.insert(print, short).unwrap_or(NONE);
        Ok(())
    }

    /// Ids with this fingerprint, latest first.
    fn candidates(&self, print: u32) -> impl Iterator<Item = i64> + '_ {
        let mut next = self.latest.get(&print).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let id = i64::from(next);
            next = usize::try_from(id - self.base)
                .ok()
                .and_then(|slot| self.previous.get(slot).copied())
                .unwrap_or(NONE);
            Some(id)
        })
    }

    /// Makes room for ids from `base` on (the ledger's, loaded later).
    fn extend_back(&mut self, base: i64) -> StorageResult<()> {
        if base < self.base {
            let more = usize::try_from(self.base - base)
                .map_err(|_| StorageError::Database("entry ids out of range".into()))?;
            let mut previous = vec![NONE; more];
            previous.extend_from_slice(&self.previous);
            self.previous = previous;
            self.base = base;
        }
        Ok(())
    }
}

/// A hasher for keys that are already hashes: one multiplication spreads
/// them over the 64 bits the map uses.
#[derive(Default)]
struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Accepted rows waiting to be inserted as records, [`IMPORT_BATCH`] at a
/// time with one multi-row INSERT prepared once per import.
pub(super) struct BatchInsert<'c> {
    conn: &'c Connection,
    full: rusqlite::Statement<'c>,
    at: String,
    rows: Vec<NewObservation>,
}

impl<'c> BatchInsert<'c> {
    fn new(conn: &'c Connection, at: &str) -> StorageResult<Self> {
        Ok(BatchInsert {
            conn,
            full: conn.prepare(&batch_insert_sql(IMPORT_BATCH))?,
            at: at.to_string(),
            rows: Vec::with_capacity(IMPORT_BATCH),
        })
    }

    fn push(&mut self, row: NewObservation) -> StorageResult<()> {
        self.rows.push(row);
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
        stmt.raw_bind_parameter(1, &self.at)?;
        for (i, row) in self.rows.iter().enumerate() {
            let b = 2 + i * 9;
            stmt.raw_bind_parameter(b, &row.target_id)?;
            stmt.raw_bind_parameter(b + 1, format_plain(row.quantity.value))?;
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
pub(super) fn batch_insert_sql(n: usize) -> String {
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

/// What every backend's import must do, as tests a backend runs on a new,
/// empty store of its own (`contract::decides_like_recording_row_by_row(&mut
/// store)`): the semantics [`Store::import_observations`] documents.
#[cfg(test)]
pub(in crate::storage) mod contract {
    use super::*;
    use crate::model::Qualifier;
    use crate::targets_file::parse_target_file;
    use rust_decimal::Decimal;

    /// Two synthetic targets (not briefing data): a cumulative one with a
    /// window over 2020-2030, and a level one. Every backend's tests use
    /// them.
    pub(in crate::storage) const SYNTHETIC_TARGETS: &str = r#"
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

    /// Adds [`SYNTHETIC_TARGETS`] to an empty store.
    pub(in crate::storage) fn with_targets(store: &mut dyn Store) {
        let parsed = parse_target_file(SYNTHETIC_TARGETS, "synthetic.toml").unwrap();
        store
            .import_targets(&parsed.targets, "test", Utc::now())
            .unwrap();
    }

    pub(in crate::storage) fn row(
        target: &str,
        value: i64,
        start: &str,
        end: &str,
        source: &str,
    ) -> NewObservation {
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

    /// `rows` as an import source, row i on line i + 2 (after a header).
    pub(in crate::storage) fn lines(rows: &[NewObservation]) -> std::vec::IntoIter<ImportRow> {
        rows.iter()
            .enumerate()
            .map(|(i, observation)| ImportRow {
                line: i as u64 + 2,
                observation: observation.clone(),
            })
            .collect::<Vec<_>>()
            .into_iter()
    }

    pub(in crate::storage) fn at_line(
        index: usize,
        rows: &[NewObservation],
        conflict: ImportConflict,
    ) -> RowConflict {
        RowConflict {
            line: index as u64 + 2,
            target_id: rows[index].target_id.clone(),
            period: rows[index].period,
            conflict,
        }
    }

    pub(in crate::storage) fn decides_like_recording_row_by_row(store: &mut dyn Store) {
        with_targets(store);
        // #1 in the store.
        store
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
        let outcome = store
            .import_observations(&mut lines(&rows), Utc::now(), ImportMode::Write)
            .unwrap();
        assert_eq!(
            outcome,
            ImportOutcome {
                added: 3,
                skipped: 2,
                conflicts: vec![],
                written: true,
            }
        );
        let ids: Vec<(i64, String)> = store
            .entries(None)
            .unwrap()
            .into_iter()
            .map(|e| (e.id, e.source))
            .collect();
        assert_eq!(
            ids.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );

        // Overlaps name what they overlap: an entry of the ledger (#2), or
        // an earlier row of this import (row 0); nothing is written. A
        // check-only run finds the same and writes nothing either.
        let rows = [
            row("syn-sum", 1, "2023-01-01", "2023-03-31", "s"), // would be #5
            row("syn-sum", 1, "2022-06-01", "2022-07-31", "s"), // overlaps #2
            row("syn-sum", 1, "2023-02-01", "2023-02-28", "s"), // overlaps #5
            row("nope", 1, "2023-02-01", "2023-02-28", "s"),
        ];
        let conflicts = vec![
            at_line(
                1,
                &rows,
                ImportConflict::OverlapsEntry {
                    id: 2,
                    period: period_from("2022-01-01".into(), "2022-06-30".into()).unwrap(),
                },
            ),
            at_line(
                2,
                &rows,
                ImportConflict::OverlapsRow {
                    line: 2,
                    period: rows[0].period,
                },
            ),
            at_line(3, &rows, ImportConflict::UnknownTarget),
        ];
        for mode in [ImportMode::CheckOnly, ImportMode::Write] {
            let outcome = store
                .import_observations(&mut lines(&rows), Utc::now(), mode)
                .unwrap();
            assert_eq!(outcome.added, 0);
            assert!(!outcome.written);
            assert_eq!(outcome.conflicts, conflicts);
        }
        let fine = [row("syn-sum", 1, "2023-01-01", "2023-03-31", "s")];
        let checked = store
            .import_observations(&mut lines(&fine), Utc::now(), ImportMode::CheckOnly)
            .unwrap();
        assert_eq!(checked.conflicts, vec![]);
        assert_eq!(store.entry_count().unwrap(), 4, "check-only never writes");
        assert_eq!(store.entry_count().unwrap(), 4);
    }

    /// A large import loads the ledger into its compact state half-way
    /// (once it has accepted as many rows as the ledger held): rows after
    /// that are still decided against the ledger's entries (duplicates
    /// current or not, overlaps with current ones only) and against the
    /// earlier rows, as rows before it were. A conflict rolls back the
    /// whole import, the dropped index included.
    pub(in crate::storage) fn decides_the_same_past_the_ledgers_size(store: &mut dyn Store) {
        with_targets(store);
        let now = Utc::now();
        // #1, corrected by #2; #3 current.
        store
            .record(&row("syn-sum", 5, "2019-01-01", "2019-01-31", "s"), now)
            .unwrap();
        let correction = Correction {
            supersedes: 1,
            quantity: Quantity {
                value: Decimal::from(6),
                qualifier: Qualifier::Exact,
            },
            period: Some(period_from("2019-02-01".into(), "2019-02-28".into()).unwrap()),
            source: None,
            url: None,
            note: None,
            reason: "synthetic".into(),
            recorded_by: "test".into(),
        };
        store.correct(&correction, now).unwrap();
        store
            .record(&row("syn-sum", 7, "2019-03-01", "2019-03-31", "s"), now)
            .unwrap();
        let day =
            |i: u64| iso_date(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i));
        let mut rows: Vec<NewObservation> = (0..REBUILD_INDEX_MIN_ROWS as u64 + 5)
            .map(|i| row("syn-level", i as i64, &day(i), &day(i), "s"))
            .collect();
        let n = rows.len();
        rows.extend([
            // The superseded #1 again: a duplicate all the same.
            row("syn-sum", 5, "2019-01-01", "2019-01-31", "s"),
            // Its period again with another value: #1 is not current, so
            // no overlap; but #2 (February) and #3 (March) are.
            row("syn-sum", 9, "2019-01-15", "2019-01-31", "s"),
            row("syn-sum", 9, "2019-02-15", "2019-03-15", "s"),
            // An earlier row of this import, again, and overlapped.
            row("syn-level", 0, &day(0), &day(0), "s"),
            row("syn-sum", 1, "2019-01-20", "2019-01-20", "s"),
        ]);
        let before = store.entry_count().unwrap();
        let outcome = store
            .import_observations(&mut lines(&rows), now, ImportMode::Write)
            .unwrap();
        let march = period_from("2019-02-01".into(), "2019-02-28".into()).unwrap();
        assert_eq!(
            outcome.conflicts,
            vec![
                at_line(
                    n + 2,
                    &rows,
                    ImportConflict::OverlapsEntry {
                        id: 2,
                        period: march
                    }
                ),
                at_line(
                    n + 4,
                    &rows,
                    ImportConflict::OverlapsRow {
                        line: n as u64 + 3,
                        period: rows[n + 1].period,
                    }
                ),
            ]
        );
        assert_eq!(outcome.skipped, 2);
        assert!(!outcome.written);
        assert_eq!(store.entry_count().unwrap(), before, "rolled back");
        assert_eq!(store.check().unwrap(), Vec::<String>::new());

        // Without the conflicting rows it is written, ids in row order.
        let fine: Vec<NewObservation> = rows[..n + 2].to_vec();
        let outcome = store
            .import_observations(&mut lines(&fine), now, ImportMode::Write)
            .unwrap();
        assert!(outcome.written);
        assert_eq!((outcome.added, outcome.skipped), (n + 1, 1));
        let last = store.entry(before + n as i64 + 1).unwrap();
        assert_eq!(last.period, Some(rows[n + 1].period));
        assert_eq!(store.check().unwrap(), Vec::<String>::new());
    }

    /// A refused line writes nothing but checking goes on; a stop ends
    /// reading at once and writes nothing.
    pub(in crate::storage) fn refused_lines_and_stops_write_nothing(store: &mut dyn Store) {
        with_targets(store);
        struct Items(Vec<ImportItem>, usize);
        impl ImportSource for Items {
            fn next_item(&mut self, definitions: &mut Definitions<'_>) -> Option<ImportItem> {
                assert!(definitions("syn-sum").unwrap().is_some());
                assert!(definitions("nope").unwrap().is_none());
                self.1 += 1;
                (!self.0.is_empty()).then(|| self.0.remove(0))
            }
        }
        let good = |line, day: &str| {
            ImportItem::Row(ImportRow {
                line,
                observation: row("syn-sum", 1, day, day, "s"),
            })
        };
        let mut refused = Items(
            vec![
                good(2, "2021-01-01"),
                ImportItem::Refused { line: 3 },
                good(4, "2021-01-01"),
                good(5, "2021-01-01"),
            ],
            0,
        );
        let outcome = store
            .import_observations(&mut refused, Utc::now(), ImportMode::Write)
            .unwrap();
        assert!(!outcome.written);
        assert_eq!((outcome.added, outcome.skipped), (0, 2), "checking went on");
        assert_eq!(refused.1, 5, "read to the end");
        let mut stopped = Items(
            vec![
                good(2, "2021-02-01"),
                ImportItem::Stop,
                good(4, "2021-03-01"),
            ],
            0,
        );
        let outcome = store
            .import_observations(&mut stopped, Utc::now(), ImportMode::Write)
            .unwrap();
        assert!(!outcome.written);
        assert_eq!(stopped.1, 2, "nothing read after the stop");
        assert_eq!(store.entry_count().unwrap(), 0);
    }

    /// The report's stream filters current entries in SQL, for speed; it
    /// must agree with the rule of [`trail::is_current`] on every entry.
    pub(in crate::storage) fn current_entries_are_the_rules(store: &mut dyn Store) {
        with_targets(store);
        let now = Utc::now();
        for (i, target) in ["syn-sum", "syn-level", "syn-sum", "syn-level"]
            .iter()
            .enumerate()
        {
            let day = format!("2021-0{}-01", i + 1);
            store.record(&row(target, 1, &day, &day, "s"), now).unwrap();
        }
        let correction = |supersedes| Correction {
            supersedes,
            quantity: Quantity {
                value: Decimal::from(2),
                qualifier: Qualifier::About,
            },
            period: None,
            source: None,
            url: None,
            note: None,
            reason: "synthetic".into(),
            recorded_by: "test".into(),
        };
        store.correct(&correction(1), now).unwrap(); // #5
        store.correct(&correction(5), now).unwrap(); // #6
        store.retract(2, "synthetic", "test", now).unwrap(); // #7
        let entries = store.entries(None).unwrap();
        let by_rule: Vec<i64> = entries
            .iter()
            .filter(|e| {
                let superseded = entries.iter().any(|s| s.supersedes == Some(e.id));
                trail::is_current(e.action, superseded)
            })
            .map(|e| e.id)
            .collect();
        let mut streamed = Vec::new();
        store
            .visit_targets(None, &mut |_, observations| {
                streamed.extend(observations.iter().map(|o| o.id));
                Ok(())
            })
            .unwrap();
        streamed.sort_unstable();
        assert_eq!(streamed, by_rule);
        assert_eq!(by_rule, [3, 4, 6]);
    }
}

#[cfg(test)]
mod tests {
    use super::contract::*;
    use super::*;
    use crate::model::Qualifier;
    use rust_decimal::Decimal;
    use std::path::Path;

    /// A ledger file with the contract's two synthetic targets.
    fn ledger(dir: &Path) -> SqliteLedger {
        let mut ledger = SqliteLedger::create(&dir.join("ledger.db")).unwrap();
        with_targets(&mut ledger);
        ledger
    }

    fn index_present(ledger: &SqliteLedger) -> bool {
        ledger
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
                params![COVERING_INDEX],
                |row| row.get::<_, i64>(0),
            )
            .unwrap()
            == 1
    }

    #[test]
    fn import_decides_like_recording_row_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteLedger::create(&dir.path().join("ledger.db")).unwrap();
        decides_like_recording_row_by_row(&mut store);
    }

    /// Past the ledger's size the SQLite import loads the ledger into its
    /// compact state and drops the covering index; a conflict rolls that
    /// back too, and a written import builds the index again.
    #[test]
    fn import_decides_the_same_past_the_ledgers_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteLedger::create(&dir.path().join("ledger.db")).unwrap();
        decides_the_same_past_the_ledgers_size(&mut store);
        assert!(index_present(&store));
    }

    #[test]
    fn refused_lines_and_stops_write_nothing_here_either() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteLedger::create(&dir.path().join("ledger.db")).unwrap();
        refused_lines_and_stops_write_nothing(&mut store);
    }

    #[test]
    fn the_reports_current_entries_are_the_rules() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteLedger::create(&dir.path().join("ledger.db")).unwrap();
        current_entries_are_the_rules(&mut store);
    }

    #[test]
    fn a_large_import_rebuilds_the_covering_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = ledger(dir.path());
        let index_sql = |ledger: &SqliteLedger| -> String {
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
        let outcome = ledger
            .import_observations(&mut lines(&rows), Utc::now(), ImportMode::Write)
            .unwrap();
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
            .visit_targets(None, &mut |def, observations| {
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

    #[test]
    fn equal_fingerprints_chain_every_candidate() {
        let mut seen = Seen::new(10);
        seen.insert(7, 10).unwrap();
        seen.insert(8, 11).unwrap();
        seen.insert(7, 12).unwrap();
        assert_eq!(seen.candidates(7).collect::<Vec<_>>(), [12, 10]);
        seen.extend_back(1).unwrap();
        seen.insert(7, 3).unwrap();
        assert_eq!(seen.candidates(7).collect::<Vec<_>>(), [3, 12, 10]);
        assert_eq!(seen.candidates(9).count(), 0);
        let a = Sameness {
            quantity: Quantity {
                value: "1.50".parse().unwrap(),
                qualifier: Qualifier::Exact,
            },
            period: period_from("2024-01-01".into(), "2024-01-31".into()).unwrap(),
            source: "s",
        };
        let b = Sameness {
            quantity: Quantity {
                value: "1.5".parse().unwrap(),
                ..a.quantity
            },
            ..a
        };
        assert_eq!(fingerprint("t", &a), fingerprint("t", &b));
    }

    /// `check` finds overlapping current amounts that got in by other
    /// means (an older version, a hand-edited file), by the same rule the
    /// writes apply; a superseded one no longer counts.
    #[test]
    fn check_reports_overlaps_the_writes_would_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = ledger(dir.path());
        let now = Utc::now();
        ledger
            .record(&row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"), now)
            .unwrap();
        let sneak = |ledger: &SqliteLedger| {
            ledger
                .conn
                .execute(
                    &batch_insert_sql(1),
                    params![
                        "2021-06-01T00:00:00.000Z",
                        "syn-sum",
                        "3",
                        "exact",
                        "2021-06-01",
                        "2021-06-30",
                        "s",
                        None::<String>,
                        None::<String>,
                        "test"
                    ],
                )
                .unwrap()
        };
        sneak(&ledger);
        assert_eq!(
            ledger.check().unwrap(),
            ["1 current observation(s) of cumulative targets overlap another"]
        );
        ledger.retract(2, "synthetic", "test", now).unwrap();
        assert_eq!(ledger.check().unwrap(), Vec::<String>::new());
    }
}
