//! The ledger JSON document: `export` writes it (definition history and
//! the full trail, with times and authors) and `import` restores it. Both
//! directions live here so the shape is defined once.

use crate::domain::entry::{parse_recorded_at, timestamp};
use crate::model::{Action, Entry, Period, Provenance, Quantity};
use crate::period::parse_date;
use crate::storage::TargetVersion;
use crate::value::format_plain;
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

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportVersion {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub kind: String,
    pub metric: String,
    pub unit: String,
    pub direction: String,
    pub comparator: Option<String>,
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
    pub cadence: String,
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
    pub action: String,
    pub value: Option<String>,
    pub qualifier: Option<String>,
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
            action: e.action.as_str().to_string(),
            value: e.quantity.map(|q| crate::value::format_plain(q.value)),
            qualifier: e.quantity.map(|q| q.qualifier.as_str().to_string()),
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
        let action: Action = self.action.parse()?;
        let quantity = match (&self.value, &self.qualifier) {
            (Some(v), Some(q)) => Some(Quantity {
                value: v
                    .parse()
                    .map_err(|_| format!("value `{v}` is not a number"))?,
                qualifier: q.parse()?,
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
            action,
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
        kind: d.kind.as_str().into(),
        metric: d.metric.clone(),
        unit: d.unit.clone(),
        direction: d.direction.as_str().into(),
        comparator: d.comparator.map(|c| c.as_str().into()),
        target: d.target_value.map(format_plain),
        window_start: d.window_start.map(|x| x.to_string()),
        deadline: d.deadline.map(|x| x.to_string()),
        base_period: d.base_period.as_ref().map(crate::period::format_period),
        limit: d.limit.map(format_plain),
        rate: d.is_rate,
        cadence: d.cadence.as_str().into(),
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
                n.parse()
                    .map_err(|_| format!("target `{}`: `{n}` is not a number", v.id))
            })
            .transpose()
    };
    let def = crate::model::TargetDef {
        id: v.id.clone(),
        title: v.title.clone(),
        kind: v.kind.parse()?,
        metric: v.metric.clone(),
        unit: v.unit.clone(),
        direction: v.direction.parse()?,
        comparator: v.comparator.as_deref().map(str::parse).transpose()?,
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
        cadence: v.cadence.parse()?,
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
