//! `tracker show ID`: one target as a readable page: what was promised, by
//! whom, how we read it, where it stands and why, and every entry of its
//! trail.

use super::{open_ledger, table_style};
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::export::table::{progress_bar, sparkline, target_text};
use crate::model::{Action, Entry, Kind};
use crate::numfmt::human_quantity;
use crate::period::format_period;
use crate::report::{ReportRow, Selection, build_rows};
use crate::storage::Access;
use comfy_table::Cell;
use std::collections::HashMap;
use std::fmt::Write as _;

pub fn run(config: &Config, args: &ShowArgs) -> CliResult<ExitCode> {
    let as_of = config.as_of(args.as_of.as_deref())?;
    let ledger = open_ledger(config, Access::ReadOnly)?;
    let def = ledger.target(&args.id, None)?;
    let selection = Selection {
        ids: vec![def.id.clone()],
        ..Selection::default()
    };
    let rows = build_rows(&ledger, &selection, as_of, None)?;
    let entries = ledger.entries(Some(&def.id))?;
    let observations = ledger.current_observations(&def.id, None)?;
    let style = table_style(config);
    let mut page = String::new();
    if let Some(row) = rows.first() {
        render_page(&mut page, row, &entries, &observations, &style);
    }
    crate::output::to_stdout(page.as_bytes())?;
    Ok(ExitCode::Success)
}

fn render_page(
    out: &mut String,
    row: &ReportRow,
    entries: &[Entry],
    observations: &[crate::model::Observation],
    style: &crate::export::TableStyle,
) {
    let def = &row.def;
    let a = &row.assessment;
    let p = &def.provenance;
    let status = if a.stale {
        format!("{} (stale)", a.status)
    } else {
        a.status.to_string()
    };
    let status = if style.color {
        let color = match crate::export::table::status_color(a.status) {
            comfy_table::Color::Green => "32",
            comfy_table::Color::Yellow => "33",
            comfy_table::Color::Red => "31",
            _ => "2",
        };
        format!("\u{1b}[{color}m{status}\u{1b}[0m")
    } else {
        status
    };
    let _ = writeln!(out, "{} — {}", def.id, def.title);
    let _ = writeln!(out);
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "  {name:<14}{value}");
    };
    field("status", &format!("{status} as of {}", row.as_of));
    field("why", &a.explanation);
    if a.progress_pct.is_some() {
        field("progress", &progress_bar(a.progress_pct, a.expected_pct));
    }
    let values: Vec<f64> = series(def.kind, observations);
    if values.len() >= 2 {
        field("series", &sparkline(&values));
    }
    field("kind", def.kind.as_str());
    field("metric", &def.metric);
    field("target", &target_text(row, style.numbers));
    if let (Some(start), Some(end)) = (def.window_start, def.deadline) {
        field("window", &format!("{start}..{end}"));
    }
    field(
        "good when",
        &format!("{} ({})", def.direction_word(), def.direction),
    );
    field("unit", &def.unit);
    field(
        "updates",
        &format!("{} (stale after that plus a grace period)", def.cadence),
    );
    let width = style.width.map_or(100, |w| (w as usize).clamp(40, 100));
    let mut paragraph = |text: &str, indent: &str| {
        let options = textwrap::Options::new(width)
            .initial_indent(indent)
            .subsequent_indent(indent);
        let _ = writeln!(out, "{}", textwrap::fill(text.trim(), options));
    };
    paragraph("", "");
    paragraph(&format!("“{}”", p.quote.trim()), "  ");
    paragraph(
        &format!("— {}, {}, {}", p.speaker, p.speaker_role, p.statement_date),
        "      ",
    );
    paragraph(&p.source_title, "      ");
    if let Some(url) = &p.source_url {
        paragraph(url, "      ");
    }
    paragraph("", "");
    paragraph(
        &format!("How we read it: {}", def.interpretation.trim()),
        "  ",
    );
    paragraph("", "");
    if entries.is_empty() {
        paragraph(
            &format!(
                "No observations yet. Record one with `tracker record {} VALUE --period P --source TEXT`.",
                def.id
            ),
            "  ",
        );
        return;
    }
    let _ = writeln!(out, "History ({} entries, oldest first)", entries.len());
    out.push_str(&history_table(entries, &def.unit, style));
}

/// The values a sparkline draws: levels as observed, or the running total
/// of a cumulative target.
fn series(kind: Kind, observations: &[crate::model::Observation]) -> Vec<f64> {
    use rust_decimal::prelude::ToPrimitive;
    let mut total = 0.0;
    observations
        .iter()
        .filter_map(|o| o.quantity.value.to_f64())
        .map(|v| {
            if kind == Kind::Cumulative {
                total += v;
                total
            } else {
                v
            }
        })
        .collect()
}

/// The trail of one target: every entry, who and when, and what replaced
/// what.
pub fn history_table(entries: &[Entry], unit: &str, style: &crate::export::TableStyle) -> String {
    let superseded_by: HashMap<i64, &Entry> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|old| (old, e)))
        .collect();
    let mut table = crate::export::table::new_table(&crate::export::TableStyle::plain());
    table.set_header(["#", "PERIOD", "VALUE", "SOURCE", "RECORDED", "STATE"]);
    for entry in entries {
        let value = entry
            .quantity
            .map(|q| human_quantity(&q, unit, style.numbers))
            .unwrap_or_else(|| "—".to_string());
        let period = entry.period.map(|p| format_period(&p)).unwrap_or_default();
        let mut state = match (entry.action, entry.supersedes) {
            (Action::Correct, Some(old)) => format!("corrects #{old}"),
            (Action::Retract, Some(old)) => format!("retracts #{old}"),
            _ => String::new(),
        };
        if let Some(reason) = &entry.reason {
            let _ = write!(state, ": {reason}");
        }
        if let Some(newer) = superseded_by.get(&entry.id) {
            let verb = if newer.action == Action::Retract {
                "retracted"
            } else {
                "superseded"
            };
            if !state.is_empty() {
                state.push_str("; ");
            }
            let _ = write!(state, "{verb} by #{}", newer.id);
        }
        let mut source = entry.source.clone();
        if let Some(url) = &entry.url {
            let _ = write!(source, "\n{url}");
        }
        if let Some(note) = &entry.note {
            let _ = write!(source, "\nnote: {note}");
        }
        table.add_row(vec![
            Cell::new(entry.id),
            Cell::new(period),
            Cell::new(value),
            Cell::new(source),
            Cell::new(format!("{}\n{}", entry.recorded_at, entry.recorded_by)),
            Cell::new(state),
        ]);
    }
    let mut out = table.to_string();
    out.push('\n');
    out
}
