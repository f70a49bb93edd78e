//! Which figures a verdict rests on: the known ones in a fixed order, the
//! base chosen from the pledge, and the figure covering a deadline. One
//! place for these choices, so every kind of target makes them alike.

use super::{BaseRule, Finding};
use crate::model::{Observation, TargetDef};
use chrono::NaiveDate;
use std::cmp::Ordering;

/// Total order of observations: period end, id, then the rest only to make
/// the order total for inputs with duplicate ids.
pub(super) fn by_end(a: &Observation, b: &Observation) -> Ordering {
    (
        a.period.end,
        a.id,
        a.period.start,
        a.quantity.value,
        a.quantity.qualifier,
    )
        .cmp(&(
            b.period.end,
            b.id,
            b.period.start,
            b.quantity.value,
            b.quantity.qualifier,
        ))
}

/// Period start first: the order a cumulative sweep needs.
pub(super) fn by_start(a: &Observation, b: &Observation) -> Ordering {
    (a.period.start, a.period.end)
        .cmp(&(b.period.start, b.period.end))
        .then_with(|| by_end(a, b))
}

/// The known figures (period end on or before `as_of`), in the fixed order.
pub(super) fn known(observations: &[Observation], as_of: NaiveDate) -> Vec<&Observation> {
    let mut known: Vec<&Observation> = observations
        .iter()
        .filter(|o| o.period.end <= as_of)
        .collect();
    known.sort_unstable_by(|a, b| by_end(a, b));
    known
}

/// The pledge's start: the window start, else the statement date.
pub(super) fn pledge_start(def: &TargetDef) -> NaiveDate {
    def.window_start.unwrap_or(def.provenance.statement_date)
}

/// Index of the base figure in `known` (non-empty, fixed order) and the rule
/// that chose it; `Err` when a configured base period has no figure.
pub(super) fn base(def: &TargetDef, known: &[&Observation]) -> Result<(usize, BaseRule), Finding> {
    if let Some(period) = def.base_period {
        return known
            .iter()
            .rposition(|o| o.period.end == period.end)
            .map(|i| (i, BaseRule::Configured(period)))
            .ok_or(Finding::NoBaseFigure(period));
    }
    let start = pledge_start(def);
    Ok(match known.iter().rposition(|o| o.period.end <= start) {
        Some(i) => (i, BaseRule::OnOrBeforeStart(start)),
        None => (0, BaseRule::FirstAfterStart(start)),
    })
}

/// Index of the figure covering `deadline`: the last in the fixed order whose
/// period contains it.
pub(super) fn covering(known: &[&Observation], deadline: NaiveDate) -> Option<usize> {
    known
        .iter()
        .rposition(|o| o.period.start <= deadline && deadline <= o.period.end)
}
