//! The status method: where a target stands, from its definition, its current
//! observations and an as-of date.
//!
//! This is the executable form of `docs/methodology.md`; the doc is the
//! specification and every worked example in it is a test below. The module
//! is pure (no I/O, no clock), so the same inputs give the same assessment,
//! byte for byte, and it is cheap enough to run over every target of a
//! ledger: one pass over the observations for level and direction targets,
//! one small sort for cumulative ones, and one string for the explanation.

use crate::model::{
    Comparator, Direction, Kind, Observation, Qualifier, Quantity, Status, TargetDef,
};
use crate::numfmt::{self, NumberStyle};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;
use std::fmt::Write;

/// Days a figure may be late beyond its cadence before it is flagged stale:
/// the usual publication lag (annual figures appear in January–March,
/// quarterly ones about a month after the quarter) plus some slack.
pub const STALE_GRACE_DAYS: i64 = 60;

/// Length of the year used to turn day counts into years.
const DAYS_PER_YEAR: f64 = 365.25;
/// Ratio thresholds (cumulative ratio and Open SDG R).
const ON_TRACK_RATIO: f64 = 0.95;
const AT_RISK_RATIO: f64 = 0.60;
/// Direction-only thresholds per year: growth as a fraction (1.5 %, 0.5 %),
/// or for rates the change of the level in the metric's unit (1.5, 0.5 pp).
const GROWTH_HIGH: f64 = 0.015;
const GROWTH_MED: f64 = 0.005;
const RATE_HIGH: f64 = 1.5;
const RATE_MED: f64 = 0.5;
/// Exponent of the natural-limit coefficient (Open SDG).
const LIMIT_EXPONENT: f64 = 4.44;
/// What a zero base or target value is replaced by (Open SDG).
const ZERO_REPLACEMENT: f64 = 0.001;

/// A quantity with the day it refers to (a period end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub quantity: Quantity,
    pub date: NaiveDate,
}

/// The verdict on one target and the numbers behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub status: Status,
    /// Observations used: period end on or before as-of (cumulative: and
    /// within the window).
    pub observations: usize,
    /// Level/direction: the base (earliest) observation. Cumulative: None.
    pub base: Option<Point>,
    /// Level/direction: the latest observation by period end. Cumulative: the
    /// running total, dated at the latest period end, with the combined
    /// qualifier.
    pub latest: Option<Point>,
    /// Cumulative only: 100 · total / target. Not rounded.
    pub progress_pct: Option<f64>,
    /// Cumulative only: 100 · the linear path's share at the latest period end.
    pub expected_pct: Option<f64>,
    /// Cumulative: progress / expected; level: the Open SDG ratio R. Always
    /// finite when present.
    pub ratio: Option<f64>,
    pub stale: bool,
    /// One sentence with the numbers used.
    pub explanation: String,
}

/// Assesses `def` at `as_of` from its current observations (corrections and
/// retractions already applied, `--known-at` already filtered by the caller).
/// Observations may come in any order and may include some dated after
/// `as_of`; those are ignored.
pub fn assess(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Assessment {
    match def.kind {
        Kind::Cumulative => assess_cumulative(def, observations, as_of),
        Kind::Level | Kind::Direction => assess_trend(def, observations, as_of),
    }
}

// ---------------------------------------------------------------------------
// Shared pieces

/// Total order of observations: period end, id, then the rest only to make
/// the order total for inputs with duplicate ids.
fn by_end(a: &Observation, b: &Observation) -> Ordering {
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

fn by_start(a: &Observation, b: &Observation) -> Ordering {
    (
        a.period.start,
        a.period.end,
        a.id,
        a.quantity.value,
        a.quantity.qualifier,
    )
        .cmp(&(
            b.period.start,
            b.period.end,
            b.id,
            b.quantity.value,
            b.quantity.qualifier,
        ))
}

fn is_stale(def: &TargetDef, latest_end: NaiveDate, as_of: NaiveDate) -> bool {
    (as_of - latest_end).num_days() > def.cadence.days() + STALE_GRACE_DAYS
}

fn empty(status: Status, observations: usize, explanation: String) -> Assessment {
    Assessment {
        status,
        observations,
        base: None,
        latest: None,
        progress_pct: None,
        expected_pct: None,
        ratio: None,
        stale: false,
        explanation,
    }
}

fn no_data(as_of: NaiveDate, what: &str) -> Assessment {
    empty(
        Status::NoData,
        0,
        format!("No figure{what} dated on or before {as_of}."),
    )
}

/// The comparator with `=` resolved by direction: "reach X" is at least X
/// when up is good and at most X when down is good. A missing comparator is
/// read as `=`.
fn effective_comparator(def: &TargetDef) -> Comparator {
    match def.comparator.unwrap_or(Comparator::Equal) {
        Comparator::Equal => match def.direction {
            Direction::Up => Comparator::AtLeast,
            Direction::Down => Comparator::AtMost,
        },
        other => other,
    }
}

/// Whether every value the figure allows satisfies `cmp target` (the truth
/// table in docs/methodology.md). `about` is its point value, `nearly v` is
/// v − ε.
pub fn meets(q: &Quantity, cmp: Comparator, target: Decimal) -> bool {
    use Qualifier as Q;
    let v = q.value;
    let t = target;
    match cmp {
        Comparator::MoreThan => match q.qualifier {
            Q::Exact | Q::About | Q::Nearly | Q::AtLeast => v > t,
            Q::MoreThan => v >= t,
            Q::LessThan | Q::AtMost => false,
        },
        Comparator::AtLeast | Comparator::Equal => match q.qualifier {
            Q::Exact | Q::About | Q::AtLeast | Q::MoreThan => v >= t,
            Q::Nearly => v > t,
            Q::LessThan | Q::AtMost => false,
        },
        Comparator::AtMost => match q.qualifier {
            Q::Exact | Q::About | Q::Nearly | Q::LessThan | Q::AtMost => v <= t,
            Q::MoreThan | Q::AtLeast => false,
        },
        Comparator::LessThan => match q.qualifier {
            Q::Exact | Q::About | Q::AtMost => v < t,
            Q::Nearly | Q::LessThan => v <= t,
            Q::MoreThan | Q::AtLeast => false,
        },
    }
}

/// Qualifier of a sum of qualified amounts (docs/methodology.md).
#[derive(Default)]
struct QualifierSum {
    about: bool,
    more_than: bool,
    at_least: bool,
    less_than: bool,
    at_most: bool,
    nearly: bool,
}

impl QualifierSum {
    fn add(&mut self, q: Qualifier) {
        match q {
            Qualifier::Exact => {}
            Qualifier::About => self.about = true,
            Qualifier::MoreThan => self.more_than = true,
            Qualifier::AtLeast => self.at_least = true,
            Qualifier::LessThan => self.less_than = true,
            Qualifier::AtMost => self.at_most = true,
            Qualifier::Nearly => self.nearly = true,
        }
    }

    fn result(&self) -> Qualifier {
        let lower = self.more_than || self.at_least;
        let upper = self.less_than || self.at_most || self.nearly;
        if self.about || (lower && upper) {
            Qualifier::About
        } else if self.more_than {
            Qualifier::MoreThan
        } else if self.at_least {
            Qualifier::AtLeast
        } else if self.less_than || (self.nearly && self.at_most) {
            Qualifier::LessThan
        } else if self.nearly {
            Qualifier::Nearly
        } else if self.at_most {
            Qualifier::AtMost
        } else {
            Qualifier::Exact
        }
    }
}

fn qty(def: &TargetDef, q: &Quantity) -> String {
    numfmt::human_quantity(q, &def.unit, NumberStyle::Western)
}

/// The target as people read it: `> 3 tn CNY`, `≥ 60%`; `=` shows the number.
fn target_text(def: &TargetDef, value: Decimal) -> String {
    let number = numfmt::human(value, &def.unit, NumberStyle::Western);
    let symbol = match def.comparator {
        Some(Comparator::MoreThan) => ">",
        Some(Comparator::AtLeast) => "≥",
        Some(Comparator::AtMost) => "≤",
        Some(Comparator::LessThan) => "<",
        Some(Comparator::Equal) | None => return number,
    };
    format!("{symbol} {number}")
}

/// Two decimals; never `-0.00`.
fn fmt2(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".to_string() } else { s }
}

/// Two decimals with a sign: `+9.98`, `-1.00`, `+0.00`.
fn signed2(x: f64) -> String {
    let s = fmt2(x);
    if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

fn figures(n: usize) -> &'static str {
    if n == 1 { "figure" } else { "figures" }
}

fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// Status from a ratio (cumulative ratio or R): 0.95 / 0.60 / 0.
fn status_from_ratio(r: f64) -> Status {
    if r >= ON_TRACK_RATIO {
        Status::OnTrack
    } else if r >= AT_RISK_RATIO {
        Status::AtRisk
    } else if r >= 0.0 {
        Status::OffTrack
    } else {
        Status::MovingAway
    }
}

/// Uppercases the first character when the clause starts the sentence.
fn sentence(prefix: Option<String>, clause: String) -> String {
    match prefix {
        Some(mut p) => {
            p.push_str(&clause);
            p
        }
        None => {
            let mut chars = clause.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => clause,
            }
        }
    }
}

const JUDGED_ON_WHAT_THERE_IS: &str = "so this is judged on the figures there are: ";

// ---------------------------------------------------------------------------
// Cumulative targets

fn assess_cumulative(
    def: &TargetDef,
    observations: &[Observation],
    as_of: NaiveDate,
) -> Assessment {
    let window_start = def.window_start.unwrap_or(def.provenance.statement_date);
    let deadline = def.deadline;

    let mut used: Vec<&Observation> = observations
        .iter()
        .filter(|o| {
            o.period.end <= as_of
                && o.period.end >= window_start
                && deadline.is_none_or(|d| o.period.start <= d)
        })
        .collect();
    if used.is_empty() {
        return no_data(as_of, " within the window");
    }
    used.sort_unstable_by(|a, b| by_start(a, b));
    let n = used.len();

    // One sweep: overlaps, the first gap in the window, total, qualifier.
    let mut total = Decimal::ZERO;
    let mut overflow = false;
    let mut qualifiers = QualifierSum::default();
    let mut reach: Option<&Observation> = None; // the period reaching furthest
    let mut overlap: Option<(&Observation, &Observation)> = None;
    let mut gap: Option<(NaiveDate, NaiveDate)> = None;
    if used[0].period.start > window_start {
        gap = Some((
            window_start,
            used[0].period.start.pred_opt().unwrap_or(window_start),
        ));
    }
    for &o in &used {
        if let Some(prev) = reach {
            if o.period.start <= prev.period.end {
                if overlap.is_none() {
                    overlap = Some((prev, o));
                }
            } else if gap.is_none()
                && prev
                    .period
                    .end
                    .succ_opt()
                    .is_some_and(|next| o.period.start > next)
            {
                gap = Some((
                    prev.period.end.succ_opt().unwrap_or(prev.period.end),
                    o.period.start.pred_opt().unwrap_or(o.period.start),
                ));
            }
        }
        if reach.is_none_or(|r| o.period.end > r.period.end) {
            reach = Some(o);
        }
        match total.checked_add(o.quantity.value) {
            Some(t) => total = t,
            None => overflow = true,
        }
        qualifiers.add(o.quantity.qualifier);
    }
    let latest_end = reach.map_or(window_start, |r| r.period.end);
    let stale = is_stale(def, latest_end, as_of);

    let mut out = empty(Status::InsufficientData, n, String::new());
    out.stale = stale;
    if let Some((a, b)) = overlap {
        out.explanation = format!(
            "Periods {}..{} and {}..{} overlap, so their amounts cannot be added.",
            a.period.start, a.period.end, b.period.start, b.period.end
        );
        return out;
    }
    if overflow {
        out.explanation = "The amounts are too large to add up.".to_string();
        return out;
    }
    let total_q = Quantity {
        value: total,
        qualifier: qualifiers.result(),
    };
    out.latest = Some(Point {
        quantity: total_q,
        date: latest_end,
    });
    let total_text = qty(def, &total_q);

    let Some(target) = def.target_value else {
        out.explanation = format!(
            "{total_text} from {n} {} by {latest_end}, but the target has no value to compare with.",
            figures(n)
        );
        return out;
    };
    let target_txt = target_text(def, target);
    if target <= Decimal::ZERO {
        out.explanation =
            format!("The target {target_txt} is not positive, so no share of it can be computed.");
        return out;
    }
    if let Some(d) = deadline
        && window_start > d
    {
        out.explanation = format!("The window starts ({window_start}) after the deadline ({d}).");
        return out;
    }

    let progress = to_f64(total) / to_f64(target);
    out.progress_pct = Some(progress * 100.0).filter(|p| p.is_finite());
    let pct = fmt2(progress * 100.0);
    let cmp = effective_comparator(def);
    let cap = matches!(cmp, Comparator::AtMost | Comparator::LessThan);
    let met = meets(&total_q, cmp, target);

    // Linear path at the end of the latest period (inclusive day counts).
    let path = deadline.map(|d| {
        let duration = days_between(window_start, d) + 1;
        let elapsed = (days_between(window_start, latest_end) + 1).clamp(1, duration);
        (d, elapsed, duration, elapsed as f64 / duration as f64)
    });
    let ratio = path.map(|(_, _, _, expected)| progress / expected);
    if let Some((_, _, _, expected)) = path {
        out.expected_pct = Some(expected * 100.0);
        out.ratio = ratio.filter(|r| r.is_finite());
    }
    let covered = deadline.is_some_and(|d| gap.is_none() && latest_end >= d);
    let after_deadline = |out: &mut String| {
        if let Some(d) = deadline
            && latest_end > d
        {
            let _ = write!(out, " (after the deadline {d})");
        }
    };

    if cap {
        let opposite = match cmp {
            Comparator::LessThan => Comparator::AtLeast,
            _ => Comparator::MoreThan,
        };
        if meets(&total_q, opposite, target) {
            out.status = Status::Missed;
            out.explanation = format!(
                "{total_text} from {n} {} by {latest_end} already breaks the cap {target_txt} ({pct}%).",
                figures(n)
            );
            return out;
        }
        if covered {
            let mut s = format!(
                "The whole window is covered: {total_text} from {n} {} by {latest_end} ",
                figures(n)
            );
            if met {
                out.status = Status::Achieved;
                let _ = write!(s, "stays within the cap {target_txt} ({pct}%).");
            } else {
                out.status = Status::Missed;
                let _ = write!(
                    s,
                    "is not shown to stay within the cap {target_txt} ({pct}%)."
                );
            }
            out.explanation = s;
            return out;
        }
    } else {
        if met {
            out.status = Status::Achieved;
            let mut s = format!(
                "{total_text} from {n} {} meets {target_txt} by {latest_end}",
                figures(n)
            );
            after_deadline(&mut s);
            let _ = write!(s, " ({pct}% done).");
            out.explanation = s;
            return out;
        }
        if let Some(d) = deadline
            && d < as_of
            && covered
        {
            out.status = Status::Missed;
            out.explanation = format!(
                "Deadline {d} passed with the whole window covered: {total_text} from {n} {} is {pct}% of {target_txt} (the linear path expects 100.00%, ratio {}).",
                figures(n),
                fmt2(ratio.unwrap_or(progress))
            );
            return out;
        }
    }

    let Some((d, elapsed, duration, expected)) = path else {
        out.explanation = format!(
            "{pct}% of {target_txt} done by {latest_end} ({total_text} from {n} {}); with no deadline there is no linear path to compare with.",
            figures(n)
        );
        return out;
    };
    let ratio = progress / expected;
    let prefix = if d >= as_of {
        None
    } else if latest_end < d {
        Some(format!(
            "Deadline {d} passed; no figure covers it yet, {JUDGED_ON_WHAT_THERE_IS}"
        ))
    } else {
        gap.map(|(g0, g1)| {
            format!(
                "Deadline {d} passed; the figures leave a gap in the window ({g0}..{g1}), {JUDGED_ON_WHAT_THERE_IS}"
            )
        })
    };
    let clause = if cap {
        out.status = if progress <= 0.0 {
            Status::OnTrack
        } else {
            status_from_ratio(expected / progress)
        };
        format!(
            "{pct}% of the cap {target_txt} used by {latest_end} ({total_text} from {n} {}), where the linear path allows {}% ({elapsed} of {duration} days, ratio {}).",
            figures(n),
            fmt2(expected * 100.0),
            fmt2(ratio)
        )
    } else {
        out.status = status_from_ratio(ratio);
        format!(
            "{pct}% of {target_txt} done by {latest_end} ({total_text} from {n} {}), where the linear path expects {}% ({elapsed} of {duration} days, ratio {}).",
            figures(n),
            fmt2(expected * 100.0),
            fmt2(ratio)
        )
    };
    out.explanation = sentence(prefix, clause);
    out
}

// ---------------------------------------------------------------------------
// Level and direction targets

fn assess_trend(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Assessment {
    // One pass: count, earliest and latest in the fixed order.
    let mut n = 0usize;
    let mut base: Option<&Observation> = None;
    let mut latest: Option<&Observation> = None;
    for o in observations.iter().filter(|o| o.period.end <= as_of) {
        n += 1;
        if base.is_none_or(|b| by_end(o, b) == Ordering::Less) {
            base = Some(o);
        }
        if latest.is_none_or(|l| by_end(o, l) == Ordering::Greater) {
            latest = Some(o);
        }
    }
    let (Some(base), Some(latest)) = (base, latest) else {
        return no_data(as_of, "");
    };

    let mut out = empty(Status::InsufficientData, n, String::new());
    out.base = Some(Point {
        quantity: base.quantity,
        date: base.period.end,
    });
    out.latest = Some(Point {
        quantity: latest.quantity,
        date: latest.period.end,
    });
    out.stale = is_stale(def, latest.period.end, as_of);
    let latest_text = qty(def, &latest.quantity);
    let latest_end = latest.period.end;

    if def.kind == Kind::Direction {
        if base.period.end == latest_end {
            out.explanation = sentence(None, one_date(def, n, latest));
            return out;
        }
        let (status, explanation) = score_direction(def, base, latest, None, true);
        out.status = status;
        out.explanation = explanation;
        return out;
    }

    let Some(target) = def.target_value else {
        out.explanation = format!(
            "Latest {latest_text} on {latest_end}, but the target has no value to compare with."
        );
        return out;
    };
    let target_txt = target_text(def, target);

    if meets(&latest.quantity, effective_comparator(def), target) {
        out.status = Status::Achieved;
        let mut s = format!("Latest {latest_text} on {latest_end} meets {target_txt}");
        if let Some(d) = def.deadline
            && latest_end > d
        {
            let _ = write!(s, " (after the deadline {d})");
        }
        s.push('.');
        out.explanation = s;
        return out;
    }

    let Some(deadline) = def.deadline else {
        if base.period.end == latest_end {
            out.explanation = format!(
                "{latest_text} on {latest_end} is short of {target_txt}, there is no deadline and only one date, so there is no trend to score."
            );
            return out;
        }
        let prefix = format!(
            "{latest_text} on {latest_end} is short of {target_txt} and there is no deadline, so the trend is scored as for a direction target: "
        );
        let (status, explanation) = score_direction(def, base, latest, Some(prefix), false);
        out.status = status;
        out.explanation = explanation;
        return out;
    };

    if deadline < as_of && latest_end >= deadline {
        out.status = Status::Missed;
        out.explanation = format!(
            "Deadline {deadline} passed: the latest figure, {latest_text} on {latest_end}, falls short of {target_txt}."
        );
        return out;
    }
    let prefix = (deadline < as_of).then(|| {
        format!("Deadline {deadline} passed; no figure covers it yet, {JUDGED_ON_WHAT_THERE_IS}")
    });

    if base.period.end == latest_end {
        out.explanation = sentence(prefix, one_date(def, n, latest));
        return out;
    }
    let base_text = qty(def, &base.quantity);
    let years_actual = days_between(base.period.end, latest_end) as f64 / DAYS_PER_YEAR;
    let years_required = days_between(base.period.end, deadline) as f64 / DAYS_PER_YEAR;
    if years_required <= 0.0 {
        out.explanation = format!(
            "The deadline {deadline} is not after the base figure ({base_text} on {}), so no pace can be required.",
            base.period.end
        );
        return out;
    }
    let d = direction_sign(def);
    let x0 = to_f64(base.quantity.value);
    let xt = to_f64(latest.quantity.value);
    let tv = to_f64(target);

    // Actual and required change per year, and how each is written.
    let (actual, required, sign, unit) = if def.is_rate {
        (
            (xt - x0) / years_actual,
            (tv - x0) / years_required,
            1.0,
            rate_unit(def),
        )
    } else {
        let x0 = if x0 == 0.0 { ZERO_REPLACEMENT } else { x0 };
        let tv = if tv == 0.0 { ZERO_REPLACEMENT } else { tv };
        if differ_in_sign(x0, xt) {
            out.explanation = sentence(
                prefix,
                format!(
                    "base {base_text} and latest {latest_text} differ in sign, so growth rates are not assessable (Eurostat/Open SDG rule)."
                ),
            );
            return out;
        }
        if differ_in_sign(x0, tv) {
            out.explanation = sentence(
                prefix,
                format!(
                    "base {base_text} and target {target_txt} differ in sign, so the required growth is not assessable (Eurostat/Open SDG rule)."
                ),
            );
            return out;
        }
        let sign = if x0 < 0.0 { -1.0 } else { 1.0 };
        (
            cagr(x0, xt, years_actual),
            cagr(x0, tv, years_required),
            sign,
            "%/yr".to_string(),
        )
    };
    let scale = if def.is_rate { 1.0 } else { 100.0 };
    let signed_actual = sign * d * actual;
    let mut clause = format!(
        "from {base_text} on {} to {latest_text} on {latest_end} the level changed by {}{unit}, where {target_txt} by {deadline} needs {}{unit} ",
        base.period.end,
        signed2(actual * scale),
        signed2(required * scale),
    );
    if required == 0.0 {
        out.status = if signed_actual.is_nan() {
            Status::InsufficientData
        } else if signed_actual > 0.0 {
            Status::OnTrack
        } else if signed_actual == 0.0 {
            Status::OffTrack
        } else {
            Status::MovingAway
        };
        clause.push_str("(no ratio: the base is at the target).");
    } else {
        let r = signed_actual / required.abs();
        if r.is_nan() {
            clause.push_str("(ratio not a number, not assessable).");
        } else {
            out.status = status_from_ratio(r);
            out.ratio = Some(r).filter(|r| r.is_finite());
            let _ = write!(clause, "(ratio {}).", fmt2(r));
        }
    }
    out.explanation = sentence(prefix, clause);
    out
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

/// Unit of a rate's change per year: percentage points for `%`.
fn rate_unit(def: &TargetDef) -> String {
    match def.unit.as_str() {
        "%" => " pp/yr".to_string(),
        "" => " per year".to_string(),
        unit => format!(" {unit}/yr"),
    }
}

fn one_date(def: &TargetDef, n: usize, latest: &Observation) -> String {
    let text = qty(def, &latest.quantity);
    if n == 1 {
        format!(
            "only one figure ({text} on {}); a trend needs figures at two dates.",
            latest.period.end
        )
    } else {
        format!(
            "all {n} figures are dated {}; a trend needs figures at two dates.",
            latest.period.end
        )
    }
}

/// Natural-limit coefficient on the positive thresholds (Open SDG).
fn limit_coefficient(x0: f64, limit: f64) -> f64 {
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

/// Scores the trend between base and latest without a target value: growth
/// (or, for rates, change of level) per year, signed by direction, against
/// 1.5 / 0.5 / 0 per year, limit-adjusted. `with_latest` writes the latest
/// figure in the clause (a prefix may already have named it). The caller
/// has checked that base and latest have different dates.
fn score_direction(
    def: &TargetDef,
    base: &Observation,
    latest: &Observation,
    prefix: Option<String>,
    with_latest: bool,
) -> (Status, String) {
    let base_text = qty(def, &base.quantity);
    let latest_text = qty(def, &latest.quantity);
    let years = days_between(base.period.end, latest.period.end) as f64 / DAYS_PER_YEAR;
    let d = direction_sign(def);
    let x0 = to_f64(base.quantity.value);
    let xt = to_f64(latest.quantity.value);

    let mut clause = format!("from {base_text} on {} ", base.period.end);
    if with_latest {
        let _ = write!(clause, "to {latest_text} on {} ", latest.period.end);
    }
    let (change, scored, high, med, unit, scale) = if def.is_rate {
        let change = (xt - x0) / years;
        (change, d * change, RATE_HIGH, RATE_MED, rate_unit(def), 1.0)
    } else {
        let x0z = if x0 == 0.0 { ZERO_REPLACEMENT } else { x0 };
        if differ_in_sign(x0z, xt) {
            let _ = write!(
                clause,
                "the sign changes ({base_text} to {latest_text}), so growth rates are not assessable (Eurostat/Open SDG rule)."
            );
            return (Status::InsufficientData, sentence(prefix, clause));
        }
        let sign = if x0z < 0.0 { -1.0 } else { 1.0 };
        let g = cagr(x0z, xt, years);
        (
            g,
            sign * d * g,
            GROWTH_HIGH,
            GROWTH_MED,
            "%/yr".to_string(),
            100.0,
        )
    };
    let coefficient = def.limit.map(|l| limit_coefficient(x0, to_f64(l)));
    let c = coefficient.unwrap_or(1.0);
    let (high, med) = (high * c, med * c);
    let _ = write!(
        clause,
        "the level changed by {}{unit}, scored {}{unit} against {}/{}/0 {}",
        signed2(change * scale),
        signed2(scored * scale),
        fmt2(high * scale),
        fmt2(med * scale),
        unit.trim_start()
    );
    if let (Some(limit), Some(c)) = (def.limit, coefficient) {
        let _ = write!(
            clause,
            " (limit {}, C {})",
            numfmt::human(limit, &def.unit, NumberStyle::Western),
            fmt2(c)
        );
    }
    clause.push('.');
    let status = if scored.is_nan() || high.is_nan() {
        Status::InsufficientData
    } else if scored >= high {
        Status::OnTrack
    } else if scored >= med {
        Status::AtRisk
    } else if scored >= 0.0 {
        Status::OffTrack
    } else {
        Status::MovingAway
    };
    (status, sentence(prefix, clause))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cadence, Period, Provenance};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn r2(x: f64) -> f64 {
        (x * 100.0).round() / 100.0
    }

    /// A target of `kind`, unit CNY, yearly, up; adjust fields as needed.
    fn target(
        kind: Kind,
        comparator: Option<Comparator>,
        value: Option<&str>,
        window: Option<&str>,
        deadline: Option<&str>,
    ) -> TargetDef {
        TargetDef {
            id: "t".into(),
            title: "synthetic".into(),
            kind,
            metric: "synthetic".into(),
            unit: "CNY".into(),
            direction: Direction::Up,
            comparator,
            target_value: value.map(dec),
            window_start: window.map(date),
            deadline: deadline.map(date),
            limit: None,
            is_rate: false,
            cadence: Cadence::Yearly,
            provenance: Provenance {
                quote: "q".into(),
                speaker: "s".into(),
                speaker_role: "r".into(),
                statement_date: date("2024-07-26"),
                source_title: "SASAC press briefing".into(),
                source_url: None,
            },
            interpretation: String::new(),
        }
    }

    fn obs(id: i64, value: &str, qualifier: Qualifier, start: &str, end: &str) -> Observation {
        Observation {
            id,
            quantity: Quantity {
                value: dec(value),
                qualifier,
            },
            period: Period {
                start: date(start),
                end: date(end),
            },
        }
    }

    /// An amount for calendar year `y`.
    fn year(id: i64, value: &str, qualifier: Qualifier, y: i32) -> Observation {
        obs(
            id,
            value,
            qualifier,
            &format!("{y}-01-01"),
            &format!("{y}-12-31"),
        )
    }

    /// A level on day `end`.
    fn at(id: i64, value: &str, end: &str) -> Observation {
        obs(id, value, Qualifier::Exact, end, end)
    }

    fn at_q(id: i64, value: &str, qualifier: Qualifier, end: &str) -> Observation {
        obs(id, value, qualifier, end, end)
    }

    const E: Qualifier = Qualifier::Exact;

    // -- Worked examples of docs/methodology.md --------------------------------

    fn equipment_renewal() -> TargetDef {
        target(
            Kind::Cumulative,
            Some(Comparator::MoreThan),
            Some("3000000000000"),
            Some("2024-01-01"),
            Some("2028-12-31"),
        )
    }

    #[test]
    fn worked_example_1_equipment_renewal_on_track() {
        let o = [year(1, "800000000000", Qualifier::MoreThan, 2024)];
        let a = assess(&equipment_renewal(), &o, date("2025-02-01"));
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(r2(a.progress_pct.unwrap()), 26.67);
        assert_eq!(r2(a.expected_pct.unwrap()), 20.03);
        assert_eq!(r2(a.ratio.unwrap()), 1.33);
        assert_eq!(a.observations, 1);
        assert!(!a.stale);
        assert_eq!(a.base, None);
        assert_eq!(
            a.latest,
            Some(Point {
                quantity: Quantity {
                    value: dec("800000000000"),
                    qualifier: Qualifier::MoreThan
                },
                date: date("2024-12-31"),
            })
        );
        assert_eq!(
            a.explanation,
            "26.67% of > 3 tn CNY done by 2024-12-31 (>800 bn CNY from 1 figure), \
             where the linear path expects 20.03% (366 of 1827 days, ratio 1.33)."
        );
        // Staleness of the same ledger: 426 days is the boundary.
        assert!(!assess(&equipment_renewal(), &o, date("2026-03-02")).stale);
        assert!(assess(&equipment_renewal(), &o, date("2026-03-03")).stale);
    }

    #[test]
    fn worked_example_2_cumulative_at_risk_later_figure_ignored() {
        let def = target(
            Kind::Cumulative,
            Some(Comparator::AtLeast),
            Some("500000000000"),
            Some("2024-01-01"),
            Some("2027-12-31"),
        );
        let o = [
            year(3, "150000000000", E, 2026),
            year(1, "80000000000", E, 2024),
            year(2, "100000000000", E, 2025),
        ];
        let a = assess(&def, &o, date("2026-03-01"));
        assert_eq!(a.status, Status::AtRisk);
        assert_eq!(a.observations, 2);
        assert_eq!(r2(a.progress_pct.unwrap()), 36.0);
        assert_eq!(r2(a.expected_pct.unwrap()), 50.03);
        assert_eq!(r2(a.ratio.unwrap()), 0.72);
        assert_eq!(
            a.explanation,
            "36.00% of ≥ 500 bn CNY done by 2025-12-31 (180 bn CNY from 2 figures), \
             where the linear path expects 50.03% (731 of 1461 days, ratio 0.72)."
        );
    }

    fn two_year_window() -> TargetDef {
        target(
            Kind::Cumulative,
            Some(Comparator::AtLeast),
            Some("200000000000"),
            Some("2024-01-01"),
            Some("2025-12-31"),
        )
    }

    #[test]
    fn worked_example_3_cumulative_deadline_passed_not_covered() {
        let o = [year(1, "70000000000", E, 2024)];
        let a = assess(&two_year_window(), &o, date("2026-03-01"));
        assert_eq!(a.status, Status::AtRisk);
        assert_eq!(r2(a.progress_pct.unwrap()), 35.0);
        assert_eq!(r2(a.expected_pct.unwrap()), 50.07);
        assert_eq!(r2(a.ratio.unwrap()), 0.70);
        assert_eq!(
            a.explanation,
            "Deadline 2025-12-31 passed; no figure covers it yet, so this is judged on the \
             figures there are: 35.00% of ≥ 200 bn CNY done by 2024-12-31 (70 bn CNY from 1 \
             figure), where the linear path expects 50.07% (366 of 731 days, ratio 0.70)."
        );
    }

    #[test]
    fn worked_example_4_cumulative_missed() {
        let o = [
            year(1, "70000000000", E, 2024),
            year(2, "90000000000", Qualifier::About, 2025),
        ];
        let a = assess(&two_year_window(), &o, date("2026-03-01"));
        assert_eq!(a.status, Status::Missed);
        assert_eq!(r2(a.progress_pct.unwrap()), 80.0);
        assert_eq!(r2(a.expected_pct.unwrap()), 100.0);
        assert_eq!(r2(a.ratio.unwrap()), 0.80);
        assert_eq!(a.latest.unwrap().quantity.qualifier, Qualifier::About);
        assert_eq!(
            a.explanation,
            "Deadline 2025-12-31 passed with the whole window covered: ~160 bn CNY from 2 \
             figures is 80.00% of ≥ 200 bn CNY (the linear path expects 100.00%, ratio 0.80)."
        );
    }

    fn share_target() -> TargetDef {
        let mut def = target(
            Kind::Level,
            Some(Comparator::AtLeast),
            Some("60"),
            None,
            Some("2027-12-31"),
        );
        def.unit = "%".into();
        def
    }

    #[test]
    fn worked_example_5_level_open_sdg_ratio() {
        let o = [at(2, "44", "2024-12-31"), at(1, "40", "2023-12-31")];
        let a = assess(&share_target(), &o, date("2025-03-01"));
        assert_eq!(a.status, Status::AtRisk);
        assert_eq!(r2(a.ratio.unwrap()), 0.94);
        assert_eq!(a.progress_pct, None);
        assert_eq!(a.expected_pct, None);
        assert_eq!(a.base.unwrap().date, date("2023-12-31"));
        assert_eq!(a.latest.unwrap().date, date("2024-12-31"));
        assert_eq!(
            a.explanation,
            "From 40% on 2023-12-31 to 44% on 2024-12-31 the level changed by +9.98%/yr, \
             where ≥ 60% by 2027-12-31 needs +10.67%/yr (ratio 0.94)."
        );
    }

    fn rate_target() -> TargetDef {
        let mut def = target(
            Kind::Level,
            Some(Comparator::AtLeast),
            Some("10"),
            None,
            Some("2025-12-31"),
        );
        def.unit = "%".into();
        def.is_rate = true;
        def
    }

    #[test]
    fn worked_example_6_level_rate_moving_away() {
        let o = [at(1, "6", "2023-12-31"), at(2, "5", "2024-12-31")];
        let a = assess(&rate_target(), &o, date("2025-03-01"));
        assert_eq!(a.status, Status::MovingAway);
        assert_eq!(r2(a.ratio.unwrap()), -0.50);
        assert_eq!(
            a.explanation,
            "From 6% on 2023-12-31 to 5% on 2024-12-31 the level changed by -1.00 pp/yr, \
             where ≥ 10% by 2025-12-31 needs +2.00 pp/yr (ratio -0.50)."
        );
    }

    fn direction(dir: Direction, unit: &str) -> TargetDef {
        let mut def = target(Kind::Direction, None, None, None, None);
        def.direction = dir;
        def.unit = unit.into();
        def
    }

    #[test]
    fn worked_example_7_direction_with_limit() {
        let mut def = direction(Direction::Up, "%");
        def.limit = Some(dec("100"));
        let o = [at(1, "80", "2022-12-31"), at(2, "82", "2024-12-31")];
        let a = assess(&def, &o, date("2025-03-01"));
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(a.ratio, None);
        assert_eq!(
            a.explanation,
            "From 80% on 2022-12-31 to 82% on 2024-12-31 the level changed by +1.24%/yr, \
             scored +1.24%/yr against 0.94/0.31/0 %/yr (limit 100%, C 0.63)."
        );
        def.limit = None;
        assert_eq!(assess(&def, &o, date("2025-03-01")).status, Status::AtRisk);
    }

    #[test]
    fn worked_example_8_direction_down_off_track() {
        let def = direction(Direction::Down, "entities");
        let o = [at(1, "50000", "2023-12-31"), at(2, "49800", "2024-12-31")];
        let a = assess(&def, &o, date("2025-03-01"));
        assert_eq!(a.status, Status::OffTrack);
        assert_eq!(
            a.explanation,
            "From 50,000 entities on 2023-12-31 to 49,800 entities on 2024-12-31 the level \
             changed by -0.40%/yr, scored +0.40%/yr against 1.50/0.50/0 %/yr."
        );
    }

    #[test]
    fn worked_example_9_direction_rate_from_negative_base() {
        let mut def = direction(Direction::Up, "%");
        def.is_rate = true;
        let o = [at(1, "-2", "2023-12-31"), at(2, "1", "2024-12-31")];
        let a = assess(&def, &o, date("2025-03-01"));
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(
            a.explanation,
            "From -2% on 2023-12-31 to 1% on 2024-12-31 the level changed by +2.99 pp/yr, \
             scored +2.99 pp/yr against 1.50/0.50/0 pp/yr."
        );
    }

    fn people_target() -> TargetDef {
        let mut def = target(
            Kind::Level,
            Some(Comparator::AtLeast),
            Some("250000"),
            None,
            None,
        );
        def.unit = "people".into();
        def
    }

    #[test]
    fn worked_example_10_level_without_deadline_and_qualifiers() {
        let def = people_target();
        let mut o = vec![at(1, "240000", "2023-12-31"), at(2, "246000", "2024-12-31")];
        let a = assess(&def, &o, date("2025-03-01"));
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(
            a.explanation,
            "246,000 people on 2024-12-31 is short of ≥ 250,000 people and there is no \
             deadline, so the trend is scored as for a direction target: from 240,000 people \
             on 2023-12-31 the level changed by +2.49%/yr, scored +2.49%/yr against \
             1.50/0.50/0 %/yr."
        );
        o.push(at_q(3, "250000", Qualifier::About, "2025-06-30"));
        let a = assess(&def, &o, date("2025-08-01"));
        assert_eq!(a.status, Status::Achieved);
        assert_eq!(
            a.explanation,
            "Latest ~250,000 people on 2025-06-30 meets ≥ 250,000 people."
        );
        o[2].quantity.qualifier = Qualifier::Nearly;
        let a = assess(&def, &o, date("2025-08-01"));
        assert_eq!(a.status, Status::OnTrack);
    }

    #[test]
    fn worked_example_11_level_single_figure() {
        let def = target(
            Kind::Level,
            Some(Comparator::MoreThan),
            Some("3000000000000"),
            None,
            Some("2027-12-31"),
        );
        let a = assess(
            &def,
            &[at(1, "2500000000000", "2024-12-31")],
            date("2025-03-01"),
        );
        assert_eq!(a.status, Status::InsufficientData);
        assert_eq!(
            a.explanation,
            "Only one figure (2.5 tn CNY on 2024-12-31); a trend needs figures at two dates."
        );
    }

    // -- Every status for every kind --------------------------------------------

    #[test]
    fn cumulative_statuses() {
        let def = equipment_renewal();
        let asof = date("2025-02-01");
        let one = |v: &str, q| assess(&def, &[year(1, v, q, 2024)], asof).status;
        // ratio = v / 3tn / 0.20033
        assert_eq!(one("3000000000000", Qualifier::MoreThan), Status::Achieved);
        assert_eq!(one("3000000000000", E), Status::OnTrack); // not > 3 tn
        assert_eq!(one("600000000000", E), Status::OnTrack); // 1.00
        assert_eq!(one("500000000000", E), Status::AtRisk); // 0.83
        assert_eq!(one("300000000000", E), Status::OffTrack); // 0.50
        assert_eq!(one("0", E), Status::OffTrack);
        assert_eq!(one("-1", E), Status::MovingAway);
        assert_eq!(assess(&def, &[], asof).status, Status::NoData);
        // Missed: the whole window covered after the deadline.
        let all: Vec<_> = (2024..=2028)
            .map(|y| year(y as i64, "500000000000", E, y))
            .collect();
        let a = assess(&def, &all, date("2029-03-01"));
        assert_eq!(a.status, Status::Missed);
        assert_eq!(r2(a.progress_pct.unwrap()), 83.33);
        // Insufficient: overlapping periods, no deadline, no target value.
        let overlapping = [
            year(1, "800000000000", E, 2024),
            obs(2, "1", E, "2024-07-01", "2025-06-30"),
        ];
        let a = assess(&def, &overlapping, date("2025-08-01"));
        assert_eq!(a.status, Status::InsufficientData);
        assert_eq!(
            a.explanation,
            "Periods 2024-01-01..2024-12-31 and 2024-07-01..2025-06-30 overlap, so their \
             amounts cannot be added."
        );
        let mut open = def.clone();
        open.deadline = None;
        let a = assess(&open, &[year(1, "800000000000", E, 2024)], asof);
        assert_eq!(a.status, Status::InsufficientData);
        assert_eq!(r2(a.progress_pct.unwrap()), 26.67);
        assert_eq!(a.expected_pct, None);
        let mut novalue = def.clone();
        novalue.target_value = None;
        assert_eq!(
            assess(&novalue, &[year(1, "1", E, 2024)], asof).status,
            Status::InsufficientData
        );
    }

    #[test]
    fn level_statuses() {
        let def = share_target(); // ≥ 60% by 2027-12-31, base 40 on 2023-12-31
        let asof = date("2025-03-01");
        let with = |latest: &str| {
            assess(
                &def,
                &[at(1, "40", "2023-12-31"), at(2, latest, "2024-12-31")],
                asof,
            )
        };
        assert_eq!(with("60").status, Status::Achieved);
        assert_eq!(with("45").status, Status::OnTrack);
        assert_eq!(with("44").status, Status::AtRisk);
        assert_eq!(with("41").status, Status::OffTrack);
        assert_eq!(with("40").status, Status::OffTrack);
        assert_eq!(r2(with("40").ratio.unwrap()), 0.0);
        assert_eq!(with("39").status, Status::MovingAway);
        assert_eq!(assess(&def, &[], asof).status, Status::NoData);
        assert_eq!(
            assess(&def, &[at(1, "40", "2023-12-31")], asof).status,
            Status::InsufficientData
        );
        let a = assess(
            &def,
            &[at(1, "40", "2023-12-31"), at(2, "50", "2027-12-31")],
            date("2028-03-01"),
        );
        assert_eq!(a.status, Status::Missed);
        assert_eq!(
            a.explanation,
            "Deadline 2027-12-31 passed: the latest figure, 50% on 2027-12-31, falls short of \
             ≥ 60%."
        );
    }

    #[test]
    fn level_rate_statuses() {
        let def = rate_target(); // ≥ 10% by 2025-12-31 from 6%: needs ~2 pp/yr
        let asof = date("2025-03-01");
        let with = |latest: &str| {
            assess(
                &def,
                &[at(1, "6", "2023-12-31"), at(2, latest, "2024-12-31")],
                asof,
            )
            .status
        };
        assert_eq!(with("10"), Status::Achieved);
        assert_eq!(with("8"), Status::OnTrack);
        assert_eq!(with("7.5"), Status::AtRisk);
        assert_eq!(with("6.5"), Status::OffTrack);
        assert_eq!(with("-3"), Status::MovingAway);
        // Across zero is fine for a rate: no CAGR is taken.
        let a = assess(
            &def,
            &[at(1, "-2", "2023-12-31"), at(2, "2", "2024-12-31")],
            asof,
        );
        // +3.99 pp/yr against the +6.00 pp/yr needed from -2% to 10%.
        assert_eq!(a.status, Status::AtRisk);
        assert_eq!(r2(a.ratio.unwrap()), 0.67);
        assert!(a.explanation.contains("pp/yr"));
    }

    #[test]
    fn direction_statuses() {
        let def = direction(Direction::Up, "CNY");
        let asof = date("2025-03-01");
        let with = |latest: &str| {
            assess(
                &def,
                &[at(1, "1000", "2023-12-31"), at(2, latest, "2024-12-31")],
                asof,
            )
            .status
        };
        assert_eq!(with("1020"), Status::OnTrack);
        assert_eq!(with("1010"), Status::AtRisk);
        assert_eq!(with("1003"), Status::OffTrack);
        assert_eq!(with("1000"), Status::OffTrack);
        assert_eq!(with("990"), Status::MovingAway);
        assert_eq!(with("1000000000"), Status::OnTrack); // never "achieved"
        assert_eq!(assess(&def, &[], asof).status, Status::NoData);
        let a = assess(
            &def,
            &[at(1, "1000", "2024-12-31"), at(2, "1100", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::InsufficientData);
        assert_eq!(
            a.explanation,
            "All 2 figures are dated 2024-12-31; a trend needs figures at two dates."
        );
        // A direction target with a deadline long past is never "missed".
        let mut late = def.clone();
        late.deadline = Some(date("2020-12-31"));
        assert_eq!(
            assess(
                &late,
                &[at(1, "1000", "2023-12-31"), at(2, "990", "2024-12-31")],
                asof
            )
            .status,
            Status::MovingAway
        );
    }

    #[test]
    fn direction_rate_thresholds_in_points() {
        let mut def = direction(Direction::Down, "%");
        def.is_rate = true;
        let with = |latest: &str| {
            assess(
                &def,
                &[at(1, "5", "2023-12-31"), at(2, latest, "2024-12-31")],
                date("2025-03-01"),
            )
            .status
        };
        assert_eq!(with("3"), Status::OnTrack); // -2 pp/yr, down is good
        assert_eq!(with("4"), Status::AtRisk);
        assert_eq!(with("4.8"), Status::OffTrack);
        assert_eq!(with("6"), Status::MovingAway);
    }

    #[test]
    fn limit_coefficient_as_published() {
        assert_eq!(limit_coefficient(0.0, 100.0), 1.0);
        assert_eq!(limit_coefficient(100.0, 100.0), 0.0);
        assert_eq!(r2(limit_coefficient(80.0, 100.0)), 0.63);
        // Above the limit the curve is mirrored, beyond twice the limit it is 1.
        assert_eq!(
            limit_coefficient(120.0, 100.0),
            limit_coefficient(80.0, 100.0)
        );
        assert_eq!(limit_coefficient(250.0, 100.0), 1.0);
        assert_eq!(limit_coefficient(5.0, 0.0), 1.0);
        // At the limit every non-negative change is on track.
        let mut def = direction(Direction::Up, "%");
        def.limit = Some(dec("100"));
        let a = assess(
            &def,
            &[at(1, "100", "2023-12-31"), at(2, "100", "2024-12-31")],
            date("2025-03-01"),
        );
        assert_eq!(a.status, Status::OnTrack);
    }

    // -- Qualifiers --------------------------------------------------------------

    #[test]
    fn qualifier_truth_table() {
        use Comparator as C;
        use Qualifier as Q;
        // For each observed qualifier: results against (>, ≥, ≤, <) T for an
        // observed value below, at and above T.
        let table: [(Q, [[bool; 3]; 4]); 7] = [
            (
                Q::Exact,
                [
                    [false, false, true],
                    [false, true, true],
                    [true, true, false],
                    [true, false, false],
                ],
            ),
            (
                Q::About,
                [
                    [false, false, true],
                    [false, true, true],
                    [true, true, false],
                    [true, false, false],
                ],
            ),
            (
                Q::Nearly,
                [
                    [false, false, true],
                    [false, false, true],
                    [true, true, false],
                    [true, true, false],
                ],
            ),
            (
                Q::MoreThan,
                [
                    [false, true, true],
                    [false, true, true],
                    [false, false, false],
                    [false, false, false],
                ],
            ),
            (
                Q::AtLeast,
                [
                    [false, false, true],
                    [false, true, true],
                    [false, false, false],
                    [false, false, false],
                ],
            ),
            (
                Q::LessThan,
                [
                    [false, false, false],
                    [false, false, false],
                    [true, true, false],
                    [true, true, false],
                ],
            ),
            (
                Q::AtMost,
                [
                    [false, false, false],
                    [false, false, false],
                    [true, true, false],
                    [true, false, false],
                ],
            ),
        ];
        let t = dec("3");
        for (q, rows) in table {
            for (cmp, row) in [C::MoreThan, C::AtLeast, C::AtMost, C::LessThan]
                .into_iter()
                .zip(rows)
            {
                for (v, expected) in ["2.9", "3", "3.1"].into_iter().zip(row) {
                    let quantity = Quantity {
                        value: dec(v),
                        qualifier: q,
                    };
                    assert_eq!(
                        meets(&quantity, cmp, t),
                        expected,
                        "{q} {v} against {cmp} 3"
                    );
                }
            }
            // `=` reads as ≥ going up.
            let quantity = Quantity {
                value: t,
                qualifier: q,
            };
            assert_eq!(
                meets(&quantity, C::Equal, t),
                meets(&quantity, C::AtLeast, t)
            );
        }
    }

    #[test]
    fn qualifiers_decide_achieved() {
        let def = target(
            Kind::Level,
            Some(Comparator::MoreThan),
            Some("3000000000000"),
            None,
            Some("2027-12-31"),
        );
        let asof = date("2025-03-01");
        let status = |q| {
            assess(
                &def,
                &[
                    at(1, "2000000000000", "2023-12-31"),
                    at_q(2, "3000000000000", q, "2024-12-31"),
                ],
                asof,
            )
            .status
        };
        assert_eq!(status(Qualifier::MoreThan), Status::Achieved);
        assert_ne!(status(Qualifier::About), Status::Achieved);
        assert_ne!(status(Qualifier::Exact), Status::Achieved);
        assert_ne!(status(Qualifier::Nearly), Status::Achieved);
        // Equal going down reads as at most.
        let mut down = target(
            Kind::Level,
            Some(Comparator::Equal),
            Some("5"),
            None,
            Some("2027-12-31"),
        );
        down.direction = Direction::Down;
        let a = assess(
            &down,
            &[at(1, "8", "2023-12-31"), at(2, "5", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::Achieved);
        assert_eq!(a.explanation, "Latest 5 CNY on 2024-12-31 meets 5 CNY.");
    }

    #[test]
    fn combined_qualifiers_of_a_total() {
        use Qualifier as Q;
        let combine = |qs: &[Q]| {
            let mut sum = QualifierSum::default();
            for &q in qs {
                sum.add(q);
            }
            sum.result()
        };
        assert_eq!(combine(&[Q::Exact, Q::Exact]), Q::Exact);
        assert_eq!(combine(&[Q::MoreThan, Q::Exact]), Q::MoreThan);
        assert_eq!(combine(&[Q::MoreThan, Q::AtLeast]), Q::MoreThan);
        assert_eq!(combine(&[Q::AtLeast, Q::Exact]), Q::AtLeast);
        assert_eq!(combine(&[Q::LessThan, Q::AtMost]), Q::LessThan);
        assert_eq!(combine(&[Q::Nearly, Q::AtMost]), Q::LessThan);
        assert_eq!(combine(&[Q::Nearly, Q::Exact]), Q::Nearly);
        assert_eq!(combine(&[Q::AtMost, Q::Exact]), Q::AtMost);
        assert_eq!(combine(&[Q::MoreThan, Q::Nearly]), Q::About);
        assert_eq!(combine(&[Q::About, Q::Exact]), Q::About);
        // >800 bn + 200 bn = >1 tn
        let o = [
            year(1, "800000000000", Q::MoreThan, 2024),
            year(2, "200000000000", Q::Exact, 2025),
        ];
        let a = assess(&equipment_renewal(), &o, date("2026-02-01"));
        assert!(a.explanation.contains("(>1 tn CNY from 2 figures)"));
    }

    // -- Staleness ----------------------------------------------------------------

    #[test]
    fn staleness_boundary_per_cadence() {
        for cadence in Cadence::ALL {
            let mut def = share_target();
            def.cadence = *cadence;
            let o = [at(1, "40", "2023-12-31"), at(2, "44", "2024-12-31")];
            let limit = cadence.days() + STALE_GRACE_DAYS;
            let boundary = date("2024-12-31") + chrono::Days::new(limit as u64);
            assert!(!assess(&def, &o, boundary).stale, "{cadence}");
            let after = boundary + chrono::Days::new(1);
            assert!(assess(&def, &o, after).stale, "{cadence}");
        }
        // no-data is never stale.
        let a = assess(&share_target(), &[], date("2030-01-01"));
        assert_eq!(a.status, Status::NoData);
        assert!(!a.stale);
    }

    // -- Deadlines ------------------------------------------------------------------

    #[test]
    fn level_deadline_passed_without_covering_data() {
        let mut def = share_target();
        def.deadline = Some(date("2024-12-31"));
        let o = [at(1, "40", "2023-12-31"), at(2, "50", "2024-06-30")];
        let a = assess(&def, &o, date("2025-02-01"));
        assert_ne!(a.status, Status::Missed);
        assert!(
            a.explanation.starts_with(
                "Deadline 2024-12-31 passed; no figure covers it yet, so this is judged on the \
                 figures there are: from 40% on 2023-12-31 to 50% on 2024-06-30"
            ),
            "{}",
            a.explanation
        );
        // The same with a figure on the deadline day: missed.
        let o = [at(1, "40", "2023-12-31"), at(2, "50", "2024-12-31")];
        assert_eq!(assess(&def, &o, date("2025-02-01")).status, Status::Missed);
        // On the deadline day itself the deadline has not passed yet.
        assert_ne!(assess(&def, &o, date("2024-12-31")).status, Status::Missed);
    }

    #[test]
    fn level_met_after_the_deadline_is_achieved() {
        let mut def = share_target();
        def.deadline = Some(date("2024-12-31"));
        let o = [at(1, "40", "2023-12-31"), at(2, "61", "2025-06-30")];
        let a = assess(&def, &o, date("2025-08-01"));
        assert_eq!(a.status, Status::Achieved);
        assert_eq!(
            a.explanation,
            "Latest 61% on 2025-06-30 meets ≥ 60% (after the deadline 2024-12-31)."
        );
    }

    #[test]
    fn cumulative_gap_keeps_a_passed_deadline_from_counting_as_covered() {
        let o = [
            year(1, "70000000000", E, 2024),
            obs(2, "50000000000", E, "2025-07-01", "2025-12-31"),
        ];
        let a = assess(&two_year_window(), &o, date("2026-03-01"));
        assert_ne!(a.status, Status::Missed);
        assert!(
            a.explanation.starts_with(
                "Deadline 2025-12-31 passed; the figures leave a gap in the window \
                 (2025-01-01..2025-06-30), so this is judged on the figures there are: 60.00%"
            ),
            "{}",
            a.explanation
        );
        assert_eq!(a.status, Status::AtRisk); // 0.60 / 1.00
    }

    #[test]
    fn cumulative_window_edges() {
        let def = two_year_window();
        let o = [
            year(1, "999000000000", E, 2023), // before the window
            year(2, "50000000000", E, 2024),  // inside
            obs(3, "10000000000", E, "2025-10-01", "2026-03-31"), // straddles the deadline
            year(4, "999000000000", E, 2026), // after the deadline
        ];
        let a = assess(&def, &o, date("2027-03-01"));
        assert_eq!(a.observations, 2);
        assert_eq!(a.latest.unwrap().quantity.value, dec("60000000000"));
        assert_eq!(a.latest.unwrap().date, date("2026-03-31"));
        // Not covered (2025-01-01..2025-09-30 missing), so not missed.
        assert_eq!(a.status, Status::OffTrack);
        assert_eq!(r2(a.expected_pct.unwrap()), 100.0);
        // No window start: the statement date is used.
        let mut def = def;
        def.window_start = None;
        let a = assess(&def, &[year(1, "1", E, 2024)], date("2025-02-01"));
        assert!(
            a.explanation.contains("(159 of 524 days"),
            "{}",
            a.explanation
        );
    }

    #[test]
    fn cumulative_cap() {
        let mut def = target(
            Kind::Cumulative,
            Some(Comparator::AtMost),
            Some("100"),
            Some("2024-01-01"),
            Some("2025-12-31"),
        );
        def.direction = Direction::Down;
        let asof = date("2026-03-01");
        let status = |o: &[Observation]| assess(&def, o, asof).status;
        assert_eq!(status(&[year(1, "40", E, 2024)]), Status::OnTrack); // 40% used at 50%
        assert_eq!(status(&[year(1, "65", E, 2024)]), Status::AtRisk); // 1/1.30 = 0.77
        assert_eq!(status(&[year(1, "90", E, 2024)]), Status::OffTrack); // 0.56
        assert_eq!(status(&[year(1, "101", E, 2024)]), Status::Missed); // broken
        assert_eq!(
            status(&[year(1, "40", E, 2024), year(2, "50", E, 2025)]),
            Status::Achieved
        );
        assert_eq!(
            status(&[
                year(1, "60", E, 2024),
                year(2, "50", Qualifier::LessThan, 2025)
            ]),
            Status::Missed // <110: not shown within the cap
        );
    }

    // -- Selection and order of observations ---------------------------------------

    #[test]
    fn observations_after_as_of_are_ignored() {
        let def = share_target();
        let o = [
            at(1, "40", "2023-12-31"),
            at(2, "44", "2024-12-31"),
            at(3, "70", "2025-06-30"),
        ];
        let a = assess(&def, &o, date("2025-06-29"));
        assert_eq!(a.observations, 2);
        assert_eq!(a.status, Status::AtRisk);
        // A period ending on the as-of date counts.
        let a = assess(&def, &o, date("2025-06-30"));
        assert_eq!(a.observations, 3);
        assert_eq!(a.status, Status::Achieved);
        // Nothing before the as-of date: no data.
        let a = assess(&def, &o, date("2023-12-30"));
        assert_eq!(a.status, Status::NoData);
        assert_eq!(a.observations, 0);
        assert_eq!(a.explanation, "No figure dated on or before 2023-12-30.");
    }

    #[test]
    fn order_of_input_does_not_matter_and_ties_break_by_id() {
        let def = share_target();
        let o = [
            at(5, "44", "2024-12-31"),
            at(2, "40", "2023-12-31"),
            at(9, "45", "2024-12-31"),
            at(1, "41", "2023-12-31"),
        ];
        let a = assess(&def, &o, date("2025-03-01"));
        let mut reversed = o.to_vec();
        reversed.reverse();
        assert_eq!(a, assess(&def, &reversed, date("2025-03-01")));
        assert_eq!(a.base.unwrap().quantity.value, dec("41")); // id 1
        assert_eq!(a.latest.unwrap().quantity.value, dec("45")); // id 9
    }

    // -- Zero and negative values --------------------------------------------------

    #[test]
    fn zero_base_and_target_are_replaced() {
        let def = share_target();
        let a = assess(
            &def,
            &[at(1, "0", "2023-12-31"), at(2, "1", "2024-12-31")],
            date("2025-03-01"),
        );
        assert_eq!(a.status, Status::OnTrack); // from 0.001: huge growth
        assert!(a.ratio.unwrap() > 1.0);
        let mut zero_target = share_target();
        zero_target.direction = Direction::Down;
        zero_target.comparator = Some(Comparator::AtMost);
        zero_target.target_value = Some(Decimal::ZERO);
        let a = assess(
            &zero_target,
            &[at(1, "10", "2023-12-31"), at(2, "5", "2024-12-31")],
            date("2025-03-01"),
        );
        // -50 %/yr against a required fall to 0.001 in four years
        // ((0.001/10)^(1/4) - 1 = -90 %/yr): R = 0.55.
        assert_eq!(a.status, Status::OffTrack);
        assert_eq!(r2(a.ratio.unwrap()), 0.55);
        // A fall to zero is kept as -100 %/yr.
        let a = assess(
            &zero_target,
            &[at(1, "10", "2023-12-31"), at(2, "0", "2024-12-31")],
            date("2025-03-01"),
        );
        assert_eq!(a.status, Status::Achieved);
    }

    #[test]
    fn signs_of_base_current_and_target() {
        let mut def = share_target();
        def.target_value = Some(dec("-1"));
        def.comparator = Some(Comparator::AtMost);
        def.direction = Direction::Down;
        let asof = date("2025-03-01");
        // Different signs: not assessable.
        let a = assess(
            &def,
            &[at(1, "-5", "2023-12-31"), at(2, "3", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::InsufficientData);
        assert!(
            a.explanation.contains("differ in sign"),
            "{}",
            a.explanation
        );
        let a = assess(
            &def,
            &[at(1, "5", "2023-12-31"), at(2, "3", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::InsufficientData);
        assert!(a.explanation.contains("target ≤ -1%"), "{}", a.explanation);
        // Negative base: the sign flips, as published. From -5 to -6 going
        // down is a growth of the magnitude by 20 %/yr, i.e. progress.
        def.target_value = Some(dec("-10"));
        let a = assess(
            &def,
            &[at(1, "-5", "2023-12-31"), at(2, "-6", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::OnTrack);
        assert!(a.ratio.unwrap() > 0.0);
        let a = assess(
            &def,
            &[at(1, "-5", "2023-12-31"), at(2, "-4", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::MovingAway);
        // Direction-only across zero: not assessable (non-rate).
        let d = direction(Direction::Up, "CNY");
        let a = assess(
            &d,
            &[at(1, "-5", "2023-12-31"), at(2, "5", "2024-12-31")],
            asof,
        );
        assert_eq!(a.status, Status::InsufficientData);
    }

    #[test]
    fn base_at_target_has_no_ratio() {
        let mut def = share_target();
        def.comparator = Some(Comparator::MoreThan);
        def.target_value = Some(dec("40"));
        let a = assess(
            &def,
            &[at(1, "40", "2023-12-31"), at(2, "40", "2024-12-31")],
            date("2025-03-01"),
        );
        assert_eq!(a.status, Status::OffTrack);
        assert_eq!(a.ratio, None);
        let a = assess(
            &def,
            &[at(1, "40", "2023-12-31"), at(2, "39", "2024-12-31")],
            date("2025-03-01"),
        );
        assert_eq!(a.status, Status::MovingAway);
    }

    // -- Properties ---------------------------------------------------------------

    fn arb_qualifier() -> impl Strategy<Value = Qualifier> {
        prop::sample::select(Qualifier::ALL.to_vec())
    }

    fn arb_decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            Just(Decimal::ZERO),
            (-1_000_000_000_000_000i64..1_000_000_000_000_000, 0u32..6)
                .prop_map(|(m, s)| Decimal::new(m, s)),
            (-1000i64..1000).prop_map(Decimal::from),
            Just(Decimal::MAX),
            Just(Decimal::MIN),
        ]
    }

    fn day(n: u32) -> NaiveDate {
        date("2020-01-01") + chrono::Days::new(n as u64)
    }

    fn arb_observations() -> impl Strategy<Value = Vec<Observation>> {
        prop::collection::vec(
            (
                0i64..40,
                arb_decimal(),
                arb_qualifier(),
                0u32..4000,
                0u32..800,
            ),
            0..30,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(id, value, qualifier, end, len)| Observation {
                    id,
                    quantity: Quantity { value, qualifier },
                    period: Period {
                        start: day(end.saturating_sub(len)),
                        end: day(end),
                    },
                })
                .collect()
        })
    }

    prop_compose! {
        fn arb_target()(
            kind in prop::sample::select(Kind::ALL.to_vec()),
            dir in prop::sample::select(Direction::ALL.to_vec()),
            cmp in prop::option::of(prop::sample::select(Comparator::ALL.to_vec())),
            value in prop::option::of(arb_decimal()),
            window in prop::option::of(0u32..4000),
            deadline in prop::option::of(0u32..4000),
            limit in prop::option::of(arb_decimal()),
            is_rate in any::<bool>(),
            cadence in prop::sample::select(Cadence::ALL.to_vec()),
            unit in prop::sample::select(vec!["CNY", "%", "", "people"]),
        ) -> TargetDef {
            let mut def = target(kind, cmp, None, None, None);
            def.direction = dir;
            def.target_value = value;
            def.window_start = window.map(day);
            def.deadline = deadline.map(day);
            def.limit = limit;
            def.is_rate = is_rate;
            def.cadence = cadence;
            def.unit = unit.to_string();
            def
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn assess_never_panics_and_is_deterministic(
            def in arb_target(),
            obs in arb_observations(),
            as_of in 0u32..4500,
        ) {
            let as_of = day(as_of);
            let a = assess(&def, &obs, as_of);
            prop_assert_eq!(&a, &assess(&def, &obs, as_of));
            let mut reversed = obs.clone();
            reversed.reverse();
            prop_assert_eq!(&a, &assess(&def, &reversed, as_of));

            prop_assert!(a.observations <= obs.len());
            prop_assert_eq!(a.status == Status::NoData, a.observations == 0);
            if a.status == Status::NoData {
                prop_assert!(!a.stale);
            }
            for x in [a.progress_pct, a.expected_pct, a.ratio].into_iter().flatten() {
                prop_assert!(x.is_finite());
            }
            if def.kind == Kind::Direction {
                prop_assert!(a.status != Status::Achieved && a.status != Status::Missed);
            }
            if def.kind == Kind::Cumulative {
                prop_assert!(a.base.is_none());
            }
            if let Some(latest) = a.latest {
                prop_assert!(latest.date <= as_of);
            }
            prop_assert!(!a.explanation.is_empty());
            prop_assert!(a.explanation.ends_with('.'));
            prop_assert!(!a.explanation.contains('\n'));
        }
    }
}
