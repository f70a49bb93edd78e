//! Reads, each inside the snapshot transaction the caller opened: targets
//! as of a point on the ledger clock, current observations (streamed for
//! reports through two server-side cursors), the trail and the definition
//! history.

use super::super::codec::{parse_decimal_col, parse_qualifier_col};
use super::super::{KnownAt, StorageError, StorageResult, TargetVersion, Visit};
use super::codec::*;
use crate::model::{Entry, Observation, Period, Quantity, TargetDef};
use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::ToSql;
use ::postgres::{Portal, Row, Transaction};
use chrono::NaiveDate;
use std::cmp::Ordering;
use std::collections::HashSet;

pub(super) fn target_count(tx: &mut Transaction<'_>) -> StorageResult<i64> {
    Ok(tx.query_one("SELECT count(*) FROM targets", &[])?.get(0))
}

pub(super) fn entry_count(tx: &mut Transaction<'_>) -> StorageResult<i64> {
    Ok(tx
        .query_one("SELECT count(*) FROM observations", &[])?
        .get(0))
}

pub(super) fn target_ids(tx: &mut Transaction<'_>) -> StorageResult<Vec<String>> {
    Ok(tx
        .query("SELECT id FROM targets ORDER BY id", &[])?
        .iter()
        .map(|row| row.get(0))
        .collect())
}

pub(super) fn target(
    tx: &mut Transaction<'_>,
    id: &str,
    known_at: KnownAt,
) -> StorageResult<Option<TargetDef>> {
    let sql = format!(
        "SELECT {TARGET_COLUMNS} FROM target_versions v
         WHERE v.target_id = $1 AND ($2::timestamptz IS NULL OR v.recorded_at <= $2)
         ORDER BY v.version DESC LIMIT 1"
    );
    tx.query_opt(&sql, &[&id, &known_at_param(known_at)])?
        .map(|row| target_from_row(&row))
        .transpose()
}

/// The definition in force at `$1` of every target visible then, by id.
const VISIBLE_TARGETS_WHERE: &str = "WHERE ($1::timestamptz IS NULL OR v.recorded_at <= $1)";

/// Current observations as of now: recorded or corrected, not superseded.
const CURRENT_NOW: &str = "o.value IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)";

/// Current observations as known at `$1`.
const CURRENT_AT: &str = "o.recorded_at <= $1 AND o.value IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM observations s
                    WHERE s.supersedes = o.id AND s.recorded_at <= $1)";

pub(super) fn current_observations(
    tx: &mut Transaction<'_>,
    id: &str,
    known_at: KnownAt,
) -> StorageResult<Vec<Observation>> {
    let rows = match known_at_param(known_at) {
        None => tx.query(
            &format!(
                "SELECT {OBSERVATION_COLUMNS} FROM observations o
                 WHERE o.target_id = $1 AND {CURRENT_NOW} ORDER BY o.period_end, o.id"
            ),
            &[&id],
        )?,
        Some(at) => tx.query(
            &format!(
                "SELECT {OBSERVATION_COLUMNS} FROM observations o
                 WHERE o.target_id = $2 AND {CURRENT_AT} ORDER BY o.period_end, o.id"
            ),
            &[&at, &id],
        )?,
    };
    rows.iter().map(observation_from_row).collect()
}

/// Rows fetched from a server-side cursor per round trip: memory holds
/// this many, never the ledger.
const FETCH: i32 = 20_000;

/// A server-side cursor read in chunks.
pub(super) struct Cursor {
    portal: Portal,
    rows: std::vec::IntoIter<Row>,
    done: bool,
}

impl Cursor {
    pub(super) fn open(
        tx: &mut Transaction<'_>,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StorageResult<Cursor> {
        Ok(Cursor {
            portal: tx.bind(sql, params)?,
            rows: Vec::new().into_iter(),
            done: false,
        })
    }

    pub(super) fn next(&mut self, tx: &mut Transaction<'_>) -> StorageResult<Option<Row>> {
        if let Some(row) = self.rows.next() {
            return Ok(Some(row));
        }
        if self.done {
            return Ok(None);
        }
        let rows = tx.query_portal(&self.portal, FETCH)?;
        self.done = rows.len() < FETCH as usize;
        self.rows = rows.into_iter();
        Ok(self.rows.next())
    }
}

/// Streams every target (sorted by id) with its current observations: the
/// definitions in force (one row per target), then one ordered stream of
/// observations merged with them in one pass, as the SQLite backend does.
/// The observations stream while they are judged (the server keeps
/// sending as the client works); memory holds the definitions' rows and
/// one target's observations, never the ledger's observations.
pub(super) fn visit_targets(
    tx: &mut Transaction<'_>,
    known_at: KnownAt,
    visit: &mut Visit<'_>,
) -> StorageResult<()> {
    let at = known_at_param(known_at);
    // Walk the covering index in order, as the SQLite backend does: the
    // planner otherwise prefers reading the table by id and sorting a
    // million rows (on disk, within the default work_mem) before the first
    // target can be reported.
    tx.batch_execute("SET LOCAL enable_sort = off")?;
    let targets_sql = format!(
        "SELECT DISTINCT ON (v.target_id) {TARGET_COLUMNS} FROM target_versions v
         {VISIBLE_TARGETS_WHERE} ORDER BY v.target_id, v.version DESC"
    );
    let targets = tx.query(&targets_sql, &[&at])?;
    // Entries superseded as of `at` are few (corrections, retractions):
    // held as a set, so the observations are one ordered walk of the
    // covering index, not a million anti-join probes.
    let superseded: HashSet<i64> = tx
        .query(
            "SELECT supersedes FROM observations
             WHERE supersedes IS NOT NULL AND ($1::timestamptz IS NULL OR recorded_at <= $1)",
            &[&at],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    // One row per target, its observations as arrays in index order: a
    // row costs the client far more to receive (one trip through the
    // driver's runtime each) than an array element, and a report reads a
    // million of them.
    let observations_sql = "SELECT o.target_id, array_agg(o.id), array_agg(o.value::text),
                array_agg(o.qualifier), array_agg(o.period_start), array_agg(o.period_end)
         FROM observations o
         WHERE o.value IS NOT NULL AND ($1::timestamptz IS NULL OR o.recorded_at <= $1)
         GROUP BY o.target_id ORDER BY o.target_id";
    let param: &(dyn ToSql + Sync) = &at;
    let mut groups = tx.query_raw(observations_sql, std::iter::once(param))?;
    let mut pending: Option<Row> = None;
    let mut exhausted = false;
    let mut batch: Vec<Observation> = Vec::new();
    for row in &targets {
        let def = target_from_row(row)?;
        batch.clear();
        loop {
            if pending.is_none() && !exhausted {
                pending = groups.next()?;
                exhausted = pending.is_none();
            }
            let Some(group) = &pending else { break };
            let target = group.try_get::<_, TextBytes<'_>>(0)?.0;
            match target.cmp(def.id.as_bytes()) {
                Ordering::Equal => {
                    observations_of(group, &superseded, &mut batch)?;
                    pending = None;
                }
                // Observations of a target not visible at known_at.
                Ordering::Less => pending = None,
                Ordering::Greater => break,
            }
        }
        visit(def, &batch)?;
    }
    Ok(())
}

/// One target's current observations from its row of arrays, in period
/// order (the arrays follow the index's order; sorting makes it certain,
/// and costs one pass over an already sorted batch).
fn observations_of(
    group: &Row,
    superseded: &HashSet<i64>,
    batch: &mut Vec<Observation>,
) -> StorageResult<()> {
    let ids: Vec<i64> = group.try_get(1)?;
    let values: Vec<TextBytes<'_>> = group.try_get(2)?;
    let qualifiers: Vec<TextBytes<'_>> = group.try_get(3)?;
    let starts: Vec<NaiveDate> = group.try_get(4)?;
    let ends: Vec<NaiveDate> = group.try_get(5)?;
    let n = ids.len();
    if [values.len(), qualifiers.len(), starts.len(), ends.len()] != [n; 4] {
        return Err(StorageError::Database(
            "observation arrays of unequal length".into(),
        ));
    }
    let columns = values.iter().zip(&qualifiers).zip(starts.iter().zip(&ends));
    for (&id, ((value, qualifier), (&start, &end))) in ids.iter().zip(columns) {
        if superseded.contains(&id) {
            continue;
        }
        batch.push(Observation {
            id,
            quantity: Quantity {
                value: parse_decimal_col(value.0)?,
                qualifier: parse_qualifier_col(qualifier.0)?,
            },
            period: Period { start, end },
        });
    }
    batch.sort_by_key(|o| (o.period.end, o.id));
    Ok(())
}

pub(super) fn entries(tx: &mut Transaction<'_>, id: Option<&str>) -> StorageResult<Vec<Entry>> {
    let rows = match id {
        Some(id) => tx.query(
            &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE target_id = $1 ORDER BY id"),
            &[&id],
        )?,
        None => tx.query(
            &format!("SELECT {ENTRY_COLUMNS} FROM observations ORDER BY id"),
            &[],
        )?,
    };
    rows.iter().map(entry_from_row).collect()
}

pub(super) fn entry(tx: &mut Transaction<'_>, id: i64) -> StorageResult<Option<Entry>> {
    tx.query_opt(
        &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE id = $1"),
        &[&id],
    )?
    .map(|row| entry_from_row(&row))
    .transpose()
}

pub(super) fn target_versions(
    tx: &mut Transaction<'_>,
    id: Option<&str>,
) -> StorageResult<Vec<TargetVersion>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM target_versions v
         WHERE $1::text IS NULL OR v.target_id = $1
         ORDER BY v.target_id, v.version"
    );
    tx.query(&sql, &[&id])?
        .iter()
        .map(version_from_row)
        .collect()
}
