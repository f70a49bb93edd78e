//! Bulk writes: observation import, restore of an export, target files.
//! Each is one transaction, all or nothing.

use super::codec::*;
use super::sql::*;
use super::write::*;
use super::*;
use crate::model::{Entry, Kind, Period, TargetDef};
use crate::targets_file::SeedTarget;
use crate::value::format_plain;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::{BTreeMap, HashMap};

impl SqliteLedger {
    /// Adds many observations in one transaction, all or nothing. Rows
    /// already in the ledger (same target, value, qualifier, period and
    /// source, as a record or correction, current or not) are skipped, so
    /// importing a file twice adds nothing. Conflicts (unknown target,
    /// overlapping amounts) are collected per row index; if there is any,
    /// nothing is written.
    pub fn import_observations(
        &mut self,
        source: &mut dyn ImportSource,
        now: DateTime<Utc>,
        mode: ImportMode,
    ) -> StorageResult<ImportOutcome> {
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        let mut complete = true;
        {
            let mut definitions = |id: &str| match self.target(id, None) {
                Ok(def) => Ok(Some(def)),
                Err(StorageError::UnknownTarget { .. }) => Ok(None),
                Err(e) => Err(e),
            };
            while let Some(item) = source.next_item(&mut definitions) {
                match item {
                    ImportItem::Row(row) => {
                        lines.push(row.line);
                        rows.push(row.observation);
                    }
                    ImportItem::Refused { .. } => complete = false,
                    ImportItem::Stop => {
                        complete = false;
                        break;
                    }
                }
            }
        }
        let mode = if complete {
            mode
        } else {
            ImportMode::CheckOnly
        };
        let rows = &rows[..];
        let lines = &lines[..];
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
        let outcome = self.import_observations_in_tx(rows, lines, &at, mode);
        self.conn.pragma_update(None, "cache_size", cache_size)?;
        self.conn.pragma_update(None, "temp_store", temp_store)?;
        outcome
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
                let created = wanted
                    .first()
                    .map(|v| timestamp(v.recorded_at))
                    .unwrap_or_default();
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
                    &timestamp(v.recorded_at),
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
                        &timestamp(e.recorded_at),
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

impl SqliteLedger {
    /// The import in two passes inside one IMMEDIATE transaction: first
    /// every row is checked (against the ledger as it was, and against the
    /// rows of this import accepted before it, in memory), then, if no row
    /// conflicts, the accepted rows are inserted in batches. The outcome,
    /// observation ids included, is exactly that of checking and inserting
    /// row by row, which is what this did before and what `record` does.
    fn import_observations_in_tx(
        &mut self,
        rows: &[NewObservation],
        lines: &[u64],
        at: &str,
        mode: ImportMode,
    ) -> StorageResult<ImportOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let first_id: i64 = tx.query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM observations",
            [],
            |row| row.get(0),
        )?;
        let (mut outcome, accepted) = check_import_rows(&tx, rows, lines)?;
        if !outcome.conflicts.is_empty() || mode == ImportMode::CheckOnly {
            // Nothing was written; dropping `tx` ends the transaction.
            return Ok(outcome);
        }
        outcome.added = accepted.len();
        insert_accepted(&tx, rows, accepted, at, first_id)?;
        tx.commit()?;
        outcome.written = true;
        Ok(outcome)
    }
}

/// The first pass of an import: every row checked against the ledger as it
/// was and against the rows of this import accepted before it (in memory).
/// Returns the outcome so far and the accepted rows in order, as (row
/// index, the value's text). A conflict with an earlier row names that
/// row, not the entry it would have become.
fn check_import_rows(
    tx: &Connection,
    rows: &[NewObservation],
    lines: &[u64],
) -> StorageResult<(ImportOutcome, Vec<(usize, String)>)> {
    let mut outcome = ImportOutcome::default();
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
    let conflict = |index: usize, conflict: ImportConflict| RowConflict {
        line: lines[index],
        target_id: rows[index].target_id.clone(),
        period: rows[index].period,
        conflict,
    };
    for (index, row) in rows.iter().enumerate() {
        let target = row.target_id.as_str();
        let state = match targets.get(target) {
            Some(state) => *state,
            None => {
                let state = match target_kind(tx, target) {
                    Ok(kind) => Some((kind, has_entries(tx, target)?)),
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
                .push(conflict(index, ImportConflict::UnknownTarget));
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
        if accepted_same || (in_ledger && has_same_entry(tx, row, &text)?) {
            outcome.skipped += 1;
            continue;
        }
        if kind == Kind::Cumulative {
            // The ledger's entries have lower ids than this import's, so
            // an overlap there is the one to name.
            let mut overlap = if in_ledger {
                overlapping_text(tx, target, &text.start, &text.end, None)?
                    .map(|(id, start, end)| period_from(start, end).map(|period| (id, period)))
                    .transpose()?
                    .map(|(id, period)| ImportConflict::OverlapsEntry { id, period })
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
                    .map(|(_, (_, k))| *k)
                    .min()
                    .map(|k| ImportConflict::OverlapsRow {
                        line: lines[accepted[k].0],
                        period: rows[accepted[k].0].period,
                    });
            }
            if let Some(found) = overlap {
                outcome.conflicts.push(conflict(index, found));
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
    Ok((outcome, accepted))
}

/// The second pass: the accepted rows inserted in batches, the covering
/// index rebuilt instead when the load is at least as large as the ledger.
fn insert_accepted(
    tx: &Connection,
    rows: &[NewObservation],
    accepted: Vec<(usize, String)>,
    at: &str,
    first_id: i64,
) -> StorageResult<()> {
    let added = accepted.len();
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
    let mut batch = BatchInsert::new(tx, at)?;
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
        assert_eq!(last, first_id - 1 + added as i64, "ids as predicted");
    }
    Ok(())
}

/// Rows a bulk import inserts with one INSERT statement. Executing a
/// statement has a fixed cost (among others, the schema's `IN (...)` CHECK
/// lists are built into temporary b-trees, and a statement journal is
/// opened) that one row per statement paid a million times.
pub(super) const IMPORT_BATCH: usize = 64;

/// Imports of at least this many rows, and at least as many as the ledger
/// holds, rebuild the covering index instead of inserting into it.
pub(super) const REBUILD_INDEX_MIN_ROWS: usize = 10_000;

/// The index reports read (migration 2).
pub(super) const COVERING_INDEX: &str = "observations_by_target_covering";

/// Page cache during a bulk import, in KiB (negative: `PRAGMA cache_size`
/// counts KiB, not pages). Allocated only as pages are touched.
pub(super) const IMPORT_CACHE_KIB: i64 = -65536;

/// Checked import rows waiting to be inserted as records, [`IMPORT_BATCH`]
/// at a time with one multi-row INSERT prepared once per import.
pub(super) struct BatchInsert<'c, 'r> {
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

/// The texts a row is stored and compared as, made once per row.
pub(super) struct RowText {
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
pub(super) fn has_same_entry(
    conn: &Connection,
    row: &NewObservation,
    text: &RowText,
) -> StorageResult<bool> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Qualifier;
    use crate::targets_file::parse_target_file;
    use rust_decimal::Decimal;
    use std::path::Path;

    /// A ledger with two synthetic targets (not briefing data): a
    /// cumulative one with a window over 2020-2030, and a level one.
    fn ledger(dir: &Path) -> SqliteLedger {
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
        let mut ledger = SqliteLedger::create(&dir.join("ledger.db")).unwrap();
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

    /// `rows` as an import source, row i on line i + 2 (after a header).
    fn lines(rows: &[NewObservation]) -> std::vec::IntoIter<ImportRow> {
        rows.iter()
            .enumerate()
            .map(|(i, observation)| ImportRow {
                line: i as u64 + 2,
                observation: observation.clone(),
            })
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn at_line(index: usize, rows: &[NewObservation], conflict: ImportConflict) -> RowConflict {
        RowConflict {
            line: index as u64 + 2,
            target_id: rows[index].target_id.clone(),
            period: rows[index].period,
            conflict,
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
        let outcome = ledger
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
            let outcome = ledger
                .import_observations(&mut lines(&rows), Utc::now(), mode)
                .unwrap();
            assert_eq!(outcome.added, 0);
            assert!(!outcome.written);
            assert_eq!(outcome.conflicts, conflicts);
        }
        let fine = [row("syn-sum", 1, "2023-01-01", "2023-03-31", "s")];
        let checked = ledger
            .import_observations(&mut lines(&fine), Utc::now(), ImportMode::CheckOnly)
            .unwrap();
        assert_eq!(checked.conflicts, vec![]);
        assert_eq!(ledger.entry_count().unwrap(), 4, "check-only never writes");
        assert_eq!(ledger.entry_count().unwrap(), 4);
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
}
