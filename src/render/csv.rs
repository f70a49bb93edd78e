//! CSV: the documented columns, one row per target, header always present.
//!
//! Free-text cells that a spreadsheet would execute (leading `=`, `+`, `-`,
//! `@`, tab or carriage return) get a leading `'`, as OWASP advises for CSV
//! injection. Numbers and dates are formatted by this program and stay
//! numeric.

use crate::error::{CliError, CliResult};
use crate::report::{COLUMNS, Cell, ReportRow};

pub fn render(rows: &[ReportRow]) -> CliResult<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| CliError::runtime(format!("cannot write CSV: {e}"));
    writer.write_record(COLUMNS).map_err(fail)?;
    for row in rows {
        let cells = row.cells();
        writer.write_record(cells.iter().map(spell)).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| CliError::runtime(format!("cannot write CSV: {e}")))
}

pub(crate) fn spell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => neutralise(text),
        Cell::Number(n) | Cell::Date(n) => n.clone(),
        Cell::Bool(b) => b.to_string(),
    }
}

/// Prefixes `'` to text a spreadsheet would treat as a formula.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_row;

    #[test]
    fn header_even_without_rows() {
        let out = String::from_utf8(render(&[]).unwrap()).unwrap();
        assert_eq!(out, format!("{}\n", COLUMNS.join(",")));
    }

    #[test]
    fn numbers_plain_text_neutralised() {
        let row = sample_row("x-1", "@SUM(A1)");
        let out = String::from_utf8(render(&[row]).unwrap()).unwrap();
        let mut reader = ::csv::Reader::from_reader(out.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[1], "'@SUM(A1)");
        assert_eq!(&record[5], "3000000000000");
        assert_eq!(&record[10], "800000000000");
        assert_eq!(&record[11], "more-than");
        assert_eq!(&record[14], "26.67");
        assert_eq!(&record[15], "20.03");
        assert_eq!(&record[16], "1.331");
        assert_eq!(&record[17], "on-track");
        assert_eq!(&record[18], "false");
        assert_eq!(&record[19], "'=cmd|' /C calc'!A0");
        assert_eq!(&record[8], "");
    }

    #[test]
    fn neutralises_every_dangerous_lead() {
        for lead in ["=", "+", "-", "@", "\t", "\r"] {
            assert_eq!(neutralise(&format!("{lead}x")), format!("'{lead}x"));
        }
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(neutralise(""), "");
    }
}
