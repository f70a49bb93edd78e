//! Single-entry writes (record, correct, retract, amend a target), each in
//! its own `BEGIN IMMEDIATE` transaction.

use super::codec::*;
use super::sql::*;
use super::*;
use crate::domain::trail::{self, TrailEntry};
use crate::model::{Action, Comparator, Entry, Kind, Period, Quantity, TargetDef};
use crate::value::format_plain;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

impl SqliteLedger {
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
}

pub(super) fn insert_target_version(
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
            interpretation, recorded_at, recorded_by, reason, base_period)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
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
        def.base_period
            .map(|p| format!("{}..{}", iso_date(p.start), iso_date(p.end))),
    ])?;
    Ok(())
}

pub(super) fn insert_observation(
    conn: &Connection,
    new: &NewObservation,
    at: &str,
) -> StorageResult<i64> {
    insert_entry(conn, &EntryInsert::record(new), at)
}

/// The kind of a target's current definition, or an unknown-target error.
pub(super) fn target_kind(conn: &Connection, target_id: &str) -> StorageResult<Kind> {
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

/// An entry as the rules of [`crate::domain::trail`] compare it, read
/// back from the trail.
pub(super) struct Candidate {
    pub(super) id: i64,
    pub(super) action: Action,
    pub(super) quantity: Option<Quantity>,
    pub(super) period: Option<Period>,
    pub(super) source: String,
    pub(super) superseded: bool,
}

impl Candidate {
    pub(super) fn trail(&self) -> TrailEntry<'_> {
        TrailEntry {
            id: self.id,
            action: self.action,
            quantity: self.quantity,
            period: self.period,
            source: &self.source,
            superseded: self.superseded,
        }
    }
}

/// Entries of `target_id` with an id below `before` whose period may
/// overlap `period`: narrowed by date with the index, decided by
/// [`trail::first_overlap`].
pub(super) fn overlap_candidates(
    conn: &Connection,
    target_id: &str,
    period: &Period,
    before: i64,
) -> StorageResult<Vec<Candidate>> {
    conn.prepare_cached(OVERLAP_CANDIDATES_SQL)?
        .query_map(
            params![
                target_id,
                iso_date(period.start),
                iso_date(period.end),
                before
            ],
            |row| {
                let (id, action, start, end, superseded): (i64, String, String, String, bool) = (
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                );
                Ok((id, action, start, end, superseded))
            },
        )?
        .map(|row| {
            let (id, action, start, end, superseded) = row?;
            Ok(Candidate {
                id,
                action: parse_col("action", action)?,
                quantity: None,
                period: Some(period_from(start, end)?),
                source: String::new(),
                superseded,
            })
        })
        .collect()
}

/// For a new amount of `target_id` (of kind `kind`) for `period`, the
/// current entry below id `before` it would be counted twice with, other
/// than `excluding` (the entry a correction replaces).
pub(super) fn first_overlap(
    conn: &Connection,
    kind: Kind,
    target_id: &str,
    period: &Period,
    excluding: Option<i64>,
    before: i64,
) -> StorageResult<Option<(i64, Period)>> {
    if kind != Kind::Cumulative {
        return Ok(None);
    }
    let candidates = overlap_candidates(conn, target_id, period, before)?;
    let entries: Vec<TrailEntry> = candidates.iter().map(Candidate::trail).collect();
    Ok(trail::first_overlap(
        kind,
        period,
        trail::current_periods(&entries, excluding),
    ))
}

/// Entries of `target_id` with an id below `before` and exactly `period`:
/// the candidates [`trail::is_duplicate`] decides among.
pub(super) fn same_period_candidates(
    conn: &Connection,
    target_id: &str,
    period: &Period,
    before: i64,
) -> StorageResult<Vec<Candidate>> {
    conn.prepare_cached(
        "SELECT o.id, o.action, o.value, o.qualifier, o.source FROM observations o
         WHERE o.target_id = ?1 AND o.period_end = ?2 AND o.period_start = ?3 AND o.id < ?4",
    )?
    .query_map(
        params![
            target_id,
            iso_date(period.end),
            iso_date(period.start),
            before
        ],
        |row| {
            let (id, action, value, qualifier, source): (
                i64,
                String,
                Option<String>,
                Option<String>,
                String,
            ) = (
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            );
            Ok((id, action, value, qualifier, source))
        },
    )?
    .map(|row| {
        let (id, action, value, qualifier, source) = row?;
        Ok(Candidate {
            id,
            action: parse_col("action", action)?,
            quantity: match (value, qualifier) {
                (Some(v), Some(q)) => Some(quantity_from(v, q)?),
                _ => None,
            },
            period: Some(*period),
            source,
            superseded: false,
        })
    })
    .collect()
}

pub(super) fn insert_entry(conn: &Connection, entry: &EntryInsert, at: &str) -> StorageResult<i64> {
    let kind = target_kind(conn, entry.target_id)?;
    if let Some(period) = &entry.period
        && let Some((id, other)) = first_overlap(
            conn,
            kind,
            entry.target_id,
            period,
            entry.supersedes,
            i64::MAX,
        )?
    {
        let (start, end) = (other.start, other.end);
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

/// Loads entry `id` and checks it may be superseded: it is current
/// ([`trail::is_current`]: not a retraction, and nothing supersedes it
/// yet). The refusal says which.
pub(super) fn supersedable(conn: &Connection, id: i64) -> StorageResult<Entry> {
    let entry = conn
        .query_row(
            &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE id = ?1"),
            params![id],
            entry_from_row,
        )
        .optional()?
        .ok_or(StorageError::UnknownObservation { id })??;
    let newer: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, action FROM observations WHERE supersedes = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if trail::is_current(entry.action, newer.is_some()) {
        return Ok(entry);
    }
    Err(StorageError::Conflict(match newer {
        _ if entry.action == Action::Retract => format!(
            "#{id} is a retraction; it cannot be corrected or retracted (record a new observation instead)"
        ),
        Some((newer, action)) if action == "retract" => format!(
            "#{id} is already retracted (by #{newer}); record a new observation to replace it"
        ),
        Some((newer, _)) => format!(
            "#{id} was already corrected by #{newer}; only the current entry can be changed (try #{newer})"
        ),
        None => format!("#{id} cannot be superseded"),
    }))
}
