//! Where in a target file something is: byte spans to lines and columns,
//! the enclosing table and field for TOML errors, and positioned errors.

use super::*;

/// Where an error is: the enclosing table's description and, for "missing
/// field" errors, the span of that table's header.
pub(super) struct Place<'p> {
    pub(super) context: Option<&'p str>,
    pub(super) header: Range<usize>,
}

impl<'a> Cx<'a> {
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line.saturating_sub(1)];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    pub(super) fn err(
        &self,
        span: &Range<usize>,
        place: &Place<'_>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> TargetFileError {
        TargetFileError {
            file: self.file.to_string(),
            line: self.line_col(span.start).0,
            column: None,
            context: place.context.map(str::to_string),
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// Error about a field that has a value (points at the value).
    pub(super) fn bad(
        &self,
        place: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
        msg: impl Into<String>,
    ) -> TargetFileError {
        self.err(&v.span(), place, Some(name), msg)
    }

    /// Error about a required field that is absent (points at the table header).
    pub(super) fn missing(&self, place: &Place<'_>, name: &str, hint: &str) -> TargetFileError {
        self.err(&place.header, place, Some(name), format!("missing; {hint}"))
    }

    // ----- TOML / serde errors ------------------------------------------

    /// Positions a `toml` error and, by reading the text around it, names the
    /// enclosing table and the field where possible.
    pub(super) fn toml_error(&self, e: &toml::de::Error) -> TargetFileError {
        let span = e.span().unwrap_or(0..0);
        let (line, column) = self.line_col(span.start);
        let section = self.section_at(line);
        let msg = e.message().trim();
        let (field, message) = if let Some(rest) = msg.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or_default().to_string();
            let expected = match section {
                Section::Top => TOP_FIELDS,
                Section::Source => SOURCE_FIELDS,
                Section::Target { .. } => TARGET_FIELDS,
                Section::Observation { .. } => OBSERVATION_FIELDS,
                Section::Other => &[][..],
            };
            let message = if expected.is_empty() {
                format!("unknown field `{name}`")
            } else {
                format!(
                    "unknown field `{name}`; expected one of: {}",
                    expected.join(", ")
                )
            };
            (Some(name), message)
        } else {
            let field = self.key_of_line(line);
            let mut message = msg.to_string();
            if field.as_deref().is_some_and(|f| DATE_FIELDS.contains(&f)) {
                message.push_str(" (a date is written YYYY-MM-DD, e.g. 2024-07-26)");
            }
            (field, message)
        };
        TargetFileError {
            file: self.file.to_string(),
            line,
            column: Some(column),
            context: self.describe_section(&section),
            field,
            message,
        }
    }

    /// Which table line `line` (1-based) belongs to, judged from the table
    /// headers above it. Only used to describe TOML errors, where no parsed
    /// structure is available.
    pub(super) fn section_at(&self, line: usize) -> Section {
        let mut section = Section::Top;
        let mut targets = 0usize;
        let mut observations = 0usize;
        for (i, l) in self.text.lines().enumerate().take(line) {
            let Some(name) = header_name(l) else { continue };
            section = match name.as_str() {
                "source" => Section::Source,
                "target" => {
                    targets += 1;
                    observations = 0;
                    Section::Target {
                        index: targets,
                        header_line: i + 1,
                    }
                }
                "target.observation" if targets > 0 => {
                    observations += 1;
                    Section::Observation {
                        target: targets,
                        target_header_line: match section {
                            Section::Target { header_line, .. } => header_line,
                            Section::Observation {
                                target_header_line, ..
                            } => target_header_line,
                            _ => i + 1,
                        },
                        index: observations,
                    }
                }
                _ => Section::Other,
            };
        }
        section
    }

    pub(super) fn describe_section(&self, section: &Section) -> Option<String> {
        match *section {
            Section::Top => None,
            Section::Source => Some("[source]".to_string()),
            Section::Target { index, header_line } => {
                Some(self.describe_target_at(index, header_line))
            }
            Section::Observation {
                target,
                target_header_line,
                index,
            } => Some(format!(
                "{}, observation #{index}",
                self.describe_target_at(target, target_header_line)
            )),
            Section::Other => None,
        }
    }

    /// "target `id`" if the block under the header at `header_line` has a
    /// plain `id = "..."` line with a valid id, else "target #index".
    pub(super) fn describe_target_at(&self, index: usize, header_line: usize) -> String {
        for l in self.text.lines().skip(header_line) {
            if header_name(l).is_some() {
                break;
            }
            if let Some((key, rest)) = l.split_once('=')
                && key.trim() == "id"
            {
                let v = rest.trim();
                let id = v
                    .strip_prefix('"')
                    .and_then(|s| s.split('"').next())
                    .or_else(|| v.strip_prefix('\'').and_then(|s| s.split('\'').next()));
                if let Some(id) = id
                    && check_id(id).is_ok()
                {
                    return format!("target `{id}`");
                }
                break;
            }
        }
        format!("target #{index}")
    }

    /// The bare key of a `key = value` line, if line `line` is one.
    pub(super) fn key_of_line(&self, line: usize) -> Option<String> {
        let l = self.text.lines().nth(line.checked_sub(1)?)?;
        let (key, _) = l.split_once('=')?;
        let key = key.trim().trim_matches('"');
        let ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| key.to_string())
    }
}

/// A table header's dotted name (`[[ target . observation ]]` →
/// `target.observation`), if `line` is a header.
pub(super) fn header_name(line: &str) -> Option<String> {
    let l = line.trim_start();
    if !l.starts_with('[') {
        return None;
    }
    let l = l.split('#').next().unwrap_or_default().trim();
    let inner = l
        .strip_prefix("[[")
        .and_then(|s| s.strip_suffix("]]"))
        .or_else(|| l.strip_prefix('[').and_then(|s| s.strip_suffix(']')))?;
    Some(
        inner
            .split('.')
            .map(|part| part.trim().trim_matches('"'))
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Section {
    Top,
    Source,
    Target {
        index: usize,
        header_line: usize,
    },
    Observation {
        target: usize,
        target_header_line: usize,
        index: usize,
    },
    Other,
}

pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string \"{}\"", s.escape_debug()),
        Value::Integer(i) => format!("integer {i}"),
        Value::Float(f) => format!("float {f}"),
        Value::Boolean(b) => format!("boolean {b}"),
        Value::Datetime(d) => format!("date-time {d}"),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}
