//! One report row per target, and the documented column set every machine
//! format shares.
//!
//! `list`, `report` and `show` all go through [`build_rows`], so a status
//! can never differ between them. The columns are defined once, here, as
//! typed cells; the CSV, JSON and Markdown formatters only decide how a
//! cell is spelled. Changing a column is a change to the README's column
//! reference too.

use crate::error::{CliError, CliResult};
use crate::model::{Kind, Status, TargetDef};
use crate::status::{self, Assessment};
use crate::storage::{KnownAt, Ledger};
use crate::value::format_plain;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A target with its assessment at `as_of`.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub def: TargetDef,
    pub assessment: Assessment,
    pub as_of: NaiveDate,
}

/// A typed cell: formatters spell each kind their own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Not applicable: an empty CSV cell, JSON null.
    Empty,
    /// Free text: neutralised against spreadsheet formulas in CSV.
    Text(String),
    /// A number this program formatted: plain digits, `.` decimal mark.
    Number(String),
    Bool(bool),
    /// An ISO 8601 date this program formatted.
    Date(String),
}

/// The column names, in order (README, "Report columns").
pub const COLUMNS: [&str; 22] = [
    "id",
    "title",
    "kind",
    "unit",
    "comparator",
    "target",
    "window_start",
    "deadline",
    "base_value",
    "base_date",
    "latest_value",
    "latest_qualifier",
    "latest_date",
    "observations",
    "progress_pct",
    "expected_pct",
    "ratio",
    "status",
    "stale",
    "explanation",
    "as_of",
    "reached_late",
];

impl ReportRow {
    pub fn status(&self) -> Status {
        self.assessment.status
    }

    /// The row's cells, in [`COLUMNS`] order.
    pub fn cells(&self) -> [Cell; 22] {
        let d = &self.def;
        let a = &self.assessment;
        [
            text(&d.id),
            text(&d.title),
            text(d.kind.as_str()),
            text(&d.unit),
            d.comparator.map_or(Cell::Empty, |c| text(c.export_word())),
            decimal(d.target_value),
            date(d.window_start),
            date(d.deadline),
            decimal(a.base.as_ref().map(|p| p.quantity.value)),
            date(a.base.as_ref().map(|p| p.date)),
            decimal(a.latest.as_ref().map(|p| p.quantity.value)),
            a.latest
                .as_ref()
                .map_or(Cell::Empty, |p| match p.quantity.qualifier.export_str() {
                    "" => Cell::Empty,
                    q => text(q),
                }),
            date(a.latest.as_ref().map(|p| p.date)),
            Cell::Number(a.observations.to_string()),
            fixed(a.progress_pct, 2),
            fixed(a.expected_pct, 2),
            a.ratio
                .filter(|r| r.is_finite())
                .map_or(Cell::Empty, |r| Cell::Number(status::fmt_ratio(r))),
            text(a.status.as_str()),
            Cell::Bool(a.stale),
            text(&a.explanation),
            Cell::Date(self.as_of.format("%Y-%m-%d").to_string()),
            date(a.reached_late),
        ]
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn decimal(value: Option<Decimal>) -> Cell {
    value.map_or(Cell::Empty, |v| Cell::Number(format_plain(v)))
}

fn date(value: Option<NaiveDate>) -> Cell {
    // Dates are ours and ISO 8601: safe, never start with a formula sign.
    value.map_or(Cell::Empty, |d| {
        Cell::Date(d.format("%Y-%m-%d").to_string())
    })
}

/// Fixed decimals, never `-0.00`, empty for a missing or non-finite value.
fn fixed(value: Option<f64>, decimals: usize) -> Cell {
    match value {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            let is_zero = s
                .trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.');
            Cell::Number(if is_zero {
                s.trim_start_matches('-').to_string()
            } else {
                s
            })
        }
        _ => Cell::Empty,
    }
}

/// Which targets a report covers.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// Only these ids (empty: all).
    pub ids: Vec<String>,
    pub statuses: Vec<Status>,
    pub kind: Option<Kind>,
}

/// Parses a `--status`/`--fail-on` list.
pub fn parse_statuses(flag: &str, values: &[String]) -> CliResult<Vec<Status>> {
    values
        .iter()
        .map(|v| {
            v.trim()
                .parse::<Status>()
                .map_err(|e| CliError::input(format!("{flag}: {e}")))
        })
        .collect()
}

/// Assesses every selected target, streaming the ledger once. Rows come out
/// ordered by id.
pub fn build_rows(
    ledger: &Ledger,
    selection: &Selection,
    as_of: NaiveDate,
    known_at: KnownAt,
) -> CliResult<Vec<ReportRow>> {
    let mut rows = Vec::new();
    if !selection.ids.is_empty() {
        // A few named targets: look each up by id (an unknown id is an
        // error, not an empty report) instead of streaming the ledger.
        let mut ids = selection.ids.clone();
        ids.sort();
        ids.dedup();
        for id in &ids {
            let def = ledger.target(id, known_at).map_err(CliError::from)?;
            let observations = ledger
                .current_observations(id, known_at)
                .map_err(CliError::from)?;
            rows.extend(selection.assess(def, &observations, as_of));
        }
        return Ok(rows);
    }
    ledger
        .for_each_target(known_at, |def, observations| {
            rows.extend(selection.assess(def, observations, as_of));
            Ok(())
        })
        .map_err(CliError::from)?;
    Ok(rows)
}

impl Selection {
    /// The target's row, if it passes the kind and status filters.
    fn assess(
        &self,
        def: TargetDef,
        observations: &[crate::model::Observation],
        as_of: NaiveDate,
    ) -> Option<ReportRow> {
        if self.kind.is_some_and(|k| k != def.kind) {
            return None;
        }
        let assessment = status::assess(&def, observations, as_of);
        if !self.statuses.is_empty() && !self.statuses.contains(&assessment.status) {
            return None;
        }
        Some(ReportRow {
            def,
            assessment,
            as_of,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_never_prints_negative_zero() {
        assert_eq!(fixed(Some(-0.0001), 2), Cell::Number("0.00".into()));
        assert_eq!(fixed(Some(26.6666), 2), Cell::Number("26.67".into()));
        assert_eq!(fixed(Some(-1.5), 2), Cell::Number("-1.50".into()));
        assert_eq!(fixed(Some(f64::NAN), 2), Cell::Empty);
        assert_eq!(fixed(None, 2), Cell::Empty);
    }
}
