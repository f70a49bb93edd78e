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

use crate::model::{Comparator, Kind, Status};
use crate::report::ReportRow;

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
            if x1 == x0 {
                return y1;
            }
            return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
        }
    }
    last.1
}

/// The score of one target, in −5..+5; `None` for a value that is not a
/// finite number.
///
/// * Ratio: −0.60 ↦ −5, 0 ↦ −2.5, 0.60 ↦ 0, 0.95 ↦ +2.5, 1.30 ↦ +5 (two
///   straight lines meeting at 0.60, as published: −60 % … 60 % … 130 %).
/// * Growth: −2 % ↦ −5, 0 ↦ −2.5, 0.5 %·C ↦ 0, 1.5 %·C ↦ +2.5, 2 %·C ↦ +5.
///   With `C = 0` (the base at its limit) any growth ≥ 0 scores +5.
pub fn score(progress: Progress) -> Option<f64> {
    match progress {
        Progress::Achieved => Some(SCORE_MAX),
        Progress::Ratio(r) if r.is_finite() => Some(piecewise(
            r,
            &[(-0.60, SCORE_MIN), (0.60, 0.0), (1.30, SCORE_MAX)],
        )),
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
    /// Targets without a progress value (no data, a single figure, a cap,
    /// a direction-only pledge whose growth is not exposed).
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

/// What a report row contributes: achieved, or the ratio the status
/// method exposes. Caps (a cumulative "at most") are left out: their
/// ratio grows the wrong way and the method does not expose the inverted
/// one; direction-only targets are left out until the method exposes the
/// growth it used.
pub fn progress_of(row: &ReportRow) -> Option<Progress> {
    let a = &row.assessment;
    if a.status == Status::Achieved {
        return Some(Progress::Achieved);
    }
    let is_cap = row.def.kind == Kind::Cumulative
        && matches!(
            row.def.comparator,
            Some(Comparator::AtMost | Comparator::LessThan)
        );
    if is_cap {
        return None;
    }
    a.ratio.filter(|r| r.is_finite()).map(Progress::Ratio)
}

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
