//! The trail (entries and definition versions) as table, CSV or JSON, for
//! `history`. Same rules as the report formatters: bytes out, no printing,
//! free text neutralised in CSV.

use super::csv::neutralise;
use super::table::{TableStyle, new_table};
use crate::cli::Format;
use crate::error::{CliError, CliResult};
use crate::model::{Action, Entry};
use crate::period::format_period;
use crate::storage::TargetVersion;
use crate::value::format_plain;
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
    recorded_at: &'a str,
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
            recorded_at: &e.recorded_at,
            supersedes: e.supersedes,
            reason: e.reason.as_deref(),
            superseded_by: superseded_by.get(&e.id).copied(),
        })
        .collect()
}

pub fn render_entries(format: Format, entries: &[Entry]) -> CliResult<Vec<u8>> {
    match format {
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(&records(entries))
                .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Csv => {
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
                        r.recorded_at.to_string(),
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
        Format::Table | Format::Markdown => Ok(entries_table(entries)),
    }
}

fn entries_table(entries: &[Entry]) -> Vec<u8> {
    let superseded_by: HashMap<i64, &Entry> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|old| (old, e)))
        .collect();
    let mut table = new_table(&TableStyle::plain());
    table.set_header([
        "#",
        "TARGET",
        "PERIOD",
        "VALUE",
        "SOURCE",
        "RECORDED (UTC)",
        "BY",
        "CHANGE",
    ]);
    for e in entries {
        let value = e
            .quantity
            .map(|q| format!("{}{}", q.qualifier.prefix(), format_plain(q.value)))
            .unwrap_or_else(|| "—".into());
        let mut change = match (e.action, e.supersedes) {
            (Action::Correct, Some(old)) => format!("corrects #{old}"),
            (Action::Retract, Some(old)) => format!("retracts #{old}"),
            _ => String::new(),
        };
        if let Some(reason) = &e.reason {
            change.push_str(&format!(": {reason}"));
        }
        if let Some(newer) = superseded_by.get(&e.id) {
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
        table.add_row(vec![
            Cell::new(e.id),
            Cell::new(&e.target_id),
            Cell::new(e.period.map(|p| format_period(&p)).unwrap_or_default()),
            Cell::new(value),
            Cell::new(&e.source),
            Cell::new(&e.recorded_at),
            Cell::new(&e.recorded_by),
            Cell::new(change),
        ]);
    }
    let mut out = table.to_string();
    out.push('\n');
    out.into_bytes()
}

/// Definition versions: only amended targets are worth a table.
pub fn render_versions_table(versions: &[TargetVersion]) -> Vec<u8> {
    let amended: Vec<&TargetVersion> = versions.iter().filter(|v| v.version > 1).collect();
    if amended.is_empty() {
        return Vec::new();
    }
    let mut table = new_table(&TableStyle::plain());
    table.set_header(["TARGET", "VERSION", "RECORDED (UTC)", "BY", "REASON"]);
    for v in amended {
        table.add_row(vec![
            Cell::new(&v.def.id),
            Cell::new(v.version),
            Cell::new(&v.recorded_at),
            Cell::new(&v.recorded_by),
            Cell::new(v.reason.as_deref().unwrap_or("")),
        ]);
    }
    let mut out = format!("Definition amendments\n{table}\n\nEntries\n");
    out.insert(0, '\n');
    out.remove(0);
    out.into_bytes()
}
