//! The rules between entries of the trail: which entries are current,
//! which new observation the trail already holds (a duplicate), and when
//! two amounts of a cumulative target overlap (would count some days
//! twice). One definition for `record`, `correct`, the CSV import (against
//! the ledger and against the file's earlier rows) and `check`, whatever
//! the backend: storage only fetches the candidate entries (it may narrow
//! them with a query first, for speed) and these functions decide.

use super::RuleError;
use crate::model::{Action, Entry, Kind, Period, Quantity};

/// An entry of the trail as these rules compare it: what storage fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailEntry<'a> {
    pub id: i64,
    pub action: Action,
    /// None for a retraction.
    pub quantity: Option<Quantity>,
    /// None for a retraction.
    pub period: Option<Period>,
    pub source: &'a str,
    /// Whether a later entry corrects or retracts it.
    pub superseded: bool,
}

/// What makes an observation the same as another (its target is implied:
/// candidates are always one target's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sameness<'a> {
    pub quantity: Quantity,
    pub period: Period,
    pub source: &'a str,
}

/// An entry is current when it carries a value (not a retraction) and
/// nothing supersedes it: what reports count.
pub fn is_current(action: Action, superseded: bool) -> bool {
    action != Action::Retract && !superseded
}

/// Whether `earlier` already records `new`: a record or correction,
/// current or not, with the same period, value (as a number: `1.50` is
/// `1.5`), qualifier and source. Importing it again would add nothing.
pub fn is_duplicate(new: &Sameness<'_>, earlier: &TrailEntry<'_>) -> bool {
    earlier.action != Action::Retract
        && earlier.period == Some(new.period)
        && earlier.quantity == Some(new.quantity)
        && earlier.source == new.source
}

/// What a correction would make the entry say; fields it leaves out
/// keep the corrected entry's.
#[derive(Debug, Clone, Copy)]
pub struct Replacement<'a> {
    pub quantity: Quantity,
    pub period: Option<Period>,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// A correction must change something (value, qualifier, period, source,
/// URL or note): one that repeats the entry only adds noise to the trail.
pub fn check_changes_something(old: &Entry, new: &Replacement<'_>) -> Result<(), RuleError> {
    let same = old.quantity == Some(new.quantity)
        && new.period.is_none_or(|p| old.period == Some(p))
        && new.source.is_none_or(|s| s == old.source)
        && new.url.is_none_or(|u| old.url.as_deref() == Some(u))
        && new.note.is_none_or(|n| old.note.as_deref() == Some(n));
    if same {
        return Err(RuleError::new(
            "value",
            format!(
                "this correction changes nothing: #{} already says the same; give the value, \
                 period, source, URL or note that differs",
                old.id
            ),
        ));
    }
    Ok(())
}

/// Whether amounts for `a` and `b` would count some day twice: each starts
/// on or before the other ends (periods include both ends).
pub fn periods_overlap(a: &Period, b: &Period) -> bool {
    // The same test as `Period::overlaps`, which target files use for the
    // observations a file lists.
    a.overlaps(b)
}

/// Of `entries`, the periods of the current ones other than `excluding`
/// (the entry a correction replaces), by id: the amounts a new one of the
/// same target would be added to.
pub fn current_periods<'e>(
    entries: &'e [TrailEntry<'e>],
    excluding: Option<i64>,
) -> impl Iterator<Item = (i64, Period)> + 'e {
    entries
        .iter()
        .filter(move |e| is_current(e.action, e.superseded) && Some(e.id) != excluding)
        .filter_map(|e| e.period.map(|p| (e.id, p)))
}

/// Of a target's current amounts `current` (each with its id, or for the
/// rows of an import, its line: whatever orders them by recording), the
/// first whose period overlaps `period`: the one a new amount would be
/// counted twice with. Only amounts of a cumulative target add up; for
/// other kinds, never.
pub fn first_overlap<K: Ord + Copy>(
    kind: Kind,
    period: &Period,
    current: impl IntoIterator<Item = (K, Period)>,
) -> Option<(K, Period)> {
    if kind != Kind::Cumulative {
        return None;
    }
    current
        .into_iter()
        .filter(|(_, p)| periods_overlap(p, period))
        .min_by_key(|(k, _)| *k)
}

/// Of one cumulative target's current entries `(id, period)`, how many
/// overlap an entry with a lower id (what `check` reports; 0 in a healthy
/// ledger). Quadratic only within a run of mutually overlapping periods.
pub fn count_overlapping(current: &[(i64, Period)]) -> usize {
    let mut by_start: Vec<&(i64, Period)> = current.iter().collect();
    by_start.sort_by_key(|(id, p)| (p.start, *id));
    let mut count = 0;
    let mut i = 0;
    while i < by_start.len() {
        // A run: periods chained by overlap, in start order. Periods of
        // different runs never overlap.
        let mut end = by_start[i].1.end;
        let mut j = i + 1;
        while j < by_start.len() && by_start[j].1.start <= end {
            end = end.max(by_start[j].1.end);
            j += 1;
        }
        let run = &by_start[i..j];
        if run.len() > 1 {
            count += run
                .iter()
                .filter(|(id, p)| {
                    run.iter()
                        .any(|(other, q)| other < id && periods_overlap(p, q))
                })
                .count();
        }
        i = j;
    }
    count
}

/// An earlier entry as a correction or retraction that names it sees it:
/// its target, whether it is a retraction, and what superseded it so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supersedable<'a> {
    pub id: i64,
    pub target_id: &'a str,
    pub action: Action,
    pub superseded_by: Option<i64>,
}

/// Whether a correction or retraction of `target_id` may supersede
/// `earlier` (None: no earlier entry has that id): an entry of the same
/// target that is current ([`is_current`]). The rule `correct` and
/// `retract` apply, for a trail given whole (a restore).
pub fn check_supersedes(
    target_id: &str,
    supersedes: i64,
    earlier: Option<&Supersedable<'_>>,
) -> Result<(), RuleError> {
    let fail = |message: String| Err(RuleError::new("supersedes", message));
    let Some(old) = earlier else {
        return fail(format!(
            "supersedes #{supersedes}, which the export does not hold before it"
        ));
    };
    if old.target_id != target_id {
        return fail(format!(
            "#{} belongs to `{}`, not `{target_id}`; a correction or retraction \
             belongs to the target of what it replaces",
            old.id, old.target_id
        ));
    }
    if let Some(newer) = old.superseded_by {
        return fail(format!(
            "#{} is already superseded by #{newer}; only the current entry can be replaced",
            old.id
        ));
    }
    if !is_current(old.action, false) {
        return fail(format!(
            "#{} is a retraction; it cannot be corrected or retracted",
            old.id
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Qualifier;
    use rust_decimal::Decimal;

    fn period(start: &str, end: &str) -> Period {
        Period {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    fn quantity(value: &str) -> Quantity {
        Quantity {
            value: value.parse::<Decimal>().unwrap(),
            qualifier: Qualifier::Exact,
        }
    }

    fn entry(id: i64, action: Action, p: Period, superseded: bool) -> TrailEntry<'static> {
        TrailEntry {
            id,
            action,
            quantity: (action != Action::Retract).then(|| quantity("1.5")),
            period: (action != Action::Retract).then_some(p),
            source: "synthetic",
            superseded,
        }
    }

    #[test]
    fn current_is_neither_retracted_nor_superseded() {
        assert!(is_current(Action::Record, false));
        assert!(is_current(Action::Correct, false));
        assert!(!is_current(Action::Record, true));
        assert!(!is_current(Action::Retract, false));
    }

    #[test]
    fn a_duplicate_is_the_same_observation_current_or_not() {
        let p = period("2024-01-01", "2024-03-31");
        let new = Sameness {
            quantity: quantity("1.50"),
            period: p,
            source: "synthetic",
        };
        assert!(is_duplicate(&new, &entry(1, Action::Record, p, false)));
        assert!(is_duplicate(&new, &entry(1, Action::Correct, p, true)));
        assert!(!is_duplicate(&new, &entry(1, Action::Retract, p, false)));
        let other = period("2024-01-01", "2024-03-30");
        assert!(!is_duplicate(&new, &entry(1, Action::Record, other, false)));
        let mut hedged = entry(1, Action::Record, p, false);
        hedged.quantity = Some(Quantity {
            qualifier: Qualifier::About,
            ..quantity("1.5")
        });
        assert!(!is_duplicate(&new, &hedged));
        let elsewhere = TrailEntry {
            source: "other",
            ..entry(1, Action::Record, p, false)
        };
        assert!(!is_duplicate(&new, &elsewhere));
    }

    #[test]
    fn the_first_current_overlap_of_a_cumulative_target() {
        let q1 = period("2024-01-01", "2024-03-31");
        let candidates = [
            entry(1, Action::Record, period("2023-01-01", "2023-12-31"), false),
            entry(2, Action::Record, period("2024-03-31", "2024-04-30"), true),
            entry(
                3,
                Action::Correct,
                period("2024-03-01", "2024-05-31"),
                false,
            ),
            entry(4, Action::Record, period("2024-02-01", "2024-02-29"), false),
        ];
        let first = |excluding| {
            first_overlap(
                Kind::Cumulative,
                &q1,
                current_periods(&candidates, excluding),
            )
        };
        assert_eq!(first(None), Some((3, candidates[2].period.unwrap())));
        assert_eq!(first(Some(3)).map(|(id, _)| id), Some(4));
        let level = first_overlap(Kind::Level, &q1, current_periods(&candidates, None));
        assert_eq!(level, None);
        // Ends touch: a day counted twice.
        assert!(periods_overlap(&q1, &period("2024-03-31", "2024-03-31")));
        assert!(!periods_overlap(&q1, &period("2024-04-01", "2024-04-30")));
    }

    #[test]
    fn check_counts_entries_overlapping_an_earlier_one() {
        let healthy = [
            (1, period("2024-01-01", "2024-01-31")),
            (2, period("2024-02-01", "2024-02-29")),
        ];
        assert_eq!(count_overlapping(&healthy), 0);
        let overlapping = [
            (3, period("2024-01-01", "2024-12-31")),
            (1, period("2024-01-01", "2024-01-31")),
            (2, period("2024-06-01", "2024-06-30")),
            (4, period("2025-01-01", "2025-01-31")),
        ];
        // #3 overlaps #1 and #2, which overlap nothing below them: one
        // entry counted, as `check` counts.
        assert_eq!(count_overlapping(&overlapping), 1);
        let chained = [
            (1, period("2024-01-01", "2024-06-30")),
            (2, period("2024-06-01", "2024-12-31")),
            (3, period("2024-12-01", "2025-01-31")),
        ];
        assert_eq!(count_overlapping(&chained), 2);
    }
}
