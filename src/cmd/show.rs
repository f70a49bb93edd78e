//! `tracker show ID`: one target as a readable page: what was promised, by
//! whom, how we read it, where it stands and why, and every entry of its
//! trail.

use super::{open_ledger, table_style};
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::model::{Entry, Kind};
use crate::numfmt::human_quantity;
use crate::render::entries::trail_table;
use crate::render::safe;
use crate::render::table::{
    BOLD, DIM, display_width, figures_date, paint, progress_segments, sparkline, status_sgr,
    target_text,
};
use crate::report::{ReportRow, Selection, build_rows};
use crate::storage::Access;
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

    // Title: id and title wrapped together (the id counts towards the
    // width), then the id painted.
    let heading = wrap(&format!("{} — {}", def.id, def.title), "", "  ");
    let rest = heading.strip_prefix(def.id.as_str()).unwrap_or(&heading);
    let _ = writeln!(out, "{}{rest}", paint(&def.id, BOLD, color));
    let _ = writeln!(out);

    // Where it stands, and why.
    let figures = match figures_date(row) {
        Some(date) => format!("; figures to {date}"),
        None => "; no figures yet".to_string(),
    };
    field(
        out,
        "status",
        &format!("{} as of {}{figures}", a.status, row.as_of),
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
        // The sparkline keeps the latest figures that fit; the count and
        // dates go on their own line when the width asks for it.
        let ends = format!("  {} → {}", value(first), value(last));
        let room = width
            .saturating_sub(indent.len() + display_width(&ends))
            .max(8);
        let mut spark: Vec<char> = sparkline(&values).chars().collect();
        if spark.len() > room {
            spark = std::iter::once('…')
                .chain(spark[spark.len() - (room - 1)..].iter().copied())
                .collect();
        }
        let spark: String = spark.into_iter().collect();
        let details = format!("({} figures, {}..{})", points.len(), first.date, last.date);
        let used = indent.len() + display_width(&spark) + display_width(&ends);
        let gap = if used + 2 + display_width(&details) <= width {
            "  ".to_string()
        } else {
            format!("\n{indent}")
        };
        let _ = writeln!(
            out,
            "{}{}{ends}{gap}{}",
            label("series"),
            paint(&spark, status_sgr(a.status), color),
            paint(&details, DIM, color),
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
    out.push_str(&trail_table(entries, &|_| def.unit.as_str(), false, style));
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
