//! The trail (entries and definition versions) as table, CSV or JSON, for
//! `history`. Same rules as the report formatters: bytes out, no printing,
//! free text neutralised in CSV.

use super::csv::neutralise;
use super::table::{TableStyle, display_width, new_table};
use crate::domain::entry::timestamp;
use crate::error::{CliError, CliResult};
use crate::model::{Action, Entry};
use crate::numfmt::human_quantity;
use crate::period::format_period;
use crate::storage::TargetVersion;
use crate::value::format_plain;
use chrono::{DateTime, Utc};
use comfy_table::Cell;
use serde::Serialize;
use std::collections::HashMap;

/// Columns of `history --format csv|json`.
#[derive(Debug, Serialize)]
struct EntryRecord<'a> {
    entry_id: i64,
    target_id: &'a str,
    action: &'a str,
    value: Option<String>,
    qualifier: Option<&'a str>,
    period_start: Option<String>,
    period_end: Option<String>,
    source: &'a str,
    url: Option<&'a str>,
    note: Option<&'a str>,
    recorded_by: &'a str,
    recorded_at: String,
    supersedes: Option<i64>,
    reason: Option<&'a str>,
    superseded_by: Option<i64>,
}

fn records(entries: &[Entry]) -> Vec<EntryRecord<'_>> {
    let superseded_by: HashMap<i64, i64> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|old| (old, e.id)))
        .collect();
    entries
        .iter()
        .map(|e| EntryRecord {
            entry_id: e.id,
            target_id: &e.target_id,
            action: e.action.as_str(),
            value: e.quantity.map(|q| format_plain(q.value)),
            qualifier: e.quantity.map(|q| q.qualifier.as_str()),
            period_start: e.period.map(|p| p.start.to_string()),
            period_end: e.period.map(|p| p.end.to_string()),
            source: &e.source,
            url: e.url.as_deref(),
            note: e.note.as_deref(),
            recorded_by: &e.recorded_by,
            recorded_at: timestamp(e.recorded_at),
            supersedes: e.supersedes,
            reason: e.reason.as_deref(),
            superseded_by: superseded_by.get(&e.id).copied(),
        })
        .collect()
}

/// The trail's machine formats (people get [`trail_table`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineFormat {
    Csv,
    Json,
}

pub fn render_entries(format: MachineFormat, entries: &[Entry]) -> CliResult<Vec<u8>> {
    match format {
        MachineFormat::Json => {
            let mut out = serde_json::to_vec_pretty(&records(entries))
                .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
            out.push(b'\n');
            Ok(out)
        }
        MachineFormat::Csv => {
            let mut writer = ::csv::WriterBuilder::new()
                .terminator(::csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            let fail = |e: ::csv::Error| CliError::runtime(format!("cannot write CSV: {e}"));
            writer
                .write_record([
                    "entry_id",
                    "target_id",
                    "action",
                    "value",
                    "qualifier",
                    "period_start",
                    "period_end",
                    "source",
                    "url",
                    "note",
                    "recorded_by",
                    "recorded_at",
                    "supersedes",
                    "reason",
                    "superseded_by",
                ])
                .map_err(fail)?;
            for r in records(entries) {
                let opt = |v: Option<&str>| v.map(neutralise).unwrap_or_default();
                writer
                    .write_record([
                        r.entry_id.to_string(),
                        neutralise(r.target_id),
                        r.action.to_string(),
                        r.value.unwrap_or_default(),
                        r.qualifier.unwrap_or_default().to_string(),
                        r.period_start.unwrap_or_default(),
                        r.period_end.unwrap_or_default(),
                        neutralise(r.source),
                        opt(r.url),
                        opt(r.note),
                        neutralise(r.recorded_by),
                        r.recorded_at,
                        r.supersedes.map(|i| i.to_string()).unwrap_or_default(),
                        opt(r.reason),
                        r.superseded_by.map(|i| i.to_string()).unwrap_or_default(),
                    ])
                    .map_err(fail)?;
            }
            writer
                .into_inner()
                .map_err(|e| CliError::runtime(format!("cannot write CSV: {e}")))
        }
    }
}

/// The trail for people: every entry, its value as `show` prints it
/// (`unit_of` gives each target's unit), who recorded it and when, and what
/// replaced what. `with_target` names each entry's target (the whole
/// ledger's trail). It fits `style.width`: a table whose long sources and
/// reasons wrap inside their cells, or, when even that is too wide, one
/// block per entry. No line has trailing spaces.
pub fn trail_table<'a>(
    entries: &[Entry],
    unit_of: &dyn Fn(&str) -> &'a str,
    with_target: bool,
    style: &TableStyle,
) -> String {
    let superseded_by: HashMap<i64, &Entry> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|old| (old, e)))
        .collect();
    let lines: Vec<TrailLine> = entries
        .iter()
        .map(|entry| TrailLine::new(entry, unit_of, superseded_by.get(&entry.id).copied(), style))
        .collect();
    match style.width {
        Some(width) if !table_fits(&lines, with_target, width.into()) => {
            trail_blocks(&lines, with_target, width.into())
        }
        _ => trail_columns(&lines, with_target, style),
    }
}

/// One entry's texts, as both layouts show them.
struct TrailLine {
    id: String,
    target: String,
    period: String,
    value: String,
    source: String,
    recorded: String,
    change: String,
}

impl TrailLine {
    fn new<'a>(
        entry: &Entry,
        unit_of: &dyn Fn(&str) -> &'a str,
        newer: Option<&Entry>,
        style: &TableStyle,
    ) -> TrailLine {
        let mut source = entry.source.clone();
        if let Some(url) = &entry.url {
            source.push_str(&format!("\n{url}"));
        }
        if let Some(note) = &entry.note {
            source.push_str(&format!("\nnote: {note}"));
        }
        TrailLine {
            id: format!("#{}", entry.id),
            target: entry.target_id.clone(),
            period: entry.period.map(|p| format_period(&p)).unwrap_or_default(),
            value: entry
                .quantity
                .map(|q| human_quantity(&q, unit_of(&entry.target_id), style.numbers))
                .unwrap_or_else(|| "—".to_string()),
            source,
            recorded: format!("{}\n{}", entry.recorded_by, short_time(entry.recorded_at)),
            change: change_text(entry, newer),
        }
    }

    /// The short columns that never wrap.
    fn fixed(&self, with_target: bool) -> Vec<&str> {
        let mut cells = vec![self.id.as_str(), &self.period, &self.value, &self.recorded];
        if with_target {
            cells.insert(1, &self.target);
        }
        cells
    }
}

/// Room a wrapped column needs to stay readable.
const MIN_WRAPPED: usize = 16;

/// Whether the table layout fits `width`: the short columns at their
/// widest, the wrapped ones (SOURCE, STATE) at a readable minimum, one
/// space of padding either side of each cell.
fn table_fits(lines: &[TrailLine], with_target: bool, width: usize) -> bool {
    let columns = if with_target { 5 } else { 4 };
    let widest = |i: usize| {
        lines
            .iter()
            .flat_map(|l| {
                l.fixed(with_target)[i]
                    .lines()
                    .map(display_width)
                    .collect::<Vec<_>>()
            })
            .max()
            .unwrap_or(0)
            .max(8)
    };
    let fixed: usize = (0..columns).map(widest).sum();
    fixed + 2 * MIN_WRAPPED + 2 * (columns + 2) <= width
}

/// The trail as columns; SOURCE and STATE wrap to the width, if any.
fn trail_columns(lines: &[TrailLine], with_target: bool, style: &TableStyle) -> String {
    let mut table = fitted_table(style);
    let mut header = vec!["#", "PERIOD", "VALUE", "SOURCE", "RECORDED (UTC)", "STATE"];
    if with_target {
        header.insert(1, "TARGET");
    }
    table.set_header(header);
    for line in lines {
        let mut row = vec![
            Cell::new(&line.id),
            Cell::new(&line.period),
            Cell::new(&line.value),
            Cell::new(&line.source),
            Cell::new(&line.recorded),
            Cell::new(&line.change),
        ];
        if with_target {
            row.insert(1, Cell::new(&line.target));
        }
        table.add_row(row);
    }
    if style.width.is_some() {
        let fixed = if with_target {
            [0, 1, 2, 3, 5]
        } else {
            [0, 1, 2, 4, 4]
        };
        for i in fixed {
            if let Some(column) = table.column_mut(i) {
                column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
    }
    trimmed(&table)
}

/// The trail as one block per entry, for narrow terminals:
///
/// ```text
/// #12  equipment-renewal · 2024 · >800 bn CNY
///      Source title, wrapped to the width
///      recorded by ana, 2025-06-30 12:00Z; corrects #11: typo
/// ```
fn trail_blocks(lines: &[TrailLine], with_target: bool, width: usize) -> String {
    let indent = "     ";
    let wrap = |text: &str| {
        let options = textwrap::Options::new(width.max(indent.len() + 10))
            .initial_indent(indent)
            .subsequent_indent(indent)
            .break_words(true);
        textwrap::fill(text, options)
    };
    let mut out = String::new();
    for line in lines {
        let mut head = vec![];
        if with_target {
            head.push(line.target.as_str());
        }
        head.extend([line.period.as_str(), &line.value]);
        let head: Vec<&str> = head.into_iter().filter(|t| !t.is_empty()).collect();
        let first = format!("{:<5}{}", line.id, head.join(" · "));
        out.push_str(wrap(&first).trim_start());
        out.push('\n');
        for part in line.source.lines() {
            out.push_str(&wrap(part));
            out.push('\n');
        }
        let mut recorded = format!("recorded by {}", line.recorded.replace('\n', ", "));
        if !line.change.is_empty() {
            recorded.push_str(&format!("; {}", line.change));
        }
        out.push_str(&wrap(&recorded));
        out.push('\n');
    }
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// What an entry changed and what changed it: "corrects #12: typo;
/// retracted by #15".
fn change_text(entry: &Entry, newer: Option<&Entry>) -> String {
    let mut change = match (entry.action, entry.supersedes) {
        (Action::Correct, Some(old)) => format!("corrects #{old}"),
        (Action::Retract, Some(old)) => format!("retracts #{old}"),
        _ => String::new(),
    };
    if let Some(reason) = &entry.reason {
        change.push_str(&format!(": {reason}"));
    }
    if let Some(newer) = newer {
        if !change.is_empty() {
            change.push_str("; ");
        }
        let verb = if newer.action == Action::Retract {
            "retracted"
        } else {
            "superseded"
        };
        change.push_str(&format!("{verb} by #{}", newer.id));
    }
    change
}

/// A quiet table that wraps its cells to the terminal's width, if any.
fn fitted_table(style: &TableStyle) -> comfy_table::Table {
    let mut table = new_table(&TableStyle::plain());
    if let Some(width) = style.width {
        table
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(width);
    }
    table
}

/// The table's lines without the padding comfy-table leaves at their end.
fn trimmed(table: &comfy_table::Table) -> String {
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `2026-03-31T12:00:00.000Z` as `2026-03-31 12:00:00Z`: to the second,
/// enough to pick a `--known-at` (CSV and JSON keep the milliseconds).
fn short_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// Definition versions: only amended targets are worth a table.
pub fn render_versions_table(versions: &[TargetVersion], style: &TableStyle) -> Vec<u8> {
    let amended: Vec<&TargetVersion> = versions.iter().filter(|v| v.version > 1).collect();
    if amended.is_empty() {
        return Vec::new();
    }
    let mut table = fitted_table(style);
    table.set_header(["TARGET", "VERSION", "RECORDED (UTC)", "BY", "REASON"]);
    for v in amended {
        table.add_row(vec![
            Cell::new(&v.def.id),
            Cell::new(v.version),
            Cell::new(short_time(v.recorded_at)),
            Cell::new(&v.recorded_by),
            Cell::new(v.reason.as_deref().unwrap_or("")),
        ]);
    }
    format!("Definition amendments\n{}\nEntries\n", trimmed(&table)).into_bytes()
}
