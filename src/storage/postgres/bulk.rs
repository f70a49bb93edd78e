//! Bulk writes: observation import, restore of an export, target files.
//! Each runs inside the one writing transaction the caller holds: all or
//! nothing, whatever the size.
//!
//! An import sends its rows once, with COPY, into a temporary table; the
//! server finds in two set-based queries which rows the ledger already
//! holds and which overlap a current amount; the rules that depend on row
//! order (a duplicate or overlap of an earlier row of the same file) are
//! applied here in one pass, exactly as the SQLite backend applies them;
//! the accepted rows then go into the trail with one INSERT … SELECT in
//! file order, so the k-th added row gets the k-th new id. They are
//! recorded by `session_user`, as the database would set it anyway (the
//! name the client claims is not the author on a shared ledger).

use super::super::{
    ImportConflict, ImportMode, ImportOutcome, ImportSummary, NewObservation, RestoreSummary,
    StorageError, StorageResult, TargetVersion,
};
use super::codec::*;
use super::write::*;
use crate::model::{Entry, Kind, Period, TargetDef};
use crate::targets_file::SeedTarget;
use crate::value::format_plain;
use ::postgres::Transaction;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

/// What the ledger says about each import row: (row index → the first
/// overlapping current entry), and the rows it already holds.
struct LedgerFacts {
    kinds: HashMap<String, Kind>,
    present: Vec<bool>,
    overlaps: HashMap<usize, (i64, Period)>,
}

pub(super) fn import_observations(
    tx: &mut Transaction<'_>,
    rows: &[NewObservation],
    now: DateTime<Utc>,
    mode: ImportMode,
) -> StorageResult<(ImportOutcome, bool)> {
    if rows.is_empty() {
        return Ok((ImportOutcome::default(), false));
    }
    // Sorting a million staged rows back into file order fits in memory
    // (the default would spill it to disk); this transaction only.
    tx.batch_execute("SET LOCAL work_mem = '256MB'")?;
    stage_rows(tx, rows)?;
    let facts = ledger_facts(tx, rows)?;
    let (mut outcome, accepted) = check_rows(rows, &facts);
    if !outcome.conflicts.is_empty() || mode == ImportMode::CheckOnly || accepted.is_empty() {
        return Ok((outcome, false));
    }
    outcome.added = accepted.len();
    let accepted: Vec<i32> = accepted.iter().map(|&i| i as i32).collect();
    tx.execute(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, url, note, recorded_by, recorded_at)
         SELECT r.target_id, 'record', r.value::numeric, r.qualifier, r.period_start,
            r.period_end, r.source, r.url, r.note, session_user, $2
         FROM unnest($1::integer[]) a(idx) JOIN tracker_import r ON r.idx = a.idx
         ORDER BY r.idx",
        &[&accepted, &ledger_time(now)],
    )?;
    Ok((outcome, true))
}

/// The rows into a temporary table (dropped at commit or rollback) with
/// one COPY.
fn stage_rows(tx: &mut Transaction<'_>, rows: &[NewObservation]) -> StorageResult<()> {
    tx.batch_execute(
        "CREATE TEMPORARY TABLE tracker_import (
            idx integer NOT NULL, target_id text COLLATE \"C\" NOT NULL, value text NOT NULL,
            qualifier text NOT NULL, period_start date NOT NULL, period_end date NOT NULL,
            source text NOT NULL, url text, note text
         ) ON COMMIT DROP",
    )?;
    let mut writer = tx.copy_in("COPY tracker_import FROM STDIN")?;
    let mut buffer = Vec::with_capacity(1 << 16);
    let io = |e: std::io::Error| StorageError::Database(format!("sending import rows: {e}"));
    for (index, row) in rows.iter().enumerate() {
        buffer.extend_from_slice(index.to_string().as_bytes());
        for field in [
            Some(row.target_id.as_str()),
            Some(&format_plain(row.quantity.value)),
            Some(row.quantity.qualifier.as_str()),
            Some(&row.period.start.to_string()),
            Some(&row.period.end.to_string()),
            Some(row.source.as_str()),
            row.url.as_deref(),
            row.note.as_deref(),
        ] {
            buffer.push(b'\t');
            copy_field(&mut buffer, field);
        }
        buffer.push(b'\n');
        if buffer.len() > 1 << 16 {
            writer.write_all(&buffer).map_err(io)?;
            buffer.clear();
        }
    }
    writer.write_all(&buffer).map_err(io)?;
    writer.finish()?;
    tx.batch_execute("ANALYZE tracker_import")?;
    Ok(())
}

/// One field in COPY's text format.
fn copy_field(out: &mut Vec<u8>, field: Option<&str>) {
    let Some(text) = field else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b => out.push(b),
        }
    }
}

/// For each staged row of a cumulative target (`$1`), the current entry
/// with the lowest id whose period overlaps it. Current periods of a
/// cumulative target are disjoint, so those overlapping a row are the ones
/// ending inside it and at most one ending after it (the first): two
/// bounded index range scans per row, never a scan of every later period.
const OVERLAPS_SQL: &str = "SELECT DISTINCT ON (r.idx) r.idx, o.id, o.period_start, o.period_end
    FROM tracker_import r
    CROSS JOIN LATERAL (
        (SELECT c.id, c.period_start, c.period_end FROM observations c
          WHERE c.target_id = r.target_id AND c.period_end >= r.period_start
            AND c.period_end <= r.period_end AND c.value IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = c.id))
        UNION ALL
        (SELECT c.id, c.period_start, c.period_end FROM observations c
          WHERE c.target_id = r.target_id AND c.period_end > r.period_end
            AND c.value IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = c.id)
          ORDER BY c.period_end LIMIT 1)
    ) o
    WHERE r.target_id = ANY($1) AND o.period_start <= r.period_end
    ORDER BY r.idx, o.id";

/// What the ledger already holds about the staged rows, in three queries.
fn ledger_facts(tx: &mut Transaction<'_>, rows: &[NewObservation]) -> StorageResult<LedgerFacts> {
    let mut kinds = HashMap::new();
    for row in tx.query(
        "SELECT DISTINCT ON (v.target_id) v.target_id, v.kind FROM target_versions v
         WHERE v.target_id IN (SELECT DISTINCT target_id FROM tracker_import)
         ORDER BY v.target_id, v.version DESC",
        &[],
    )? {
        let kind: &str = row.try_get(1)?;
        let kind = kind.parse().map_err(|_| {
            StorageError::Corrupt(format!("a target has an unreadable kind `{kind}`"))
        })?;
        kinds.insert(row.try_get::<_, String>(0)?, kind);
    }
    let mut present = vec![false; rows.len()];
    for row in tx.query(
        "SELECT DISTINCT r.idx FROM tracker_import r JOIN observations o
           ON o.target_id = r.target_id AND o.period_end = r.period_end
          AND o.period_start = r.period_start AND o.value = r.value::numeric
          AND o.qualifier = r.qualifier AND o.source = r.source AND o.action <> 'retract'",
        &[],
    )? {
        present[row.try_get::<_, i32>(0)? as usize] = true;
    }
    let cumulative: Vec<&str> = kinds
        .iter()
        .filter(|(_, kind)| **kind == Kind::Cumulative)
        .map(|(id, _)| id.as_str())
        .collect();
    let mut overlaps = HashMap::new();
    if !cumulative.is_empty() {
        for row in tx.query(OVERLAPS_SQL, &[&cumulative])? {
            let period = Period {
                start: row.try_get::<_, NaiveDate>(2)?,
                end: row.try_get::<_, NaiveDate>(3)?,
            };
            overlaps.insert(
                row.try_get::<_, i32>(0)? as usize,
                (row.try_get(1)?, period),
            );
        }
    }
    Ok(LedgerFacts {
        kinds,
        present,
        overlaps,
    })
}

/// The rules in row order: unknown targets, rows already in the ledger or
/// earlier in the file (skipped), overlaps with the ledger or with an
/// earlier accepted row (conflicts). Returns the outcome and the accepted
/// row indexes in order.
fn check_rows(rows: &[NewObservation], facts: &LedgerFacts) -> (ImportOutcome, Vec<usize>) {
    let mut outcome = ImportOutcome::default();
    let mut accepted: Vec<usize> = Vec::new();
    // Accepted rows by (target, period), for duplicates within the file.
    let mut same: HashMap<(&str, Period), Vec<usize>> = HashMap::new();
    // A cumulative target's accepted periods by start (disjoint).
    let mut periods: HashMap<&str, BTreeMap<NaiveDate, (NaiveDate, usize)>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let target = row.target_id.as_str();
        let Some(kind) = facts.kinds.get(target) else {
            outcome
                .conflicts
                .push((index, ImportConflict::UnknownTarget));
            continue;
        };
        let key = (target, row.period);
        let earlier_same = same.get(&key).is_some_and(|earlier| {
            earlier.iter().any(|&i| {
                let e = &rows[i];
                e.quantity.qualifier == row.quantity.qualifier
                    && e.source == row.source
                    && format_plain(e.quantity.value) == format_plain(row.quantity.value)
            })
        });
        if earlier_same || facts.present[index] {
            outcome.skipped += 1;
            continue;
        }
        if *kind == Kind::Cumulative {
            let mut overlap = facts
                .overlaps
                .get(&index)
                .map(|&(id, period)| ImportConflict::OverlapsEntry { id, period });
            if overlap.is_none()
                && let Some(taken) = periods.get(target)
            {
                overlap = taken
                    .range(..=row.period.end)
                    .rev()
                    .take_while(|(_, (end, _))| *end >= row.period.start)
                    .map(|(_, (_, i))| *i)
                    .min()
                    .map(|i| ImportConflict::OverlapsRow { index: i });
            }
            if let Some(conflict) = overlap {
                outcome.conflicts.push((index, conflict));
                continue;
            }
            periods
                .entry(target)
                .or_default()
                .insert(row.period.start, (row.period.end, index));
        }
        same.entry(key).or_default().push(index);
        accepted.push(index);
    }
    (outcome, accepted)
}

/// Whether this connection may keep the original authors of what it
/// restores (a member of the role owning the ledger's tables), and its
/// role name.
fn restorer(tx: &mut Transaction<'_>) -> StorageResult<(bool, String)> {
    let row = tx.query_one(
        "SELECT pg_has_role(session_user,
                (SELECT relowner FROM pg_class WHERE oid = 'observations'::regclass), 'MEMBER'),
                session_user::text",
        &[],
    )?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Refuses to restore, under this connection's name, a row someone else
/// recorded: the trail must not change who did what.
fn author_check(keep: bool, me: &str, by: &str, what: &str) -> StorageResult<()> {
    if keep || by == me {
        return Ok(());
    }
    Err(StorageError::Conflict(format!(
        "{what} was recorded by `{by}`; restoring it as `{me}` would change who recorded it. \
         Only a member of the ledger's owner role may restore an export with its original \
         authors (README, \"A shared ledger\"); nothing was written"
    )))
}

pub(super) fn restore(
    tx: &mut Transaction<'_>,
    versions: &[TargetVersion],
    entries: &[Entry],
) -> StorageResult<RestoreSummary> {
    let (keep, me) = restorer(tx)?;
    if keep {
        tx.batch_execute("SET LOCAL tracker.keep_authors = 'on'")?;
    }
    let mut summary = RestoreSummary::default();
    restore_versions(tx, versions, keep, &me, &mut summary)?;
    let find = tx.prepare(
        "SELECT id FROM observations
         WHERE target_id = $1 AND action = $2 AND value IS NOT DISTINCT FROM $3::text::numeric
           AND qualifier IS NOT DISTINCT FROM $4 AND period_start IS NOT DISTINCT FROM $5
           AND period_end IS NOT DISTINCT FROM $6 AND source = $7
           AND supersedes IS NOT DISTINCT FROM $8 AND reason IS NOT DISTINCT FROM $9
         ORDER BY id LIMIT 1",
    )?;
    let mut new_ids: HashMap<i64, i64> = HashMap::new();
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
        let found = tx.query_opt(
            &find,
            &[
                &e.target_id,
                &e.action.as_str(),
                &e.quantity.map(|q| format_plain(q.value)),
                &e.quantity.map(|q| q.qualifier.as_str()),
                &e.period.map(|p| p.start),
                &e.period.map(|p| p.end),
                &e.source,
                &supersedes,
                &e.reason,
            ],
        )?;
        let id = match found {
            Some(row) => {
                summary.entries_present += 1;
                row.try_get(0)?
            }
            None => {
                author_check(keep, &me, &e.recorded_by, &format!("entry #{}", e.id))?;
                summary.entries_added += 1;
                let entry = EntryInsert {
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
                };
                insert_entry(tx, &entry, parse_ledger_time(&e.recorded_at)?)?
            }
        };
        new_ids.insert(e.id, id);
    }
    Ok(summary)
}

/// The definition histories of a restore: each target's must extend what
/// the ledger holds.
fn restore_versions(
    tx: &mut Transaction<'_>,
    versions: &[TargetVersion],
    keep: bool,
    me: &str,
    summary: &mut RestoreSummary,
) -> StorageResult<()> {
    let mut by_target: BTreeMap<&str, Vec<&TargetVersion>> = BTreeMap::new();
    for v in versions {
        by_target.entry(v.def.id.as_str()).or_default().push(v);
    }
    for (id, mut wanted) in by_target {
        wanted.sort_by_key(|v| v.version);
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = $1 ORDER BY v.version"
        );
        let existing: Vec<TargetDef> = tx
            .query(&sql, &[&id])?
            .iter()
            .map(target_from_row)
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
            let created = match wanted.first() {
                Some(v) => parse_ledger_time(&v.recorded_at)?,
                None => continue,
            };
            tx.execute(
                "INSERT INTO targets (id, created_at) VALUES ($1, $2)",
                &[&id, &created],
            )?;
            summary.targets_added += 1;
        }
        for (n, v) in wanted.iter().enumerate().skip(existing.len()) {
            author_check(
                keep,
                me,
                &v.recorded_by,
                &format!("version {} of target `{id}`", v.version),
            )?;
            insert_target_version(
                tx,
                &v.def,
                n as i64 + 1,
                parse_ledger_time(&v.recorded_at)?,
                &v.recorded_by,
                v.reason.as_deref(),
            )?;
            summary.versions_added += 1;
        }
    }
    Ok(())
}

pub(super) fn import_targets(
    tx: &mut Transaction<'_>,
    targets: &[SeedTarget],
    recorded_by: &str,
    now: DateTime<Utc>,
) -> StorageResult<ImportSummary> {
    let at = ledger_time(now);
    let mut summary = ImportSummary::default();
    let current_sql = format!(
        "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = $1
         ORDER BY v.version DESC LIMIT 1"
    );
    for seed in targets {
        let def = &seed.def;
        let existing = tx
            .query_opt(&current_sql, &[&def.id])?
            .map(|row| target_from_row(&row))
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
            "INSERT INTO targets (id, created_at) VALUES ($1, $2)",
            &[&def.id, &at],
        )?;
        insert_target_version(tx, def, 1, at, recorded_by, None)?;
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
            insert_entry(tx, &EntryInsert::record(&new), at)?;
            summary.observations += 1;
        }
        summary.added.push(def.id.clone());
    }
    Ok(summary)
}
