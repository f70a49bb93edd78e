//! What the ledger learned in a window of knowledge time, `(since, until]`,
//! and the append-only marks of `tracker changes --mark`.

use super::super::{StorageResult, TargetVersion};
use super::codec::*;
use crate::model::Entry;
use ::postgres::Transaction;

fn window(
    since: Option<&str>,
    until: &str,
) -> StorageResult<(
    Option<chrono::DateTime<chrono::Utc>>,
    chrono::DateTime<chrono::Utc>,
)> {
    Ok((
        since.map(parse_ledger_time).transpose()?,
        parse_ledger_time(until)?,
    ))
}

pub(super) fn entries_between(
    tx: &mut Transaction<'_>,
    since: Option<&str>,
    until: &str,
) -> StorageResult<Vec<Entry>> {
    let (since, until) = window(since, until)?;
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
    since: Option<&str>,
    until: &str,
) -> StorageResult<Vec<TargetVersion>> {
    let (since, until) = window(since, until)?;
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

pub(super) fn latest_mark(tx: &mut Transaction<'_>) -> StorageResult<Option<String>> {
    Ok(tx
        .query_opt(
            "SELECT marked_until FROM marks ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|row| row.try_get(0).map(ledger_text))
        .transpose()?)
}

pub(super) fn add_mark(
    tx: &mut Transaction<'_>,
    until: &str,
    recorded_at: &str,
    by: &str,
) -> StorageResult<()> {
    tx.execute(
        "INSERT INTO marks (marked_until, recorded_at, recorded_by) VALUES ($1, $2, $3)",
        &[
            &parse_ledger_time(until)?,
            &parse_ledger_time(recorded_at)?,
            &by,
        ],
    )?;
    Ok(())
}
