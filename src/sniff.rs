//! Which of tracker's input files a file looks like, from its first bytes,
//! so that giving one to the command meant for another gets "this is a
//! target file: use `tracker target import`" instead of a parser's error
//! about a column named `format = 1`.

/// The input files tracker reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Target definitions (TOML), for `tracker target import`.
    TargetFile,
    /// Observations (CSV with a `target_id` column), for `tracker import`.
    ObservationCsv,
    /// A ledger export (JSON), for `tracker import`.
    ExportJson,
}

impl InputKind {
    /// What the file is, and the command that reads it.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            InputKind::TargetFile => ("a target file (TOML)", "tracker target import"),
            InputKind::ObservationCsv => ("a CSV file of observations", "tracker import"),
            InputKind::ExportJson => ("a ledger export (JSON)", "tracker import"),
        }
    }
}

/// The kind `bytes` clearly are, or `None` when unsure (the caller's own
/// parser then reports what it finds).
pub fn sniff(bytes: &[u8]) -> Option<InputKind> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') {
        return Some(InputKind::ExportJson);
    }
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let first = lines.next()?;
    let is_toml_line = |line: &str| {
        line.starts_with("[[target")
            || line.starts_with("[target")
            || line.replace(' ', "").starts_with("format=")
    };
    if is_toml_line(first) || text.lines().any(|l| l.trim().starts_with("[[target")) {
        return Some(InputKind::TargetFile);
    }
    if first
        .split(',')
        .any(|cell| cell.trim().trim_matches('"') == "target_id")
    {
        return Some(InputKind::ObservationCsv);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_three_inputs_apart() {
        let toml = b"# synthetic\nformat = 1\n\n[[target]]\nid = \"x\"\n";
        assert_eq!(sniff(toml), Some(InputKind::TargetFile));
        let csv = b"target_id,value,period,source\nx,1,2024,s\n";
        assert_eq!(sniff(csv), Some(InputKind::ObservationCsv));
        let quoted = b"\"value\",\"target_id\"\n";
        assert_eq!(sniff(quoted), Some(InputKind::ObservationCsv));
        assert_eq!(sniff(b"  {\"kind\": 1}"), Some(InputKind::ExportJson));
        assert_eq!(sniff(b"id,value\n"), None);
        assert_eq!(sniff(b""), None);
    }
}
