//! Tables for people: compact, coloured by meaning, numbers in human scale,
//! a progress bar with the expected position marked.
//!
//! Only used when a person is looking (a terminal, or `--format table`).
//! Colour is decided by the caller (`--color`, `NO_COLOR`, terminal), never
//! here, so the same rows render identically in tests.

use crate::model::Status;
use crate::numfmt::{NumberStyle, human, human_quantity};
use crate::report::ReportRow;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

#[derive(Debug, Clone, Copy)]
pub struct TableStyle {
    pub color: bool,
    /// Columns available; `None` for no limit (not a terminal).
    pub width: Option<u16>,
    pub numbers: NumberStyle,
}

impl TableStyle {
    pub fn plain() -> Self {
        TableStyle {
            color: false,
            width: None,
            numbers: NumberStyle::Western,
        }
    }
}

/// Width of the terminal on stdout: `COLUMNS` if set, else asked of the
/// terminal; `None` when stdout is not a terminal.
pub fn terminal_width(stdout_is_terminal: bool) -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(columns);
    }
    if !stdout_is_terminal {
        return None;
    }
    // comfy-table asks the terminal when no width is set.
    Table::new().width()
}

/// A rule under the header and nothing else: quiet, and copy-pastable.
const QUIET: comfy_table::TableStyle =
    comfy_table::TableStyle::new().header_separator(comfy_table::LineStyle::none().fill('─'));

pub fn new_table(style: &TableStyle) -> Table {
    let mut table = Table::new();
    table.load_style(QUIET);
    table.set_content_arrangement(ContentArrangement::Disabled);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

pub fn status_color(status: Status) -> Color {
    match status {
        Status::Achieved | Status::OnTrack => Color::Green,
        Status::AtRisk => Color::Yellow,
        Status::OffTrack | Status::Missed | Status::MovingAway => Color::Red,
        Status::InsufficientData | Status::NoData => Color::DarkGrey,
    }
}

/// A status text, coloured by the row's status when asked.
pub fn status_cell(row: &ReportRow, text: &str, style: &TableStyle) -> Cell {
    let status = row.status();
    let cell = Cell::new(text);
    if style.color {
        let cell = cell.fg(status_color(status));
        match status {
            Status::Achieved | Status::Missed | Status::MovingAway => {
                cell.add_attribute(Attribute::Bold)
            }
            _ => cell,
        }
    } else {
        cell
    }
}

/// `██████····` with `│` where the linear path expects to be, then the
/// percentage. Ten cells: one per 10 %.
pub fn progress_bar(progress_pct: Option<f64>, expected_pct: Option<f64>) -> String {
    progress_segments(progress_pct, expected_pct, Status::NoData).plain()
}

/// [`progress_bar`] in parts: the filled cells in the status colour, the
/// rest dim, the expected marker plain.
pub fn progress_segments(
    progress_pct: Option<f64>,
    expected_pct: Option<f64>,
    status: Status,
) -> Styled {
    const CELLS: usize = 10;
    let Some(progress) = progress_pct.filter(|p| p.is_finite()) else {
        return Styled::new("–", DIM);
    };
    let cells_for = |pct: f64| ((pct.clamp(0.0, 100.0) / 100.0) * CELLS as f64).round() as usize;
    let filled = cells_for(progress);
    let mut bar: Vec<char> = (0..CELLS)
        .map(|i| if i < filled { '█' } else { '·' })
        .collect();
    let marker = expected_pct
        .filter(|e| e.is_finite())
        .map(|expected| cells_for(expected).min(CELLS - 1));
    if let Some(at) = marker {
        bar[at] = if at < filled { '▓' } else { '│' };
    }
    let mut out = Styled::default();
    for (i, ch) in bar.into_iter().enumerate() {
        let sgr = if Some(i) == marker {
            ""
        } else if i < filled {
            status_sgr(status)
        } else {
            DIM
        };
        out.push(ch.to_string(), sgr);
    }
    out.push(format!(" {progress:>3.0}%"), "");
    out
}

/// SGR codes (the 16 basic colours, so every terminal theme maps them).
pub const BOLD: &str = "1";
pub const DIM: &str = "90";

/// The colour of a status, by meaning: done or on track green, at risk
/// yellow, off track red; final verdicts bold; no verdict grey.
pub fn status_sgr(status: Status) -> &'static str {
    match status {
        Status::Achieved => "1;32",
        Status::OnTrack => "32",
        Status::AtRisk => "33",
        Status::OffTrack => "31",
        Status::Missed | Status::MovingAway => "1;31",
        Status::InsufficientData | Status::NoData => DIM,
    }
}

/// `text` wrapped in the SGR code when `on` (and there is something to
/// paint).
pub fn paint(text: &str, sgr: &str, on: bool) -> String {
    if on && !sgr.is_empty() && !text.is_empty() {
        format!("\u{1b}[{sgr}m{text}\u{1b}[0m")
    } else {
        text.to_string()
    }
}

/// Text in parts, each with its own SGR code ("" for none); measured in
/// terminal columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Styled {
    parts: Vec<(String, &'static str)>,
}

impl Styled {
    pub fn new(text: impl Into<String>, sgr: &'static str) -> Styled {
        Styled {
            parts: vec![(text.into(), sgr)],
        }
    }

    pub fn push(&mut self, text: impl Into<String>, sgr: &'static str) {
        self.parts.push((text.into(), sgr));
    }

    /// Columns on a terminal (wide characters count two).
    pub fn width(&self) -> usize {
        self.parts.iter().map(|(t, _)| display_width(t)).sum()
    }

    pub fn plain(&self) -> String {
        self.parts.iter().map(|(t, _)| t.as_str()).collect()
    }

    pub fn render(&self, color: bool) -> String {
        self.parts
            .iter()
            .map(|(t, sgr)| paint(t, sgr, color))
            .collect()
    }

    /// Every part in `sgr` (a row with nothing to show, say).
    fn all(mut self, sgr: &'static str) -> Styled {
        for part in &mut self.parts {
            part.1 = sgr;
        }
        self
    }
}

/// Terminal columns of `text`.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` terminal columns, ending in `…` when cut.
pub fn fit_width(text: &str, max: usize) -> String {
    if display_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(ch);
    }
    out.push('…');
    out
}

pub fn latest_text(row: &ReportRow, numbers: NumberStyle) -> String {
    match &row.assessment.latest {
        Some(point) => format!(
            "{} ({})",
            human_quantity(&point.quantity, &row.def.unit, numbers),
            point.date
        ),
        None => "–".to_string(),
    }
}

pub fn target_text(row: &ReportRow, numbers: NumberStyle) -> String {
    let value = target_value_text(row, numbers);
    match row.def.deadline {
        Some(deadline) => format!("{value} by {deadline}"),
        None => value,
    }
}

/// The `list`/`report` table: ID, LATEST (qualifier and value), DATE,
/// TARGET, PROGRESS, STATUS, and TITLE when the width leaves room for it.
/// Units appear once, in TARGET, to keep rows within 100 columns.
///
/// With colour: a bold header, statuses and progress bars coloured by
/// meaning, and rows without figures greyed so the eye goes to the rest.
/// Without colour the same text, so layout never depends on it.
pub fn render_report(rows: &[ReportRow], style: &TableStyle) -> Vec<u8> {
    const HEADERS: [&str; 7] = [
        "ID", "TITLE", "LATEST", "DATE", "TARGET", "PROGRESS", "STATUS",
    ];
    const TITLE: usize = 1;
    const RIGHT: [bool; 7] = [false, false, true, false, true, false, false];
    let mut body: Vec<[Styled; 7]> = rows
        .iter()
        .map(|row| {
            let a = &row.assessment;
            let status = row.status();
            let latest = a.latest.as_ref();
            let cells = [
                Styled::new(row.def.id.clone(), ""),
                Styled::new(row.def.title.clone(), DIM),
                match latest {
                    // Percent is short and reads wrong without its sign.
                    Some(p) => {
                        let unit = if row.def.unit == "%" { "%" } else { "" };
                        Styled::new(human_quantity(&p.quantity, unit, style.numbers), BOLD)
                    }
                    None => Styled::new("–", DIM),
                },
                Styled::new(latest.map_or(String::new(), |p| p.date.to_string()), ""),
                Styled::new(target_value_text(row, style.numbers), ""),
                progress_segments(a.progress_pct, a.expected_pct, status),
                Styled::new(
                    format!("{status}{}", if a.stale { "*" } else { "" }),
                    status_sgr(status),
                ),
            ];
            if latest.is_none() {
                // Nothing recorded: the whole row steps back.
                let [id, title, latest, date, target, bar, status] = cells;
                [id, title, latest, date, target.all(DIM), bar, status]
            } else {
                cells
            }
        })
        .collect();
    let width_of = |body: &[[Styled; 7]], i: usize| -> usize {
        body.iter()
            .map(|cells| cells[i].width())
            .max()
            .unwrap_or(0)
            .max(HEADERS[i].len())
    };
    // One space between columns; TITLE takes what is left.
    let fixed: usize = (0..HEADERS.len())
        .filter(|i| *i != TITLE)
        .map(|i| width_of(&body, i))
        .sum::<usize>()
        + HEADERS.len()
        - 2;
    let title_room = match style.width {
        Some(width) => (width as usize).saturating_sub(fixed + 1),
        None => usize::MAX,
    };
    // A title cut to a few words says less than the id; leave it out then.
    let show_title = title_room >= 24;
    if show_title {
        for cells in &mut body {
            let title = fit_width(&cells[TITLE].plain(), title_room);
            cells[TITLE] = Styled::new(title, DIM);
        }
    }
    let columns: Vec<usize> = (0..HEADERS.len())
        .filter(|i| show_title || *i != TITLE)
        .collect();
    let widths: Vec<usize> = (0..HEADERS.len()).map(|i| width_of(&body, i)).collect();

    let line = |cells: &[Styled; 7]| -> String {
        let mut out = String::new();
        for (n, &i) in columns.iter().enumerate() {
            let cell = &cells[i];
            let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
            let last = n + 1 == columns.len();
            if n > 0 {
                out.push(' ');
            }
            if RIGHT[i] {
                out.push_str(&pad);
            }
            out.push_str(&cell.render(style.color));
            if !RIGHT[i] && !last {
                out.push_str(&pad);
            }
        }
        out.trim_end().to_string()
    };
    let header: [Styled; 7] = HEADERS.map(|h| Styled::new(h, BOLD));
    let total: usize = columns.iter().map(|&i| widths[i]).sum::<usize>() + columns.len() - 1;
    let mut out = String::new();
    out.push_str(&line(&header));
    out.push('\n');
    out.push_str(&paint(&"─".repeat(total), DIM, style.color));
    out.push('\n');
    for cells in &body {
        out.push_str(&line(cells));
        out.push('\n');
    }
    if rows.iter().any(|r| r.assessment.stale) {
        out.push_str(&paint(
            "* stale: no figure within the target's update interval plus grace (docs/methodology.md)",
            DIM,
            style.color,
        ));
        out.push('\n');
    }
    out.into_bytes()
}

/// The target as comparator, value and unit (">3 tn CNY"), or the pledged
/// direction for a direction-only target ("higher (CNY)").
pub fn target_value_text(row: &ReportRow, numbers: NumberStyle) -> String {
    let def = &row.def;
    match (def.comparator, def.target_value) {
        (Some(comparator), Some(value)) => {
            let prefix = match comparator.as_str() {
                "=" => "",
                ">=" => "≥",
                "<=" => "≤",
                other => other,
            };
            format!("{prefix}{}", human(value, &def.unit, numbers))
        }
        _ => format!("{} ({})", def.direction_word(), def.unit),
    }
}

/// Cuts `text` to `max` characters, ending in `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_row;

    #[test]
    fn bar_marks_expected_and_clamps() {
        assert_eq!(progress_bar(Some(26.67), Some(20.03)), "██▓·······  27%");
        assert_eq!(progress_bar(Some(0.0), Some(50.0)), "·····│····   0%");
        assert_eq!(progress_bar(Some(250.0), None), "██████████ 250%");
        assert_eq!(progress_bar(None, Some(10.0)), "–");
    }

    #[test]
    fn fits_the_width_and_has_no_colour_when_off() {
        let rows = vec![sample_row(
            "equipment-renewal",
            &"very long title ".repeat(10),
        )];
        let style = TableStyle {
            color: false,
            width: Some(100),
            numbers: NumberStyle::Western,
        };
        let out = String::from_utf8(render_report(&rows, &style)).unwrap();
        assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
        assert!(!out.contains('\u{1b}'));
        assert!(out.contains("on-track"));
    }

    #[test]
    fn colour_when_asked() {
        let style = TableStyle {
            color: true,
            width: None,
            numbers: NumberStyle::Western,
        };
        let out = String::from_utf8(render_report(&[sample_row("x", "t")], &style)).unwrap();
        assert!(out.contains('\u{1b}'));
    }

    #[test]
    fn fit_width_counts_terminal_columns() {
        assert_eq!(fit_width("国资委国资委", 7), "国资委…");
        assert_eq!(fit_width("abcdef", 4), "abc…");
        assert_eq!(fit_width("abc", 4), "abc");
        assert_eq!(display_width("国资委"), 6);
    }

    #[test]
    fn bar_colours_the_filled_part_by_status() {
        let bar = progress_segments(Some(40.0), Some(20.0), Status::AtRisk);
        assert_eq!(bar.plain(), "██▓█······  40%");
        assert_eq!(bar.width(), 15);
        let painted = bar.render(true);
        assert!(painted.contains("\u{1b}[33m█\u{1b}[0m"), "{painted:?}");
        assert!(painted.contains("\u{1b}[90m·\u{1b}[0m"), "{painted:?}");
        assert_eq!(bar.render(false), bar.plain());
    }

    #[test]
    fn columns_line_up_with_and_without_colour() {
        let rows = vec![sample_row("a", "t"), sample_row("longer-id", "t")];
        let plain = TableStyle {
            color: false,
            width: Some(100),
            numbers: NumberStyle::Western,
        };
        let coloured = TableStyle {
            color: true,
            ..plain
        };
        let plain = String::from_utf8(render_report(&rows, &plain)).unwrap();
        let coloured = String::from_utf8(render_report(&rows, &coloured)).unwrap();
        let stripped: String = {
            let mut out = String::new();
            let mut skip = false;
            for c in coloured.chars() {
                match (skip, c) {
                    (_, '\u{1b}') => skip = true,
                    (true, 'm') => skip = false,
                    (true, _) => {}
                    (false, c) => out.push(c),
                }
            }
            out
        };
        assert_eq!(stripped, plain);
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("国资委国资委", 4), "国资委…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}

/// A one-line chart of a series: `▁▂▄▇`.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (min, max) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    finite
        .iter()
        .map(|v| {
            if max > min {
                BARS[(((v - min) / (max - min)) * 7.0).round() as usize]
            } else {
                BARS[3]
            }
        })
        .collect()
}

#[cfg(test)]
mod sparkline_tests {
    use super::sparkline;

    #[test]
    fn spans_low_to_high() {
        assert_eq!(sparkline(&[1.0, 2.0, 8.0]), "▁▂█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }
}
