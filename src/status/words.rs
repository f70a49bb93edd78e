//! The explanation of a verdict: one or two sentences with the numbers used,
//! written from the [`Verdict`] alone, so what is decided and how it is said
//! are checked apart. Numbers are printed with the precision the status used:
//! never rounded across a threshold (docs/methodology.md, "The explanation").

use super::{
    BaseRule, Finding, LimitUse, NoTrend, Point, RATIO_THRESHOLDS, Trend, Verdict, ZeroReplaced,
    qualifiers::effective_comparator, select,
};
use crate::model::{Cadence, Comparator, Kind, Period, Quantity, TargetDef};
use crate::numfmt::{self, NumberStyle};
use crate::period::format_period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt::Write;

/// Most decimals a number is ever printed with.
const MAX_DECIMALS: usize = 8;
/// Later figures named in full; beyond, the first ones and the last.
const LISTED_LATER: usize = 3;

/// The explanation of `v` for `def` at `as_of`.
pub fn words(def: &TargetDef, v: &Verdict, as_of: NaiveDate) -> String {
    let mut s = finding(def, v, &v.finding, as_of);
    since_then(def, v, &mut s);
    s.push('.');
    notes(def, v, &mut s);
    s
}

/// `x` with at least `decimals` decimals, and more while the printed number
/// would lie on another side of a threshold than `x`; never `-0.00`.
pub fn fmt_side(x: f64, decimals: usize, thresholds: &[f64]) -> String {
    let mut out = format!("{x:.decimals$}");
    for d in decimals..=MAX_DECIMALS {
        out = format!("{x:.d$}");
        let printed: f64 = out.parse().unwrap_or(x);
        if thresholds.iter().all(|t| (x >= *t) == (printed >= *t)) {
            break;
        }
    }
    let all_zero = out
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    let zero_is_same_side = thresholds.iter().all(|t| (x >= *t) == (0.0 >= *t));
    if out.starts_with('-') && all_zero && zero_is_same_side {
        out.remove(0);
    }
    out
}

/// A ratio as the CSV, JSON and explanations write it: three decimals, more
/// where three would round across 0.95, 0.60 or 0.
pub fn fmt_ratio(r: f64) -> String {
    fmt_side(r, 3, &RATIO_THRESHOLDS)
}

fn fmt2(x: f64) -> String {
    fmt_side(x, 2, &[])
}

fn signed(s: String) -> String {
    if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

fn qty(def: &TargetDef, q: &Quantity) -> String {
    numfmt::human_quantity(q, &def.unit, NumberStyle::Western)
}

/// A figure named by its period: "59% for 2025", "50% on 2024-06-30".
fn fig(def: &TargetDef, p: &Point) -> String {
    let q = qty(def, &p.quantity);
    if p.start == p.date {
        format!("{q} on {}", p.date)
    } else {
        format!("{q} for {}", format_period(&p.period()))
    }
}

/// The target as people read it: `> 3 tn CNY`, `≥ 60%`; `=` shows the number.
fn target_text(def: &TargetDef) -> String {
    let number = numfmt::human(
        def.target_value.unwrap_or(Decimal::ZERO),
        &def.unit,
        NumberStyle::Western,
    );
    let symbol = match def.comparator {
        Some(Comparator::MoreThan) => ">",
        Some(Comparator::AtLeast) => "≥",
        Some(Comparator::AtMost) => "≤",
        Some(Comparator::LessThan) => "<",
        Some(Comparator::Equal) | None => return number,
    };
    format!("{symbol} {number}")
}

fn figures(n: usize) -> String {
    if n == 1 {
        "1 figure".to_string()
    } else {
        format!("{n} figures")
    }
}

fn capitalise(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// The main sentence, without its final full stop.
fn finding(def: &TargetDef, v: &Verdict, f: &Finding, as_of: NaiveDate) -> String {
    let t = target_text(def);
    let latest = v.latest.as_ref();
    let total = || {
        latest.map_or(String::new(), |p| {
            format!(
                "{} from {} by {}",
                qty(def, &p.quantity),
                figures(v.observations),
                p.date
            )
        })
    };
    let pct = fmt2(v.progress_pct.unwrap_or(f64::NAN));
    match f {
        Finding::NoData { in_window } => {
            let within = if *in_window { " within the window" } else { "" };
            let mut s = format!("No figure{within} dated on or before {as_of}");
            if let Some(d) = def.deadline.filter(|d| *d < as_of) {
                let _ = write!(s, "; the deadline {d} has passed");
            }
            s
        }
        Finding::Straddles(p) => format!(
            "Period {}..{} straddles an edge of the window ({}..{}); amounts are never split, so correct it into parts inside and outside the window",
            p.start,
            p.end,
            select::pledge_start(def),
            def.deadline.map_or("open".into(), |d| d.to_string())
        ),
        Finding::Overlap(a, b) => format!(
            "Periods {}..{} and {}..{} overlap, so their amounts cannot be added",
            a.start, a.end, b.start, b.end
        ),
        Finding::Overflow => "The amounts are too large to add up".into(),
        Finding::NoTargetValue if def.kind == Kind::Cumulative => {
            format!("{}, but the target has no value to compare with", total())
        }
        Finding::NoTargetValue => format!(
            "Latest {}, but the target has no value to compare with",
            latest.map_or(String::new(), |p| fig(def, p))
        ),
        Finding::NonPositiveTarget => {
            format!("The target {t} is not positive, so no share of it can be computed")
        }
        Finding::WindowAfterDeadline { start, deadline } => {
            format!("The window starts ({start}) after the deadline ({deadline})")
        }
        Finding::NoBaseFigure(p) => format!(
            "No figure for the base period {}; record one, or amend the target's base period",
            format_period(p)
        ),
        Finding::Met if def.kind == Kind::Cumulative => format!(
            "{} meets {t} by {} ({pct}% done)",
            total_short(def, v),
            latest.map_or(as_of, |p| p.date)
        ),
        Finding::Met => format!(
            "Latest {} meets {t}",
            latest.map_or(String::new(), |p| fig(def, p))
        ),
        Finding::AtDeadline { deadline, met } => at_deadline(def, v, *deadline, *met, &total()),
        Finding::CapBroken => format!("{} already breaks the cap {t} ({pct}%)", total()),
        Finding::Awaiting { deadline, so_far } => format!(
            "Deadline {deadline} passed; no figure covers it yet. Trend so far: {}",
            lower_first(finding(def, v, so_far, as_of))
        ),
        Finding::Missing => missing(def, v),
        Finding::ShortWithoutDeadline(inner) => format!(
            "{} is short of {t} and there is no deadline, so the trend is scored as for a direction target: {}",
            latest.map_or(String::new(), |p| fig(def, p)),
            lower_first(finding(def, v, inner, as_of))
        ),
        Finding::NoPath => format!(
            "{pct}% of {t} done by {} ({}); with no deadline there is no linear path to compare with",
            latest.map_or(as_of, |p| p.date),
            total_short(def, v)
        ),
        Finding::Scored(trend) => capitalise(self::trend(def, v, trend)),
        Finding::NoTrend(why) => no_trend(def, why),
    }
}

fn lower_first(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => s,
    }
}

/// "70 bn CNY from 1 figure".
fn total_short(def: &TargetDef, v: &Verdict) -> String {
    v.latest.as_ref().map_or(String::new(), |p| {
        format!("{} from {}", qty(def, &p.quantity), figures(v.observations))
    })
}

fn at_deadline(
    def: &TargetDef,
    v: &Verdict,
    deadline: NaiveDate,
    met: bool,
    total: &str,
) -> String {
    let t = target_text(def);
    let pct = fmt2(v.progress_pct.unwrap_or(f64::NAN));
    let cap = matches!(
        effective_comparator(def),
        Comparator::AtMost | Comparator::LessThan
    );
    match (&v.covering, def.kind) {
        (Some(c), _) => {
            let verb = if met { "meets" } else { "falls short of" };
            format!(
                "Deadline {deadline}: {} covers it and {verb} {t}",
                fig(def, c)
            )
        }
        (None, Kind::Cumulative) if cap => {
            let verb = if met {
                "stays within"
            } else {
                "is not shown to stay within"
            };
            format!("The whole window is covered: {total} {verb} the cap {t} ({pct}%)")
        }
        (None, _) => format!(
            "Deadline {deadline} passed with the whole window covered: {} is {pct}% of {t} (the linear path expects 100.00%, ratio {})",
            total_short(def, v),
            v.ratio.map_or("none".into(), fmt_ratio)
        ),
    }
}

fn missing(def: &TargetDef, v: &Verdict) -> String {
    format!(
        "No verdict: {} scheduled figures are missing (periods ending {}); the latest is {}",
        v.missing_count,
        list_dates(v.missing_count, &v.missing),
        v.latest.as_ref().map_or(String::new(), |p| fig(def, p))
    )
}

/// The listed dates, with "…" when some in the middle were left out.
fn list_dates(count: usize, listed: &[NaiveDate]) -> String {
    let mut parts: Vec<String> = listed.iter().map(|d| d.to_string()).collect();
    if count > listed.len()
        && let Some(last) = parts.pop()
    {
        parts.push("…".into());
        parts.push(last);
    }
    parts.join(", ")
}

fn no_trend(def: &TargetDef, why: &NoTrend) -> String {
    match why {
        NoTrend::OneDate { figures: 1, at } => format!(
            "Only one figure from the base on ({}); a trend needs figures at two dates",
            fig(def, at)
        ),
        NoTrend::OneDate { figures, at } => format!(
            "All {figures} figures from the base on are dated {}; a trend needs figures at two dates",
            at.date
        ),
        NoTrend::SignsDiffer { from, to } => format!(
            "Base {} and latest {} differ in sign, so growth rates are not assessable (Open SDG rule)",
            fig(def, from),
            fig(def, to)
        ),
        NoTrend::TargetSign { from } => format!(
            "Base {} and target {} differ in sign, so the required growth is not assessable (Open SDG rule)",
            fig(def, from),
            target_text(def)
        ),
        NoTrend::DeadlineNotAfterBase { from, deadline } => format!(
            "The deadline {deadline} is not after the base figure ({}), so no pace can be required",
            fig(def, from)
        ),
        NoTrend::NotANumber => "The figures give no finite number for the trend".into(),
    }
}

/// Unit of a rate's change per year: percentage points for `%`.
fn rate_unit(def: &TargetDef) -> String {
    match def.unit.as_str() {
        "%" => " pp/yr".to_string(),
        "" => " per year".to_string(),
        unit => format!(" {unit}/yr"),
    }
}

/// How a change per year is written, and the factor to get there: percent
/// per year for growth, the metric's unit (pp) per year for rates.
fn growth_unit(def: &TargetDef) -> (String, f64) {
    if def.is_rate {
        (rate_unit(def), 1.0)
    } else {
        ("%/yr".to_string(), 100.0)
    }
}

fn base_rule(rule: Option<BaseRule>) -> String {
    match rule {
        Some(BaseRule::OnOrBeforeStart(d)) => format!("base: the last figure on or before {d}"),
        Some(BaseRule::FirstAfterStart(d)) => format!("base: the first figure after {d}"),
        Some(BaseRule::Configured(p)) => {
            format!("base: the configured base period {}", format_period(&p))
        }
        None => String::new(),
    }
}

fn zero_notes(z: ZeroReplaced) -> Vec<String> {
    let mut notes = Vec::new();
    if z.base {
        notes.push("zero base replaced by 0.001, as published".to_string());
    }
    if z.target {
        notes.push("zero target replaced by 0.001, as published".to_string());
    }
    notes
}

/// The trend clause, lower-case first letter where it is a clause.
fn trend(def: &TargetDef, v: &Verdict, t: &Trend) -> String {
    let target = target_text(def);
    match t {
        Trend::Pace {
            progress,
            expected,
            elapsed,
            duration,
            ratio,
            cap,
        } => {
            let (what, path) = if *cap {
                (format!("of the cap {target} used"), "allows")
            } else {
                (format!("of {target} done"), "expects")
            };
            format!(
                "{}% {what} by {} ({}), where the linear path {path} {}% ({elapsed} of {duration} days, ratio {})",
                fmt2(progress * 100.0),
                v.latest
                    .as_ref()
                    .map_or(String::new(), |p| p.date.to_string()),
                total_short(def, v),
                fmt2(expected * 100.0),
                ratio.map_or("none".into(), fmt_ratio)
            )
        }
        Trend::Ratio {
            from,
            to,
            deadline,
            actual,
            required,
            ratio,
        } => {
            let (unit, scale) = growth_unit(def);
            let mut notes = vec![match ratio {
                Some(r) => format!("ratio {}", fmt_ratio(*r)),
                None => "no ratio: the base is at the target".into(),
            }];
            notes.push(base_rule(v.base_rule));
            notes.extend(zero_notes(v.zero_replaced));
            format!(
                "from {} to {} the level changed by {}{unit}, where {target} by {deadline} needs {}{unit} ({})",
                fig(def, from),
                fig(def, to),
                signed(fmt2(actual * scale)),
                signed(fmt2(required * scale)),
                notes.join("; ")
            )
        }
        Trend::Growth {
            from,
            to,
            change,
            scored,
            high,
            med,
            limit,
        } => {
            let (unit, scale) = growth_unit(def);
            let thresholds = [high * scale, med * scale, 0.0];
            let mut notes = Vec::new();
            if let Some(note) = limit_note(def, *limit) {
                notes.push(note);
            }
            notes.push(base_rule(v.base_rule));
            notes.extend(zero_notes(v.zero_replaced));
            format!(
                "from {} to {} the level changed by {}{unit}, scored {}{unit} against {}/{}/0 {} ({})",
                fig(def, from),
                fig(def, to),
                signed(fmt2(change * scale)),
                signed(fmt_side(scored * scale, 2, &thresholds)),
                fmt2(high * scale),
                fmt2(med * scale),
                unit.trim_start(),
                notes.join("; ")
            )
        }
    }
}

fn limit_note(def: &TargetDef, limit: LimitUse) -> Option<String> {
    let l = numfmt::human(def.limit?, &def.unit, NumberStyle::Western);
    match limit {
        LimitUse::None => None,
        LimitUse::Applied { coefficient, .. } => {
            Some(format!("limit {l}, C {}", fmt2(coefficient)))
        }
        LimitUse::Ignored { maximum: true } => Some(format!(
            "limit {l} ignored: a maximum does not bind a target whose good direction is down"
        )),
        LimitUse::Ignored { maximum: false } => Some(format!(
            "limit {l} ignored: a minimum does not bind a target whose good direction is up"
        )),
    }
}

/// "; since then: 59% for 2025" and, when reached late, when.
fn since_then(def: &TargetDef, v: &Verdict, s: &mut String) {
    if v.later.is_empty() {
        return;
    }
    let named: Vec<String> = if v.later.len() <= LISTED_LATER {
        v.later.iter().map(|p| fig(def, p)).collect()
    } else {
        let mut named: Vec<String> = v.later[..LISTED_LATER - 1]
            .iter()
            .map(|p| fig(def, p))
            .collect();
        named.push("…".into());
        named.extend(v.later.last().map(|p| fig(def, p)));
        named
    };
    let _ = write!(s, "; since then: {}", named.join(", "));
    if let Some(date) = v.reached_late {
        let _ = write!(
            s,
            ", so the target was reached only after the deadline (on {date})"
        );
    }
}

fn part_word(c: Cadence) -> &'static str {
    match c {
        Cadence::Monthly => "part-month",
        Cadence::Quarterly => "part-quarter",
        Cadence::HalfYearly => "part-half-year",
        Cadence::Yearly => "part-year",
    }
}

fn periods(ps: &[Period]) -> String {
    let names: Vec<String> = ps.iter().map(format_period).collect();
    names.join(", ")
}

/// Sentences after the main one: gaps, part-period figures, overdue figures.
fn notes(def: &TargetDef, v: &Verdict, s: &mut String) {
    if !v.gaps.is_empty() {
        let _ = write!(
            s,
            " The total has no figure for {} (left out, not filled in).",
            periods(&v.gaps)
        );
    }
    match v.part_periods.as_slice() {
        [] => {}
        [one] => {
            let _ = write!(
                s,
                " {} is a {} figure: the linear path assumes an even spread, so seasonality can skew the ratio.",
                format_period(one),
                part_word(def.cadence)
            );
        }
        many => {
            let _ = write!(
                s,
                " {} are {} figures: the linear path assumes an even spread, so seasonality can skew the ratio.",
                periods(many),
                part_word(def.cadence)
            );
        }
    }
    if v.missing_count >= 1 && v.finding != Finding::Missing {
        let what = if v.missing_count == 1 {
            "1 scheduled figure is overdue".to_string()
        } else {
            format!("{} scheduled figures are overdue", v.missing_count)
        };
        let _ = write!(
            s,
            " Stale: {what} (period ending {}).",
            list_dates(v.missing_count, &v.missing)
        );
    }
}
