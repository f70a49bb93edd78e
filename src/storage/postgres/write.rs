//! Single-entry writes (record, correct, retract, amend a target), each run
//! by the caller inside one transaction holding the ledger's write lock,
//! with the same checks and the same words as the SQLite backend.

use super::super::{Correction, EntryInsert, NewObservation, StorageError, StorageResult};
use super::codec::*;
use crate::domain::trail::{self, TrailEntry};
use crate::model::{Action, Comparator, Entry, Kind, Period, TargetDef};
use crate::value::format_plain;
use ::postgres::{ToStatement, Transaction};
use chrono::{DateTime, Utc};

pub(super) fn record(
    tx: &mut Transaction<'_>,
    new: &NewObservation,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    insert_entry(tx, &EntryInsert::record(new), ledger_time(now))
}

pub(super) fn correct(
    tx: &mut Transaction<'_>,
    correction: &Correction,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let old = supersedable(tx, correction.supersedes)?;
    let entry = EntryInsert {
        target_id: &old.target_id,
        action: Action::Correct,
        quantity: Some(correction.quantity),
        period: correction.period.or(old.period),
        source: correction.source.as_deref().unwrap_or(&old.source),
        url: correction.url.as_deref().or(old.url.as_deref()),
        note: correction.note.as_deref().or(old.note.as_deref()),
        recorded_by: &correction.recorded_by,
        supersedes: Some(old.id),
        reason: Some(&correction.reason),
    };
    insert_entry(tx, &entry, ledger_time(now))
}

pub(super) fn retract(
    tx: &mut Transaction<'_>,
    id: i64,
    reason: &str,
    recorded_by: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let old = supersedable(tx, id)?;
    let entry = EntryInsert {
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
    };
    insert_entry(tx, &entry, ledger_time(now))
}

pub(super) fn amend_target(
    tx: &mut Transaction<'_>,
    def: &TargetDef,
    reason: &str,
    recorded_by: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let version: Option<i32> = tx
        .query_one(
            "SELECT max(version) FROM target_versions WHERE target_id = $1",
            &[&def.id],
        )?
        .get(0);
    let Some(version) = version else {
        return Err(StorageError::UnknownTarget {
            id: def.id.clone(),
            suggestions: Vec::new(),
        });
    };
    let version = i64::from(version) + 1;
    insert_target_version(
        tx,
        VERSION_INSERT_SQL,
        def,
        version,
        ledger_time(now),
        recorded_by,
        Some(reason),
    )?;
    Ok(version)
}

/// One definition version into `target_versions`.
pub(super) const VERSION_INSERT_SQL: &str = "INSERT INTO target_versions (target_id, version,
        title, kind, metric, unit, direction, comparator, target_value, window_start, deadline,
        limit_value, is_rate, cadence, quote, speaker, speaker_role, statement_date,
        source_title, source_url, interpretation, recorded_at, recorded_by, reason, base_start,
        base_end)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::numeric, $10, $11, $12::text::numeric,
        $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)";

pub(super) fn insert_target_version<S: ToStatement + ?Sized>(
    tx: &mut Transaction<'_>,
    statement: &S,
    def: &TargetDef,
    version: i64,
    at: DateTime<Utc>,
    recorded_by: &str,
    reason: Option<&str>,
) -> StorageResult<()> {
    let p = &def.provenance;
    let version = i32::try_from(version)
        .map_err(|_| StorageError::Invalid(format!("version {version} is out of range")))?;
    tx.execute(
        statement,
        &[
            &def.id,
            &version,
            &def.title,
            &def.kind.as_str(),
            &def.metric,
            &def.unit,
            &def.direction.as_str(),
            &def.comparator.map(Comparator::as_str),
            &def.target_value.map(format_plain),
            &def.window_start,
            &def.deadline,
            &def.limit.map(format_plain),
            &def.is_rate,
            &def.cadence.as_str(),
            &p.quote,
            &p.speaker,
            &p.speaker_role,
            &p.statement_date,
            &p.source_title,
            &p.source_url,
            &def.interpretation,
            &at,
            &recorded_by,
            &reason,
            &def.base_period.map(|b| b.start),
            &def.base_period.map(|b| b.end),
        ],
    )?;
    Ok(())
}

/// The kind of a target's current definition, or an unknown-target error.
pub(super) fn target_kind(tx: &mut Transaction<'_>, target_id: &str) -> StorageResult<Kind> {
    let kind = tx.query_opt(
        "SELECT kind FROM target_versions WHERE target_id = $1 ORDER BY version DESC LIMIT 1",
        &[&target_id],
    )?;
    match kind {
        Some(row) => Ok(row.try_get::<_, &str>(0)?.parse().map_err(|_| {
            StorageError::Corrupt(format!("target `{target_id}` has an unreadable kind"))
        })?),
        None => Err(StorageError::UnknownTarget {
            id: target_id.to_string(),
            suggestions: Vec::new(),
        }),
    }
}

/// Entries of a target whose period may overlap `$2..$3`, with whether
/// something supersedes each: the candidates [`overlapping`] decides among.
pub(super) const OVERLAP_CANDIDATES_SQL: &str =
    "SELECT o.id, o.action, o.period_start, o.period_end,
        EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)
    FROM observations o
    WHERE o.target_id = $1 AND o.period_start <= $3 AND o.period_end >= $2";

/// One entry into the trail, returning its id.
pub(super) const INSERT_SQL: &str = "INSERT INTO observations (target_id, action, value,
        qualifier, period_start, period_end, source, url, note, recorded_by, recorded_at,
        supersedes, reason)
    VALUES ($1, $2, $3::text::numeric, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    RETURNING id";

/// For a new amount of a cumulative target, the current entry (other than
/// `excluding`, the one a correction replaces) it would be counted twice
/// with: candidates narrowed by date with the index, decided by
/// [`trail::first_overlap`], as on every backend.
pub(super) fn overlapping<S: ToStatement + ?Sized>(
    tx: &mut Transaction<'_>,
    statement: &S,
    kind: Kind,
    target_id: &str,
    period: &Period,
    excluding: Option<i64>,
) -> StorageResult<Option<(i64, Period)>> {
    if kind != Kind::Cumulative {
        return Ok(None);
    }
    let rows = tx.query(statement, &[&target_id, &period.start, &period.end])?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in &rows {
        let action: &str = row.try_get(1)?;
        candidates.push((
            row.try_get::<_, i64>(0)?,
            action.parse::<Action>().map_err(|_| {
                StorageError::Corrupt(format!("an entry has an unreadable action `{action}`"))
            })?,
            Period {
                start: row.try_get(2)?,
                end: row.try_get(3)?,
            },
            row.try_get::<_, bool>(4)?,
        ));
    }
    let entries: Vec<TrailEntry<'_>> = candidates
        .iter()
        .map(|&(id, action, period, superseded)| TrailEntry {
            id,
            action,
            quantity: None,
            period: Some(period),
            source: "",
            superseded,
        })
        .collect();
    Ok(trail::first_overlap(
        kind,
        period,
        trail::current_periods(&entries, excluding),
    ))
}

/// The refusal of an amount that would count a period twice (the SQLite
/// backend's words).
pub(super) fn overlap_error(
    target_id: &str,
    period: &Period,
    id: i64,
    old: &Period,
) -> StorageError {
    StorageError::Conflict(format!(
        "period {}..{} overlaps observation #{id} ({}..{}) of `{target_id}`; \
         amounts of a cumulative target must not be counted twice \
         (correct #{id} instead with `tracker correct {id} VALUE --reason ...`)",
        period.start, period.end, old.start, old.end
    ))
}

pub(super) fn insert_entry(
    tx: &mut Transaction<'_>,
    entry: &EntryInsert,
    at: DateTime<Utc>,
) -> StorageResult<i64> {
    let kind = target_kind(tx, entry.target_id)?;
    if let Some(period) = &entry.period
        && let Some((id, old)) = overlapping(
            tx,
            OVERLAP_CANDIDATES_SQL,
            kind,
            entry.target_id,
            period,
            entry.supersedes,
        )?
    {
        return Err(overlap_error(entry.target_id, period, id, &old));
    }
    insert_row(tx, INSERT_SQL, entry, at)
}

/// The INSERT itself, without checks (restore has made its own).
pub(super) fn insert_row<S: ToStatement + ?Sized>(
    tx: &mut Transaction<'_>,
    statement: &S,
    entry: &EntryInsert,
    at: DateTime<Utc>,
) -> StorageResult<i64> {
    let row = tx.query_one(
        statement,
        &[
            &entry.target_id,
            &entry.action.as_str(),
            &entry.quantity.map(|q| format_plain(q.value)),
            &entry.quantity.map(|q| q.qualifier.as_str()),
            &entry.period.map(|p| p.start),
            &entry.period.map(|p| p.end),
            &entry.source,
            &entry.url,
            &entry.note,
            &entry.recorded_by,
            &at,
            &entry.supersedes,
            &entry.reason,
        ],
    )?;
    Ok(row.try_get(0)?)
}

/// Loads entry `id` and checks it may be superseded: it exists, is not a
/// retraction, and nothing supersedes it yet.
pub(super) fn supersedable(tx: &mut Transaction<'_>, id: i64) -> StorageResult<Entry> {
    let entry = tx
        .query_opt(
            &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE id = $1"),
            &[&id],
        )?
        .ok_or(StorageError::UnknownObservation { id })?;
    let entry = entry_from_row(&entry)?;
    if entry.action == Action::Retract {
        return Err(StorageError::Conflict(format!(
            "#{id} is a retraction; it cannot be corrected or retracted (record a new observation instead)"
        )));
    }
    let newer = tx.query_opt(
        "SELECT id, action FROM observations WHERE supersedes = $1",
        &[&id],
    )?;
    if let Some(row) = newer {
        let (newer, action): (i64, &str) = (row.try_get(0)?, row.try_get(1)?);
        if action == "retract" {
            return Err(StorageError::Conflict(format!(
                "#{id} is already retracted (by #{newer}); record a new observation to replace it"
            )));
        }
        return Err(StorageError::Conflict(format!(
            "#{id} was already corrected by #{newer}; only the current entry can be changed (try #{newer})"
        )));
    }
    Ok(entry)
}
