//! `tracker show ID`: one target as a readable page: what was promised, by
//! whom, how we read it, where it stands and why, and every entry of its
//! trail.

use super::{open_ledger, table_style};
use crate::chart::ChartPoint;
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::model::{Entry, Kind, Observation, Quantity};
use crate::numfmt::{NumberStyle, human_quantity};
use crate::render::entries::trail_table;
use crate::render::table::{
    BOLD, DIM, display_width, figures_date, paint, progress_segments, sparkline, status_sgr,
    target_text,
};
use crate::render::{TableStyle, safe};
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
    observations: &[Observation],
    style: &TableStyle,
) {
    let mut page = Page {
        out,
        color: style.color,
        numbers: style.numbers,
        // Pages read best at most 100 columns wide, and not below 40.
        width: style.width.map_or(100, |w| (w as usize).clamp(40, 100)),
        indent: " ".repeat(2 + LABEL),
    };
    page.heading(row);
    page.standing(row);
    page.series(row, observations);
    page.promise(row);
    page.provenance(row);
    page.history(row, entries, style);
}

/// Width of the label column (`status`, `why`, ...).
const LABEL: usize = 12;

/// A page being written: where, how wide, with which colours and numbers.
struct Page<'o> {
    out: &'o mut String,
    color: bool,
    numbers: NumberStyle,
    width: usize,
    indent: String,
}

impl Page<'_> {
    fn wrap(&self, text: &str, first: &str, rest: &str) -> String {
        let options = textwrap::Options::new(self.width)
            .initial_indent(first)
            .subsequent_indent(rest)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        textwrap::fill(text.trim(), options)
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    fn label(&self, name: &str) -> String {
        paint(&format!("  {name:<LABEL$}"), DIM, self.color)
    }

    /// A labelled field: wraps the plain text, then paints it, so colour
    /// never counts towards the width.
    fn field(&mut self, name: &str, value: &str, sgr: &str) {
        let text = self.wrap(value, &self.indent, &self.indent);
        let line = format!(
            "{}{}",
            self.label(name),
            paint(text.trim_start(), sgr, self.color)
        );
        self.line(&line);
    }

    /// Id and title wrapped together (the id counts towards the width),
    /// then the id painted.
    fn heading(&mut self, row: &ReportRow) {
        let def = &row.def;
        let heading = self.wrap(&format!("{} — {}", def.id, def.title), "", "  ");
        let rest = heading.strip_prefix(def.id.as_str()).unwrap_or(&heading);
        let line = format!("{}{rest}", paint(&def.id, BOLD, self.color));
        self.line(&line);
        self.line("");
    }

    /// Where it stands, and why.
    fn standing(&mut self, row: &ReportRow) {
        let (def, a) = (&row.def, &row.assessment);
        let figures = match figures_date(row) {
            Some(date) => format!("; figures to {date}"),
            None => "; no figures yet".to_string(),
        };
        let status = format!("{} as of {}{figures}", a.status, row.as_of);
        self.field("status", &status, status_sgr(a.status));
        self.field("why", &a.explanation, "");
        if a.progress_pct.is_some() {
            let bar =
                progress_segments(a.progress_pct, a.expected_pct, a.status).render(self.color);
            let note = if a.expected_pct.is_some() {
                paint("  (│ where the linear path expects it)", DIM, self.color)
            } else {
                String::new()
            };
            let line = format!("{}{bar}{note}", self.label("progress"));
            self.line(&line);
        }
        if let Some(latest) = &a.latest {
            let what = match def.kind {
                Kind::Cumulative => "running total to ",
                _ => "",
            };
            let quantity = human_quantity(&latest.quantity, &def.unit, self.numbers);
            self.field(
                "latest",
                &format!("{quantity} ({what}{})", latest.date),
                BOLD,
            );
        }
        if let Some(base) = &a.base
            && def.kind == Kind::Level
        {
            let quantity = human_quantity(&base.quantity, &def.unit, self.numbers);
            self.field("base", &format!("{quantity} ({})", base.date), "");
        }
    }

    /// A sparkline of the figures: it keeps the latest figures that fit;
    /// the count and dates go on their own line when the width asks for it.
    fn series(&mut self, row: &ReportRow, observations: &[Observation]) {
        let points = crate::chart::series(&row.def, observations, row.as_of);
        let [first, .., last] = points.as_slice() else {
            return;
        };
        let values: Vec<f64> = points.iter().map(|p| p.value).collect();
        let unit = if row.def.unit == "%" { "%" } else { "" };
        let value = |p: &ChartPoint| {
            let q = Quantity {
                value: p.label_value,
                qualifier: p.qualifier,
            };
            human_quantity(&q, unit, self.numbers)
        };
        let ends = format!("  {} → {}", value(first), value(last));
        let room = self
            .width
            .saturating_sub(self.indent.len() + display_width(&ends))
            .max(8);
        let mut spark: Vec<char> = sparkline(&values).chars().collect();
        if spark.len() > room {
            spark = std::iter::once('…')
                .chain(spark[spark.len() - (room - 1)..].iter().copied())
                .collect();
        }
        let spark: String = spark.into_iter().collect();
        let details = format!("({} figures, {}..{})", points.len(), first.date, last.date);
        let used = self.indent.len() + display_width(&spark) + display_width(&ends);
        let gap = if used + 2 + display_width(&details) <= self.width {
            "  ".to_string()
        } else {
            format!("\n{}", self.indent)
        };
        let line = format!(
            "{}{}{ends}{gap}{}",
            self.label("series"),
            paint(&spark, status_sgr(row.assessment.status), self.color),
            paint(&details, DIM, self.color),
        );
        self.line(&line);
    }

    /// What was promised.
    fn promise(&mut self, row: &ReportRow) {
        let def = &row.def;
        self.line("");
        self.field("target", &target_text(row, self.numbers), BOLD);
        if let (Some(start), Some(end)) = (def.window_start, def.deadline) {
            self.field("window", &format!("{start}..{end}"), "");
        }
        self.field("kind", &kind_text(def.kind), "");
        self.field("metric", &def.metric, "");
        let good = format!("{} ({})", def.direction_word(), def.direction);
        self.field("good when", &good, "");
        self.field("unit", &def.unit, "");
        let updates = format!("{} (stale after that plus a grace period)", def.cadence);
        self.field("updates", &updates, "");
    }

    /// Who said it, when, and how we read it.
    fn provenance(&mut self, row: &ReportRow) {
        let (def, p) = (&row.def, &row.def.provenance);
        self.line("");
        let quote = self.wrap(&format!("“{}”", p.quote.trim()), "  ", "   ");
        self.line(&quote);
        let who = format!("— {}, {}, {}", p.speaker, p.speaker_role, p.statement_date);
        let who = self.wrap(&who, "    ", "      ");
        self.line(&who);
        let source = paint(
            &self.wrap(&p.source_title, "      ", "      "),
            DIM,
            self.color,
        );
        self.line(&source);
        if let Some(url) = &p.source_url {
            let url = format!("      {}", paint(url, DIM, self.color));
            self.line(&url);
        }
        self.line("");
        let reading = format!("How we read it: {}", def.interpretation.trim());
        let reading = self.wrap(&reading, "  ", "  ");
        self.line(&reading);
        self.line("");
    }

    /// Every entry of the trail, or how to record the first.
    fn history(&mut self, row: &ReportRow, entries: &[Entry], style: &TableStyle) {
        let def = &row.def;
        if entries.is_empty() {
            let hint = format!(
                "No observations yet. Record one with `tracker record {} VALUE --period P --source TEXT`.",
                def.id
            );
            let hint = self.wrap(&hint, "  ", "  ");
            self.line(&hint);
            return;
        }
        let title = format!("History ({} entries, oldest first)", entries.len());
        let title = paint(&title, BOLD, self.color);
        self.line(&title);
        self.out
            .push_str(&trail_table(entries, &|_| def.unit.as_str(), false, style));
    }
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
