//! The status method: where a target stands, from its definition, its current
//! observations and an as-of date.
//!
//! This is the executable form of `docs/methodology.md`; the doc is the
//! specification and every worked example in it is a test in `tests.rs`.
//! The method is split in two so that what is decided and how it is said can
//! be checked apart: [`compute`] returns a [`Verdict`] (the status and every
//! number and date behind it, as plain fields other modules can use), and
//! [`words`] writes the explanation from that verdict alone. Both are pure
//! (no I/O, no clock), so the same inputs give the same assessment, byte for
//! byte, and cheap enough to run over every target of a large ledger.

mod calendar;
mod cumulative;
mod qualifiers;
mod select;
mod trend;
mod words;

#[cfg(test)]
mod tests;

use crate::model::{Kind, Observation, Period, Quantity, Status, TargetDef};
use chrono::NaiveDate;

pub use calendar::{STALE_GRACE_DAYS, add_months, years_between};
pub use qualifiers::meets;
pub use words::{fmt_ratio, words};

/// Ratio thresholds (cumulative ratio and Open SDG R).
pub const ON_TRACK_RATIO: f64 = 0.95;
pub const AT_RISK_RATIO: f64 = 0.60;
/// The thresholds a ratio is compared with, highest first.
pub const RATIO_THRESHOLDS: [f64; 3] = [ON_TRACK_RATIO, AT_RISK_RATIO, 0.0];

/// A quantity with the period it refers to; `date` is the period's end, the
/// day the figure is dated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub quantity: Quantity,
    /// First day of the period (for a cumulative total: the window start).
    pub start: NaiveDate,
    pub date: NaiveDate,
}

impl Point {
    pub fn of(o: &Observation) -> Point {
        Point {
            quantity: o.quantity,
            start: o.period.start,
            date: o.period.end,
        }
    }

    pub fn period(&self) -> Period {
        Period {
            start: self.start,
            end: self.date,
        }
    }
}

/// How the base figure of a trend was chosen (docs/methodology.md, "The
/// pledge's start and the base").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseRule {
    /// The last figure dated on or before the pledge's start.
    OnOrBeforeStart(NaiveDate),
    /// No figure on or before the pledge's start: the first one after it.
    FirstAfterStart(NaiveDate),
    /// The target's `base_period`.
    Configured(Period),
}

/// Which zeros were replaced by 0.001 (Open SDG) in a growth rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZeroReplaced {
    pub base: bool,
    pub target: bool,
}

/// How a natural limit was used on the direction thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LimitUse {
    None,
    /// In the desired direction: thresholds multiplied by `coefficient`.
    Applied {
        maximum: bool,
        coefficient: f64,
    },
    /// On the other side of the desired direction: ignored, as published.
    Ignored {
        maximum: bool,
    },
}

/// A trend, with every number the words need.
#[derive(Debug, Clone, PartialEq)]
pub enum Trend {
    /// Cumulative: the running total against the linear path.
    Pace {
        progress: f64,
        expected: f64,
        elapsed: i64,
        duration: i64,
        /// progress / expected (the ratio column); `None` if not finite.
        ratio: Option<f64>,
        /// A cap on a total: scored with 1 / ratio.
        cap: bool,
    },
    /// Level with a target value: the Open SDG ratio R (or, for rates, the
    /// change of the level against the change needed).
    Ratio {
        from: Point,
        to: Point,
        deadline: NaiveDate,
        actual: f64,
        required: f64,
        /// R; `None` when the base is at the target (`required = 0`) or R is
        /// not finite.
        ratio: Option<f64>,
    },
    /// No target value: growth (or change of a rate) per year, signed by
    /// direction, against thresholds scaled by a natural limit.
    Growth {
        from: Point,
        to: Point,
        change: f64,
        scored: f64,
        high: f64,
        med: f64,
        limit: LimitUse,
    },
}

/// Why there is no trend.
#[derive(Debug, Clone, PartialEq)]
pub enum NoTrend {
    /// Figures at one date only, from the base on.
    OneDate { figures: usize, at: Point },
    /// Base and latest differ in sign (non-rate growth).
    SignsDiffer { from: Point, to: Point },
    /// Base and target value differ in sign.
    TargetSign { from: Point },
    /// The deadline is not after the base.
    DeadlineNotAfterBase { from: Point, deadline: NaiveDate },
    /// The numbers give no ratio (NaN).
    NotANumber,
}

/// What decided the status: the case of docs/methodology.md's order of
/// rules, with the data the words need.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    NoData {
        in_window: bool,
    },
    /// Cumulative: a period straddles an edge of the window.
    Straddles(Period),
    /// Cumulative: two periods overlap.
    Overlap(Period, Period),
    /// Cumulative: the amounts do not fit in a decimal.
    Overflow,
    NoTargetValue,
    NonPositiveTarget,
    WindowAfterDeadline {
        start: NaiveDate,
        deadline: NaiveDate,
    },
    /// `base_period` is set but no figure has that period.
    NoBaseFigure(Period),
    /// The latest figure (cumulative: the running total) meets the target
    /// before the deadline, or at any time for a total to reach.
    Met,
    /// Judged at the (passed) deadline by the figure or total covering it.
    AtDeadline {
        deadline: NaiveDate,
        met: bool,
    },
    /// Cumulative cap: the total certainly breaks it.
    CapBroken,
    /// Deadline passed, nothing covers it; the trend so far.
    Awaiting {
        deadline: NaiveDate,
        so_far: Box<Finding>,
    },
    /// Two or more scheduled figures missing: no trend verdict.
    Missing,
    /// A level target without a deadline, not met: scored as a direction.
    ShortWithoutDeadline(Box<Finding>),
    /// Cumulative without a deadline, not met: no linear path.
    NoPath,
    Scored(Trend),
    NoTrend(NoTrend),
}

/// The verdict on one target and every number and date behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    /// Known observations (period end on or before as-of; cumulative: inside
    /// the window).
    pub observations: usize,
    /// Level/direction: the base figure of the trend. Cumulative: None.
    pub base: Option<Point>,
    pub base_rule: Option<BaseRule>,
    /// Level/direction: the latest known figure. Cumulative: the running
    /// total, dated at the latest period end, with the combined qualifier.
    pub latest: Option<Point>,
    /// Level: the figure covering a passed deadline, if any.
    pub covering: Option<Point>,
    /// Figures after a passed deadline ("since then"), in order.
    pub later: Vec<Point>,
    /// End of the first figure after the deadline that meets the target, for
    /// a target `missed` or `awaiting-data` at its deadline.
    pub reached_late: Option<NaiveDate>,
    /// Cumulative only: 100 · total / target. Not rounded.
    pub progress_pct: Option<f64>,
    /// Cumulative only: 100 · the linear path's share at the latest period end.
    pub expected_pct: Option<f64>,
    /// Cumulative: progress / expected; level: the Open SDG ratio R. Always
    /// finite when present.
    pub ratio: Option<f64>,
    /// At least one scheduled figure is missing.
    pub stale: bool,
    /// How many scheduled figures are missing.
    pub missing_count: usize,
    /// Ends of the missing periods: all of them up to four, else the first
    /// three and the last.
    pub missing: Vec<NaiveDate>,
    /// Cumulative: days of the window up to the latest period end that no
    /// period covers.
    pub gaps: Vec<Period>,
    /// Cumulative: periods shorter than one cadence step.
    pub part_periods: Vec<Period>,
    pub zero_replaced: ZeroReplaced,
    pub finding: Finding,
}

impl Verdict {
    fn new(status: Status, finding: Finding) -> Verdict {
        Verdict {
            status,
            observations: 0,
            base: None,
            base_rule: None,
            latest: None,
            covering: None,
            later: Vec::new(),
            reached_late: None,
            progress_pct: None,
            expected_pct: None,
            ratio: None,
            stale: false,
            missing_count: 0,
            missing: Vec::new(),
            gaps: Vec::new(),
            part_periods: Vec::new(),
            zero_replaced: ZeroReplaced::default(),
            finding,
        }
    }

    /// Sets the status and what decided it.
    fn decide(&mut self, status: Status, finding: Finding) {
        self.status = status;
        self.finding = finding;
    }

    /// Records the missing scheduled figures after `last_end`; two or more
    /// turn a trend verdict into `insufficient-data`.
    fn check_schedule(&mut self, def: &TargetDef, last_end: NaiveDate, as_of: NaiveDate) {
        let (count, listed) = calendar::missing_releases(def, last_end, as_of);
        self.missing_count = count;
        self.missing = listed;
        self.stale = count >= 1;
        let trend_verdict = matches!(
            self.status,
            Status::OnTrack | Status::AtRisk | Status::OffTrack | Status::MovingAway
        ) || matches!(
            self.finding,
            Finding::NoTrend(_) | Finding::ShortWithoutDeadline(_)
        );
        if count >= 2 && trend_verdict {
            self.decide(Status::InsufficientData, Finding::Missing);
        }
    }
}

/// A verdict with its explanation: what `list`, `report` and `show` print.
/// Dereferences to the [`Verdict`], so `assessment.status` reads as before.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub verdict: Verdict,
    /// One or two sentences with the numbers used.
    pub explanation: String,
}

impl std::ops::Deref for Assessment {
    type Target = Verdict;
    fn deref(&self) -> &Verdict {
        &self.verdict
    }
}

/// Decides the verdict on `def` at `as_of` from its current observations
/// (corrections and retractions already applied, `--known-at` already
/// filtered by the caller). Observations may come in any order and may
/// include some dated after `as_of`; those are ignored.
pub fn compute(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Verdict {
    match def.kind {
        Kind::Cumulative => cumulative::compute(def, observations, as_of),
        Kind::Level | Kind::Direction => trend::compute(def, observations, as_of),
    }
}

/// [`compute`], then [`words`].
pub fn assess(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Assessment {
    let verdict = compute(def, observations, as_of);
    let explanation = words(def, &verdict, as_of);
    Assessment {
        verdict,
        explanation,
    }
}

/// Whether a period lies inside a cumulative target's window (the pledge's
/// start to the deadline).
pub fn inside_window(def: &TargetDef, p: &Period) -> bool {
    p.start >= select::pledge_start(def) && def.deadline.is_none_or(|d| p.end <= d)
}

/// Whether a period straddles an edge of a cumulative target's window: it is
/// neither inside nor entirely outside. Such an amount is refused wherever
/// figures come in (`record`, `import`, target files, `target amend`), never
/// split (docs/methodology.md, "Cumulative targets").
pub fn straddles_window(def: &TargetDef, p: &Period) -> bool {
    let outside = p.end < select::pledge_start(def) || def.deadline.is_some_and(|d| p.start > d);
    !inside_window(def, p) && !outside
}

/// A decimal as a float for the growth arithmetic; NaN if it does not fit.
fn to_f64(d: rust_decimal::Decimal) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(f64::NAN)
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
