//! Rows to the model and back, and the one place where the ledger clock
//! meets PostgreSQL's `timestamptz`: times are truncated to the ledger's
//! millisecond on the way in (as SQLite's canonical text truncates them),
//! and `timestamptz`'s microseconds hold them exactly on the way out.
//!
//! Numbers cross as text (`numeric::text`, `$n::text::numeric`): the text
//! is the canonical `format_plain` form both ways, so a value reads back
//! with the very digits and scale the SQLite ledger stores, and reports are
//! byte-identical whichever backend holds them. `numeric` keeps them exact
//! in the database (sums, checks, a DBA's queries); no float ever touches
//! them. Dates and times cross in binary through chrono.

use super::super::codec::{corrupt, parse_col, parse_decimal_col, parse_qualifier_col};
use super::super::{KnownAt, StorageResult, TargetVersion};
use crate::model::{
    Action, Cadence, Comparator, Direction, Entry, Kind, Observation, Period, Provenance, Quantity,
    TargetDef,
};
use ::postgres::Row;
use ::postgres::types::{FromSql, Type};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use rust_decimal::Decimal;

/// A ledger time as stored: the canonical text's millisecond precision.
pub(super) fn ledger_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(3)
}

/// `known_at` as a bound parameter: what `timestamp(known_at)` says, so
/// that the comparison is the SQLite ledger's text comparison.
pub(super) fn known_at_param(known_at: KnownAt) -> Option<DateTime<Utc>> {
    known_at.map(ledger_time)
}

/// A text column's bytes as they arrived, borrowed from the row: no copy
/// and no UTF-8 check, for what is compared bytewise or parsed as ASCII
/// (ids, numbers, qualifiers) a million times in a report.
pub(super) struct TextBytes<'r>(pub(super) &'r [u8]);

impl<'r> FromSql<'r> for TextBytes<'r> {
    fn from_sql(_: &Type, raw: &'r [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(TextBytes(raw))
    }

    fn accepts(ty: &Type) -> bool {
        <&str as FromSql>::accepts(ty)
    }
}

pub(super) fn decimal(text: &str) -> StorageResult<Decimal> {
    parse_decimal_col(text.as_bytes())
}

fn opt_decimal(text: Option<String>) -> StorageResult<Option<Decimal>> {
    text.as_deref().map(decimal).transpose()
}

/// Column list read by [`target_from_row`], from `target_versions v`.
pub(super) const TARGET_COLUMNS: &str = "v.target_id, v.title, v.kind, v.metric, v.unit, \
    v.direction, v.comparator, v.target_value::text, v.window_start, v.deadline, \
    v.limit_value::text, v.is_rate, v.cadence, v.quote, v.speaker, v.speaker_role, \
    v.statement_date, v.source_title, v.source_url, v.interpretation, v.base_start, v.base_end";

pub(super) const TARGET_COLUMN_COUNT: usize = 22;

/// [`TARGET_COLUMNS`] and who/when/why, read by [`version_from_row`].
pub(super) const VERSION_COLUMNS: &str = "v.target_id, v.title, v.kind, v.metric, v.unit, \
    v.direction, v.comparator, v.target_value::text, v.window_start, v.deadline, \
    v.limit_value::text, v.is_rate, v.cadence, v.quote, v.speaker, v.speaker_role, \
    v.statement_date, v.source_title, v.source_url, v.interpretation, v.base_start, v.base_end, \
    v.version, v.recorded_at, v.recorded_by, v.reason";

pub(super) fn target_from_row(row: &Row) -> StorageResult<TargetDef> {
    let base = match (
        row.try_get::<_, Option<NaiveDate>>(20)?,
        row.try_get::<_, Option<NaiveDate>>(21)?,
    ) {
        (Some(start), Some(end)) => Some(Period { start, end }),
        _ => None,
    };
    Ok(TargetDef {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        kind: parse_col::<Kind>("kind", row.try_get(2)?)?,
        metric: row.try_get(3)?,
        unit: row.try_get(4)?,
        direction: parse_col::<Direction>("direction", row.try_get(5)?)?,
        comparator: row
            .try_get::<_, Option<String>>(6)?
            .map(|c| parse_col::<Comparator>("comparator", c))
            .transpose()?,
        target_value: opt_decimal(row.try_get(7)?)?,
        window_start: row.try_get(8)?,
        deadline: row.try_get(9)?,
        base_period: base,
        limit: opt_decimal(row.try_get(10)?)?,
        is_rate: row.try_get(11)?,
        cadence: parse_col::<Cadence>("cadence", row.try_get(12)?)?,
        provenance: Provenance {
            quote: row.try_get(13)?,
            speaker: row.try_get(14)?,
            speaker_role: row.try_get(15)?,
            statement_date: row.try_get(16)?,
            source_title: row.try_get(17)?,
            source_url: row.try_get(18)?,
        },
        interpretation: row.try_get(19)?,
    })
}

pub(super) fn version_from_row(row: &Row) -> StorageResult<TargetVersion> {
    let n = TARGET_COLUMN_COUNT;
    Ok(TargetVersion {
        def: target_from_row(row)?,
        version: i64::from(row.try_get::<_, i32>(n)?),
        recorded_at: row.try_get(n + 1)?,
        recorded_by: row.try_get(n + 2)?,
        reason: row.try_get(n + 3)?,
    })
}

/// Column list read by [`observation_from_row`], from `observations o`.
pub(super) const OBSERVATION_COLUMNS: &str =
    "o.id, o.value::text, o.qualifier, o.period_start, o.period_end";

pub(super) fn observation_from_row(row: &Row) -> StorageResult<Observation> {
    let value: TextBytes<'_> = row.try_get(1)?;
    let qualifier: TextBytes<'_> = row.try_get(2)?;
    Ok(Observation {
        id: row.try_get(0)?,
        quantity: Quantity {
            value: parse_decimal_col(value.0)?,
            qualifier: parse_qualifier_col(qualifier.0)?,
        },
        period: Period {
            start: row.try_get(3)?,
            end: row.try_get(4)?,
        },
    })
}

/// Column list read by [`entry_from_row`].
pub(super) const ENTRY_COLUMNS: &str = "id, target_id, action, value::text, qualifier, \
    period_start, period_end, source, url, note, recorded_by, recorded_at, supersedes, reason";

pub(super) fn entry_from_row(row: &Row) -> StorageResult<Entry> {
    let value: Option<&str> = row.try_get(3)?;
    let qualifier: Option<&str> = row.try_get(4)?;
    let quantity = match (value, qualifier) {
        (Some(v), Some(q)) => Some(Quantity {
            value: decimal(v)?,
            qualifier: parse_qualifier_col(q.as_bytes())?,
        }),
        (None, None) => None,
        _ => return Err(corrupt("value without qualifier", value.unwrap_or(""))),
    };
    let period = match (row.try_get(5)?, row.try_get(6)?) {
        (Some(start), Some(end)) => Some(Period { start, end }),
        _ => None,
    };
    Ok(Entry {
        id: row.try_get(0)?,
        target_id: row.try_get(1)?,
        action: parse_col::<Action>("action", row.try_get(2)?)?,
        quantity,
        period,
        source: row.try_get(7)?,
        url: row.try_get(8)?,
        note: row.try_get(9)?,
        recorded_by: row.try_get(10)?,
        recorded_at: row.try_get(11)?,
        supersedes: row.try_get(12)?,
        reason: row.try_get(13)?,
    })
}
