//! Report formatters: each turns rows into bytes and never prints.
//!
//! One file per format. Formatters are pure, so they are unit-tested
//! without a terminal, and the caller decides where the bytes go (stdout or
//! an atomically replaced file).

pub mod changes;
pub mod csv;
pub mod entries;
pub mod html;
pub(crate) mod json;
mod markdown;
pub mod safe;
pub mod table;

use crate::cli::Format;
use crate::error::CliResult;
use crate::report::ReportRow;
use std::path::Path;

pub use table::TableStyle;

/// Renders `rows` in `format`. Tables use `style`; the machine formats
/// ignore it (no colour, no wrapping, ever).
pub fn render(format: Format, rows: &[ReportRow], style: &TableStyle) -> CliResult<Vec<u8>> {
    match format {
        Format::Csv => csv::render(rows),
        Format::Json => json::render(rows),
        Format::Markdown => Ok(markdown::render(&safe::rows(rows))),
        Format::Table => Ok(table::render_report(&safe::rows(rows), style)),
    }
}

/// The `report` format an output file's extension implies, if any:
/// the shared ones, and `.html`/`.htm` for the page.
pub fn report_format_from_extension(path: &Path) -> Option<crate::cli::ReportFormat> {
    use crate::cli::ReportFormat;
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if ext == "html" || ext == "htm" {
        return Some(ReportFormat::Html);
    }
    Some(match format_from_extension(path)? {
        Format::Table => ReportFormat::Table,
        Format::Csv => ReportFormat::Csv,
        Format::Json => ReportFormat::Json,
        Format::Markdown => ReportFormat::Markdown,
    })
}

/// The format an output file's extension implies, if any.
pub fn format_from_extension(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "md" | "markdown" => Some(Format::Markdown),
        "txt" => Some(Format::Table),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::*;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A synthetic row (not briefing data) for formatter tests.
    pub fn sample_row(id: &str, title: &str) -> ReportRow {
        let def = TargetDef {
            id: id.into(),
            title: title.into(),
            kind: Kind::Cumulative,
            metric: "synthetic metric".into(),
            unit: "CNY".into(),
            direction: Direction::Up,
            comparator: Some(Comparator::MoreThan),
            target_value: Some(Decimal::from_str("3000000000000").unwrap()),
            window_start: Some(date("2024-01-01")),
            deadline: Some(date("2028-12-31")),
            base_period: None,
            limit: None,
            is_rate: false,
            cadence: Cadence::Yearly,
            provenance: Provenance {
                quote: "synthetic".into(),
                speaker: "nobody".into(),
                speaker_role: "test".into(),
                statement_date: date("2024-07-26"),
                source_title: "synthetic".into(),
                source_url: None,
            },
            interpretation: "synthetic".into(),
        };
        let observations = [Observation {
            id: 1,
            quantity: Quantity {
                value: Decimal::from_str("800000000000").unwrap(),
                qualifier: Qualifier::MoreThan,
            },
            period: Period {
                start: date("2024-01-01"),
                end: date("2024-12-31"),
            },
        }];
        let mut assessment = crate::status::assess(&def, &observations, date("2025-02-01"));
        assert_eq!(assessment.status, Status::OnTrack);
        assessment.explanation = "=cmd|' /C calc'!A0".into();
        ReportRow {
            def,
            assessment,
            as_of: date("2025-02-01"),
        }
    }

    #[test]
    fn extension_picks_format() {
        assert_eq!(
            format_from_extension(Path::new("a/b.CSV")),
            Some(Format::Csv)
        );
        assert_eq!(
            format_from_extension(Path::new("b.json")),
            Some(Format::Json)
        );
        assert_eq!(
            format_from_extension(Path::new("b.md")),
            Some(Format::Markdown)
        );
        assert_eq!(format_from_extension(Path::new("b")), None);
        assert_eq!(
            report_format_from_extension(Path::new("status.HTML")),
            Some(crate::cli::ReportFormat::Html)
        );
        assert_eq!(
            report_format_from_extension(Path::new("s.md")),
            Some(crate::cli::ReportFormat::Markdown)
        );
    }
}
