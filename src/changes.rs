//! What moved between two knowledge times (`tracker changes`): the entries
//! the ledger learned, the targets added or amended, and every status that
//! differs between the two views of the ledger.
//!
//! A nightly job should mail what changed, not the whole table. The ledger
//! already keeps when each entry was recorded, so "what changed" is the
//! difference between the report known at `since` and the report known at
//! `until`, both evaluated at the same `--as-of`: a status moves only
//! because the ledger learned something, never because the clock moved.
//! The statuses come from [`crate::report::build_rows`] (the one status
//! method); this module only compares and describes. Pure: no I/O.

use crate::domain::entry::timestamp;
use crate::model::{Action, Entry, Period, Quantity, Status};
use crate::numfmt::{NumberStyle, human_quantity};
use crate::period::format_period;
use crate::report::{Cell, ReportRow};
use crate::storage::TargetVersion;
use crate::value::format_plain;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// What kind of change a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A target's status differs between `since` and `until`.
    Status,
    /// A target was defined.
    TargetAdded,
    /// A target's definition was amended.
    TargetAmended,
    /// A new observation.
    Recorded,
    /// A correction of an earlier observation.
    Corrected,
    /// A retraction of an earlier observation.
    Retracted,
}

impl ChangeKind {
    /// The CSV/JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Status => "status",
            ChangeKind::TargetAdded => "target-added",
            ChangeKind::TargetAmended => "target-amended",
            ChangeKind::Recorded => "recorded",
            ChangeKind::Corrected => "corrected",
            ChangeKind::Retracted => "retracted",
        }
    }
}

/// The knowledge window and the evaluation date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Exclusive lower bound; `None`: the beginning.
    pub since: Option<DateTime<Utc>>,
    /// Inclusive upper bound.
    pub until: DateTime<Utc>,
    pub as_of: NaiveDate,
}

/// One change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    pub target_id: String,
    /// The observation entry (recorded, corrected, retracted).
    pub observation: Option<i64>,
    /// The entry a correction or retraction replaces.
    pub supersedes: Option<i64>,
    /// The definition version (target-added: 1, target-amended: > 1).
    pub version: Option<i64>,
    pub period: Option<Period>,
    pub quantity: Option<Quantity>,
    /// Status changes: before (None: the target did not exist yet) and after.
    pub status_before: Option<Status>,
    pub status_after: Option<Status>,
    pub recorded_at: Option<DateTime<Utc>>,
    pub recorded_by: Option<String>,
    pub reason: Option<String>,
    /// One line for people: "equipment-renewal: on-track → at-risk (new
    /// figure for 2025: 450 bn CNY)".
    pub summary: String,
}

/// The CSV/JSON columns of `changes`, in order (README, "changes columns").
pub const COLUMNS: [&str; 18] = [
    "change",
    "target_id",
    "observation",
    "supersedes",
    "version",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "status_before",
    "status_after",
    "recorded_at",
    "recorded_by",
    "reason",
    "summary",
    "since",
    "until",
    "as_of",
];

impl Change {
    /// The row's cells, in [`COLUMNS`] order.
    pub fn cells(&self, window: &Window) -> [Cell; 18] {
        let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
        let number = |n: Option<i64>| n.map_or(Cell::Empty, |n| Cell::Number(n.to_string()));
        let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, |d| Cell::Date(d.to_string()));
        let time = |t: Option<DateTime<Utc>>| t.map_or(Cell::Empty, |t| Cell::Date(timestamp(t)));
        [
            Cell::Text(self.kind.as_str().to_string()),
            Cell::Text(self.target_id.clone()),
            number(self.observation),
            number(self.supersedes),
            number(self.version),
            date(self.period.map(|p| p.start)),
            date(self.period.map(|p| p.end)),
            self.quantity
                .map_or(Cell::Empty, |q| Cell::Number(format_plain(q.value))),
            text(
                self.quantity
                    .map(|q| q.qualifier.export_str())
                    .filter(|q| !q.is_empty()),
            ),
            text(self.status_before.map(Status::as_str)),
            text(self.status_after.map(Status::as_str)),
            time(self.recorded_at),
            text(self.recorded_by.as_deref()),
            text(self.reason.as_deref()),
            Cell::Text(self.summary.clone()),
            time(window.since),
            time(Some(window.until)),
            Cell::Date(window.as_of.to_string()),
        ]
    }
}

/// Every change in the window: status changes first (by target id), then
/// target definitions and trail entries in the order they were recorded
/// (at the same instant, definitions before entries).
/// `before` and `after` are the report rows known at `since` and `until`
/// (same as-of); `entries` and `versions` those recorded in the window.
pub fn collect(
    before: &[ReportRow],
    after: &[ReportRow],
    entries: &[Entry],
    versions: &[TargetVersion],
    numbers: NumberStyle,
) -> Vec<Change> {
    let units: BTreeMap<&str, &str> = after
        .iter()
        .map(|r| (r.def.id.as_str(), r.def.unit.as_str()))
        .collect();
    let unit_of = |id: &str| units.get(id).copied().unwrap_or("");
    let mut learned: Vec<Change> = versions.iter().map(version_change).collect();
    learned.extend(
        entries
            .iter()
            .map(|e| entry_change(e, unit_of(&e.target_id), numbers)),
    );
    // In the order the ledger learned it (stable: definitions first).
    learned.sort_by_key(|c| c.recorded_at);
    // What each target learned, in words, for the status lines.
    let mut why: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for change in learned.iter().filter(|c| c.kind != ChangeKind::TargetAdded) {
        why.entry(change.target_id.as_str())
            .or_default()
            .push(detail(&change.summary, &change.target_id));
    }
    let was: BTreeMap<&str, Status> = before
        .iter()
        .map(|r| (r.def.id.as_str(), r.status()))
        .collect();
    let mut changes: Vec<Change> = after
        .iter()
        .filter_map(|row| {
            let id = row.def.id.as_str();
            let (old, new) = (was.get(id).copied(), row.status());
            if old == Some(new) {
                return None;
            }
            let from = old.map_or("new target", Status::as_str);
            let mut summary = format!("{id}: {from} → {new}");
            if let Some(reasons) = why.get(id) {
                summary.push_str(&format!(" ({})", reasons.join("; ")));
            }
            Some(Change {
                kind: ChangeKind::Status,
                target_id: id.to_string(),
                observation: None,
                supersedes: None,
                version: None,
                period: None,
                quantity: None,
                status_before: old,
                status_after: Some(new),
                recorded_at: None,
                recorded_by: None,
                reason: None,
                summary,
            })
        })
        .collect();
    changes.extend(learned);
    changes
}

/// The summary without its "id: " prefix.
fn detail<'a>(summary: &'a str, id: &str) -> &'a str {
    summary
        .strip_prefix(id)
        .and_then(|s| s.strip_prefix(": "))
        .unwrap_or(summary)
}

fn version_change(v: &TargetVersion) -> Change {
    let id = &v.def.id;
    let (kind, summary) = if v.version == 1 {
        (
            ChangeKind::TargetAdded,
            format!("{id}: new target “{}”", v.def.title),
        )
    } else {
        let reason = v.reason.as_deref().unwrap_or("no reason given");
        (
            ChangeKind::TargetAmended,
            format!(
                "{id}: definition amended to version {}, because: {reason}",
                v.version
            ),
        )
    };
    Change {
        kind,
        target_id: id.clone(),
        observation: None,
        supersedes: None,
        version: Some(v.version),
        period: None,
        quantity: None,
        status_before: None,
        status_after: None,
        recorded_at: Some(v.recorded_at),
        recorded_by: Some(v.recorded_by.clone()),
        reason: v.reason.clone(),
        summary,
    }
}

fn entry_change(e: &Entry, unit: &str, numbers: NumberStyle) -> Change {
    let id = &e.target_id;
    let value = e.quantity.map(|q| human_quantity(&q, unit, numbers));
    let period = e.period.map(|p| format_period(&p));
    let (kind, summary) = match (e.action, e.supersedes) {
        (Action::Retract, old) => (
            ChangeKind::Retracted,
            format!(
                "{id}: figure #{} retracted",
                old.map_or_else(|| "?".to_string(), |o| o.to_string())
            ),
        ),
        (Action::Correct, old) => (
            ChangeKind::Corrected,
            format!(
                "{id}: figure #{} for {} corrected to {}",
                old.map_or_else(|| "?".to_string(), |o| o.to_string()),
                period.as_deref().unwrap_or("?"),
                value.as_deref().unwrap_or("?")
            ),
        ),
        (Action::Record, _) => (
            ChangeKind::Recorded,
            format!(
                "{id}: new figure for {}: {}",
                period.as_deref().unwrap_or("?"),
                value.as_deref().unwrap_or("?")
            ),
        ),
    };
    Change {
        kind,
        target_id: id.clone(),
        observation: Some(e.id),
        supersedes: e.supersedes,
        version: None,
        period: e.period,
        quantity: e.quantity,
        status_before: None,
        status_after: None,
        recorded_at: Some(e.recorded_at),
        recorded_by: Some(e.recorded_by.clone()),
        reason: e.reason.clone(),
        summary: match (&e.reason, kind) {
            (Some(reason), ChangeKind::Corrected | ChangeKind::Retracted) => {
                format!("{summary}, because: {reason}")
            }
            _ => summary,
        },
    }
}

/// Targets whose status newly entered one of `statuses` (they had another
/// status at `since`, or did not exist), for `--fail-on`.
pub fn newly_entered<'a>(changes: &'a [Change], statuses: &[Status]) -> Vec<&'a str> {
    changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Status)
        .filter(|c| c.status_after.is_some_and(|s| statuses.contains(&s)))
        .filter(|c| c.status_before.is_none_or(|s| !statuses.contains(&s)))
        .map(|c| c.target_id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Qualifier;
    use crate::render::tests::{date, sample_row};

    fn with_status(id: &str, status: Status) -> ReportRow {
        let mut row = sample_row(id, "t");
        row.assessment.verdict.status = status;
        row
    }

    fn entry(id: i64, action: Action, supersedes: Option<i64>) -> Entry {
        Entry {
            id,
            target_id: "x-1".into(),
            action,
            quantity: (action != Action::Retract).then(|| Quantity {
                value: 450_000_000_000i64.into(),
                qualifier: Qualifier::MoreThan,
            }),
            period: (action != Action::Retract).then(|| Period {
                start: date("2025-01-01"),
                end: date("2025-12-31"),
            }),
            source: "synthetic".into(),
            url: None,
            note: None,
            recorded_by: "tester".into(),
            recorded_at: format!("2025-06-30T12:00:00.{id:03}Z").parse().unwrap(),
            supersedes,
            reason: supersedes.map(|_| "synthetic reason".to_string()),
        }
    }

    #[test]
    fn a_status_change_says_why() {
        let before = [
            with_status("x-1", Status::OnTrack),
            with_status("x-2", Status::NoData),
        ];
        let after = [
            with_status("x-1", Status::AtRisk),
            with_status("x-2", Status::NoData),
        ];
        let changes = collect(
            &before,
            &after,
            &[entry(12, Action::Record, None)],
            &[],
            NumberStyle::Western,
        );
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert_eq!(changes[0].kind, ChangeKind::Status);
        assert_eq!(
            changes[0].summary,
            "x-1: on-track → at-risk (new figure for 2025: >450 bn CNY)"
        );
        assert_eq!(changes[1].kind, ChangeKind::Recorded);
        assert_eq!(changes[1].observation, Some(12));
    }

    #[test]
    fn corrections_retractions_and_new_targets() {
        let after = [with_status("x-1", Status::OffTrack)];
        let changes = collect(
            &[],
            &after,
            &[
                entry(13, Action::Correct, Some(12)),
                entry(14, Action::Retract, Some(13)),
            ],
            &[],
            NumberStyle::Western,
        );
        let kinds: Vec<_> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::Status,
                ChangeKind::Corrected,
                ChangeKind::Retracted
            ]
        );
        assert_eq!(changes[0].status_before, None);
        assert!(
            changes[0]
                .summary
                .starts_with("x-1: new target → off-track (")
        );
        assert_eq!(
            changes[1].summary,
            "x-1: figure #12 for 2025 corrected to >450 bn CNY, because: synthetic reason"
        );
        assert_eq!(
            changes[2].summary,
            "x-1: figure #13 retracted, because: synthetic reason"
        );
        assert_eq!(changes[2].supersedes, Some(13));
    }

    #[test]
    fn fail_on_needs_a_new_entry_into_the_status() {
        let before = [
            with_status("a", Status::OffTrack),
            with_status("b", Status::OnTrack),
        ];
        let after = [
            with_status("a", Status::Missed),
            with_status("b", Status::OffTrack),
            with_status("c", Status::OffTrack),
        ];
        let changes = collect(&before, &after, &[], &[], NumberStyle::Western);
        let alarms = [Status::OffTrack, Status::Missed];
        // a moved between two alarm statuses: not newly entered.
        assert_eq!(newly_entered(&changes, &alarms), ["b", "c"]);
        assert!(newly_entered(&changes, &[Status::Achieved]).is_empty());
    }

    #[test]
    fn cells_follow_the_columns() {
        let window = Window {
            since: None,
            until: "2025-06-30T12:00:00Z".parse().unwrap(),
            as_of: date("2025-06-30"),
        };
        let changes = collect(
            &[],
            &[with_status("x-1", Status::OnTrack)],
            &[entry(12, Action::Record, None)],
            &[],
            NumberStyle::Western,
        );
        let cells = changes[1].cells(&window);
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[0], Cell::Text("recorded".into()));
        assert_eq!(cells[2], Cell::Number("12".into()));
        assert_eq!(cells[7], Cell::Number("450000000000".into()));
        assert_eq!(cells[8], Cell::Text("more-than".into()));
        assert_eq!(cells[15], Cell::Empty);
        assert_eq!(cells[17], Cell::Date("2025-06-30".into()));
    }
}
