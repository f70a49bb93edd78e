//! Tables for people: compact, coloured by meaning, numbers in human scale,
//! a progress bar with the expected position marked.
//!
//! Only used when a person is looking (a terminal, or `--format table`).
//! Colour is decided by the caller (`--color`, `NO_COLOR`, terminal), never
//! here, so the same rows render identically in tests.

use crate::model::Status;
use crate::numfmt::{NumberStyle, human, human_quantity};
use crate::report::ReportRow;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

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
    const CELLS: usize = 10;
    let Some(progress) = progress_pct.filter(|p| p.is_finite()) else {
        return "–".to_string();
    };
    let cells_for = |pct: f64| ((pct.clamp(0.0, 100.0) / 100.0) * CELLS as f64).round() as usize;
    let filled = cells_for(progress);
    let mut bar: Vec<char> = (0..CELLS)
        .map(|i| if i < filled { '█' } else { '·' })
        .collect();
    if let Some(expected) = expected_pct.filter(|e| e.is_finite()) {
        let at = cells_for(expected).min(CELLS - 1);
        bar[at] = if at < filled { '▓' } else { '│' };
    }
    let bar: String = bar.into_iter().collect();
    format!("{bar} {progress:>3.0}%")
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
pub fn render_report(rows: &[ReportRow], style: &TableStyle) -> Vec<u8> {
    let body: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            let latest = row.assessment.latest.as_ref();
            [
                row.def.id.clone(),
                latest.map_or("–".to_string(), |p| {
                    // Percent is short and reads wrong without its sign.
                    let unit = if row.def.unit == "%" { "%" } else { "" };
                    human_quantity(&p.quantity, unit, style.numbers)
                }),
                latest.map_or(String::new(), |p| p.date.to_string()),
                target_value_text(row, style.numbers),
                progress_bar(row.assessment.progress_pct, row.assessment.expected_pct),
            ]
        })
        .collect();
    let statuses: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r.status(),
                if r.assessment.stale { "*" } else { "" }
            )
        })
        .collect();
    let headers = ["ID", "LATEST", "DATE", "TARGET", "PROGRESS", "STATUS"];
    let width_of = |i: usize| -> usize {
        let content = if i == 5 {
            statuses
                .iter()
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        } else {
            body.iter()
                .map(|cells| cells[i].chars().count())
                .max()
                .unwrap_or(0)
        };
        content.max(headers[i].len())
    };
    // One space between columns.
    let fixed: usize = (0..headers.len()).map(width_of).sum::<usize>() + headers.len() - 1;
    let title_room = match style.width {
        Some(width) => (width as usize).saturating_sub(fixed + 1),
        None => usize::MAX,
    };
    let show_title = title_room >= 16;

    let mut table = new_table(style);
    let mut header: Vec<Cell> = vec![Cell::new("ID")];
    if show_title {
        header.push(Cell::new("TITLE"));
    }
    header.extend(["LATEST", "DATE", "TARGET", "PROGRESS", "STATUS"].map(Cell::new));
    table.set_header(header);
    for (row, (cells, status)) in rows.iter().zip(body.into_iter().zip(statuses)) {
        let [id, latest, date, target, bar] = cells;
        let mut line = vec![Cell::new(id)];
        if show_title {
            line.push(Cell::new(shorten(&row.def.title, title_room)));
        }
        line.push(Cell::new(latest).set_alignment(CellAlignment::Right));
        line.push(Cell::new(date));
        line.push(Cell::new(target).set_alignment(CellAlignment::Right));
        line.push(Cell::new(bar));
        line.push(status_cell(row, &status, style));
        table.add_row(line);
    }
    let last = table.column_count().saturating_sub(1);
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if index == last { 0 } else { 1 }));
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if rows.iter().any(|r| r.assessment.stale) {
        out.push_str("* stale: no figure within the target's update interval plus grace (docs/methodology.md)\n");
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
    use crate::export::tests::sample_row;

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
