use crate::common::{TestEnv, col};
use predicates::prelude::*;

#[test]
fn record_then_show_keeps_the_qualifier_and_exact_value() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "equipment-renewal",
        ">800bn",
        "--period",
        "2024",
        "--source",
        "Synthetic test source",
    ])
    .assert()
    .success()
    .stdout(
        predicate::str::is_match(r"recorded #\d+: equipment-renewal >800 bn CNY for 2024").unwrap(),
    )
    .stdout(predicate::str::contains("equipment-renewal"));

    let out = env.stdout(&["show", "equipment-renewal"]);
    assert!(out.contains(">800 bn CNY"), "{out}");
    assert!(out.contains("2024"));
    assert!(out.contains("Synthetic test source"));
    assert!(out.contains("tester"));

    let rows = env.report_csv(&["equipment-renewal"]);
    assert_eq!(&rows[0][col("latest_value")], "800000000000");
    assert_eq!(&rows[0][col("latest_qualifier")], "more-than");
}

#[test]
fn values_are_stored_exactly() {
    let env = TestEnv::seeded();
    for (target, value, period, stored) in [
        ("equipment-renewal", "2.7tn", "2024", "2700000000000"),
        ("equipment-renewal", "0.8 tn", "2025-H1", "800000000000"),
        ("sei-investment-growth", "12.3%", "2024", "12.3"),
        ("sei-investment-growth", "-0", "2025-Q1", "0"),
    ] {
        env.tracker(&[
            "record",
            target,
            value,
            "--period",
            period,
            "--source",
            "synthetic",
        ])
        .assert()
        .success();
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let last: String = conn
            .query_row(
                "SELECT value FROM observations ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(last, stored, "{value}");
    }
}

#[test]
fn chinese_scales_and_percent() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "opbudget-st-share",
        "83%",
        "--date",
        "2024-12-31",
        "--source",
        "synthetic",
    ])
    .assert()
    .success();
    env.tracker(&[
        "record",
        "sei-revenue",
        "超11万亿",
        "--period",
        "2024",
        "--source",
        "synthetic",
    ])
    .assert()
    .success();
    let rows = env.report_csv(&["opbudget-st-share", "sei-revenue"]);
    assert_eq!(&rows[0][col("latest_value")], "83");
    assert_eq!(&rows[1][col("latest_value")], "11000000000000");
    assert_eq!(&rows[1][col("latest_qualifier")], "more-than");
}

#[test]
fn overlapping_period_of_a_cumulative_target_is_refused_naming_it() {
    let env = TestEnv::seeded();
    let first = env.stdout(&[
        "record",
        "equipment-renewal",
        "500bn",
        "--period",
        "2024",
        "--source",
        "synthetic",
    ]);
    let id = first
        .split('#')
        .nth(1)
        .and_then(|s| s.split(':').next())
        .unwrap()
        .to_string();
    env.tracker(&[
        "record",
        "equipment-renewal",
        "100bn",
        "--period",
        "2024-Q3",
        "--source",
        "synthetic",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(format!(
        "overlaps observation #{id}"
    )));
}

#[test]
fn level_targets_accept_repeated_dates() {
    let env = TestEnv::seeded();
    for value in ["81%", "82%"] {
        env.tracker(&[
            "record",
            "opbudget-st-share",
            value,
            "--date",
            "2024-12-31",
            "--source",
            "synthetic",
        ])
        .assert()
        .success();
    }
}

#[test]
fn by_defaults_to_tracker_user_and_can_be_given() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "equipment-renewal",
        "1bn",
        "--period",
        "2024",
        "--source",
        "s",
        "--by",
        "Analyst Ａ",
    ])
    .assert()
    .success();
    let out = env.stdout(&["show", "equipment-renewal"]);
    assert!(out.contains("Analyst Ａ"));
}

#[test]
fn a_period_not_over_yet_is_refused_with_a_range_that_ends_today() {
    // The suggested range is this year so far, by the ledger's clock.
    let mut env = TestEnv::new();
    env.now = "2025-06-30T12:00:00Z".to_string();
    env.tracker(&["init"]).assert().success();
    env.tracker(&[
        "record",
        "sei-revenue",
        "5bn",
        "--period",
        "2025",
        "--source",
        "synthetic",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("after today (2025-06-30)"))
    .stderr(predicate::str::contains(
        "e.g. --period 2025-01-01..2025-06-30",
    ));
}
