//! Level and direction-only targets: judged at the deadline once it has
//! passed, otherwise by the trend from the base chosen from the pledge
//! (Open SDG's ratio R with a target value, its growth thresholds without).

use super::calendar::years_between;
use super::qualifiers::{effective_comparator, meets};
use super::{
    Finding, LimitUse, NoTrend, Point, Trend, Verdict, ZeroReplaced, select, status_from_ratio,
    to_f64,
};
use crate::model::{Direction, Kind, Observation, Status, TargetDef};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Direction-only thresholds per year: growth as a fraction (1.5 %, 0.5 %),
/// or for rates the change of the level in the metric's unit (1.5, 0.5 pp).
const GROWTH_HIGH: f64 = 0.015;
const GROWTH_MED: f64 = 0.005;
const RATE_HIGH: f64 = 1.5;
const RATE_MED: f64 = 0.5;
/// Exponent of the natural-limit coefficient (Open SDG).
const LIMIT_EXPONENT: f64 = 4.44;
/// What a zero base or target value is replaced by (Open SDG).
pub(super) const ZERO_REPLACEMENT: f64 = 0.001;

/// A status with what decided it, and the ratio column.
struct Scored {
    status: Status,
    finding: Finding,
    ratio: Option<f64>,
    zero: ZeroReplaced,
}

impl Scored {
    fn none(why: NoTrend) -> Scored {
        Scored {
            status: Status::InsufficientData,
            finding: Finding::NoTrend(why),
            ratio: None,
            zero: ZeroReplaced::default(),
        }
    }
}

pub(super) fn compute(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Verdict {
    let known = select::known(observations, as_of);
    let Some(&last) = known.last() else {
        return Verdict::new(Status::NoData, Finding::NoData { in_window: false });
    };
    let mut v = Verdict::new(Status::InsufficientData, Finding::NoTargetValue);
    v.observations = known.len();
    v.latest = Some(Point::of(last));
    match select::base(def, &known) {
        Err(finding) => v.finding = finding,
        Ok((b, rule)) => {
            v.base = Some(Point::of(known[b]));
            v.base_rule = Some(rule);
            match def.kind {
                Kind::Direction => direction(def, &known, b, &mut v),
                _ => level(def, &known, b, as_of, &mut v),
            }
        }
    }
    v.check_schedule(def, last.period.end, as_of);
    v
}

fn apply(v: &mut Verdict, s: Scored) {
    v.decide(s.status, s.finding);
    v.ratio = s.ratio;
    v.zero_replaced = s.zero;
}

/// Index of the last figure at or after the base dated on or before `end`;
/// the base itself when there is none.
fn last_up_to(known: &[&Observation], b: usize, end: NaiveDate) -> usize {
    known
        .iter()
        .rposition(|o| o.period.end <= end)
        .filter(|&i| i >= b)
        .unwrap_or(b)
}

fn direction(def: &TargetDef, known: &[&Observation], b: usize, v: &mut Verdict) {
    let to = match def.deadline {
        Some(d) => {
            v.later = later(known, d, None);
            last_up_to(known, b, d)
        }
        None => known.len() - 1,
    };
    apply(v, growth(def, known, b, to));
}

fn level(def: &TargetDef, known: &[&Observation], b: usize, as_of: NaiveDate, v: &mut Verdict) {
    let Some(target) = def.target_value else {
        return;
    };
    let last = known.len() - 1;
    let cmp = effective_comparator(def);
    let met = |o: &Observation| meets(&o.quantity, cmp, target);
    match def.deadline {
        Some(d) if d < as_of => at_deadline(def, known, b, d, target, v),
        _ if met(known[last]) => v.decide(Status::Achieved, Finding::Met),
        Some(d) => apply(v, ratio(def, known, b, last, d, target)),
        None => {
            let mut s = growth(def, known, b, last);
            s.finding = Finding::ShortWithoutDeadline(Box::new(s.finding));
            apply(v, s);
        }
    }
}

/// Judged at a passed deadline: the covering figure decides; later figures
/// are named and may show the target reached late.
fn at_deadline(
    def: &TargetDef,
    known: &[&Observation],
    b: usize,
    deadline: NaiveDate,
    target: Decimal,
    v: &mut Verdict,
) {
    let cmp = effective_comparator(def);
    let cover = select::covering(known, deadline);
    v.later = later(known, deadline, cover);
    let reached_late = known
        .iter()
        .enumerate()
        .find(|(i, o)| {
            Some(*i) != cover && o.period.end > deadline && meets(&o.quantity, cmp, target)
        })
        .map(|(_, o)| o.period.end);
    match cover {
        Some(i) => {
            let met = meets(&known[i].quantity, cmp, target);
            v.covering = Some(Point::of(known[i]));
            let status = if met {
                Status::Achieved
            } else {
                Status::Missed
            };
            v.reached_late = reached_late.filter(|_| !met);
            v.decide(status, Finding::AtDeadline { deadline, met });
        }
        None => {
            v.reached_late = reached_late;
            let to = last_up_to(known, b, deadline);
            let so_far = ratio(def, known, b, to, deadline, target);
            v.zero_replaced = so_far.zero;
            let so_far = Box::new(so_far.finding);
            v.decide(Status::AwaitingData, Finding::Awaiting { deadline, so_far });
        }
    }
}

/// Figures dated after `deadline`, except the covering one.
fn later(known: &[&Observation], deadline: NaiveDate, cover: Option<usize>) -> Vec<Point> {
    known
        .iter()
        .enumerate()
        .filter(|(i, o)| Some(*i) != cover && o.period.end > deadline)
        .map(|(_, o)| Point::of(o))
        .collect()
}

fn direction_sign(def: &TargetDef) -> f64 {
    match def.direction {
        Direction::Up => 1.0,
        Direction::Down => -1.0,
    }
}

fn differ_in_sign(a: f64, b: f64) -> bool {
    (a > 0.0 && b < 0.0) || (a < 0.0 && b > 0.0)
}

/// Compound annual growth rate from `x0` to `x1` over `years`.
fn cagr(x0: f64, x1: f64, years: f64) -> f64 {
    (x1 / x0).powf(1.0 / years) - 1.0
}

fn non_zero(x: f64) -> (f64, bool) {
    if x == 0.0 {
        (ZERO_REPLACEMENT, true)
    } else {
        (x, false)
    }
}

/// `None` (and the reason) when the figures from the base to `to` share one
/// date.
fn one_date(known: &[&Observation], b: usize, to: usize) -> Option<NoTrend> {
    (known[b].period.end == known[to].period.end).then(|| NoTrend::OneDate {
        figures: to + 1 - b,
        at: Point::of(known[to]),
    })
}

/// Level with a target value: Open SDG's R from the base to `to`, against
/// the pace the deadline needs (for rates: the change of the level).
fn ratio(
    def: &TargetDef,
    known: &[&Observation],
    b: usize,
    to: usize,
    deadline: NaiveDate,
    target: Decimal,
) -> Scored {
    if let Some(why) = one_date(known, b, to) {
        return Scored::none(why);
    }
    let (from, to) = (Point::of(known[b]), Point::of(known[to]));
    let years_actual = years_between(from.date, to.date);
    let years_required = years_between(from.date, deadline);
    if years_required <= 0.0 {
        return Scored::none(NoTrend::DeadlineNotAfterBase { from, deadline });
    }
    let (x0, xt, tv) = (
        to_f64(from.quantity.value),
        to_f64(to.quantity.value),
        to_f64(target),
    );
    let mut zero = ZeroReplaced::default();
    let (actual, required, sign) = if def.is_rate {
        let actual = (xt - x0) / years_actual;
        (actual, (tv - x0) / years_required, 1.0)
    } else {
        let (x0, base_replaced) = non_zero(x0);
        let (tv, target_replaced) = non_zero(tv);
        zero = ZeroReplaced {
            base: base_replaced,
            target: target_replaced,
        };
        if differ_in_sign(x0, xt) {
            return Scored::none(NoTrend::SignsDiffer { from, to });
        }
        if differ_in_sign(x0, tv) {
            return Scored::none(NoTrend::TargetSign { from });
        }
        let sign = if x0 < 0.0 { -1.0 } else { 1.0 };
        let actual = cagr(x0, xt, years_actual);
        (actual, cagr(x0, tv, years_required), sign)
    };
    let signed = sign * direction_sign(def) * actual;
    let r = if required == 0.0 {
        None
    } else {
        Some(signed / required.abs())
    };
    let status = match r {
        _ if signed.is_nan() => None,
        None if signed > 0.0 => Some(Status::OnTrack),
        None if signed == 0.0 => Some(Status::OffTrack),
        None => Some(Status::MovingAway),
        Some(r) if r.is_nan() => None,
        Some(r) => Some(status_from_ratio(r)),
    };
    let Some(status) = status else {
        return Scored::none(NoTrend::NotANumber);
    };
    let ratio = r.filter(|r| r.is_finite());
    Scored {
        status,
        finding: Finding::Scored(Trend::Ratio {
            from,
            to,
            deadline,
            actual,
            required,
            ratio,
        }),
        ratio,
        zero,
    }
}

/// Natural-limit coefficient on the positive thresholds (Open SDG,
/// `sdg-build` `get_progress_thresholds`).
pub(super) fn limit_coefficient(x0: f64, limit: f64) -> f64 {
    let b = x0.abs();
    let l = limit.abs();
    if b >= 2.0 * l {
        1.0
    } else if b <= l {
        1.0 - (b / l).powf(LIMIT_EXPONENT)
    } else {
        1.0 - ((2.0 * l - b) / l).powf(LIMIT_EXPONENT)
    }
}

/// How the limit bears on a base `x0`: only a limit in the desired direction
/// counts (a maximum when up is good, a minimum when down is good).
fn limit_use(def: &TargetDef, x0: f64) -> LimitUse {
    let Some(limit) = def.limit.map(to_f64) else {
        return LimitUse::None;
    };
    let maximum = x0 <= limit;
    let minimum = x0 >= limit;
    let desired = match def.direction {
        Direction::Up => maximum,
        Direction::Down => minimum,
    };
    if desired {
        LimitUse::Applied {
            maximum,
            coefficient: limit_coefficient(x0, limit),
        }
    } else {
        LimitUse::Ignored { maximum }
    }
}

/// No target value: growth per year from the base to `to`, signed by
/// direction, against 1.5 / 0.5 / 0 (limit-adjusted).
fn growth(def: &TargetDef, known: &[&Observation], b: usize, to: usize) -> Scored {
    if let Some(why) = one_date(known, b, to) {
        return Scored::none(why);
    }
    let (from, to) = (Point::of(known[b]), Point::of(known[to]));
    let years = years_between(from.date, to.date);
    let d = direction_sign(def);
    let (x0, xt) = (to_f64(from.quantity.value), to_f64(to.quantity.value));
    let mut zero = ZeroReplaced::default();
    let (change, scored, high, med) = if def.is_rate {
        let change = (xt - x0) / years;
        (change, d * change, RATE_HIGH, RATE_MED)
    } else {
        let (x0z, replaced) = non_zero(x0);
        zero.base = replaced;
        if differ_in_sign(x0z, xt) {
            return Scored::none(NoTrend::SignsDiffer { from, to });
        }
        let sign = if x0z < 0.0 { -1.0 } else { 1.0 };
        let g = cagr(x0z, xt, years);
        (g, sign * d * g, GROWTH_HIGH, GROWTH_MED)
    };
    let limit = limit_use(def, x0);
    let c = match limit {
        LimitUse::Applied { coefficient, .. } => coefficient,
        _ => 1.0,
    };
    let (high, med) = (high * c, med * c);
    let status = if scored.is_nan() || high.is_nan() {
        return Scored::none(NoTrend::NotANumber);
    } else if scored >= high {
        Status::OnTrack
    } else if scored >= med {
        Status::AtRisk
    } else if scored >= 0.0 {
        Status::OffTrack
    } else {
        Status::MovingAway
    };
    Scored {
        status,
        finding: Finding::Scored(Trend::Growth {
            from,
            to,
            change,
            scored,
            high,
            med,
            limit,
        }),
        ratio: None,
        zero,
    }
}
