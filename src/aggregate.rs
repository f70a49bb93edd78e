//! The Open SDG aggregate progress score: many targets summed up in one
//! number and one of four bands, for a group of targets (all pledges of one
//! briefing, say).
//!
//! Averaging statuses ("two on-track and one off-track") throws away how far
//! each target is from the band edges; averaging raw ratios lets one runaway
//! figure dominate. Open SDG's "Aggregated progress status" (its published
//! progress methodology, docs/methodology.md, "Aggregate score") maps each
//! series' progress value linearly onto −5..+5, clamped, with the four
//! status bands of equal width, and averages the scores. This module is that
//! mapping and nothing else: pure functions, no I/O, so the page and the
//! tests compute the same number.

use crate::model::Status;
use crate::report::ReportRow;
use crate::status::{Finding, LimitUse, Trend};

/// Lowest and highest score.
pub const SCORE_MIN: f64 = -5.0;
pub const SCORE_MAX: f64 = 5.0;

/// What one target contributes to the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// The target is met: +5 whatever the trend.
    Achieved,
    /// The ratio of actual to required progress (Open SDG `R`, or the
    /// cumulative ratio to the linear path), 1.0 meaning exactly on pace.
    Ratio(f64),
    /// A cap on a total ("at most X over the window"): the share of the cap
    /// used so far and the share of the window elapsed (the linear path).
    /// Scored on the ratio line with `elapsed / used`, the inverted ratio
    /// the status method judges a cap by; nothing used scores +5.
    Cap { used: f64, elapsed: f64 },
    /// Growth per year as a fraction (0.015 = 1.5 %/yr), signed so that
    /// positive is the desired direction, with the natural-limit
    /// coefficient `C` (1.0 without a limit) that scales the positive
    /// thresholds.
    Growth { growth: f64, limit_coefficient: f64 },
}

/// One of the four equal bands of the score, plus "achieved" when every
/// scored target is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Every scored target achieved.
    Achieved,
    /// Score in [2.5, 5].
    OnTrack,
    /// Score in [0, 2.5): progress made, acceleration needed.
    AccelerationNeeded,
    /// Score in [−2.5, 0).
    Limited,
    /// Score in [−5, −2.5).
    Deterioration,
}

impl Band {
    /// Words for people, as Open SDG names the categories.
    pub fn words(self) -> &'static str {
        match self {
            Band::Achieved => "target achieved",
            Band::OnTrack => "on track",
            Band::AccelerationNeeded => "progress made but acceleration needed",
            Band::Limited => "limited progress",
            Band::Deterioration => "deterioration",
        }
    }

    /// The band a score falls in (not "achieved": that needs every target).
    pub fn of_score(score: f64) -> Band {
        if score >= 2.5 {
            Band::OnTrack
        } else if score >= 0.0 {
            Band::AccelerationNeeded
        } else if score >= -2.5 {
            Band::Limited
        } else {
            Band::Deterioration
        }
    }

    /// The status of a single target this band corresponds to.
    pub fn status(self) -> Status {
        match self {
            Band::Achieved => Status::Achieved,
            Band::OnTrack => Status::OnTrack,
            Band::AccelerationNeeded => Status::AtRisk,
            Band::Limited => Status::OffTrack,
            Band::Deterioration => Status::MovingAway,
        }
    }
}

/// Linear interpolation of `x` through the knots `(x_i, y_i)` (x ascending),
/// clamped to the first and last `y` outside them.
fn piecewise(x: f64, knots: &[(f64, f64)]) -> f64 {
    let (first, last) = (knots[0], knots[knots.len() - 1]);
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    for pair in knots.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if x <= x1 {
            // Exactly at a knot: its value, never a rounding below it (a
            // band edge must score the band it opens).
            if x == x1 || x1 == x0 {
                return y1;
            }
            return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
        }
    }
    last.1
}

/// The ratio line, as published: −60 % ↦ −5, 60 % ↦ 0, 130 % ↦ +5.
const RATIO_KNOTS: [(f64, f64); 3] = [(-0.60, SCORE_MIN), (0.60, 0.0), (1.30, SCORE_MAX)];

/// The score of one target, in −5..+5; `None` for a value that is not a
/// finite number.
///
/// * Ratio: −0.60 ↦ −5, 0 ↦ −2.5, 0.60 ↦ 0, 0.95 ↦ +2.5, 1.30 ↦ +5 (two
///   straight lines meeting at 0.60, as published: −60 % … 60 % … 130 %).
/// * Cap: the ratio line at `elapsed / used`; `used ≤ 0` ↦ +5.
/// * Growth: −2 % ↦ −5, 0 ↦ −2.5, 0.5 %·C ↦ 0, 1.5 %·C ↦ +2.5, 2 %·C ↦ +5.
///   With `C = 0` (the base at its limit) any growth ≥ 0 scores +5.
pub fn score(progress: Progress) -> Option<f64> {
    match progress {
        Progress::Achieved => Some(SCORE_MAX),
        Progress::Ratio(r) if r.is_finite() => Some(piecewise(r, &RATIO_KNOTS)),
        Progress::Cap { used, elapsed } if used.is_finite() && elapsed.is_finite() => {
            if used <= 0.0 {
                return Some(SCORE_MAX);
            }
            let inverted = elapsed / used;
            inverted
                .is_finite()
                .then(|| piecewise(inverted, &RATIO_KNOTS))
                .or(Some(SCORE_MAX))
        }
        Progress::Growth {
            growth,
            limit_coefficient: c,
        } if growth.is_finite() && c.is_finite() => {
            let c = c.clamp(0.0, 1.0);
            if growth >= 0.0 && c == 0.0 {
                return Some(SCORE_MAX);
            }
            Some(piecewise(
                growth,
                &[
                    (-0.02, SCORE_MIN),
                    (0.0, -2.5),
                    (0.005 * c, 0.0),
                    (0.015 * c, 2.5),
                    (0.02 * c, SCORE_MAX),
                ],
            ))
        }
        _ => None,
    }
}

/// The aggregate of a group: the mean score and its band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregate {
    pub score: f64,
    pub band: Band,
    /// Targets that contributed a score.
    pub scored: usize,
    /// Targets without a progress value (no data, a single figure, stale,
    /// missed or awaiting data at the deadline, a cap already broken).
    pub unscored: usize,
}

/// The mean of the scores, and its band; "achieved" only when every scored
/// target is achieved. `None` when nothing could be scored.
pub fn aggregate(progress: &[Option<Progress>]) -> Option<Aggregate> {
    let scores: Vec<(f64, bool)> = progress
        .iter()
        .flatten()
        .filter_map(|p| score(*p).map(|s| (s, *p == Progress::Achieved)))
        .collect();
    if scores.is_empty() {
        return None;
    }
    let mean = scores.iter().map(|(s, _)| s).sum::<f64>() / scores.len() as f64;
    let band = if scores.iter().all(|(_, achieved)| *achieved) {
        Band::Achieved
    } else {
        Band::of_score(mean)
    };
    Some(Aggregate {
        score: mean,
        band,
        scored: scores.len(),
        unscored: progress.len() - scores.len(),
    })
}

/// What a report row contributes: achieved, or the progress value of the
/// trend that decided its status (a level target's R, a total's pace, a
/// cap's pace, a direction's growth). Nothing when no trend decided it:
/// no data, too few or stale figures, a deadline passed (`missed`,
/// `awaiting-data`), a cap already broken.
pub fn progress_of(row: &ReportRow) -> Option<Progress> {
    let a = &row.assessment;
    if a.status == Status::Achieved {
        return Some(Progress::Achieved);
    }
    let trend = match &a.finding {
        Finding::Scored(trend) => trend,
        // A level target without a deadline, not met: judged by its growth.
        Finding::ShortWithoutDeadline(inner) => match inner.as_ref() {
            Finding::Scored(trend) => trend,
            _ => return None,
        },
        _ => return None,
    };
    match *trend {
        Trend::Ratio { ratio, .. }
        | Trend::Pace {
            ratio, cap: false, ..
        } => ratio.filter(|r| r.is_finite()).map(Progress::Ratio),
        Trend::Pace {
            progress,
            expected,
            cap: true,
            ..
        } => Some(Progress::Cap {
            used: progress,
            elapsed: expected,
        }),
        Trend::Growth { scored, limit, .. } => Some(Progress::Growth {
            growth: if row.def.is_rate {
                scored / RATE_POINTS_PER_GROWTH
            } else {
                scored
            },
            limit_coefficient: match limit {
                LimitUse::Applied { coefficient, .. } => coefficient,
                LimitUse::None | LimitUse::Ignored { .. } => 1.0,
            },
        }),
    }
}

/// A rate's change (percentage points per year) is judged on the growth
/// thresholds read as points (1.5 pp/yr where growth needs 1.5 %/yr), so
/// it goes on the growth knots divided by 100.
const RATE_POINTS_PER_GROWTH: f64 = 100.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: Progress) -> f64 {
        (score(p).unwrap() * 1000.0).round() / 1000.0
    }

    fn g(growth: f64, c: f64) -> Progress {
        Progress::Growth {
            growth,
            limit_coefficient: c,
        }
    }

    #[test]
    fn ratio_band_edges_fall_on_status_thresholds() {
        assert_eq!(s(Progress::Ratio(-1.0)), -5.0);
        assert_eq!(s(Progress::Ratio(-0.60)), -5.0);
        assert_eq!(s(Progress::Ratio(0.0)), -2.5);
        assert_eq!(s(Progress::Ratio(0.60)), 0.0);
        assert_eq!(s(Progress::Ratio(0.95)), 2.5);
        assert_eq!(s(Progress::Ratio(1.30)), 5.0);
        assert_eq!(s(Progress::Ratio(4.0)), 5.0);
        // Same bands as the status thresholds 0.95 / 0.60 / 0.
        assert_eq!(
            Band::of_score(s(Progress::Ratio(0.949))),
            Band::AccelerationNeeded
        );
        assert_eq!(Band::of_score(s(Progress::Ratio(0.95))), Band::OnTrack);
        assert_eq!(Band::of_score(s(Progress::Ratio(0.599))), Band::Limited);
        assert_eq!(
            Band::of_score(s(Progress::Ratio(-0.001))),
            Band::Deterioration
        );
    }

    #[test]
    fn growth_scales_positive_thresholds_only() {
        assert_eq!(s(g(-0.03, 1.0)), -5.0);
        assert_eq!(s(g(-0.01, 1.0)), -3.75);
        assert_eq!(s(g(0.0, 1.0)), -2.5);
        assert_eq!(s(g(0.005, 1.0)), 0.0);
        assert_eq!(s(g(0.01, 1.0)), 1.25);
        assert_eq!(s(g(0.015, 1.0)), 2.5);
        assert_eq!(s(g(0.02, 1.0)), 5.0);
        // Half the room below the limit: thresholds halved above zero,
        // unchanged below.
        assert_eq!(s(g(0.0075, 0.5)), 2.5);
        assert_eq!(s(g(-0.01, 0.5)), -3.75);
        // At the limit: holding or growing is on track, falling is not.
        assert_eq!(s(g(0.0, 0.0)), 5.0);
        assert_eq!(s(g(-0.01, 0.0)), -3.75);
    }

    fn cap(used: f64, elapsed: f64) -> Progress {
        Progress::Cap { used, elapsed }
    }

    #[test]
    fn caps_score_the_inverted_ratio() {
        // Half the window gone, 40 % of the cap used: 0.5 / 0.4 = 1.25.
        assert_eq!(s(cap(0.4, 0.5)), 4.643);
        // Exactly on the linear path: 1.0 ↦ (1.0 − 0.6) / 0.7 · 5.
        assert_eq!(s(cap(0.5, 0.5)), 2.857);
        // Used ahead of the path: 0.5 / 0.6 = 0.833 ↦ acceleration needed
        // (the status method's at-risk, 0.60 ≤ 1/ratio < 0.95).
        assert_eq!(s(cap(0.6, 0.5)), 1.667);
        assert_eq!(Band::of_score(s(cap(0.6, 0.5))), Band::AccelerationNeeded);
        // Band edges fall on the status thresholds of 1/ratio.
        assert_eq!(Band::of_score(s(cap(0.5 / 0.95, 0.5))), Band::OnTrack);
        assert_eq!(Band::of_score(s(cap(0.5 / 0.59, 0.5))), Band::Limited);
        // Nothing used yet (or a net negative total): on track, +5.
        assert_eq!(s(cap(0.0, 0.5)), 5.0);
        assert_eq!(s(cap(-0.1, 0.5)), 5.0);
        assert_eq!(s(cap(1e-300, 0.5)), 5.0);
        assert_eq!(score(cap(f64::NAN, 0.5)), None);
    }

    #[test]
    fn non_finite_values_are_not_scored() {
        assert_eq!(score(Progress::Ratio(f64::NAN)), None);
        assert_eq!(score(g(f64::INFINITY, 1.0)), None);
    }

    #[test]
    fn aggregate_is_the_mean_and_achieved_needs_all() {
        let a = aggregate(&[
            Some(Progress::Ratio(0.95)),
            Some(Progress::Ratio(0.60)),
            None,
        ])
        .unwrap();
        assert!((a.score - 1.25).abs() < 1e-9, "{}", a.score);
        assert_eq!(a.band, Band::AccelerationNeeded);
        assert_eq!((a.scored, a.unscored), (2, 1));

        let all = aggregate(&[Some(Progress::Achieved), Some(Progress::Achieved)]).unwrap();
        assert_eq!(all.band, Band::Achieved);
        let most = aggregate(&[Some(Progress::Achieved), Some(Progress::Ratio(1.30))]).unwrap();
        assert_eq!((most.score, most.band), (5.0, Band::OnTrack));

        assert_eq!(aggregate(&[None, None]), None);
        assert_eq!(aggregate(&[]), None);
    }

    proptest::proptest! {
        /// Scores stay in −5..+5 and never fall as progress rises.
        #[test]
        fn scores_are_bounded_and_monotone(
            a in -10.0f64..10.0,
            b in -10.0f64..10.0,
            c in 0.0f64..=1.0,
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (r_lo, r_hi) = (s(Progress::Ratio(lo)), s(Progress::Ratio(hi)));
            proptest::prop_assert!((-5.0..=5.0).contains(&r_lo));
            proptest::prop_assert!(r_lo <= r_hi);
            let (g_lo, g_hi) = (s(g(lo / 100.0, c)), s(g(hi / 100.0, c)));
            proptest::prop_assert!((-5.0..=5.0).contains(&g_lo));
            proptest::prop_assert!(g_lo <= g_hi, "{lo} {hi} {c}: {g_lo} > {g_hi}");
        }

        /// A cap scores in −5..+5, lower the more of it is used, higher
        /// the later in the window the same amount is used.
        #[test]
        fn cap_scores_are_bounded_and_monotone(
            a in -2.0f64..5.0,
            b in -2.0f64..5.0,
            elapsed in 0.0001f64..=1.0,
            later in 0.0f64..=1.0,
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (at_lo, at_hi) = (s(cap(lo, elapsed)), s(cap(hi, elapsed)));
            proptest::prop_assert!((-5.0..=5.0).contains(&at_lo));
            proptest::prop_assert!((-5.0..=5.0).contains(&at_hi));
            proptest::prop_assert!(at_hi <= at_lo, "{lo} {hi} {elapsed}: {at_hi} > {at_lo}");
            let elapsed_later = elapsed + (1.0 - elapsed) * later;
            proptest::prop_assert!(s(cap(lo, elapsed_later)) >= at_lo);
        }

        /// Closer to a natural limit (smaller C) the same growth never
        /// scores lower.
        #[test]
        fn a_nearer_limit_never_lowers_the_score(
            growth in -5.0f64..5.0,
            c1 in 0.0f64..=1.0,
            c2 in 0.0f64..=1.0,
        ) {
            let (near, far) = if c1 <= c2 { (c1, c2) } else { (c2, c1) };
            let (at_near, at_far) = (s(g(growth / 100.0, near)), s(g(growth / 100.0, far)));
            proptest::prop_assert!(at_near >= at_far, "{growth} {near} {far}");
        }

        /// The aggregate of any mix stays in −5..+5, between its lowest and
        /// highest score.
        #[test]
        fn aggregates_are_bounded(
            values in proptest::collection::vec((0u8..4, -10.0f64..10.0, 0.0f64..=1.0), 1..12),
        ) {
            let progress: Vec<Option<Progress>> = values
                .iter()
                .map(|&(kind, x, y)| match kind {
                    0 => Some(Progress::Ratio(x)),
                    1 => Some(g(x / 100.0, y)),
                    2 => Some(cap(x, y.max(0.001))),
                    _ => None,
                })
                .collect();
            let scores: Vec<f64> = progress.iter().flatten().filter_map(|p| score(*p)).collect();
            if let Some(a) = aggregate(&progress) {
                let lo = scores.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                proptest::prop_assert!((-5.0..=5.0).contains(&a.score));
                proptest::prop_assert!(lo - 1e-9 <= a.score && a.score <= hi + 1e-9);
                proptest::prop_assert_eq!(a.scored + a.unscored, progress.len());
            } else {
                proptest::prop_assert!(scores.is_empty());
            }
        }
    }

    /// Report rows of SYNTHETIC targets, judged by the status method.
    mod rows {
        use super::super::*;
        use crate::model::{
            Cadence, Comparator, Direction, Kind, Observation, Period, Provenance, Qualifier,
            Quantity, TargetDef,
        };
        use chrono::NaiveDate;

        fn date(s: &str) -> NaiveDate {
            s.parse().unwrap()
        }

        /// A yearly target stated 2024-07-26, up is good.
        fn def(kind: Kind, comparator: Option<Comparator>, value: Option<i64>) -> TargetDef {
            TargetDef {
                id: "t".into(),
                title: "synthetic".into(),
                kind,
                metric: "synthetic".into(),
                unit: "CNY".into(),
                direction: Direction::Up,
                comparator,
                target_value: value.map(Into::into),
                window_start: None,
                deadline: None,
                base_period: None,
                limit: None,
                is_rate: false,
                cadence: Cadence::Yearly,
                provenance: Provenance {
                    quote: "synthetic".into(),
                    speaker: "nobody".into(),
                    speaker_role: "test".into(),
                    statement_date: date("2024-07-26"),
                    source_title: "synthetic".into(),
                    source_url: None,
                },
                interpretation: "synthetic".into(),
            }
        }

        /// One figure per year, `(year, value)`.
        fn yearly(figures: &[(i32, &str)]) -> Vec<Observation> {
            figures
                .iter()
                .enumerate()
                .map(|(i, (year, value))| Observation {
                    id: i as i64 + 1,
                    quantity: Quantity {
                        value: value.parse().unwrap(),
                        qualifier: Qualifier::Exact,
                    },
                    period: Period {
                        start: NaiveDate::from_ymd_opt(*year, 1, 1).unwrap(),
                        end: NaiveDate::from_ymd_opt(*year, 12, 31).unwrap(),
                    },
                })
                .collect()
        }

        fn row(def: TargetDef, figures: &[(i32, &str)], as_of: &str) -> ReportRow {
            let assessment = crate::status::assess(&def, &yearly(figures), date(as_of));
            ReportRow {
                def,
                assessment,
                as_of: date(as_of),
            }
        }

        fn scored(row: &ReportRow) -> Option<f64> {
            progress_of(row)
                .and_then(score)
                .map(|s| (s * 1000.0).round() / 1000.0)
        }

        #[test]
        fn a_direction_scores_its_growth() {
            // 100 → 101 over one calendar year: +1 %/yr ↦ 0 + (1 − 0.5)/1 · 2.5.
            let r = row(
                def(Kind::Direction, None, None),
                &[(2023, "100"), (2024, "101")],
                "2025-02-01",
            );
            assert_eq!(r.assessment.status, Status::AtRisk);
            assert_eq!(scored(&r), Some(1.25));
            // Down is good: 100 → 98 is +2 %/yr in the desired direction.
            let mut down = def(Kind::Direction, None, None);
            down.direction = Direction::Down;
            let r = row(down, &[(2023, "100"), (2024, "98")], "2025-02-01");
            assert_eq!(scored(&r), Some(5.0));
        }

        #[test]
        fn a_direction_of_a_rate_scores_points_per_year() {
            // A rate from 5 % to 6 %: +1 pp/yr, scored like +1 %/yr.
            let mut rate = def(Kind::Direction, None, None);
            rate.unit = "%".into();
            rate.is_rate = true;
            let r = row(rate, &[(2023, "5"), (2024, "6")], "2025-02-01");
            assert_eq!(r.assessment.status, Status::AtRisk);
            assert_eq!(scored(&r), Some(1.25));
        }

        #[test]
        fn a_direction_near_its_limit_scores_with_c() {
            // A share at 90 of a natural maximum of 100: C = 1 − 0.9^4.44
            // = 0.3736, so +1 %/yr is above 1.5 %·C = 0.5604 % and below
            // 2 %·C = 0.7473 %: on track, and +5 beyond it.
            let mut share = def(Kind::Direction, None, None);
            share.limit = Some(100.into());
            let r = row(share, &[(2023, "90"), (2024, "90.9")], "2025-02-01");
            assert_eq!(r.assessment.status, Status::OnTrack);
            assert_eq!(scored(&r), Some(5.0));
        }

        #[test]
        fn a_level_without_deadline_scores_its_growth() {
            let r = row(
                def(Kind::Level, Some(Comparator::AtLeast), Some(200)),
                &[(2023, "100"), (2024, "101")],
                "2025-02-01",
            );
            assert_eq!(scored(&r), Some(1.25));
        }

        /// A cap of 100 over 2024–2025.
        fn cap_def() -> TargetDef {
            let mut cap = def(Kind::Cumulative, Some(Comparator::AtMost), Some(100));
            cap.window_start = Some(date("2024-01-01"));
            cap.deadline = Some(date("2025-12-31"));
            cap
        }

        #[test]
        fn a_cap_scores_its_pace() {
            // 40 used after 366 of 731 days: elapsed / used = 0.50068 / 0.4.
            let r = row(cap_def(), &[(2024, "40")], "2025-02-01");
            assert_eq!(r.assessment.status, Status::OnTrack);
            let inverted = (366.0 / 731.0) / 0.4;
            let expected = (inverted - 0.6) / 0.7 * 5.0;
            let got = progress_of(&r).and_then(score).unwrap();
            assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
            assert_eq!(scored(&r), Some(4.655));
            // 70 used by then: 0.50068 / 0.7 = 0.7153 ↦ at-risk, +0.823.
            let r = row(cap_def(), &[(2024, "70")], "2025-02-01");
            assert_eq!(r.assessment.status, Status::AtRisk);
            assert_eq!(scored(&r), Some(0.823));
            // Nothing used: +5.
            let r = row(cap_def(), &[(2024, "0")], "2025-02-01");
            assert_eq!(scored(&r), Some(5.0));
        }

        proptest::proptest! {
            /// The band of a target's score is the band of its status.
            #[test]
            fn score_bands_match_statuses(
                latest in 50u32..150,
                tenths in 0u32..10,
                limit in proptest::option::of(101u32..400),
                used in 0u32..160,
            ) {
                let value = format!("{latest}.{tenths}");
                let mut direction = def(Kind::Direction, None, None);
                direction.limit = limit.map(Into::into);
                let rows = [
                    row(direction, &[(2023, "100"), (2024, &value)], "2025-02-01"),
                    row(cap_def(), &[(2024, &used.to_string())], "2025-02-01"),
                ];
                for r in rows {
                    let status = r.assessment.status;
                    match progress_of(&r).and_then(score) {
                        Some(s) => {
                            proptest::prop_assert!((SCORE_MIN..=SCORE_MAX).contains(&s));
                            let band = if status == Status::Achieved {
                                Band::Achieved
                            } else {
                                Band::of_score(s)
                            };
                            proptest::prop_assert_eq!(band.status(), status, "{}", s);
                        }
                        None => proptest::prop_assert_eq!(status, Status::Missed),
                    }
                }
            }
        }

        #[test]
        fn a_broken_cap_is_not_scored() {
            let r = row(cap_def(), &[(2024, "120")], "2025-02-01");
            assert_eq!(r.assessment.status, Status::Missed);
            assert_eq!(progress_of(&r), None);
        }

        #[test]
        fn only_a_trend_that_decided_the_status_is_scored() {
            // Two scheduled figures missing: insufficient-data, although
            // the trend's ratio is still in the verdict.
            let mut level = def(Kind::Level, Some(Comparator::AtLeast), Some(200));
            level.window_start = Some(date("2020-06-01"));
            level.deadline = Some(date("2030-12-31"));
            let r = row(level, &[(2020, "100"), (2021, "110")], "2024-06-01");
            assert_eq!(r.assessment.status, Status::InsufficientData);
            assert!(r.assessment.ratio.is_some());
            assert_eq!(progress_of(&r), None);
            // A total missed at its deadline keeps its ratio too.
            let mut total = def(Kind::Cumulative, Some(Comparator::AtLeast), Some(100));
            total.window_start = Some(date("2024-01-01"));
            total.deadline = Some(date("2024-12-31"));
            let r = row(total, &[(2024, "50")], "2025-06-01");
            assert_eq!(r.assessment.status, Status::Missed);
            assert!(r.assessment.ratio.is_some());
            assert_eq!(progress_of(&r), None);
        }
    }

    #[test]
    fn band_edges() {
        assert_eq!(Band::of_score(5.0), Band::OnTrack);
        assert_eq!(Band::of_score(2.5), Band::OnTrack);
        assert_eq!(Band::of_score(2.499), Band::AccelerationNeeded);
        assert_eq!(Band::of_score(0.0), Band::AccelerationNeeded);
        assert_eq!(Band::of_score(-0.001), Band::Limited);
        assert_eq!(Band::of_score(-2.5), Band::Limited);
        assert_eq!(Band::of_score(-2.501), Band::Deterioration);
        assert_eq!(Band::of_score(-5.0), Band::Deterioration);
    }
}
