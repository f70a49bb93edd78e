//! Cumulative targets: a total over a window, against the linear path (OKR
//! expected progress), judged at the deadline once it has passed.
//!
//! A period must lie inside the window or entirely outside it; a straddling
//! period is refused wherever figures come in, and if one reaches the method
//! anyway it gives no verdict: amounts are never split.

use super::calendar::{add_months, cadence_months, is_part_period};
use super::qualifiers::{QualifierSum, effective_comparator, meets};
use super::{Finding, Point, Trend, Verdict, select, status_from_ratio, to_f64};
use crate::model::{Comparator, Observation, Period, Quantity, Status, TargetDef};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// The sum of the used periods and what the sweep found on the way.
struct Sweep {
    total: Option<Decimal>,
    qualifier: QualifierSum,
    latest_end: NaiveDate,
    overlap: Option<(Period, Period)>,
    gaps: Vec<Period>,
}

pub(super) fn compute(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Verdict {
    let start = select::pledge_start(def);
    let inside = |p: &Period| super::inside_window(def, p);
    let mut known = select::known(observations, as_of);
    if let Some(o) = known
        .iter()
        .find(|o| super::straddles_window(def, &o.period))
    {
        let mut v = Verdict::new(Status::InsufficientData, Finding::Straddles(o.period));
        v.observations = known.iter().filter(|o| inside(&o.period)).count();
        return v;
    }
    known.retain(|o| inside(&o.period));
    if known.is_empty() {
        return Verdict::new(Status::NoData, Finding::NoData { in_window: true });
    }
    known.sort_unstable_by(|a, b| select::by_start(a, b));
    let sweep = sweep(&known, start);
    let mut v = Verdict::new(Status::InsufficientData, Finding::Overflow);
    v.observations = known.len();
    v.gaps = sweep.gaps;
    if !ends_a_whole_step(start, sweep.latest_end, def) {
        v.part_periods = known
            .iter()
            .map(|o| o.period)
            .filter(|p| p.end == sweep.latest_end && is_part_period(p, def.cadence))
            .collect();
    }
    if let Some((a, b)) = sweep.overlap {
        v.finding = Finding::Overlap(a, b);
    } else if let Some(total) = sweep.total {
        let total = Quantity {
            value: total,
            qualifier: sweep.qualifier.result(),
        };
        v.latest = Some(Point {
            quantity: total,
            start,
            date: sweep.latest_end,
        });
        judge(def, &total, start, sweep.latest_end, as_of, &mut v);
    }
    v.check_schedule(def, sweep.latest_end, as_of);
    v
}

/// Whether the day after `end` is a whole number of cadence steps after the
/// window start: then the total ends with a whole year (quarter, ...) and no
/// seasonality skews the linear path.
fn ends_a_whole_step(start: NaiveDate, end: NaiveDate, def: &TargetDef) -> bool {
    let Some(next) = end.succ_opt() else {
        return true;
    };
    let months = (next.year() - start.year()) * 12 + next.month() as i32 - start.month() as i32;
    let step = cadence_months(def.cadence) as i32;
    months > 0
        && months % step == 0
        && u32::try_from(months)
            .ok()
            .and_then(|m| add_months(start, m))
            == Some(next)
}

/// One pass over the periods in start order: overlaps, gaps, total.
fn sweep(used: &[&Observation], start: NaiveDate) -> Sweep {
    let mut s = Sweep {
        total: Some(Decimal::ZERO),
        qualifier: QualifierSum::default(),
        latest_end: start,
        overlap: None,
        gaps: Vec::new(),
    };
    let mut reach: Option<Period> = None;
    let mut next_day = Some(start);
    for o in used {
        if let Some(prev) = reach
            && o.period.start <= prev.end
        {
            s.overlap.get_or_insert((prev, o.period));
        }
        if let Some(next) = next_day
            && o.period.start > next
            && let Some(end) = o.period.start.pred_opt()
        {
            s.gaps.push(Period { start: next, end });
        }
        if reach.is_none_or(|r| o.period.end > r.end) {
            reach = Some(o.period);
            next_day = o.period.end.succ_opt();
        }
        s.total = s.total.and_then(|t| t.checked_add(o.quantity.value));
        s.qualifier.add(o.quantity.qualifier);
    }
    s.latest_end = reach.map_or(start, |r| r.end);
    s
}

/// The order of rules for a total whose sum is known.
fn judge(
    def: &TargetDef,
    total: &Quantity,
    start: NaiveDate,
    latest_end: NaiveDate,
    as_of: NaiveDate,
    v: &mut Verdict,
) {
    let Some(target) = def.target_value else {
        v.decide(Status::InsufficientData, Finding::NoTargetValue);
        return;
    };
    if target <= Decimal::ZERO {
        v.decide(Status::InsufficientData, Finding::NonPositiveTarget);
        return;
    }
    if let Some(deadline) = def.deadline
        && start > deadline
    {
        v.decide(
            Status::InsufficientData,
            Finding::WindowAfterDeadline { start, deadline },
        );
        return;
    }
    let progress = to_f64(total.value) / to_f64(target);
    v.progress_pct = Some(progress * 100.0).filter(|p| p.is_finite());
    let cmp = effective_comparator(def);
    let cap = matches!(cmp, Comparator::AtMost | Comparator::LessThan);
    let met = meets(total, cmp, target);
    let pace = def
        .deadline
        .map(|d| pace(start, d, latest_end, progress, cap));
    if let Some(Trend::Pace {
        expected, ratio, ..
    }) = &pace
    {
        v.expected_pct = Some(expected * 100.0);
        v.ratio = *ratio;
    }
    let opposite = match cmp {
        Comparator::LessThan => Comparator::AtLeast,
        _ => Comparator::MoreThan,
    };
    let Some(pace) = pace else {
        let (status, finding) = if met {
            (Status::Achieved, Finding::Met)
        } else {
            (Status::InsufficientData, Finding::NoPath)
        };
        v.decide(status, finding);
        return;
    };
    let deadline = def.deadline.unwrap_or(latest_end);
    if cap && meets(total, opposite, target) {
        v.decide(Status::Missed, Finding::CapBroken);
    } else if !cap && met {
        v.decide(Status::Achieved, Finding::Met);
    } else if deadline < as_of {
        let covered = v.gaps.is_empty() && latest_end >= deadline;
        if covered {
            let status = if met {
                Status::Achieved
            } else {
                Status::Missed
            };
            v.decide(status, Finding::AtDeadline { deadline, met });
        } else {
            v.ratio = None;
            let so_far = Box::new(Finding::Scored(pace));
            v.decide(Status::AwaitingData, Finding::Awaiting { deadline, so_far });
        }
    } else {
        let status = pace_status(&pace);
        v.decide(status, Finding::Scored(pace));
    }
}

/// The linear path at the end of the latest period (inclusive day counts).
fn pace(
    start: NaiveDate,
    deadline: NaiveDate,
    latest_end: NaiveDate,
    progress: f64,
    cap: bool,
) -> Trend {
    let duration = (deadline - start).num_days() + 1;
    let elapsed = ((latest_end - start).num_days() + 1).clamp(1, duration.max(1));
    let expected = elapsed as f64 / duration as f64;
    let ratio = Some(progress / expected).filter(|r| r.is_finite());
    Trend::Pace {
        progress,
        expected,
        elapsed,
        duration,
        ratio,
        cap,
    }
}

fn pace_status(pace: &Trend) -> Status {
    let Trend::Pace {
        progress,
        expected,
        cap,
        ..
    } = *pace
    else {
        return Status::InsufficientData;
    };
    let ratio = progress / expected;
    if ratio.is_nan() {
        Status::InsufficientData
    } else if !cap {
        status_from_ratio(ratio)
    } else if progress <= 0.0 {
        Status::OnTrack
    } else {
        status_from_ratio(expected / progress)
    }
}
