//! The status method end to end: the eight cases of issue 9 ("What is wrong
//! today"), each on the real binary with the status an analyst can defend.
//!
//! Every target defined here is SYNTHETIC test data (ids `m-*`), imported
//! from a target file written into the test's temporary folder; only the
//! case on `sei-investment-growth` uses the seeded briefing target, with a
//! synthetic later figure.

use crate::common::{TestEnv, col};
use csv::StringRecord;

/// The as-of date of the reproductions.
const AS_OF: &str = "2026-11-29";

const FILE_HEADER: &str = "# SYNTHETIC targets for tests; not real-world data.
format = 1

[source]
title = \"Synthetic briefing (test data)\"
date = 2024-07-26
";

/// A seeded ledger whose clock is the as-of date, so figures up to it can
/// be recorded.
fn env() -> TestEnv {
    let mut env = TestEnv::seeded();
    env.now = format!("{AS_OF}T12:00:00Z");
    env
}

/// Imports one synthetic target with `fields` (TOML lines) and the given
/// (value, period) observations.
fn import(env: &TestEnv, id: &str, kind: &str, fields: &str, observations: &[(&str, &str)]) {
    let mut s = format!(
        "{FILE_HEADER}\n[[target]]\nid = \"{id}\"\ntitle = \"Synthetic {id}\"\nkind = \"{kind}\"\n\
         metric = \"Synthetic metric\"\n{fields}\nquote = \"Synthetic quote.\"\n\
         speaker = \"A. Speaker\"\nspeaker_role = \"Synthetic role\"\n\
         interpretation = \"Synthetic test data.\"\n"
    );
    for (value, period) in observations {
        s.push_str(&format!(
            "\n[[target.observation]]\nvalue = \"{value}\"\nperiod = \"{period}\"\n"
        ));
    }
    let file = env.path(&format!("{id}.toml"));
    std::fs::write(&file, s).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success();
}

fn row(env: &TestEnv, id: &str) -> StringRecord {
    env.report_csv(&["--as-of", AS_OF])
        .into_iter()
        .find(|r| &r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

const LEVEL_60: &str =
    "unit = \"%\"\ndirection = \"up\"\ntarget = \">= 60\"\ndeadline = 2024-12-31";

#[test]
fn case_1_a_later_figure_never_overturns_the_verdict_at_the_deadline() {
    let env = env();
    import(
        &env,
        "m-met",
        "level",
        LEVEL_60,
        &[("61", "2024"), ("59", "2025")],
    );
    let r = row(&env, "m-met");
    assert_eq!(&r[col("status")], "achieved");
    assert_eq!(&r[col("reached_late")], "");
    assert!(
        r[col("explanation")].contains("since then: 59% for 2025"),
        "{}",
        &r[col("explanation")]
    );

    let env = self::env();
    import(
        &env,
        "m-late",
        "level",
        LEVEL_60,
        &[("59", "2024"), ("61", "2025")],
    );
    let r = row(&env, "m-late");
    assert_eq!(&r[col("status")], "missed");
    assert_eq!(&r[col("reached_late")], "2025-12-31");
    assert!(
        r[col("explanation")].contains("reached only after the deadline"),
        "{}",
        &r[col("explanation")]
    );
}

#[test]
fn case_1_a_later_growth_figure_leaves_a_stated_figure_achieved() {
    let mut env = TestEnv::seeded();
    env.now = format!("{AS_OF}T12:00:00Z");
    env.tracker(&[
        "record",
        "sei-investment-growth",
        "10%",
        "--period",
        "2024",
        "--source",
        "Synthetic later figure (test data)",
    ])
    .assert()
    .success();
    let r = row(&env, "sei-investment-growth");
    assert_eq!(&r[col("status")], "achieved");
    assert!(r[col("explanation")].contains("since then: 10% for 2024"));
}

#[test]
fn case_2_a_passed_deadline_without_a_covering_figure_awaits_data() {
    let env = env();
    let fields = "unit = \"units\"\ndirection = \"up\"\ntarget = \">= 200\"\ndeadline = 2025-12-31";
    import(
        &env,
        "m-await",
        "level",
        fields,
        &[("100", "2020"), ("150", "2023")],
    );
    let r = row(&env, "m-await");
    assert_eq!(&r[col("status")], "awaiting-data");
    assert!(
        r[col("explanation")].contains("no figure covers it yet"),
        "{}",
        &r[col("explanation")]
    );
    // The filters know the new word.
    let out = env.stdout(&[
        "report",
        "--csv",
        "--as-of",
        AS_OF,
        "--status",
        "awaiting-data",
    ]);
    assert!(out.contains("m-await"));
    env.tracker(&["report", "--as-of", AS_OF, "--fail-on", "awaiting-data"])
        .assert()
        .failure();
}

#[test]
fn case_3_figures_years_old_give_no_trend_verdict() {
    let env = env();
    let fields = "unit = \"units\"\ndirection = \"up\"\ntarget = \">= 200\"\ndeadline = 2030-12-31";
    import(
        &env,
        "m-old",
        "level",
        fields,
        &[("100", "2018"), ("150", "2021")],
    );
    let r = row(&env, "m-old");
    assert_eq!(&r[col("status")], "insufficient-data");
    assert_eq!(&r[col("stale")], "true");
    let e = &r[col("explanation")];
    assert!(e.contains("4 scheduled figures are missing"), "{e}");
    assert!(e.contains("2022") && e.contains("2025"), "{e}");
}

#[test]
fn case_4_the_base_is_the_figure_at_the_pledge() {
    let env = env();
    let fields = "unit = \"units\"\ndirection = \"up\"\ntarget = \">= 130\"\ndeadline = 2028-12-31";
    import(
        &env,
        "m-base",
        "level",
        fields,
        &[("50", "2010"), ("100", "2023"), ("110", "2025")],
    );
    let r = row(&env, "m-base");
    assert_eq!(&r[col("status")], "at-risk");
    assert_eq!(&r[col("base_value")], "100");
    assert_eq!(&r[col("base_date")], "2023-12-31");
    assert!(r[col("ratio")].starts_with("0.90"), "{}", &r[col("ratio")]);
    assert!(r[col("explanation")].contains("base: the last figure on or before 2024-07-26"));
}

#[test]
fn case_5_time_is_counted_in_calendar_years() {
    let env = env();
    let fields = "unit = \"units\"\ndirection = \"up\"\ntarget = \">= 200\"\ndeadline = 2028-12-31";
    import(
        &env,
        "m-years",
        "level",
        fields,
        &[("100", "2023"), ("114.14", "2024")],
    );
    let r = row(&env, "m-years");
    assert_eq!(&r[col("status")], "on-track");
    assert_eq!(&r[col("ratio")], "0.951");
    // One release (2025) is missing: the verdict stays, flagged stale.
    assert_eq!(&r[col("stale")], "true");
}

#[test]
fn case_6_a_maximum_does_not_relax_a_target_whose_good_direction_is_down() {
    let env = env();
    let fields = "unit = \"%\"\ndirection = \"down\"\nlimit = 100";
    import(
        &env,
        "m-limit",
        "direction",
        fields,
        &[("95", "2022"), ("93", "2024")],
    );
    let r = row(&env, "m-limit");
    assert_eq!(&r[col("status")], "at-risk");
    assert!(
        r[col("explanation")].contains("+1.06%/yr"),
        "{}",
        &r[col("explanation")]
    );
    assert!(!r[col("explanation")].contains("C 0."));
}

const FIVE_YEAR_TOTAL: &str = "unit = \"CNY\"\ndirection = \"up\"\ntarget = \">= 500 billion\"\n\
                               window_start = 2024-01-01\ndeadline = 2028-12-31";

#[test]
fn case_7_one_accounting_rule_for_straddling_periods() {
    let env = env();
    import(
        &env,
        "m-total",
        "cumulative",
        FIVE_YEAR_TOTAL,
        &[("100 billion", "2024")],
    );
    // record refuses a straddling period...
    env.tracker(&[
        "record",
        "m-total",
        "10 billion",
        "--period",
        "2023-07-01..2024-06-30",
        "--source",
        "Synthetic (test data)",
    ])
    .assert()
    .failure();
    // ...and so does an amendment that would make one straddle.
    let before = env.snapshot();
    env.tracker(&[
        "target",
        "amend",
        "m-total",
        "--window-start",
        "2024-07-01",
        "--reason",
        "synthetic",
    ])
    .assert()
    .failure()
    .stderr(predicates::str::contains("2024-01-01..2024-12-31"));
    assert_eq!(before, env.snapshot());
}

#[test]
fn case_7_gaps_and_part_year_figures_are_named() {
    let env = env();
    import(
        &env,
        "m-gap",
        "cumulative",
        FIVE_YEAR_TOTAL,
        &[("100 billion", "2024"), ("100 billion", "2026-H1")],
    );
    let e = row(&env, "m-gap")[col("explanation")].to_string();
    assert!(e.contains("no figure for 2025 "), "{e}");
    assert!(e.contains("part-year figure"), "{e}");
}

#[test]
fn case_8_explanations_say_what_was_replaced_and_keep_the_precision() {
    let env = env();
    let fields = "unit = \"units\"\ndirection = \"up\"\ntarget = \">= 10\"\ndeadline = 2028-12-31";
    import(
        &env,
        "m-zero",
        "level",
        fields,
        &[("0", "2023"), ("1", "2025")],
    );
    let e = row(&env, "m-zero")[col("explanation")].to_string();
    assert!(e.contains("zero base replaced by 0.001"), "{e}");

    // R = 0.9495...: below the on-track threshold, and written so.
    let env = self::env();
    let fields = "unit = \"units\"\ndirection = \"up\"\ntarget = \">= 200\"\ndeadline = 2028-12-31";
    import(
        &env,
        "m-prec",
        "level",
        fields,
        &[("100", "2023"), ("114.12", "2024")],
    );
    let r = row(&env, "m-prec");
    assert_eq!(&r[col("status")], "at-risk");
    assert!(
        r[col("explanation")].contains("ratio 0.949"),
        "{}",
        &r[col("explanation")]
    );
}

/// `target add/amend --base-period`, stored in the ledger and carried by
/// the JSON export into a fresh ledger.
#[test]
fn the_base_period_is_set_amended_and_carried_by_export() {
    let env = env();
    env.tracker(&[
        "target",
        "add",
        "--id",
        "m-base-period",
        "--title",
        "Synthetic base period",
        "--kind",
        "level",
        "--metric",
        "Synthetic metric",
        "--unit",
        "units",
        "--direction",
        "up",
        "--target",
        ">=130",
        "--deadline",
        "2028-12-31",
        "--base-period",
        "2010",
        "--quote",
        "Synthetic quote.",
        "--speaker",
        "Nobody",
        "--speaker-role",
        "Test",
        "--statement-date",
        "2024-07-26",
        "--source-title",
        "Synthetic",
        "--interpretation",
        "Synthetic.",
    ])
    .assert()
    .success();
    for (value, period) in [("50", "2010"), ("100", "2023"), ("110", "2025")] {
        env.tracker(&[
            "record",
            "m-base-period",
            value,
            "--period",
            period,
            "--source",
            "Synthetic (test data)",
        ])
        .assert()
        .success();
    }
    let r = row(&env, "m-base-period");
    assert_eq!(&r[col("base_date")], "2010-12-31");
    assert_eq!(&r[col("status")], "on-track");
    assert!(r[col("explanation")].contains("base: the configured base period 2010"));

    env.tracker(&[
        "target",
        "amend",
        "m-base-period",
        "--base-period",
        "2023",
        "--reason",
        "synthetic: the pledge starts from 2023",
    ])
    .assert()
    .success();
    let r = row(&env, "m-base-period");
    assert_eq!(&r[col("base_date")], "2023-12-31");
    assert_eq!(&r[col("status")], "at-risk");

    let export = env.path("export.json");
    env.tracker(&["export", "-o", export.to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(text.contains("\"base_period\": \"2023\""), "{text}");
    let mut fresh = TestEnv::new();
    fresh.now = env.now.clone();
    fresh.tracker(&["init"]).assert().success();
    fresh
        .tracker(&["import", export.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(row(&fresh, "m-base-period"), r);

    // A cumulative target has no base figure: refused, and nothing written.
    let before = env.snapshot();
    env.tracker(&[
        "target",
        "amend",
        "equipment-renewal",
        "--base-period",
        "2024",
        "--reason",
        "synthetic",
    ])
    .assert()
    .failure()
    .stderr(predicates::str::contains("base_period"));
    assert_eq!(before, env.snapshot());
}
