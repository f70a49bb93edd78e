//! The worked examples of docs/methodology.md, a table of Open SDG results,
//! every status of every kind, and properties of the method. All targets and
//! figures here are SYNTHETIC unless a test names a briefing target.

use super::qualifiers::QualifierSum;
use super::trend::limit_coefficient;
use super::*;
use crate::model::{
    Cadence, Comparator, Direction, Kind, Observation, Period, Provenance, Qualifier, Quantity,
    Status, TargetDef,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
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

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A target of `kind`, unit CNY, yearly, up, stated 2024-07-26.
pub(super) fn target(
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
        base_period: None,
        limit: None,
        is_rate: false,
        cadence: Cadence::Yearly,
        provenance: Provenance {
            quote: "q".into(),
            speaker: "s".into(),
            speaker_role: "r".into(),
            statement_date: date("2024-07-26"),
            source_title: "synthetic".into(),
            source_url: None,
        },
        interpretation: String::new(),
    }
}

/// A level target `>= value` (unit `units`) by `deadline`.
fn at_least(value: &str, deadline: &str) -> TargetDef {
    let mut def = target(
        Kind::Level,
        Some(Comparator::AtLeast),
        Some(value),
        None,
        Some(deadline),
    );
    def.unit = "units".into();
    def
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

/// An amount (or level) for calendar year `y`.
fn year(id: i64, value: &str, qualifier: Qualifier, y: i32) -> Observation {
    obs(
        id,
        value,
        qualifier,
        &format!("{y}-01-01"),
        &format!("{y}-12-31"),
    )
}

/// Exact figures for calendar years.
fn years(figures: &[(i32, &str)]) -> Vec<Observation> {
    figures
        .iter()
        .enumerate()
        .map(|(i, (y, v))| year(i as i64 + 1, v, E, *y))
        .collect()
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
    assert_eq!(r3(a.ratio.unwrap()), 1.331);
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
            start: date("2024-01-01"),
            date: date("2024-12-31"),
        })
    );
    assert_eq!(
        a.explanation,
        "26.67% of > 3 tn CNY done by 2024-12-31 (>800 bn CNY from 1 figure), \
         where the linear path expects 20.03% (366 of 1827 days, ratio 1.331)."
    );
    // The 2025 figure is due on 2026-03-01.
    assert!(!assess(&equipment_renewal(), &o, date("2026-03-01")).stale);
    let a = assess(&equipment_renewal(), &o, date("2026-03-02"));
    assert!(a.stale);
    assert_eq!(a.status, Status::OnTrack);
    assert_eq!(a.missing, vec![date("2025-12-31")]);
    let a = assess(&equipment_renewal(), &o, date("2027-03-02"));
    assert_eq!(a.status, Status::InsufficientData);
    assert_eq!(a.missing, vec![date("2025-12-31"), date("2026-12-31")]);
    assert_eq!(a.status, Status::InsufficientData);
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
    assert_eq!(
        a.explanation,
        "36.00% of ≥ 500 bn CNY done by 2025-12-31 (180 bn CNY from 2 figures), \
         where the linear path expects 50.03% (731 of 1461 days, ratio 0.720)."
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
fn worked_example_3_cumulative_deadline_passed_awaiting_data() {
    let o = [year(1, "70000000000", E, 2024)];
    let a = assess(&two_year_window(), &o, date("2026-03-01"));
    assert_eq!(a.status, Status::AwaitingData);
    assert_eq!(a.ratio, None);
    assert_eq!(r2(a.progress_pct.unwrap()), 35.0);
    assert_eq!(
        a.explanation,
        "Deadline 2025-12-31 passed; no figure covers it yet. Trend so far: 35.00% of \
         ≥ 200 bn CNY done by 2024-12-31 (70 bn CNY from 1 figure), where the linear path \
         expects 50.07% (366 of 731 days, ratio 0.699)."
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
         figures is 80.00% of ≥ 200 bn CNY (the linear path expects 100.00%, ratio 0.800)."
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
    let o = years(&[(2024, "44"), (2023, "40")]);
    let a = assess(&share_target(), &o, date("2025-03-01"));
    assert_eq!(a.status, Status::AtRisk);
    assert_eq!(r3(a.ratio.unwrap()), 0.937);
    assert_eq!(a.progress_pct, None);
    assert_eq!(a.base.unwrap().date, date("2023-12-31"));
    assert_eq!(
        a.base_rule,
        Some(BaseRule::OnOrBeforeStart(date("2024-07-26")))
    );
    assert_eq!(
        a.explanation,
        "From 40% for 2023 to 44% for 2024 the level changed by +10.00%/yr, where ≥ 60% by \
         2027-12-31 needs +10.67%/yr (ratio 0.937; base: the last figure on or before \
         2024-07-26)."
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
    let o = years(&[(2023, "6"), (2024, "5")]);
    let a = assess(&rate_target(), &o, date("2025-03-01"));
    assert_eq!(a.status, Status::MovingAway);
    assert_eq!(r3(a.ratio.unwrap()), -0.5);
    assert!(
        a.explanation.starts_with(
            "From 6% for 2023 to 5% for 2024 the level changed by -1.00 pp/yr, where ≥ 10% \
             by 2025-12-31 needs +2.00 pp/yr (ratio -0.500;"
        ),
        "{}",
        a.explanation
    );
}

fn direction(dir: Direction, unit: &str) -> TargetDef {
    let mut def = target(Kind::Direction, None, None, None, None);
    def.direction = dir;
    def.unit = unit.into();
    def
}

#[test]
fn worked_example_7_direction_with_a_maximum() {
    let mut def = direction(Direction::Up, "%");
    def.limit = Some(dec("100"));
    let o = years(&[(2022, "80"), (2024, "82")]);
    let a = assess(&def, &o, date("2025-03-01"));
    assert_eq!(a.status, Status::OnTrack);
    assert_eq!(a.ratio, None);
    assert_eq!(
        a.explanation,
        "From 80% for 2022 to 82% for 2024 the level changed by +1.24%/yr, scored +1.24%/yr \
         against 0.94/0.31/0 %/yr (limit 100%, C 0.63; base: the last figure on or before \
         2024-07-26)."
    );
    def.limit = None;
    assert_eq!(assess(&def, &o, date("2025-03-01")).status, Status::AtRisk);
}

#[test]
fn worked_example_8_maximum_ignored_going_down_minimum_counts() {
    let mut def = direction(Direction::Down, "%");
    def.limit = Some(dec("100"));
    let o = years(&[(2022, "95"), (2024, "93")]);
    let a = assess(&def, &o, date("2025-03-01"));
    assert_eq!(a.status, Status::AtRisk);
    assert!(
        a.explanation.contains(
            "scored +1.06%/yr against 1.50/0.50/0 %/yr (limit 100% ignored: a maximum does \
             not bind a target whose good direction is down;"
        ),
        "{}",
        a.explanation
    );
    // A floor, down is good: considered.
    let mut def = direction(Direction::Down, "units");
    def.limit = Some(dec("10"));
    let o = years(&[(2022, "11"), (2024, "10.9")]);
    let a = assess(&def, &o, date("2025-03-01"));
    assert_eq!(a.status, Status::AtRisk);
    assert!(
        a.explanation
            .contains("against 0.56/0.19/0 %/yr (limit 10 units, C 0.37;")
    );
    def.limit = None;
    assert_eq!(
        assess(&def, &o, date("2025-03-01")).status,
        Status::OffTrack
    );
    // A floor when up is good is ignored.
    let mut def = direction(Direction::Up, "units");
    def.limit = Some(dec("10"));
    let a = assess(
        &def,
        &years(&[(2022, "11"), (2024, "11.2")]),
        date("2025-03-01"),
    );
    assert!(
        a.explanation
            .contains("a minimum does not bind a target whose good direction is up")
    );
}

#[test]
fn worked_example_9_direction_down_off_track() {
    let def = direction(Direction::Down, "entities");
    let o = years(&[(2023, "50000"), (2024, "49800")]);
    let a = assess(&def, &o, date("2025-03-01"));
    assert_eq!(a.status, Status::OffTrack);
    assert!(
        a.explanation.starts_with(
            "From 50,000 entities for 2023 to 49,800 entities for 2024 the level changed by \
             -0.40%/yr, scored +0.40%/yr against 1.50/0.50/0 %/yr"
        ),
        "{}",
        a.explanation
    );
}

#[test]
fn worked_example_10_direction_rate_from_negative_base() {
    let mut def = direction(Direction::Up, "%");
    def.is_rate = true;
    let o = years(&[(2023, "-2"), (2024, "1")]);
    let a = assess(&def, &o, date("2025-03-01"));
    assert_eq!(a.status, Status::OnTrack);
    assert!(
        a.explanation
            .contains("changed by +3.00 pp/yr, scored +3.00 pp/yr against 1.50/0.50/0 pp/yr"),
        "{}",
        a.explanation
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
fn worked_example_11_level_without_deadline_and_qualifiers() {
    let def = people_target();
    let mut o = years(&[(2023, "240000"), (2024, "246000")]);
    let a = assess(&def, &o, date("2025-03-01"));
    assert_eq!(a.status, Status::OnTrack);
    assert!(
        a.explanation.starts_with(
            "246,000 people for 2024 is short of ≥ 250,000 people and there is no deadline, so \
             the trend is scored as for a direction target: from 240,000 people for 2023 to \
             246,000 people for 2024 the level changed by +2.50%/yr"
        ),
        "{}",
        a.explanation
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
fn worked_example_12_level_single_figure() {
    let def = target(
        Kind::Level,
        Some(Comparator::MoreThan),
        Some("3000000000000"),
        None,
        Some("2027-12-31"),
    );
    let a = assess(
        &def,
        &[year(1, "2500000000000", E, 2024)],
        date("2025-03-01"),
    );
    assert_eq!(a.status, Status::InsufficientData);
    assert_eq!(
        a.explanation,
        "Only one figure from the base on (2.5 tn CNY for 2024); a trend needs figures at two \
         dates."
    );
}

#[test]
fn worked_example_13_judged_at_the_deadline() {
    let mut def = at_least("60", "2024-12-31");
    def.unit = "%".into();
    let asof = date("2026-11-29");
    let a = assess(&def, &years(&[(2024, "61"), (2025, "59")]), asof);
    assert_eq!(a.status, Status::Achieved);
    assert_eq!(a.reached_late, None);
    assert_eq!(a.covering.unwrap().date, date("2024-12-31"));
    assert_eq!(
        a.explanation,
        "Deadline 2024-12-31: 61% for 2024 covers it and meets ≥ 60%; since then: 59% for \
         2025."
    );
    let a = assess(&def, &years(&[(2024, "59"), (2025, "61")]), asof);
    assert_eq!(a.status, Status::Missed);
    assert_eq!(a.reached_late, Some(date("2025-12-31")));
    assert_eq!(
        a.explanation,
        "Deadline 2024-12-31: 59% for 2024 covers it and falls short of ≥ 60%; since then: \
         61% for 2025, so the target was reached only after the deadline (on 2025-12-31)."
    );
    // Before the deadline the latest figure rules.
    let a = assess(&def, &years(&[(2023, "61")]), date("2024-06-01"));
    assert_eq!(a.status, Status::Achieved);
}

#[test]
fn worked_example_13_a_stated_figure_stays_achieved() {
    // The seed's sei-investment-growth: 32% stated for 2023, deadline
    // 2023-12-31; a synthetic 10% for 2024 does not overturn it.
    let mut def = rate_target();
    def.comparator = Some(Comparator::Equal);
    def.target_value = Some(dec("32"));
    def.deadline = Some(date("2023-12-31"));
    let a = assess(
        &def,
        &years(&[(2023, "32"), (2024, "10")]),
        date("2026-11-29"),
    );
    assert_eq!(a.status, Status::Achieved);
    assert!(
        a.explanation.ends_with("since then: 10% for 2024."),
        "{}",
        a.explanation
    );
}

#[test]
fn worked_example_14_awaiting_data() {
    let mut def = at_least("200", "2025-12-31");
    def.provenance.statement_date = date("2021-03-01");
    let a = assess(
        &def,
        &years(&[(2020, "100"), (2023, "150")]),
        date("2026-11-29"),
    );
    assert_eq!(a.status, Status::AwaitingData);
    assert_eq!(a.ratio, None);
    assert!(
        a.explanation.starts_with(
            "Deadline 2025-12-31 passed; no figure covers it yet. Trend so far: from 100 units \
             for 2020 to 150 units for 2023 the level changed by +14.47%/yr, where ≥ 200 units \
             by 2025-12-31 needs +14.87%/yr (ratio 0.973;"
        ),
        "{}",
        a.explanation
    );
}

#[test]
fn worked_example_15_figures_too_old_for_a_trend_verdict() {
    let def = at_least("200", "2030-12-31");
    let a = assess(
        &def,
        &years(&[(2018, "100"), (2021, "150")]),
        date("2026-11-29"),
    );
    assert_eq!(a.status, Status::InsufficientData);
    assert_eq!(a.finding, Finding::Missing);
    assert!(a.stale);
    assert_eq!(a.missing_count, 4);
    assert_eq!(
        a.explanation,
        "No verdict: 4 scheduled figures are missing (periods ending 2022-12-31, 2023-12-31, \
         2024-12-31, 2025-12-31); the latest is 150 units for 2021."
    );
}

#[test]
fn worked_example_16_the_base_from_the_pledge() {
    let mut def = at_least("130", "2028-12-31");
    let o = years(&[(2010, "50"), (2023, "100"), (2025, "110")]);
    let a = assess(&def, &o, date("2026-11-29"));
    assert_eq!(a.status, Status::AtRisk);
    assert_eq!(r3(a.ratio.unwrap()), 0.906);
    assert_eq!(a.base.unwrap().quantity.value, dec("100"));
    def.base_period = Some(year(0, "0", E, 2010).period);
    let a = assess(&def, &o, date("2026-11-29"));
    assert_eq!(a.status, Status::OnTrack);
    assert_eq!(r3(a.ratio.unwrap()), 0.990);
    assert!(
        a.explanation
            .contains("base: the configured base period 2010")
    );
    // No figure for a configured base period: no verdict.
    def.base_period = Some(year(0, "0", E, 2015).period);
    let a = assess(&def, &o, date("2026-11-29"));
    assert_eq!(a.status, Status::InsufficientData);
    assert!(
        a.explanation
            .starts_with("No figure for the base period 2015")
    );
    // Nothing on or before the pledge's start: the first figure after it.
    let a = assess(
        &at_least("130", "2028-12-31"),
        &years(&[(2025, "110"), (2026, "115")]),
        date("2027-01-02"),
    );
    assert_eq!(
        a.base_rule,
        Some(BaseRule::FirstAfterStart(date("2024-07-26")))
    );
    assert!(
        a.explanation
            .contains("base: the first figure after 2024-07-26")
    );
}

#[test]
fn worked_example_17_calendar_true_years() {
    let def = at_least("200", "2028-12-31");
    let a = assess(
        &def,
        &years(&[(2023, "100"), (2024, "114.14")]),
        date("2026-11-29"),
    );
    assert_eq!(a.status, Status::OnTrack);
    assert_eq!(fmt_ratio(a.ratio.unwrap()), "0.951");
    assert!(a.stale);
    assert_eq!(a.missing, vec![date("2025-12-31")]);
}

#[test]
fn worked_example_18_direction_up_to_its_deadline() {
    let mut def = direction(Direction::Down, "entities");
    def.deadline = Some(date("2024-12-31"));
    let o = years(&[(2022, "100"), (2023, "98"), (2024, "97"), (2025, "99")]);
    let a = assess(&def, &o, date("2026-11-29"));
    assert_eq!(a.status, Status::AtRisk);
    assert_eq!(a.base.unwrap().quantity.value, dec("98"));
    assert!(!a.stale);
    assert!(
        a.explanation.starts_with(
            "From 98 entities for 2023 to 97 entities for 2024 the level changed by -1.02%/yr"
        ),
        "{}",
        a.explanation
    );
    assert!(a.explanation.ends_with("since then: 99 entities for 2025."));
}

fn five_year_total() -> TargetDef {
    target(
        Kind::Cumulative,
        Some(Comparator::AtLeast),
        Some("500000000000"),
        Some("2024-01-01"),
        Some("2028-12-31"),
    )
}

#[test]
fn worked_example_19_gaps_and_part_year_figures() {
    let o = [
        year(1, "100000000000", E, 2024),
        obs(2, "100000000000", E, "2026-01-01", "2026-06-30"),
    ];
    let a = assess(&five_year_total(), &o, date("2026-11-29"));
    assert_eq!(a.status, Status::AtRisk);
    assert_eq!(r3(a.ratio.unwrap()), 0.801);
    assert_eq!(a.gaps, vec![year(0, "0", E, 2025).period]);
    assert!(
        a.explanation.ends_with(
            "(912 of 1827 days, ratio 0.801). The total has no figure for 2025 (left out, not \
             filled in). 2026-H1 is a part-year figure: the linear path assumes an even spread, \
             so seasonality can skew the ratio."
        ),
        "{}",
        a.explanation
    );
}

#[test]
fn worked_example_20_zero_base_and_precision() {
    let def = at_least("10", "2028-12-31");
    let a = assess(
        &def,
        &years(&[(2023, "0"), (2025, "1")]),
        date("2026-11-29"),
    );
    assert_eq!(a.status, Status::OnTrack);
    assert_eq!(r3(a.ratio.unwrap()), 5.767);
    assert!(a.zero_replaced.base);
    assert!(
        a.explanation
            .contains("zero base replaced by 0.001, as published")
    );
    let def = at_least("200", "2028-12-31");
    let a = assess(
        &def,
        &years(&[(2023, "100"), (2024, "114.12")]),
        date("2026-11-29"),
    );
    assert_eq!(a.status, Status::AtRisk);
    assert!(
        a.explanation.contains("(ratio 0.9496;"),
        "{}",
        a.explanation
    );
}

#[test]
fn ratios_print_on_the_side_of_their_threshold() {
    assert_eq!(fmt_ratio(0.9496), "0.9496");
    assert_eq!(fmt_ratio(0.95), "0.950");
    assert_eq!(fmt_ratio(0.59996), "0.59996");
    assert_eq!(fmt_ratio(-0.0001), "-0.0001");
    assert_eq!(fmt_ratio(1.3311), "1.331");
    assert_eq!(fmt_ratio(-0.00000000001), "-0.00000000");
}

// -- Open SDG results ------------------------------------------------------------

/// One published Open SDG computation: a series with a base year, a current
/// year and (methodology 2) a target value and year, or (methodology 1) none.
struct SdgCase {
    what: &'static str,
    base: &'static str,
    current: &'static str,
    years: (i32, i32),
    target: Option<(&'static str, i32)>,
    direction: Direction,
    limit: Option<&'static str>,
    status: Status,
    /// R (methodology 2) or the direction-signed CAGR (methodology 1).
    value: f64,
}

/// Open SDG's progress measure as published: the formulas and thresholds of
/// `open-sdg/open-sdg` `docs/progress-methodology.md` ("Indicators with
/// quantitative targets", "without quantitative targets", "Special
/// considerations for the base value and the target value") as implemented
/// by `open-sdg/sdg-build` `sdg/ProgressMeasure.py` (`growth_calculation`,
/// `methodology_1`, `methodology_2`, `get_progress_thresholds`,
/// `get_progress_status`), with whole years. Values are that code's results
/// for these series; the first row is the "Open SDG gives R = 0.951
/// on-track" case of issue 9, shifted to a 2015 base. Series are synthetic.
const OPEN_SDG: &[SdgCase] = &[
    SdgCase {
        what: "issue 9 example, on track at 0.951",
        base: "100",
        current: "114.14",
        years: (2015, 2016),
        target: Some(("200", 2020)),
        direction: Direction::Up,
        limit: None,
        status: Status::OnTrack,
        value: 0.950_918_387_784_581_4,
    },
    SdgCase {
        what: "halve a rate, on track",
        base: "12",
        current: "10",
        years: (2015, 2019),
        target: Some(("6", 2030)),
        direction: Direction::Down,
        limit: None,
        status: Status::OnTrack,
        value: 0.986_687_120_314_068_1,
    },
    SdgCase {
        what: "zero target replaced by 0.001, limited",
        base: "5",
        current: "4",
        years: (2015, 2020),
        target: Some(("0", 2030)),
        direction: Direction::Down,
        limit: None,
        status: Status::OffTrack,
        value: 0.100_747_551_956_459_35,
    },
    SdgCase {
        what: "zero base replaced by 0.001",
        base: "0",
        current: "2",
        years: (2015, 2018),
        target: Some(("10", 2030)),
        direction: Direction::Up,
        limit: None,
        status: Status::OnTrack,
        value: 13.680_737_477_574_084,
    },
    SdgCase {
        what: "negative values, sign flipped",
        base: "-5",
        current: "-6",
        years: (2015, 2018),
        target: Some(("-10", 2030)),
        direction: Direction::Down,
        limit: None,
        status: Status::OnTrack,
        value: 1.324_870_098_981_588_7,
    },
    SdgCase {
        what: "deterioration",
        base: "50",
        current: "45",
        years: (2015, 2020),
        target: Some(("80", 2030)),
        direction: Direction::Up,
        limit: None,
        status: Status::MovingAway,
        value: -0.655_101_284_996_439_4,
    },
    SdgCase {
        what: "limited progress",
        base: "50",
        current: "51",
        years: (2015, 2020),
        target: Some(("80", 2030)),
        direction: Direction::Up,
        limit: None,
        status: Status::OffTrack,
        value: 0.124_675_578_658_569_33,
    },
    SdgCase {
        what: "moderate progress, acceleration needed",
        base: "50",
        current: "55",
        years: (2015, 2020),
        target: Some(("80", 2030)),
        direction: Direction::Up,
        limit: None,
        status: Status::AtRisk,
        value: 0.604_621_255_049_853,
    },
    SdgCase {
        what: "target achieved",
        base: "70",
        current: "85",
        years: (2015, 2020),
        target: Some(("80", 2030)),
        direction: Direction::Up,
        limit: None,
        status: Status::Achieved,
        value: f64::NAN,
    },
    SdgCase {
        what: "no target, 1.49 %/yr is moderate",
        base: "100",
        current: "103",
        years: (2015, 2017),
        target: None,
        direction: Direction::Up,
        limit: None,
        status: Status::AtRisk,
        value: 0.014_889_156_509_221_957,
    },
    SdgCase {
        what: "no target, maximum 100, C = 0.37",
        base: "90",
        current: "92",
        years: (2015, 2019),
        target: None,
        direction: Direction::Up,
        limit: Some("100"),
        status: Status::AtRisk,
        value: 0.005_509_850_377_843_684,
    },
    SdgCase {
        what: "no target, down is good",
        base: "20",
        current: "19",
        years: (2015, 2020),
        target: None,
        direction: Direction::Down,
        limit: None,
        status: Status::AtRisk,
        value: 0.010_206_218_313_011_495,
    },
];

#[test]
fn open_sdg_results_come_out_as_published() {
    for case in OPEN_SDG {
        let (base_year, current_year) = case.years;
        let mut def = match case.target {
            Some((value, year)) => {
                let mut def = at_least(value, &format!("{year}-12-31"));
                def.comparator = Some(Comparator::Equal);
                def
            }
            None => direction(case.direction, "units"),
        };
        def.direction = case.direction;
        def.limit = case.limit.map(dec);
        def.provenance.statement_date = date(&format!("{base_year}-12-31"));
        let o = years(&[(base_year, case.base), (current_year, case.current)]);
        let a = assess(&def, &o, date(&format!("{}-02-01", current_year + 1)));
        assert_eq!(a.status, case.status, "{}: {}", case.what, a.explanation);
        let value = match &a.finding {
            Finding::Scored(Trend::Growth { scored, .. }) => *scored,
            _ => a.ratio.unwrap_or(f64::NAN),
        };
        if case.value.is_finite() {
            assert!(
                (value - case.value).abs() < 1e-9,
                "{}: {value} against {}",
                case.what,
                case.value
            );
        }
    }
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
        "Deadline 2027-12-31: 50% on 2027-12-31 covers it and falls short of ≥ 60%."
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
        "All 2 figures from the base on are dated 2024-12-31; a trend needs figures at two \
         dates."
    );
    // A direction target with a deadline long past is never "missed": it is
    // scored on the figures up to its deadline, and without two of them
    // there is no trend.
    let mut late = def.clone();
    late.deadline = Some(date("2020-12-31"));
    late.provenance.statement_date = date("2019-06-01");
    let a = assess(
        &late,
        &[at(1, "1000", "2023-12-31"), at(2, "990", "2024-12-31")],
        asof,
    );
    assert_eq!(a.status, Status::InsufficientData);
    let o = [
        at(1, "1000", "2018-12-31"),
        at(2, "990", "2020-12-31"),
        at(3, "2000", "2024-12-31"),
    ];
    let a = assess(&late, &o, asof);
    assert_eq!(a.status, Status::MovingAway);
    assert_eq!(a.later.len(), 1);
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
        let next = add_months(
            date("2024-12-31"),
            super::calendar::cadence_months(*cadence),
        );
        let due = next.unwrap() + chrono::Days::new(STALE_GRACE_DAYS as u64);
        assert!(!assess(&def, &o, due).stale, "{cadence}");
        let after = due + chrono::Days::new(1);
        let a = assess(&def, &o, after);
        assert!(a.stale, "{cadence}");
        assert_eq!(a.missing_count, 1, "{cadence}");
        assert_ne!(a.status, Status::InsufficientData, "{cadence}");
    }
    // no-data is never stale, and says when the deadline has passed.
    let a = assess(&share_target(), &[], date("2030-01-01"));
    assert_eq!(a.status, Status::NoData);
    assert!(!a.stale);
    assert_eq!(
        a.explanation,
        "No figure dated on or before 2030-01-01; the deadline 2027-12-31 has passed."
    );
}

// -- Deadlines ------------------------------------------------------------------

#[test]
fn level_deadline_passed_without_a_covering_figure_awaits_data() {
    let mut def = share_target();
    def.deadline = Some(date("2024-12-31"));
    def.provenance.statement_date = date("2024-01-15");
    let o = [at(1, "40", "2023-12-31"), at(2, "50", "2024-06-30")];
    let a = assess(&def, &o, date("2025-02-01"));
    assert_eq!(a.status, Status::AwaitingData);
    assert!(
        a.explanation.starts_with(
            "Deadline 2024-12-31 passed; no figure covers it yet. Trend so far: from 40% on \
             2023-12-31 to 50% on 2024-06-30"
        ),
        "{}",
        a.explanation
    );
    // The same with a figure on the deadline day: missed.
    let o = [at(1, "40", "2023-12-31"), at(2, "50", "2024-12-31")];
    assert_eq!(assess(&def, &o, date("2025-02-01")).status, Status::Missed);
    // On the deadline day itself the deadline has not passed yet.
    assert_ne!(assess(&def, &o, date("2024-12-31")).status, Status::Missed);
    // A period containing the deadline covers it.
    let o = [
        at(1, "40", "2023-12-31"),
        obs(2, "61", E, "2024-07-01", "2025-06-30"),
    ];
    let a = assess(&def, &o, date("2025-08-01"));
    assert_eq!(a.status, Status::Achieved);
    assert_eq!(a.later, vec![]);
}

#[test]
fn level_met_only_after_the_deadline_is_reached_late() {
    let mut def = share_target();
    def.deadline = Some(date("2024-12-31"));
    let o = [at(1, "40", "2023-12-31"), at(2, "61", "2025-06-30")];
    let a = assess(&def, &o, date("2025-08-01"));
    assert_eq!(a.status, Status::AwaitingData);
    assert_eq!(a.reached_late, Some(date("2025-06-30")));
    assert!(
        a.explanation.contains(
            "since then: 61% on 2025-06-30, so the target was reached only after the \
             deadline (on 2025-06-30)"
        ),
        "{}",
        a.explanation
    );
    let o = [at(1, "59", "2024-12-31"), at(2, "61", "2025-06-30")];
    let a = assess(&def, &o, date("2025-08-01"));
    assert_eq!(a.status, Status::Missed);
    assert_eq!(a.reached_late, Some(date("2025-06-30")));
}

#[test]
fn cumulative_gap_keeps_a_passed_deadline_from_counting_as_covered() {
    let o = [
        year(1, "70000000000", E, 2024),
        obs(2, "50000000000", E, "2025-07-01", "2025-12-31"),
    ];
    let a = assess(&two_year_window(), &o, date("2026-03-01"));
    assert_eq!(a.status, Status::AwaitingData);
    assert_eq!(
        a.gaps,
        vec![Period {
            start: date("2025-01-01"),
            end: date("2025-06-30")
        }]
    );
    assert!(
        a.explanation
            .contains("The total has no figure for 2025-H1"),
        "{}",
        a.explanation
    );
}

#[test]
fn cumulative_window_edges() {
    let def = two_year_window();
    let o = [
        year(1, "999000000000", E, 2023), // before the window
        year(2, "50000000000", E, 2024),  // inside
        year(4, "999000000000", E, 2026), // after the deadline
    ];
    let a = assess(&def, &o, date("2025-06-01"));
    assert_eq!(a.observations, 1);
    assert_eq!(a.latest.unwrap().quantity.value, dec("50000000000"));
    // A period straddling an edge: never split, no verdict.
    let mut o = o.to_vec();
    o.push(obs(3, "10000000000", E, "2025-10-01", "2026-03-31"));
    let a = assess(&def, &o, date("2027-03-01"));
    assert_eq!(a.status, Status::InsufficientData);
    assert_eq!(
        a.explanation,
        "Period 2025-10-01..2026-03-31 straddles an edge of the window \
         (2024-01-01..2025-12-31); amounts are never split, so correct it into parts inside \
         and outside the window."
    );
    assert!(straddles_window(&def, &o[3].period));
    assert!(!straddles_window(&def, &o[0].period));
    assert!(inside_window(&def, &o[1].period));
    // No window start: the statement date is used.
    let mut def = def;
    def.window_start = None;
    let a = assess(
        &def,
        &[obs(1, "1", E, "2024-08-01", "2024-12-31")],
        date("2025-02-01"),
    );
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
    let status = |o: &[Observation], asof: &str| assess(&def, o, date(asof)).status;
    let before = "2025-06-01";
    assert_eq!(status(&[year(1, "40", E, 2024)], before), Status::OnTrack); // 40% used at 50%
    assert_eq!(status(&[year(1, "65", E, 2024)], before), Status::AtRisk); // 1/1.30 = 0.77
    assert_eq!(status(&[year(1, "90", E, 2024)], before), Status::OffTrack); // 0.56
    assert_eq!(status(&[year(1, "101", E, 2024)], before), Status::Missed); // broken
    let after = "2026-03-01";
    assert_eq!(
        status(&[year(1, "40", E, 2024)], after),
        Status::AwaitingData
    );
    assert_eq!(
        status(&[year(1, "40", E, 2024), year(2, "50", E, 2025)], after),
        Status::Achieved
    );
    assert_eq!(
        status(
            &[
                year(1, "60", E, 2024),
                year(2, "50", Qualifier::LessThan, 2025)
            ],
            after
        ),
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
    // The base: the last (in the fixed order) on or before the pledge's start.
    assert_eq!(a.base.unwrap().quantity.value, dec("40")); // id 2
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
    // ((0.001/10)^(1/4) - 1 = -90 %/yr): R = 0.56 (one calendar year from base to latest).
    assert_eq!(a.status, Status::OffTrack);
    assert_eq!(r2(a.ratio.unwrap()), 0.56);
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
        prop_assert!(a.status != Status::NoData || a.observations == 0);
        prop_assert!(
            a.observations > 0
                || a.status == Status::NoData
                || matches!(a.finding, Finding::Straddles(_))
        );
        if a.status == Status::AwaitingData {
            prop_assert!(def.kind != Kind::Direction);
            prop_assert!(def.deadline.is_some_and(|d| d < as_of));
            prop_assert!(a.ratio.is_none());
        }
        if a.reached_late.is_some() {
            prop_assert!(matches!(a.status, Status::Missed | Status::AwaitingData));
        }
        if a.finding == Finding::Missing {
            prop_assert!(a.missing_count >= 2 && a.stale);
        }
        prop_assert_eq!(a.stale, a.missing_count >= 1);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Once the deadline has passed and a figure covers it, no later figure,
    /// whatever its value, changes achieved/missed.
    #[test]
    fn later_figures_never_overturn_the_verdict_at_the_deadline(
        def in arb_target(),
        obs in arb_observations(),
        later in arb_observations(),
        as_of in 0u32..4500,
    ) {
        let as_of = day(as_of);
        let a = compute(&def, &obs, as_of);
        let Some(deadline) = def.deadline else { return Ok(()); };
        if def.kind != Kind::Level || !matches!(a.finding, Finding::AtDeadline { .. }) {
            return Ok(());
        }
        let mut more = obs.clone();
        more.extend(later.into_iter().filter(|o| o.period.start > deadline).map(|mut o| {
            o.id += 1000;
            o
        }));
        let b = compute(&def, &more, as_of);
        prop_assert_eq!(a.status, b.status);
        prop_assert_eq!(a.covering, b.covering);
    }

    /// Whole years between month ends are whole: calendar-true time.
    #[test]
    fn whole_years_are_whole(start in 0u32..40000, years in 0u32..50) {
        let a = day(start);
        if let Some(b) = add_months(a, years * 12) {
            prop_assert_eq!(years_between(a, b), f64::from(years));
        }
    }
}
