//! `tracker changes` as CSV, JSON, Markdown (to mail) or a table. Same
//! rules as the report formatters: bytes out, never printing; free text
//! neutralised in CSV; numbers exact in JSON.

use super::csv::spell;
use super::table::{TableStyle, new_table, paint, status_sgr};
use crate::changes::{COLUMNS, Change, ChangeKind, Window};
use crate::cli::Format;
use crate::domain::entry::timestamp;
use crate::error::{CliError, CliResult};
use crate::report::Cell;
use serde::ser::{SerializeSeq, Serializer};

pub fn render(
    format: Format,
    changes: &[Change],
    window: &Window,
    style: &TableStyle,
) -> CliResult<Vec<u8>> {
    match format {
        Format::Csv => csv(changes, window),
        Format::Json => json(changes, window),
        Format::Markdown => Ok(markdown(&super::safe::changes(changes), window).into_bytes()),
        Format::Table => Ok(table(&super::safe::changes(changes), window, style).into_bytes()),
    }
}

fn csv(changes: &[Change], window: &Window) -> CliResult<Vec<u8>> {
    let fail = |e: ::csv::Error| CliError::runtime(format!("cannot write CSV: {e}"));
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(COLUMNS).map_err(fail)?;
    for change in changes {
        writer
            .write_record(change.cells(window).iter().map(spell))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| CliError::runtime(format!("cannot write CSV: {e}")))
}

struct Rows<'a>(&'a [Change], &'a Window);

impl serde::Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for change in self.0 {
            seq.serialize_element(&Row(change.cells(self.1)))?;
        }
        seq.end()
    }
}

struct Row([Cell; 18]);

impl serde::Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::json::serialize_cells(serializer, &COLUMNS, &self.0)
    }
}

fn json(changes: &[Change], window: &Window) -> CliResult<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(&Rows(changes, window))
        .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// "2025-06-01T00:00:00.000Z → 2025-06-30T12:00:00.000Z".
fn window_text(window: &Window) -> String {
    format!(
        "recorded after {} up to {}; statuses as of {}",
        window
            .since
            .map_or_else(|| "the ledger's beginning".to_string(), timestamp),
        timestamp(window.until),
        window.as_of
    )
}

/// Escapes what Markdown would read as markup (or a mail client as HTML).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The groups of a human rendering, in order, with their heading.
fn groups(changes: &[Change]) -> [(&'static str, Vec<&Change>); 3] {
    let of = |pred: fn(ChangeKind) -> bool| changes.iter().filter(|c| pred(c.kind)).collect();
    [
        ("Status changes", of(|k| k == ChangeKind::Status)),
        (
            "Targets added or amended",
            of(|k| matches!(k, ChangeKind::TargetAdded | ChangeKind::TargetAmended)),
        ),
        (
            "Figures recorded, corrected or retracted",
            of(|k| {
                matches!(
                    k,
                    ChangeKind::Recorded | ChangeKind::Corrected | ChangeKind::Retracted
                )
            }),
        ),
    ]
}

fn markdown(changes: &[Change], window: &Window) -> String {
    let mut out = format!(
        "# Pledge tracker: what changed\n\nEntries {}.\n",
        md(&window_text(window))
    );
    if changes.is_empty() {
        out.push_str("\nNo changes.\n");
        return out;
    }
    for (heading, items) in groups(changes) {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {heading} ({})\n\n", items.len()));
        for c in items {
            let line = match c.kind {
                ChangeKind::Status => {
                    let (id, rest) = c.summary.split_at(c.target_id.len());
                    format!("- **{}**{}", md(id), md(rest))
                }
                _ => format!("- {}{}", md(&c.summary), md(&by_whom(c))),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// " (by ana, 2025-06-30T12:00:00.000Z)" for an entry.
fn by_whom(c: &Change) -> String {
    match (&c.recorded_by, &c.recorded_at) {
        (Some(by), Some(at)) => format!(" (by {by}, {})", timestamp(*at)),
        _ => String::new(),
    }
}

fn table(changes: &[Change], window: &Window, style: &TableStyle) -> String {
    let mut out = format!("Changes: entries {}\n", window_text(window));
    if changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let mut t = new_table(style);
    t.set_header(["CHANGE", "TARGET", "WHAT", "RECORDED"]);
    for c in changes {
        let what = crate::render::table::fit_width(
            c.summary
                .strip_prefix(&c.target_id)
                .and_then(|s| s.strip_prefix(": "))
                .unwrap_or(&c.summary),
            120,
        );
        let what = match c.status_after {
            Some(s) => paint(&what, status_sgr(s), style.color),
            None => what,
        };
        t.add_row(vec![
            c.kind.as_str().to_string(),
            c.target_id.clone(),
            what,
            match (&c.recorded_by, &c.recorded_at) {
                (Some(by), Some(at)) => format!("{by}, {}", timestamp(*at)),
                _ => String::new(),
            },
        ]);
    }
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::collect;
    use crate::model::Status;
    use crate::numfmt::NumberStyle;
    use crate::render::tests::{date, sample_row};

    fn sample() -> (Vec<Change>, Window) {
        let mut before = sample_row("x-1", "t");
        before.assessment.verdict.status = Status::OnTrack;
        let mut after = sample_row("x-1", "t");
        after.assessment.verdict.status = Status::AtRisk;
        let window = Window {
            since: Some("2025-06-01T00:00:00Z".parse().unwrap()),
            until: "2025-06-30T12:00:00Z".parse().unwrap(),
            as_of: date("2025-06-30"),
        };
        (
            collect(&[before], &[after], &[], &[], NumberStyle::Western),
            window,
        )
    }

    #[test]
    fn csv_and_json_share_the_columns() {
        let (changes, window) = sample();
        let csv = String::from_utf8(csv(&changes, &window).unwrap()).unwrap();
        assert_eq!(csv.lines().next().unwrap(), COLUMNS.join(","));
        assert!(csv.lines().nth(1).unwrap().starts_with("status,x-1,"));
        let value: serde_json::Value =
            serde_json::from_slice(&json(&changes, &window).unwrap()).unwrap();
        let object = value[0].as_object().unwrap();
        assert_eq!(object.keys().count(), COLUMNS.len());
        assert_eq!(value[0]["status_before"], "on-track");
        assert_eq!(value[0]["status_after"], "at-risk");
        assert_eq!(value[0]["observation"], serde_json::Value::Null);
        assert_eq!(json(&[], &window).unwrap(), b"[]\n");
    }

    #[test]
    fn markdown_escapes_ledger_text() {
        assert_eq!(md("<b>*x*</b> [a](b)"), "\\<b\\>\\*x\\*\\</b\\> \\[a\\](b)");
        let (changes, window) = sample();
        let text = markdown(&changes, &window);
        assert!(text.contains("## Status changes (1)"));
        assert!(text.contains("- **x-1**: on-track → at-risk"), "{text}");
        assert!(markdown(&[], &window).contains("No changes."));
    }

    #[test]
    fn people_see_control_characters_as_symbols_machines_get_the_text() {
        let (mut changes, window) = sample();
        changes[0].reason = Some("why\x1b[2J".into());
        changes[0].summary.push_str(" \x1b]0;x\x07");
        let style = TableStyle::plain();
        for format in [Format::Table, Format::Markdown] {
            let out = render(format, &changes, &window, &style).unwrap();
            assert!(!out.iter().any(|b| *b == 0x1b || *b == 0x07), "{format:?}");
        }
        let out = render(Format::Json, &changes, &window, &style).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value[0]["reason"], "why\u{1b}[2J");
    }
}
