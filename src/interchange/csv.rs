//! The observation CSV: the file `import` reads and `export --format csv`
//! writes, both directions here so that what one writes the other reads.
//!
//! Parsing here is structural and syntactic only (columns, UTF-8, value and
//! period grammar, text rules), and collects every problem with its line
//! instead of stopping at the first, so a colleague's spreadsheet can be
//! fixed in one pass. Checks that need the ledger (does the target exist,
//! does the unit fit) happen in the import command.

use crate::domain::text;
use crate::error::{CliError, CliResult};
use crate::model::{Period, Qualifier, Quantity};
use crate::period::format_period;
use crate::period::{parse_date, parse_period};
use crate::render::csv::neutralise;
use crate::storage::Ledger;
use crate::value::format_plain;
use crate::value::{ParsedValue, parse_value};
use std::io::Read;

/// Columns the observation CSV may have. `target_id`, `value`, `source` and
/// one of `period`/`date` are required.
pub const CSV_COLUMNS: [&str; 9] = [
    "target_id",
    "value",
    "qualifier",
    "period",
    "date",
    "source",
    "url",
    "note",
    "recorded_by",
];

/// One parsed CSV row.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// 1-based line where the record starts.
    pub line: u64,
    pub target_id: String,
    pub value: ParsedValue,
    /// The value as written, for messages.
    pub raw_value: String,
    pub period: Period,
    pub source: String,
    pub url: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
}

/// A problem with one line of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// Parses an observation CSV (UTF-8, optional BOM, LF or CRLF, RFC 4180
/// quoting). Returns every row, or every problem.
pub fn parse_observation_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, Vec<LineError>> {
    let (rows, errors) = read_observation_csv(bytes);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Like [`parse_observation_csv`], but returns the rows that parsed along
/// with the problems of the others, so that a caller can check those rows
/// against the ledger too and report every bad line in one pass.
pub fn read_observation_csv(bytes: &[u8]) -> (Vec<CsvRow>, Vec<LineError>) {
    let mut rows = Vec::new();
    let errors = visit_observation_csv(bytes, &mut |row| rows.push(row));
    (rows, errors)
}

/// Hands each row that parses to `on_row` as soon as it is read, and
/// returns the problems of the others (or of the header).
pub fn visit_observation_csv(bytes: &[u8], on_row: &mut dyn FnMut(CsvRow)) -> Vec<LineError> {
    let mut reader = match ObservationReader::new(bytes) {
        Ok(reader) => reader,
        Err(e) => return vec![e],
    };
    let mut errors = Vec::new();
    while let Some(row) = reader.next_row() {
        match row {
            Ok(row) => on_row(row),
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// An observation CSV read one record at a time from any reader (a file,
/// or bytes): memory holds the record being read and the csv crate's
/// buffer, never the file. UTF-8, optional BOM, LF, CRLF or lone-CR line
/// ends, RFC 4180 quoting; every problem comes with its line.
pub struct ObservationReader<R: Read> {
    records: ::csv::Reader<Tracked<R>>,
    columns: Vec<&'static str>,
    /// The record after the one being handed out: only once the end is
    /// reached is it known whether an unclosed quote swallowed the last.
    next: Option<Result<::csv::ByteRecord, ::csv::Error>>,
    /// A record read before, whose buffers the next read reuses.
    spare: ::csv::ByteRecord,
}

impl<R: Read> ObservationReader<R> {
    /// Reads the header line. A problem with it (or an empty file) is the
    /// file's one problem.
    pub fn new(reader: R) -> Result<Self, LineError> {
        let mut records = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(Tracked::new(reader));
        let mut header = ::csv::ByteRecord::new();
        match records.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(LineError {
                    line: 1,
                    message: format!(
                        "the file is empty; it needs a header line with the columns {}",
                        CSV_COLUMNS.join(",")
                    ),
                });
            }
            Err(e) => return Err(csv_error(1, &e)),
        }
        let next = read_record(&mut records, &mut ::csv::ByteRecord::new());
        if next.is_none()
            && let Some(line) = records.get_ref().unclosed()
        {
            return Err(unclosed_error(line));
        }
        let columns = header_columns(&header)?;
        Ok(ObservationReader {
            records,
            columns,
            next,
            spare: ::csv::ByteRecord::new(),
        })
    }

    /// The next row that parsed, or the problem of the next line that did
    /// not; `None` after the last.
    pub fn next_row(&mut self) -> Option<Result<CsvRow, LineError>> {
        let record = self.next.take()?;
        self.next = match &record {
            // After a failing read (the file became unreadable), stop.
            Err(e) if e.is_io_error() => None,
            _ => read_record(&mut self.records, &mut self.spare),
        };
        if self.next.is_none()
            && let Some(line) = self.records.get_ref().unclosed()
        {
            // The last record is the one the open quote swallowed.
            return Some(Err(unclosed_error(line)));
        }
        let lines = &mut self.records.get_mut().lines;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                return Some(Err(csv_error(line, &e)));
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.len() != self.columns.len() {
            return Some(Err(LineError {
                line,
                message: format!(
                    "expected {} fields, found {} (a missing comma, or an unbalanced quote?)",
                    self.columns.len(),
                    record.len()
                ),
            }));
        }
        let row = parse_row(line, &self.columns, &record);
        self.spare = record;
        Some(row.map_err(|message| LineError { line, message }))
    }
}

fn read_record<R: Read>(
    records: &mut ::csv::Reader<R>,
    spare: &mut ::csv::ByteRecord,
) -> Option<Result<::csv::ByteRecord, ::csv::Error>> {
    let mut record = std::mem::replace(spare, ::csv::ByteRecord::new());
    match records.read_byte_record(&mut record) {
        Ok(true) => Some(Ok(record)),
        Ok(false) => None,
        Err(e) => Some(Err(e)),
    }
}

fn unclosed_error(line: u64) -> LineError {
    LineError {
        line,
        message: "a quoted field opened on this line is never closed (unbalanced quote); \
                  close it, or double a quote meant literally (\"\")"
            .to_string(),
    }
}

/// Why a header name is not a column, with the likely cause when there is
/// one: another separator, or other capitals.
fn unknown_column(name: &str) -> String {
    let mut message = format!(
        "unknown column `{name}`; the columns are {}",
        CSV_COLUMNS.join(", ")
    );
    if let Some(sep) = [';', '\t', '|'].into_iter().find(|c| name.contains(*c)) {
        let shown = if sep == '\t' {
            "tabs".to_string()
        } else {
            format!("`{sep}`")
        };
        message.push_str(&format!(
            " (the file seems to separate its fields with {shown}; tracker reads comma-separated files)"
        ));
    } else if let Some(known) = CSV_COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name)) {
        message.push_str(&format!(" (column names are lower-case: `{known}`)"));
    }
    message
}

/// The header's columns, each known and named once, the required ones
/// present.
fn header_columns(header: &::csv::ByteRecord) -> Result<Vec<&'static str>, LineError> {
    let header_error = |message: String| LineError { line: 1, message };
    let mut columns: Vec<&'static str> = Vec::new();
    for (i, field) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(field) else {
            return Err(header_error(format!(
                "header column {} is not valid UTF-8",
                i + 1
            )));
        };
        let name = name.trim();
        let Some(known) = CSV_COLUMNS.iter().find(|c| **c == name) else {
            return Err(header_error(unknown_column(name)));
        };
        if columns.contains(known) {
            return Err(header_error(format!("column `{name}` appears twice")));
        }
        columns.push(known);
    }
    let mut missing: Vec<&str> = ["target_id", "value", "source"]
        .into_iter()
        .filter(|c| !columns.contains(c))
        .collect();
    if !(columns.contains(&"period") || columns.contains(&"date")) {
        missing.push("period or date");
    }
    if !missing.is_empty() {
        return Err(header_error(format!(
            "missing column(s): {}",
            missing.join(", ")
        )));
    }
    Ok(columns)
}

/// The reader under the csv crate: drops a leading BOM and watches every
/// byte going by, for line numbers ([`LineCounter`]) and for a quote that
/// is never closed ([`QuoteScan`]), without keeping the bytes.
struct Tracked<R> {
    inner: R,
    /// Bytes of the start of the file read to look for a BOM, not yet
    /// handed on.
    head: Vec<u8>,
    started: bool,
    offset: u64,
    lines: LineCounter,
    quotes: QuoteScan,
    ended: bool,
}

impl<R: Read> Tracked<R> {
    fn new(inner: R) -> Self {
        Tracked {
            inner,
            head: Vec::new(),
            started: false,
            offset: 0,
            lines: LineCounter::default(),
            quotes: QuoteScan::default(),
            ended: false,
        }
    }

    /// Once the end was read: the line where a quoted field opens and is
    /// never closed.
    fn unclosed(&self) -> Option<u64> {
        if self.ended {
            self.quotes.unclosed()
        } else {
            None
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        self.started = true;
        let mut head = [0u8; 3];
        let mut got = 0;
        while got < 3 {
            match self.inner.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if head[..got] != *b"\xEF\xBB\xBF" {
            self.head = head[..got].to_vec();
        }
        Ok(())
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            self.start()?;
        }
        let n = if self.head.is_empty() {
            self.inner.read(buf)?
        } else {
            let n = self.head.len().min(buf.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            self.head.drain(..n);
            n
        };
        if n == 0 && !buf.is_empty() {
            self.ended = true;
            self.quotes.end();
        }
        self.quotes.feed_all(&buf[..n]);
        for (i, &b) in buf[..n].iter().enumerate() {
            if matches!(b, b'\r' | b'\n') {
                self.lines.saw(self.offset + i as u64, b);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Line numbers from byte offsets. The csv crate's own line count lags by
/// one after a CRLF (it ends a record at the `\r` and counts the `\n` as
/// part of the next one), so lines are counted here, forward only, from
/// the line breaks the reader has seen but not yet counted.
#[derive(Default)]
struct LineCounter {
    /// Offsets and bytes of `\r` and `\n` not yet counted.
    breaks: std::collections::VecDeque<(u64, u8)>,
    /// Everything before this offset is counted.
    offset: u64,
    /// Lines ended before `offset`, plus one.
    line: u64,
}

impl LineCounter {
    fn saw(&mut self, offset: u64, byte: u8) {
        self.breaks.push_back((offset, byte));
    }

    /// The 1-based line of the first character at or after `offset` that
    /// is not a line break: where a record starting at `offset` begins.
    fn line_at(&mut self, offset: u64) -> u64 {
        self.line = self.line.max(1);
        if offset < self.offset {
            return self.line;
        }
        let mut start = offset;
        let mut k = 0;
        // Breaks before the record, and those right at its start.
        while let Some(&(at, _)) = self.breaks.get(k) {
            if at < start {
                k += 1;
            } else if at == start {
                start += 1;
                k += 1;
            } else {
                break;
            }
        }
        for j in 0..k {
            let (at, byte) = self.breaks[j];
            let ends = match byte {
                b'\n' => true,
                _ => self.breaks.get(j + 1) != Some(&(at + 1, b'\n')),
            };
            if ends {
                self.line += 1;
            }
        }
        self.breaks.drain(..k);
        self.offset = start;
        self.line
    }
}

/// Whether `bytes[i]` ends a line: `\n`, or a `\r` not followed by `\n`
/// (the csv crate ends records at a lone `\r` too, so such files number
/// their lines by it).
#[cfg(test)]
fn ends_line(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => true,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// The line on which a quoted field opens and is never closed.
#[cfg(test)]
fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let mut scan = QuoteScan::default();
    for &b in bytes {
        scan.feed(b);
    }
    scan.end();
    scan.unclosed()
}

/// Reads quotes the way the csv crate does (RFC 4180: a quote opens a
/// field only at its start, `""` inside quotes is a literal quote), a byte
/// at a time, to find a quoted field that is never closed.
#[derive(Default)]
struct QuoteScan {
    state: QuoteState,
    /// Lines ended so far (a `\r` waits for the next byte: `\r\n` is one).
    line: u64,
    after_cr: bool,
    opened: u64,
}

#[derive(Default, PartialEq)]
enum QuoteState {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl QuoteScan {
    fn feed(&mut self, b: u8) {
        use QuoteState::*;
        if self.after_cr {
            self.after_cr = false;
            if b != b'\n' {
                self.line += 1;
            }
        }
        let ends_field = matches!(b, b',' | b'\n' | b'\r');
        self.state = match self.state {
            FieldStart if b == b'"' => {
                self.opened = self.line + 1;
                Quoted
            }
            FieldStart | Unquoted if ends_field => FieldStart,
            FieldStart | Unquoted => Unquoted,
            Quoted if b == b'"' => QuoteInQuoted,
            Quoted => Quoted,
            QuoteInQuoted if b == b'"' => Quoted,
            QuoteInQuoted if ends_field => FieldStart,
            QuoteInQuoted => Unquoted,
        };
        match b {
            b'\n' => self.line += 1,
            b'\r' => self.after_cr = true,
            _ => {}
        }
    }

    /// [`QuoteScan::feed`] for each byte, skipping the runs of bytes that
    /// change nothing (inside a field, up to the next comma, quote or line
    /// break).
    fn feed_all(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if !self.after_cr {
                let rest = &bytes[i..];
                let skip = match self.state {
                    QuoteState::Unquoted => {
                        rest.iter().position(|&b| matches!(b, b',' | b'\n' | b'\r'))
                    }
                    QuoteState::Quoted => {
                        rest.iter().position(|&b| matches!(b, b'"' | b'\n' | b'\r'))
                    }
                    _ => Some(0),
                };
                i += skip.unwrap_or(rest.len());
                if i == bytes.len() {
                    break;
                }
            }
            self.feed(bytes[i]);
            i += 1;
        }
    }

    fn end(&mut self) {
        if self.after_cr {
            self.after_cr = false;
            self.line += 1;
        }
    }

    fn unclosed(&self) -> Option<u64> {
        (self.state == QuoteState::Quoted).then_some(self.opened)
    }
}

fn csv_error(line: u64, e: &::csv::Error) -> LineError {
    LineError {
        line,
        message: format!("unreadable CSV: {e}"),
    }
}

fn parse_row(line: u64, columns: &[&str], record: &::csv::ByteRecord) -> Result<CsvRow, String> {
    let get = |name: &str| -> Result<Option<String>, String> {
        let Some(i) = columns.iter().position(|c| *c == name) else {
            return Ok(None);
        };
        let field = record.get(i).unwrap_or_default();
        let text = std::str::from_utf8(field).map_err(|e| {
            format!(
                "column `{name}` is not valid UTF-8 (byte {})",
                e.valid_up_to() + 1
            )
        })?;
        let text = text.trim();
        Ok(if text.is_empty() {
            None
        } else {
            Some(text.to_string())
        })
    };
    // Free text as `export --format csv` writes it: the leading `'` that
    // [`escape_text`] added is removed again, so an export re-imports to
    // the same entries.
    let free_text = |name: &str| -> Result<Option<String>, String> {
        Ok(get(name)?.map(|text| match text.strip_prefix('\'') {
            Some(rest) if rest.starts_with(ESCAPED_LEADS) => rest.to_string(),
            _ => text,
        }))
    };
    let target_id = get("target_id")?.ok_or("target_id is empty")?;
    let raw_value = get("value")?.ok_or("value is empty")?;
    let mut value = parse_value(&raw_value).map_err(|e| e.to_string())?;
    if let Some(q) = get("qualifier")? {
        let qualifier: Qualifier = q.parse().map_err(|e: String| format!("qualifier: {e}"))?;
        if value.quantity.qualifier != Qualifier::Exact && value.quantity.qualifier != qualifier {
            return Err(format!(
                "value `{raw_value}` has its own qualifier, which differs from qualifier `{q}`"
            ));
        }
        value.quantity = Quantity {
            value: value.quantity.value,
            qualifier,
        };
    }
    let period = match (get("period")?, get("date")?) {
        (Some(_), Some(_)) => return Err("give period or date, not both".into()),
        (Some(p), None) => parse_period(&p).map_err(|e| e.to_string())?,
        (None, Some(d)) => {
            let day = parse_date(&d).map_err(|e| e.to_string())?;
            Period {
                start: day,
                end: day,
            }
        }
        (None, None) => return Err("period (or date) is empty".into()),
    };
    let source = text::SOURCE
        .named("source")
        .check(&free_text("source")?.unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let url = text::URL
        .named("url")
        .check_url_opt(free_text("url")?.as_deref())
        .map_err(|e| e.to_string())?;
    // A line break inside a quoted note of a CRLF file is CRLF too.
    let note = text::NOTE
        .named("note")
        .check_opt(
            free_text("note")?
                .map(|n| n.replace("\r\n", "\n"))
                .as_deref(),
        )
        .map_err(|e| e.to_string())?;
    let recorded_by = text::BY
        .named("recorded_by")
        .check_opt(free_text("recorded_by")?.as_deref())
        .map_err(|e| e.to_string())?;
    let _ = line;
    Ok(CsvRow {
        line,
        target_id,
        value,
        raw_value,
        period,
        source,
        url,
        note,
        recorded_by,
    })
}

/// First characters after which a leading `'` was added by the writer.
const ESCAPED_LEADS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// Free text for the observation CSV: neutralised against spreadsheet
/// formulas like every CSV output, and reversibly so: text that itself
/// starts with `'` gets one more, so `'=x` is written `''=x` and reads back
/// as `'=x` rather than losing its quote.
fn escape_text(text: &str) -> String {
    if text.starts_with('\'') {
        format!("'{text}")
    } else {
        neutralise(text)
    }
}

/// The current observations of the ledger in the layout `import` reads;
/// free text neutralised against spreadsheet formula injection.
pub fn current_observations_csv(ledger: &Ledger) -> CliResult<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| CliError::runtime(format!("cannot write CSV: {e}"));
    writer.write_record(CSV_COLUMNS).map_err(fail)?;
    let current: std::collections::HashSet<i64> = {
        let mut ids = std::collections::HashSet::new();
        ledger.for_each_target(None, |_, observations| {
            ids.extend(observations.iter().map(|o| o.id));
            Ok(())
        })?;
        ids
    };
    for e in ledger.entries(None)? {
        let (Some(q), Some(p)) = (e.quantity, e.period) else {
            continue;
        };
        if !current.contains(&e.id) {
            continue;
        }
        writer
            .write_record([
                escape_text(&e.target_id),
                format_plain(q.value),
                q.qualifier.as_str().to_string(),
                format_period(&p),
                String::new(),
                escape_text(&e.source),
                e.url.as_deref().map(escape_text).unwrap_or_default(),
                e.note.as_deref().map(escape_text).unwrap_or_default(),
                escape_text(&e.recorded_by),
            ])
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| CliError::runtime(format!("cannot write CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(result: Result<Vec<CsvRow>, Vec<LineError>>) -> Vec<u64> {
        result.unwrap_err().into_iter().map(|e| e.line).collect()
    }

    #[test]
    fn reads_bom_crlf_and_quoted_fields() {
        let text = "\u{feff}target_id,value,period,source,note\r\n\
                    equipment-renewal,\">800bn\",2024,\"Report, p. 3\",\"two\nlines\"\r\n";
        let rows = parse_observation_csv(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].source, "Report, p. 3");
        assert_eq!(rows[0].note.as_deref(), Some("two\nlines"));
        assert_eq!(rows[0].value.quantity.qualifier, Qualifier::MoreThan);
    }

    #[test]
    fn reports_every_bad_row_with_its_line() {
        let text = "target_id,value,period,source\n\
                    a,1,2024,s\n\
                    a,NaN,2024,s\n\
                    a,1,2024-Q5,s\n\
                    a,1,2024\n\
                    a,1,2024,s\n";
        assert_eq!(lines(parse_observation_csv(text.as_bytes())), vec![3, 4, 5]);
    }

    #[test]
    fn refuses_unknown_and_missing_columns() {
        assert!(parse_observation_csv(b"target_id,value,when,source\n").is_err());
        assert!(parse_observation_csv(b"target_id,value,source\n").is_err());
        assert!(parse_observation_csv(b"").is_err());
    }

    #[test]
    fn refuses_invalid_utf8_with_line() {
        let mut bytes = b"target_id,value,period,source\na,1,2024,ok\na,1,2024,".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
        assert_eq!(lines(parse_observation_csv(&bytes)), vec![3]);
    }

    #[test]
    fn unbalanced_quote_is_reported() {
        let text = "target_id,value,period,source\na,1,2024,\"open\na,2,2025,s\n";
        assert!(parse_observation_csv(text.as_bytes()).is_err());
    }

    #[test]
    fn an_unclosed_quote_is_named_even_where_the_columns_would_fit() {
        // The open quote would swallow line 4 into the note of line 3.
        let text = "target_id,value,period,source,note\n\
                    a,1,2024,s,\n\
                    a,1,2024,s,\"open\n\
                    a,2,2025,s,x\n";
        let errors = parse_observation_csv(text.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("unbalanced quote"));
        assert_eq!(unclosed_quote(b"a,\"b\"\"c\",d\n"), None);
        assert_eq!(
            unclosed_quote(b"a,b\"c,d\n"),
            None,
            "a quote inside a field is literal"
        );
        assert_eq!(unclosed_quote(b"x\n\"a\"\"\n"), Some(2));
        assert_eq!(unclosed_quote(b"\"a\nb\",\"c"), Some(2));
    }

    #[test]
    fn crlf_files_report_the_right_lines() {
        let text = "target_id,value,period,source,note\r\n\
                    a,1,2024,s,\"two\r\nlines\"\r\n\
                    \r\n\
                    a,x,2024,s,\r\n";
        let errors = parse_observation_csv(text.as_bytes()).unwrap_err();
        assert_eq!(lines(Err(errors)), vec![5]);
        let rows = parse_observation_csv(text.replace("a,x", "a,2").as_bytes()).unwrap();
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].note.as_deref(), Some("two\nlines"));
        assert_eq!(rows[1].line, 5);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        // Found by the csv_import fuzz target: a data row after a header
        // ended by a lone CR was reported as line 1.
        let text = "target_id,value,period,source\ra,1,2024,s\r\na,x,2024,s\ra,\"open";
        let errors = parse_observation_csv(text.as_bytes()).unwrap_err();
        assert_eq!(lines(Err(errors)), vec![3, 4]);
        let rows = parse_observation_csv(b"target_id,value,period,source\ra,1,2024,s\r").unwrap();
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn text_neutralised_by_the_csv_export_reads_back() {
        let text = "target_id,value,period,source,note\n\
                    a,1,2024,'-SASAC,'=SUM(1)\n\
                    a,1,2024,'plain,'\n";
        let rows = parse_observation_csv(text.as_bytes()).unwrap();
        assert_eq!(rows[0].source, "-SASAC");
        assert_eq!(rows[0].note.as_deref(), Some("=SUM(1)"));
        assert_eq!(rows[1].source, "'plain");
        assert_eq!(rows[1].note.as_deref(), Some("'"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Bytes that look like CSV often enough to reach the row parser.
        fn csvish() -> impl Strategy<Value = Vec<u8>> {
            let piece = prop_oneof![
                Just(b",".to_vec()),
                Just(b"\"".to_vec()),
                Just(b"\n".to_vec()),
                Just(b"\r\n".to_vec()),
                Just(b"\r".to_vec()),
                Just(b"\xEF\xBB\xBF".to_vec()),
                Just(b"target_id,value,period,source,note\n".to_vec()),
                Just(b"equipment-renewal,>800bn,2024-Q3,s,".to_vec()),
                Just("超11万亿".as_bytes().to_vec()),
                Just(b"'=".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..8),
                "[ -~]{0,12}".prop_map(String::into_bytes),
            ];
            proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn never_panics_and_lines_are_in_range(bytes in csvish()) {
                let total = (0..bytes.len()).filter(|&i| ends_line(&bytes, i)).count() as u64 + 1;
                match parse_observation_csv(&bytes) {
                    Ok(rows) => {
                        for row in rows {
                            prop_assert!(row.line >= 2 && row.line <= total);
                            prop_assert!(!row.source.is_empty());
                        }
                    }
                    Err(errors) => {
                        prop_assert!(!errors.is_empty());
                        for e in errors {
                            prop_assert!(e.line >= 1 && e.line <= total, "{e:?}");
                            prop_assert!(!e.message.is_empty());
                        }
                    }
                }
            }

            #[test]
            fn skipping_runs_reads_quotes_as_byte_by_byte(bytes in csvish(), cut in 0usize..64) {
                let mut whole = QuoteScan::default();
                let cut = cut.min(bytes.len());
                whole.feed_all(&bytes[..cut]);
                whole.feed_all(&bytes[cut..]);
                whole.end();
                prop_assert_eq!(whole.unclosed(), unclosed_quote(&bytes));
                prop_assert_eq!(whole.line, {
                    let mut one = QuoteScan::default();
                    bytes.iter().for_each(|&b| one.feed(b));
                    one.end();
                    one.line
                });
            }

            #[test]
            fn never_panics_on_raw_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
                let _ = parse_observation_csv(&bytes);
            }
        }
    }
}
