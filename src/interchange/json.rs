//! The ledger JSON document: `export` writes it (definition history and
//! the full trail, with times and authors) and `import` restores it. Both
//! directions live here so the shape is defined once.
//!
//! The document's two record types are the one serde shape of a definition
//! version and of a trail entry. They are not derived on the model types
//! because the format cannot be: `version` is the second key of a
//! definition, a quantity and a period are two flat keys each, numbers are
//! exact decimal strings, and unknown keys are refused (which serde cannot
//! combine with flattening). Their fields are the model's own types where
//! the model has one spelling (every enum serialises as its `as_str`); the
//! rest is text read back by the ledger's own parsers (dates, decimals,
//! times), so an error names the entry or target it is in.

use crate::domain::entry::{parse_recorded_at, timestamp};
use crate::model::{
    Action, Cadence, Comparator, Direction, Entry, Kind, Period, Provenance, Qualifier, Quantity,
};
use crate::period::parse_date;
use crate::storage::TargetVersion;
use crate::value::{format_plain, parse_plain};
use serde::{Deserialize, Serialize};

/// The whole ledger as `tracker export` writes it (format 1).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportDoc {
    /// Always "tracker-ledger".
    pub kind: String,
    pub format: u32,
    pub targets: Vec<ExportVersion>,
    pub entries: Vec<ExportEntry>,
}

pub const EXPORT_KIND: &str = "tracker-ledger";

/// Why a file could not be read as an export, told apart so the message
/// says what the file is: not JSON at all, JSON but not an export, another
/// kind or format of export, or an export with a field this tracker
/// cannot read. Positions are 1-based line and column.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExportReadError {
    #[error("{line}:{column}: not valid JSON: {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not a tracker export: it has no `kind` and `format` fields naming one")]
    NotAnExport,
    #[error("a `{kind}` export of format {format}; this tracker reads `{EXPORT_KIND}` format 1")]
    OtherExport { kind: String, format: u32 },
    #[error("{line}:{column}: {message}")]
    BadField {
        line: usize,
        column: usize,
        message: String,
    },
}

/// Reads a whole export. The header is read first so that a JSON file of
/// another kind is called that, not blamed for its first unknown field.
pub fn parse_export(bytes: &[u8]) -> Result<ExportDoc, ExportReadError> {
    #[derive(Deserialize)]
    struct Header {
        kind: String,
        format: u32,
    }
    let header: Header = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ExportReadError::NotAnExport,
        _ => ExportReadError::NotJson {
            line: e.line(),
            column: e.column(),
            message: without_position(&e),
        },
    })?;
    if header.kind != EXPORT_KIND || header.format != 1 {
        return Err(ExportReadError::OtherExport {
            kind: header.kind,
            format: header.format,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| ExportReadError::BadField {
        line: e.line(),
        column: e.column(),
        message: without_position(&e),
    })
}

/// serde_json's message without the " at line L column C" it appends:
/// the position is given once, in front, like every other file error.
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    message
        .strip_suffix(&suffix)
        .map_or(message.clone(), str::to_string)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportVersion {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub kind: Kind,
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    pub comparator: Option<Comparator>,
    pub target: Option<String>,
    pub window_start: Option<String>,
    pub deadline: Option<String>,
    /// The period trends are measured from, as `2023` or `start..end`;
    /// absent: chosen from the pledge. Absent in exports written before it
    /// existed, so they still import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_period: Option<String>,
    pub limit: Option<String>,
    pub rate: bool,
    pub cadence: Cadence,
    pub quote: String,
    pub speaker: String,
    pub speaker_role: String,
    pub statement_date: String,
    pub source_title: String,
    pub source_url: Option<String>,
    pub interpretation: String,
    pub recorded_at: String,
    pub recorded_by: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportEntry {
    pub id: i64,
    pub target_id: String,
    pub action: Action,
    pub value: Option<String>,
    pub qualifier: Option<Qualifier>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub source: String,
    pub url: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub supersedes: Option<i64>,
    pub reason: Option<String>,
}

impl ExportEntry {
    pub fn from_entry(e: &Entry) -> Self {
        ExportEntry {
            id: e.id,
            target_id: e.target_id.clone(),
            action: e.action,
            value: e.quantity.map(|q| format_plain(q.value)),
            qualifier: e.quantity.map(|q| q.qualifier),
            period_start: e.period.map(|p| p.start.to_string()),
            period_end: e.period.map(|p| p.end.to_string()),
            source: e.source.clone(),
            url: e.url.clone(),
            note: e.note.clone(),
            recorded_by: e.recorded_by.clone(),
            recorded_at: timestamp(e.recorded_at),
            supersedes: e.supersedes,
            reason: e.reason.clone(),
        }
    }

    /// Back to a model entry, checking every field's grammar.
    pub fn to_entry(&self) -> Result<Entry, String> {
        let quantity = match (&self.value, self.qualifier) {
            (Some(v), Some(qualifier)) => Some(Quantity {
                value: parse_plain(v).ok_or_else(|| format!("value `{v}` is not a number"))?,
                qualifier,
            }),
            (None, None) => None,
            _ => return Err("value and qualifier go together".into()),
        };
        let period = match (&self.period_start, &self.period_end) {
            (Some(s), Some(e)) => Some(Period {
                start: parse_date(s).map_err(|e| e.to_string())?,
                end: parse_date(e).map_err(|e| e.to_string())?,
            }),
            (None, None) => None,
            _ => return Err("period_start and period_end go together".into()),
        };
        Ok(Entry {
            id: self.id,
            target_id: self.target_id.clone(),
            action: self.action,
            quantity,
            period,
            source: self.source.clone(),
            url: self.url.clone(),
            note: self.note.clone(),
            recorded_by: self.recorded_by.clone(),
            recorded_at: parse_recorded_at(&self.recorded_at).map_err(|e| e.to_string())?,
            supersedes: self.supersedes,
            reason: self.reason.clone(),
        })
    }
}

pub fn version_to_export(v: &TargetVersion) -> ExportVersion {
    let d = &v.def;
    ExportVersion {
        id: d.id.clone(),
        version: v.version,
        title: d.title.clone(),
        kind: d.kind,
        metric: d.metric.clone(),
        unit: d.unit.clone(),
        direction: d.direction,
        comparator: d.comparator,
        target: d.target_value.map(format_plain),
        window_start: d.window_start.map(|x| x.to_string()),
        deadline: d.deadline.map(|x| x.to_string()),
        base_period: d.base_period.as_ref().map(crate::period::format_period),
        limit: d.limit.map(format_plain),
        rate: d.is_rate,
        cadence: d.cadence,
        quote: d.provenance.quote.clone(),
        speaker: d.provenance.speaker.clone(),
        speaker_role: d.provenance.speaker_role.clone(),
        statement_date: d.provenance.statement_date.to_string(),
        source_title: d.provenance.source_title.clone(),
        source_url: d.provenance.source_url.clone(),
        interpretation: d.interpretation.clone(),
        recorded_at: timestamp(v.recorded_at),
        recorded_by: v.recorded_by.clone(),
        reason: v.reason.clone(),
    }
}

/// The inverse of the export, checking every field's grammar.
pub fn version_from_export(v: &ExportVersion) -> Result<TargetVersion, String> {
    let date =
        |s: &str| crate::period::parse_date(s).map_err(|e| format!("target `{}`: {e}", v.id));
    let opt_date = |s: &Option<String>| s.as_deref().map(date).transpose();
    let number = |s: &Option<String>| {
        s.as_deref()
            .map(|n| {
                parse_plain(n).ok_or_else(|| format!("target `{}`: `{n}` is not a number", v.id))
            })
            .transpose()
    };
    let def = crate::model::TargetDef {
        id: v.id.clone(),
        title: v.title.clone(),
        kind: v.kind,
        metric: v.metric.clone(),
        unit: v.unit.clone(),
        direction: v.direction,
        comparator: v.comparator,
        target_value: number(&v.target)?,
        window_start: opt_date(&v.window_start)?,
        deadline: opt_date(&v.deadline)?,
        base_period: v
            .base_period
            .as_deref()
            .map(|p| crate::period::parse_period(p).map_err(|e| format!("target `{}`: {e}", v.id)))
            .transpose()?,
        limit: number(&v.limit)?,
        is_rate: v.rate,
        cadence: v.cadence,
        provenance: Provenance {
            quote: v.quote.clone(),
            speaker: v.speaker.clone(),
            speaker_role: v.speaker_role.clone(),
            statement_date: date(&v.statement_date)?,
            source_title: v.source_title.clone(),
            source_url: v.source_url.clone(),
        },
        interpretation: v.interpretation.clone(),
    };
    Ok(TargetVersion {
        def,
        version: v.version,
        recorded_at: parse_recorded_at(&v.recorded_at)
            .map_err(|e| format!("target `{}` version {}: {e}", v.id, v.version))?,
        recorded_by: v.recorded_by.clone(),
        reason: v.reason.clone(),
    })
}

#[cfg(test)]
mod tests {
    //! The export document's bytes are a file format other ledgers read:
    //! these SYNTHETIC versions and entries (every optional field both set
    //! and unset) must serialise to exactly the document below, and read
    //! back to themselves.

    use super::*;
    use crate::model::{Cadence, Comparator, Direction, Kind, Qualifier, TargetDef};
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sample() -> (Vec<TargetVersion>, Vec<Entry>) {
        let level = TargetDef {
            id: "syn-share".into(),
            title: "Synthetic share".into(),
            kind: Kind::Level,
            metric: "Synthetic metric".into(),
            unit: "%".into(),
            direction: Direction::Up,
            comparator: Some(Comparator::AtLeast),
            target_value: Some("60.5".parse().unwrap()),
            window_start: Some(day("2024-01-01")),
            deadline: Some(day("2027-12-31")),
            base_period: Some(Period {
                start: day("2023-01-01"),
                end: day("2023-12-31"),
            }),
            limit: Some(100.into()),
            is_rate: false,
            cadence: Cadence::HalfYearly,
            provenance: Provenance {
                quote: "Synthetic \"quote\"\non two lines.".into(),
                speaker: "A. Speaker".into(),
                speaker_role: "Synthetic role".into(),
                statement_date: day("2024-07-26"),
                source_title: "Synthetic briefing".into(),
                source_url: Some("https://example.org/a?b=1&c=2".into()),
            },
            interpretation: "Synthetic test data.".into(),
        };
        let direction = TargetDef {
            id: "syn-growth".into(),
            kind: Kind::Direction,
            direction: Direction::Down,
            comparator: None,
            target_value: None,
            window_start: None,
            deadline: None,
            base_period: None,
            limit: None,
            is_rate: true,
            cadence: Cadence::Yearly,
            provenance: Provenance {
                source_url: None,
                ..level.provenance.clone()
            },
            ..level.clone()
        };
        let at = |s: &str| s.parse().unwrap();
        let versions = vec![
            TargetVersion {
                def: level.clone(),
                version: 1,
                recorded_at: at("2025-01-02T03:04:05.006Z"),
                recorded_by: "tester".into(),
                reason: None,
            },
            TargetVersion {
                def: TargetDef {
                    deadline: Some(day("2028-12-31")),
                    ..level
                },
                version: 2,
                recorded_at: at("2025-02-01T00:00:00Z"),
                recorded_by: "tester".into(),
                reason: Some("synthetic amendment".into()),
            },
            TargetVersion {
                def: direction,
                version: 1,
                recorded_at: at("2025-01-02T03:04:05.006Z"),
                recorded_by: "tester".into(),
                reason: None,
            },
        ];
        let record = Entry {
            id: 1,
            target_id: "syn-share".into(),
            action: Action::Record,
            quantity: Some(Quantity {
                value: "-0.50".parse().unwrap(),
                qualifier: Qualifier::MoreThan,
            }),
            period: Some(Period {
                start: day("2024-01-01"),
                end: day("2024-06-30"),
            }),
            source: "Synthetic source".into(),
            url: Some("https://example.org/figures".into()),
            note: Some("a note".into()),
            recorded_by: "tester".into(),
            recorded_at: at("2025-03-01T10:00:00.123Z"),
            supersedes: None,
            reason: None,
        };
        let correct = Entry {
            id: 2,
            action: Action::Correct,
            quantity: Some(Quantity {
                value: 61.into(),
                qualifier: Qualifier::Exact,
            }),
            url: None,
            note: None,
            recorded_at: at("2025-03-02T10:00:00Z"),
            supersedes: Some(1),
            reason: Some("typo".into()),
            ..record.clone()
        };
        let retract = Entry {
            id: 3,
            action: Action::Retract,
            quantity: None,
            period: None,
            recorded_at: at("2025-03-03T10:00:00Z"),
            supersedes: Some(2),
            reason: Some("withdrawn".into()),
            ..correct.clone()
        };
        (versions, vec![record, correct, retract])
    }

    fn document(versions: &[TargetVersion], entries: &[Entry]) -> String {
        let doc = ExportDoc {
            kind: EXPORT_KIND.to_string(),
            format: 1,
            targets: versions.iter().map(version_to_export).collect(),
            entries: entries.iter().map(ExportEntry::from_entry).collect(),
        };
        serde_json::to_string_pretty(&doc).unwrap()
    }

    #[test]
    fn the_document_is_byte_for_byte_the_format() {
        let (versions, entries) = sample();
        let text = document(&versions, &entries);
        assert_eq!(text, EXPECTED);
    }

    #[test]
    fn the_document_reads_back_to_the_same_ledger() {
        let (versions, entries) = sample();
        let doc: ExportDoc = serde_json::from_str(EXPECTED).unwrap();
        let read_versions: Vec<TargetVersion> = doc
            .targets
            .iter()
            .map(|v| version_from_export(v).unwrap())
            .collect();
        let read_entries: Vec<Entry> = doc.entries.iter().map(|e| e.to_entry().unwrap()).collect();
        assert_eq!(read_entries, entries);
        assert_eq!(document(&read_versions, &read_entries), EXPECTED);
        for (read, original) in read_versions.iter().zip(&versions) {
            assert_eq!(read.def, original.def);
            assert_eq!(read.recorded_at, original.recorded_at);
        }
    }

    const EXPECTED: &str = r#"{
  "kind": "tracker-ledger",
  "format": 1,
  "targets": [
    {
      "id": "syn-share",
      "version": 1,
      "title": "Synthetic share",
      "kind": "level",
      "metric": "Synthetic metric",
      "unit": "%",
      "direction": "up",
      "comparator": ">=",
      "target": "60.5",
      "window_start": "2024-01-01",
      "deadline": "2027-12-31",
      "base_period": "2023",
      "limit": "100",
      "rate": false,
      "cadence": "half-yearly",
      "quote": "Synthetic \"quote\"\non two lines.",
      "speaker": "A. Speaker",
      "speaker_role": "Synthetic role",
      "statement_date": "2024-07-26",
      "source_title": "Synthetic briefing",
      "source_url": "https://example.org/a?b=1&c=2",
      "interpretation": "Synthetic test data.",
      "recorded_at": "2025-01-02T03:04:05.006Z",
      "recorded_by": "tester",
      "reason": null
    },
    {
      "id": "syn-share",
      "version": 2,
      "title": "Synthetic share",
      "kind": "level",
      "metric": "Synthetic metric",
      "unit": "%",
      "direction": "up",
      "comparator": ">=",
      "target": "60.5",
      "window_start": "2024-01-01",
      "deadline": "2028-12-31",
      "base_period": "2023",
      "limit": "100",
      "rate": false,
      "cadence": "half-yearly",
      "quote": "Synthetic \"quote\"\non two lines.",
      "speaker": "A. Speaker",
      "speaker_role": "Synthetic role",
      "statement_date": "2024-07-26",
      "source_title": "Synthetic briefing",
      "source_url": "https://example.org/a?b=1&c=2",
      "interpretation": "Synthetic test data.",
      "recorded_at": "2025-02-01T00:00:00.000Z",
      "recorded_by": "tester",
      "reason": "synthetic amendment"
    },
    {
      "id": "syn-growth",
      "version": 1,
      "title": "Synthetic share",
      "kind": "direction",
      "metric": "Synthetic metric",
      "unit": "%",
      "direction": "down",
      "comparator": null,
      "target": null,
      "window_start": null,
      "deadline": null,
      "limit": null,
      "rate": true,
      "cadence": "yearly",
      "quote": "Synthetic \"quote\"\non two lines.",
      "speaker": "A. Speaker",
      "speaker_role": "Synthetic role",
      "statement_date": "2024-07-26",
      "source_title": "Synthetic briefing",
      "source_url": null,
      "interpretation": "Synthetic test data.",
      "recorded_at": "2025-01-02T03:04:05.006Z",
      "recorded_by": "tester",
      "reason": null
    }
  ],
  "entries": [
    {
      "id": 1,
      "target_id": "syn-share",
      "action": "record",
      "value": "-0.5",
      "qualifier": "more-than",
      "period_start": "2024-01-01",
      "period_end": "2024-06-30",
      "source": "Synthetic source",
      "url": "https://example.org/figures",
      "note": "a note",
      "recorded_by": "tester",
      "recorded_at": "2025-03-01T10:00:00.123Z",
      "supersedes": null,
      "reason": null
    },
    {
      "id": 2,
      "target_id": "syn-share",
      "action": "correct",
      "value": "61",
      "qualifier": "exact",
      "period_start": "2024-01-01",
      "period_end": "2024-06-30",
      "source": "Synthetic source",
      "url": null,
      "note": null,
      "recorded_by": "tester",
      "recorded_at": "2025-03-02T10:00:00.000Z",
      "supersedes": 1,
      "reason": "typo"
    },
    {
      "id": 3,
      "target_id": "syn-share",
      "action": "retract",
      "value": null,
      "qualifier": null,
      "period_start": null,
      "period_end": null,
      "source": "Synthetic source",
      "url": null,
      "note": null,
      "recorded_by": "tester",
      "recorded_at": "2025-03-03T10:00:00.000Z",
      "supersedes": 2,
      "reason": "withdrawn"
    }
  ]
}"#;

    #[test]
    fn a_file_that_cannot_be_restored_is_told_apart_by_what_it_is() {
        let not_json = parse_export(b"{\"kind\": ").unwrap_err();
        assert!(
            matches!(&not_json, ExportReadError::NotJson { line: 1, .. }),
            "{not_json:?}"
        );
        assert!(!not_json.to_string().contains("at line"), "{not_json}");
        for other in [&b"{\"name\": \"x\"}"[..], b"[1, 2]", b"\"text\""] {
            assert_eq!(
                parse_export(other).unwrap_err(),
                ExportReadError::NotAnExport
            );
        }
        assert_eq!(
            parse_export(b"{\"kind\": \"tracker-ledger\", \"format\": 2}").unwrap_err(),
            ExportReadError::OtherExport {
                kind: EXPORT_KIND.to_string(),
                format: 2
            }
        );
        let bad =
            b"{\"kind\": \"tracker-ledger\", \"format\": 1,\n \"targets\": 7, \"entries\": []}";
        let e = parse_export(bad).unwrap_err();
        assert!(
            matches!(&e, ExportReadError::BadField { line: 2, .. }),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "2:13: invalid type: integer `7`, expected a sequence"
        );
    }
}
