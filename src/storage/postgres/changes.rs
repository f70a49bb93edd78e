//! What the ledger learned in a window of knowledge time, `(since, until]`,
//! and the append-only marks of `tracker changes --mark` (named: each cron
//! job keeps its own; the unnamed mark is the name '').

use super::super::{StorageResult, TargetVersion};
use super::codec::*;
use crate::model::Entry;
use ::postgres::Transaction;
use chrono::{DateTime, Utc};

/// The window's bounds at the ledger's millisecond precision.
fn window(
    since: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, DateTime<Utc>) {
    (since.map(ledger_time), ledger_time(until))
}

pub(super) fn entries_between(
    tx: &mut Transaction<'_>,
    since: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> StorageResult<Vec<Entry>> {
    let (since, until) = window(since, until);
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM observations
         WHERE ($1::timestamptz IS NULL OR recorded_at > $1) AND recorded_at <= $2
         ORDER BY id"
    );
    tx.query(&sql, &[&since, &until])?
        .iter()
        .map(entry_from_row)
        .collect()
}

pub(super) fn target_versions_between(
    tx: &mut Transaction<'_>,
    since: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> StorageResult<Vec<TargetVersion>> {
    let (since, until) = window(since, until);
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM target_versions v
         WHERE ($1::timestamptz IS NULL OR v.recorded_at > $1) AND v.recorded_at <= $2
         ORDER BY v.recorded_at, v.target_id, v.version"
    );
    tx.query(&sql, &[&since, &until])?
        .iter()
        .map(version_from_row)
        .collect()
}

pub(super) fn latest_mark(
    tx: &mut Transaction<'_>,
    name: Option<&str>,
) -> StorageResult<Option<DateTime<Utc>>> {
    Ok(tx
        .query_opt(
            "SELECT marked_until FROM marks WHERE name = $1 ORDER BY id DESC LIMIT 1",
            &[&name.unwrap_or("")],
        )?
        .map(|row| row.try_get(0))
        .transpose()?)
}

pub(super) fn add_mark(
    tx: &mut Transaction<'_>,
    name: Option<&str>,
    until: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
    by: &str,
) -> StorageResult<()> {
    tx.execute(
        "INSERT INTO marks (name, marked_until, recorded_at, recorded_by)
         VALUES ($1, $2, $3, $4)",
        &[
            &name.unwrap_or(""),
            &ledger_time(until),
            &ledger_time(recorded_at),
            &by,
        ],
    )?;
    Ok(())
}
