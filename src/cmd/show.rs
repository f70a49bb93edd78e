//! `tracker show ID`: one target as a readable page: what was promised, by
//! whom, how we read it, where it stands and why, and every entry of its
//! trail.

use super::{open_ledger, table_style};
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::model::{Action, Entry, Kind};
use crate::numfmt::human_quantity;
use crate::period::format_period;
use crate::render::safe;
use crate::render::table::{
    BOLD, DIM, paint, progress_segments, sparkline, status_sgr, target_text,
};
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
    let rows = safe::rows(&build_rows(&ledger, &selection, as_of, None)?);
    let entries = safe::entries(&ledger.entries(Some(&def.id))?);
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
    style: &crate::render::TableStyle,
) {
    let def = &row.def;
    let a = &row.assessment;
    let p = &def.provenance;
    let color = style.color;
    let numbers = style.numbers;
    // Pages read best at most 100 columns wide, and not below 40.
    let width = style.width.map_or(100, |w| (w as usize).clamp(40, 100));
    let wrap = |text: &str, first: &str, rest: &str| -> String {
        let options = textwrap::Options::new(width)
            .initial_indent(first)
            .subsequent_indent(rest)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        textwrap::fill(text.trim(), options)
    };
    const LABEL: usize = 12;
    let indent = " ".repeat(2 + LABEL);
    let label = |name: &str| paint(&format!("  {name:<LABEL$}"), DIM, color);
    // Wraps the plain text, then paints it, so colour never counts towards
    // the width.
    let field = |out: &mut String, name: &str, value: &str, sgr: &str| {
        let text = wrap(value, &indent, &indent);
        let _ = writeln!(
            out,
            "{}{}",
            label(name),
            paint(text.trim_start(), sgr, color)
        );
    };

    // Title.
    let _ = writeln!(
        out,
        "{} — {}",
        paint(&def.id, BOLD, color),
        wrap(&def.title, "", "  ").trim_start()
    );
    let _ = writeln!(out);

    // Where it stands, and why.
    let status = if a.stale {
        format!("{} (stale: no recent figure)", a.status)
    } else {
        a.status.to_string()
    };
    field(
        out,
        "status",
        &format!("{status} as of {}", row.as_of),
        status_sgr(a.status),
    );
    field(out, "why", &a.explanation, "");
    if a.progress_pct.is_some() {
        let bar = progress_segments(a.progress_pct, a.expected_pct, a.status).render(color);
        let note = if a.expected_pct.is_some() {
            paint("  (│ where the linear path expects it)", DIM, color)
        } else {
            String::new()
        };
        let _ = writeln!(out, "{}{bar}{note}", label("progress"));
    }
    if let Some(latest) = &a.latest {
        let what = if def.kind == Kind::Cumulative {
            "running total to "
        } else {
            ""
        };
        field(
            out,
            "latest",
            &format!(
                "{} ({what}{})",
                human_quantity(&latest.quantity, &def.unit, numbers),
                latest.date
            ),
            BOLD,
        );
    }
    if let Some(base) = &a.base
        && def.kind == Kind::Level
    {
        field(
            out,
            "base",
            &format!(
                "{} ({})",
                human_quantity(&base.quantity, &def.unit, numbers),
                base.date
            ),
            "",
        );
    }
    let points = crate::chart::series(def, observations, row.as_of);
    if let [first, .., last] = points.as_slice() {
        let values: Vec<f64> = points.iter().map(|p| p.value).collect();
        let unit = if def.unit == "%" { "%" } else { "" };
        let value = |p: &crate::chart::ChartPoint| {
            let q = crate::model::Quantity {
                value: p.label_value,
                qualifier: p.qualifier,
            };
            human_quantity(&q, unit, numbers)
        };
        let _ = writeln!(
            out,
            "{}{}  {} → {}  {}",
            label("series"),
            paint(&sparkline(&values), status_sgr(a.status), color),
            value(first),
            value(last),
            paint(
                &format!("({} figures, {}..{})", points.len(), first.date, last.date),
                DIM,
                color
            ),
        );
    }

    // What was promised.
    let _ = writeln!(out);
    field(out, "target", &target_text(row, numbers), BOLD);
    if let (Some(start), Some(end)) = (def.window_start, def.deadline) {
        field(out, "window", &format!("{start}..{end}"), "");
    }
    field(out, "kind", &kind_text(def.kind), "");
    field(out, "metric", &def.metric, "");
    field(
        out,
        "good when",
        &format!("{} ({})", def.direction_word(), def.direction),
        "",
    );
    field(out, "unit", &def.unit, "");
    field(
        out,
        "updates",
        &format!("{} (stale after that plus a grace period)", def.cadence),
        "",
    );

    // Who said it, when, and how we read it.
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        wrap(&format!("“{}”", p.quote.trim()), "  ", "   ")
    );
    let who = format!("— {}, {}, {}", p.speaker, p.speaker_role, p.statement_date);
    let _ = writeln!(out, "{}", wrap(&who, "    ", "      "));
    let _ = writeln!(
        out,
        "{}",
        paint(&wrap(&p.source_title, "      ", "      "), DIM, color)
    );
    if let Some(url) = &p.source_url {
        let _ = writeln!(out, "      {}", paint(url, DIM, color));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        wrap(
            &format!("How we read it: {}", def.interpretation.trim()),
            "  ",
            "  "
        )
    );
    let _ = writeln!(out);
    if entries.is_empty() {
        let hint = format!(
            "No observations yet. Record one with `tracker record {} VALUE --period P --source TEXT`.",
            def.id
        );
        let _ = writeln!(out, "{}", wrap(&hint, "  ", "  "));
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        paint(
            &format!("History ({} entries, oldest first)", entries.len()),
            BOLD,
            color
        )
    );
    out.push_str(&history_table(entries, &def.unit, style));
}

/// The kind, and what it means for the figures.
fn kind_text(kind: Kind) -> String {
    let meaning = match kind {
        Kind::Cumulative => "each figure is the amount for its period; they add up over the window",
        Kind::Level => "each figure is the level at the end of its period",
        Kind::Direction => "a pledged direction, judged on the trend",
    };
    format!("{kind}: {meaning}")
}

/// The trail of one target: every entry, who and when, and what replaced
/// what.
pub fn history_table(entries: &[Entry], unit: &str, style: &crate::render::TableStyle) -> String {
    let superseded_by: HashMap<i64, &Entry> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|old| (old, e)))
        .collect();
    let mut table = crate::render::table::new_table(&crate::render::TableStyle::plain());
    if let Some(width) = style.width {
        // Long sources wrap inside their cell rather than past the edge.
        table
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(width);
    }
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
            Cell::new(format!(
                "{}, {}",
                entry.recorded_by,
                short_time(&entry.recorded_at)
            )),
            Cell::new(state),
        ]);
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `2026-03-31T12:00:00.000Z` as `2026-03-31 12:00Z`: the minute is
/// enough on a page (`history` keeps the milliseconds).
fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(minute)) if rfc3339.ends_with('Z') => format!("{day} {minute}Z"),
        _ => rfc3339.to_string(),
    }
}
