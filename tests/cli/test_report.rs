//! `tracker report` end to end, on synthetic ledgers: the status of every
//! kind, the two clocks, the output formats, atomic `-o`, `--fail-on` and
//! pipes (issue 3, "Done when").
//!
//! Every target defined here is SYNTHETIC test data (ids `c-*`, `l-*`,
//! `d-*`, `x-*`, ...), imported from a target file written into the test's
//! temporary folder; only `example_from_the_issue` uses the seeded briefing
//! target `equipment-renewal`, with the briefing's own 2024 figure.

use crate::common::{COLUMNS, NOW, TestEnv, col};
use csv::StringRecord;
use predicates::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

/// The as-of date most tests evaluate at.
const AS_OF: &str = "2025-03-01";

// ---------------------------------------------------------------------------
// Synthetic target files

const FILE_HEADER: &str = "# SYNTHETIC targets for tests; not real-world data.
format = 1

[source]
title = \"Synthetic briefing (test data)\"
date = 2024-01-15
";

/// One `[[target]]` table with its observations. `fields` are extra TOML
/// lines (target, window_start, deadline, rate, ...).
fn target_toml(
    id: &str,
    title: &str,
    kind: &str,
    unit: &str,
    direction: &str,
    fields: &str,
    observations: &[(&str, &str)],
) -> String {
    let mut s = format!(
        "\n[[target]]\nid = \"{id}\"\ntitle = {title:?}\nkind = \"{kind}\"\n\
         metric = \"Synthetic metric\"\nunit = \"{unit}\"\ndirection = \"{direction}\"\n\
         {fields}\nquote = \"Synthetic quote.\"\nspeaker = \"A. Speaker\"\n\
         speaker_role = \"Synthetic role\"\ninterpretation = \"Synthetic test data.\"\n"
    );
    for (value, period) in observations {
        s.push_str(&format!(
            "\n[[target.observation]]\nvalue = \"{value}\"\nperiod = \"{period}\"\n"
        ));
    }
    s
}

/// Writes `tables` as a target file and imports it.
fn import(env: &TestEnv, name: &str, tables: &str) {
    let file = env.path(name);
    std::fs::write(&file, format!("{FILE_HEADER}{tables}")).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success();
}

// ---------------------------------------------------------------------------
// Every status of every kind

struct StatusCase {
    id: &'static str,
    kind: &'static str,
    unit: &'static str,
    direction: &'static str,
    fields: &'static str,
    observations: &'static [(&'static str, &'static str)],
    status: &'static str,
    /// A key phrase of the explanation, with the numbers used.
    phrase: &'static str,
    /// progress_pct and expected_pct as written, and the ratio to 2 decimals
    /// ("" where the column is empty).
    progress: &'static str,
    expected: &'static str,
    ratio: &'static str,
}

/// A four-year cumulative window: a 2024 figure is judged against 366 of
/// 1461 days, 25.05 %.
const CUM: &str = "target = \">= 500 billion\"\nwindow_start = 2024-01-01\ndeadline = 2027-12-31";
const LEVEL: &str = "target = \">= 60%\"\ndeadline = 2027-12-31";

#[allow(clippy::too_many_arguments)] // one argument per column of the case table
const fn case(
    id: &'static str,
    kind: &'static str,
    unit: &'static str,
    direction: &'static str,
    fields: &'static str,
    observations: &'static [(&'static str, &'static str)],
    status: &'static str,
    phrase: &'static str,
    numbers: [&'static str; 3],
) -> StatusCase {
    StatusCase {
        id,
        kind,
        unit,
        direction,
        fields,
        observations,
        status,
        phrase,
        progress: numbers[0],
        expected: numbers[1],
        ratio: numbers[2],
    }
}

/// All evaluated at [`AS_OF`] = 2025-03-01.
const STATUS_CASES: &[StatusCase] = &[
    // Cumulative.
    case(
        "c-achieved",
        "cumulative",
        "CNY",
        "up",
        "target = \">= 100 billion\"\nwindow_start = 2024-01-01\ndeadline = 2027-12-31",
        &[("60 billion", "2024-H1"), ("~50 billion", "2024-H2")],
        "achieved",
        "~110 bn CNY from 2 figures meets ≥ 100 bn CNY by 2024-12-31 (110.00% done).",
        ["110.00", "25.05", "4.39"],
    ),
    case(
        "c-on-track",
        "cumulative",
        "CNY",
        "up",
        CUM,
        &[("200 billion", "2024")],
        "on-track",
        "40.00% of ≥ 500 bn CNY done by 2024-12-31 (200 bn CNY from 1 figure), where the linear path expects 25.05% (366 of 1461 days, ratio 1.597).",
        ["40.00", "25.05", "1.60"],
    ),
    case(
        "c-at-risk",
        "cumulative",
        "CNY",
        "up",
        CUM,
        &[("100 billion", "2024")],
        "at-risk",
        "20.00% of ≥ 500 bn CNY done by 2024-12-31 (100 bn CNY from 1 figure), where the linear path expects 25.05% (366 of 1461 days, ratio 0.798).",
        ["20.00", "25.05", "0.80"],
    ),
    case(
        "c-off-track",
        "cumulative",
        "CNY",
        "up",
        CUM,
        &[("20 billion", "2024")],
        "off-track",
        "(366 of 1461 days, ratio 0.160).",
        ["4.00", "25.05", "0.16"],
    ),
    // Negative amounts (net disinvestment) need `rate = true` to be accepted.
    case(
        "c-moving-away",
        "cumulative",
        "CNY",
        "up",
        "target = \">= 500 billion\"\nwindow_start = 2024-01-01\ndeadline = 2027-12-31\nrate = true",
        &[("-20 billion", "2024")],
        "moving-away",
        "(-20 bn CNY from 1 figure), where the linear path expects 25.05% (366 of 1461 days, ratio -0.160).",
        ["-4.00", "25.05", "-0.16"],
    ),
    case(
        "c-missed",
        "cumulative",
        "CNY",
        "up",
        "target = \">= 200 billion\"\nwindow_start = 2023-01-01\ndeadline = 2024-12-31",
        &[("70 billion", "2023"), ("~90 billion", "2024")],
        "missed",
        "Deadline 2024-12-31 passed with the whole window covered: ~160 bn CNY from 2 figures is 80.00% of ≥ 200 bn CNY",
        ["80.00", "100.00", "0.80"],
    ),
    // A window with a deadline that has passed but no figure covering it is
    // judged on the figures there are, not `missed`.
    case(
        "c-passed-uncovered",
        "cumulative",
        "CNY",
        "up",
        "target = \">= 200 billion\"\nwindow_start = 2023-01-01\ndeadline = 2024-12-31",
        &[("70 billion", "2023")],
        "awaiting-data",
        "Deadline 2024-12-31 passed; no figure covers it yet. Trend so far: 35.00% of ≥ 200 bn CNY done by 2023-12-31 (70 bn CNY from 1 figure), where the linear path expects 49.93% (365 of 731 days, ratio 0.701).",
        ["35.00", "49.93", ""],
    ),
    case(
        "c-no-data",
        "cumulative",
        "CNY",
        "up",
        CUM,
        &[],
        "no-data",
        "No figure within the window dated on or before 2025-03-01.",
        ["", "", ""],
    ),
    case(
        "c-insufficient-data",
        "cumulative",
        "CNY",
        "up",
        "target = \"0\"\nwindow_start = 2024-01-01\ndeadline = 2027-12-31",
        &[("20 billion", "2024")],
        "insufficient-data",
        "The target 0 CNY is not positive, so no share of it can be computed.",
        ["", "", ""],
    ),
    // Level: from 40 % at the end of 2023 towards >= 60 % by 2027-12-31,
    // which needs +10.67 %/yr.
    case(
        "l-achieved",
        "level",
        "%",
        "up",
        LEVEL,
        &[("40%", "2023"), ("61%", "2024")],
        "achieved",
        "Latest 61% for 2024 meets ≥ 60%.",
        ["", "", ""],
    ),
    case(
        "l-on-track",
        "level",
        "%",
        "up",
        LEVEL,
        &[("40%", "2023"), ("48%", "2024")],
        "on-track",
        "changed by +20.00%/yr, where ≥ 60% by 2027-12-31 needs +10.67%/yr (ratio 1.875;",
        ["", "", "1.87"],
    ),
    case(
        "l-at-risk",
        "level",
        "%",
        "up",
        LEVEL,
        &[("40%", "2023"), ("44%", "2024")],
        "at-risk",
        "From 40% for 2023 to 44% for 2024 the level changed by +10.00%/yr, where ≥ 60% by 2027-12-31 needs +10.67%/yr (ratio 0.937; base: the last figure on or before 2024-01-15).",
        ["", "", "0.94"],
    ),
    case(
        "l-off-track",
        "level",
        "%",
        "up",
        LEVEL,
        &[("40%", "2023"), ("41%", "2024")],
        "off-track",
        "changed by +2.50%/yr, where ≥ 60% by 2027-12-31 needs +10.67%/yr (ratio 0.234;",
        ["", "", "0.23"],
    ),
    case(
        "l-moving-away",
        "level",
        "%",
        "up",
        LEVEL,
        &[("40%", "2023"), ("38%", "2024")],
        "moving-away",
        "changed by -5.00%/yr, where ≥ 60% by 2027-12-31 needs +10.67%/yr (ratio -0.469;",
        ["", "", "-0.47"],
    ),
    case(
        "l-missed",
        "level",
        "%",
        "up",
        "target = \">= 60%\"\ndeadline = 2024-12-31",
        &[("40%", "2023"), ("50%", "2024")],
        "missed",
        "Deadline 2024-12-31: 50% for 2024 covers it and falls short of ≥ 60%.",
        ["", "", ""],
    ),
    case(
        "l-awaiting-data",
        "level",
        "%",
        "up",
        "target = \">= 60%\"\ndeadline = 2024-12-31",
        &[("40%", "2023")],
        "awaiting-data",
        "Deadline 2024-12-31 passed; no figure covers it yet. Trend so far: only one figure from the base on (40% for 2023)",
        ["", "", ""],
    ),
    case(
        "l-insufficient-data",
        "level",
        "%",
        "up",
        LEVEL,
        &[("40%", "2024")],
        "insufficient-data",
        "Only one figure from the base on (40% for 2024); a trend needs figures at two dates.",
        ["", "", ""],
    ),
    case(
        "l-no-data",
        "level",
        "%",
        "up",
        LEVEL,
        &[],
        "no-data",
        "No figure dated on or before 2025-03-01.",
        ["", "", ""],
    ),
    // Direction-only: growth per year against 1.5 / 0.5 / 0 %.
    case(
        "d-on-track",
        "direction",
        "units",
        "up",
        "",
        &[("100", "2023"), ("110", "2024")],
        "on-track",
        "From 100 units for 2023 to 110 units for 2024 the level changed by +10.00%/yr, scored +10.00%/yr against 1.50/0.50/0 %/yr (base: the last figure on or before 2024-01-15).",
        ["", "", ""],
    ),
    case(
        "d-at-risk",
        "direction",
        "units",
        "up",
        "",
        &[("100", "2023"), ("101", "2024")],
        "at-risk",
        "scored +1.00%/yr against 1.50/0.50/0 %/yr (base:",
        ["", "", ""],
    ),
    case(
        "d-off-track",
        "direction",
        "entities",
        "down",
        "",
        &[("50000", "2023"), ("49800", "2024")],
        "off-track",
        "From 50,000 entities for 2023 to 49,800 entities for 2024 the level changed by -0.40%/yr, scored +0.40%/yr",
        ["", "", ""],
    ),
    case(
        "d-moving-away",
        "direction",
        "units",
        "up",
        "",
        &[("100", "2023"), ("90", "2024")],
        "moving-away",
        "changed by -10.00%/yr, scored -10.00%/yr against 1.50/0.50/0 %/yr (base:",
        ["", "", ""],
    ),
    case(
        "d-insufficient-data",
        "direction",
        "units",
        "up",
        "",
        &[("100", "2024")],
        "insufficient-data",
        "Only one figure from the base on (100 units for 2024); a trend needs figures at two dates.",
        ["", "", ""],
    ),
    case(
        "d-no-data",
        "direction",
        "units",
        "up",
        "",
        &[],
        "no-data",
        "No figure dated on or before 2025-03-01.",
        ["", "", ""],
    ),
];

/// A seeded ledger plus every [`STATUS_CASES`] target.
fn status_ledger() -> TestEnv {
    let env = TestEnv::seeded();
    let tables: String = STATUS_CASES
        .iter()
        .map(|c| {
            target_toml(
                c.id,
                &format!("Synthetic {}", c.id),
                c.kind,
                c.unit,
                c.direction,
                c.fields,
                c.observations,
            )
        })
        .collect();
    import(&env, "statuses.toml", &tables);
    env
}

fn status_ids() -> Vec<&'static str> {
    STATUS_CASES.iter().map(|c| c.id).collect()
}

/// Parses CSV text: the header must be exactly the documented columns.
fn parse_csv(text: &str) -> Vec<StringRecord> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, COLUMNS, "CSV header");
    reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed CSV record");
            assert_eq!(r.len(), COLUMNS.len(), "{r:?}");
            r
        })
        .collect()
}

fn by_id(records: &[StringRecord]) -> BTreeMap<String, StringRecord> {
    records
        .iter()
        .map(|r| (r[col("id")].to_string(), r.clone()))
        .collect()
}

fn report_csv_at(env: &TestEnv, ids: &[&str], as_of: &str) -> Vec<StringRecord> {
    let mut args = vec!["--as-of", as_of];
    args.extend_from_slice(ids);
    env.report_csv(&args)
}

#[test]
fn every_status_of_every_kind() {
    let env = status_ledger();
    let rows = report_csv_at(&env, &status_ids(), AS_OF);
    assert_eq!(rows.len(), STATUS_CASES.len());
    let rows = by_id(&rows);
    for case in STATUS_CASES {
        let row = &rows[case.id];
        let context = format!("{}: {row:?}", case.id);
        assert_eq!(&row[col("kind")], case.kind, "{context}");
        assert_eq!(&row[col("status")], case.status, "{context}");
        assert!(
            row[col("explanation")].contains(case.phrase),
            "{context}\nexpected the explanation to contain: {}",
            case.phrase
        );
        assert_eq!(&row[col("progress_pct")], case.progress, "{context}");
        assert_eq!(&row[col("expected_pct")], case.expected, "{context}");
        let ratio = &row[col("ratio")];
        if case.ratio.is_empty() {
            assert_eq!(ratio, "", "{context}");
        } else {
            let got: f64 = ratio.parse().expect("numeric ratio");
            let want: f64 = case.ratio.parse().unwrap();
            assert!(
                (got - want).abs() < 0.005,
                "{context}: ratio {got} vs {want}"
            );
        }
        assert_eq!(&row[col("as_of")], AS_OF, "{context}");
    }

    // The table above really covers every status each kind can have.
    let covered = |kind: &str| -> BTreeSet<&str> {
        STATUS_CASES
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.status)
            .collect()
    };
    let set = |s: &[&'static str]| s.iter().copied().collect::<BTreeSet<_>>();
    let trend = [
        "achieved",
        "on-track",
        "at-risk",
        "off-track",
        "moving-away",
        "missed",
        "awaiting-data",
        "insufficient-data",
        "no-data",
    ];
    assert_eq!(covered("cumulative"), set(&trend));
    assert_eq!(covered("level"), set(&trend));
    assert_eq!(
        covered("direction"),
        set(&[
            "on-track",
            "at-risk",
            "off-track",
            "moving-away",
            "insufficient-data",
            "no-data"
        ])
    );
}

#[test]
fn example_from_the_issue() {
    // The briefing's target and its reported 2024 figure.
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "equipment-renewal",
        ">800bn",
        "--period",
        "2024",
        "--source",
        "SASAC press release (test entry)",
    ])
    .assert()
    .success();
    let out = env.stdout(&[
        "report",
        "equipment-renewal",
        "--csv",
        "--as-of",
        "2025-02-01",
    ]);
    let rows = parse_csv(&out);
    assert_eq!(rows.len(), 1, "{out}");
    let row = &rows[0];
    assert_eq!(&row[col("id")], "equipment-renewal");
    assert_eq!(&row[col("status")], "on-track");
    assert_eq!(&row[col("progress_pct")], "26.67");
    assert_eq!(&row[col("expected_pct")], "20.03");
    assert!(row[col("ratio")].starts_with("1.33"), "{row:?}");
    assert_eq!(&row[col("target")], "3000000000000");
    assert_eq!(&row[col("comparator")], "more-than");
    assert_eq!(&row[col("latest_value")], "800000000000");
    assert_eq!(&row[col("latest_qualifier")], "more-than");
    assert_eq!(&row[col("latest_date")], "2024-12-31");
    assert_eq!(&row[col("observations")], "1");
    assert_eq!(&row[col("stale")], "false");
    assert_eq!(&row[col("as_of")], "2025-02-01");
    assert_eq!(
        &row[col("explanation")],
        "26.67% of > 3 tn CNY done by 2024-12-31 (>800 bn CNY from 1 figure), \
         where the linear path expects 20.03% (366 of 1827 days, ratio 1.331)."
    );
}

// ---------------------------------------------------------------------------
// The two clocks

#[test]
fn as_of_uses_only_observations_dated_on_or_before_it() {
    let env = TestEnv::seeded();
    let tables = target_toml(
        "asof-level",
        "Synthetic level for --as-of",
        "level",
        "%",
        "up",
        LEVEL,
        &[
            ("40%", "2023-12-31"),
            ("42%", "2024-06-30"),
            ("44%", "2024-12-31"),
        ],
    ) + &target_toml(
        "asof-total",
        "Synthetic total for --as-of",
        "cumulative",
        "CNY",
        "up",
        CUM,
        &[("100 billion", "2024-H1"), ("150 billion", "2024-H2")],
    );
    import(&env, "asof.toml", &tables);

    // (as-of, level: observations, latest_date, status; total: latest_value)
    for (as_of, n, latest, status, total) in [
        ("2023-12-30", "0", "", "no-data", ""),
        ("2023-12-31", "1", "2023-12-31", "insufficient-data", ""),
        ("2024-06-29", "1", "2023-12-31", "insufficient-data", ""),
        ("2024-06-30", "2", "2024-06-30", "on-track", "100000000000"),
        ("2024-12-30", "2", "2024-06-30", "on-track", "100000000000"),
        ("2024-12-31", "3", "2024-12-31", "at-risk", "250000000000"),
    ] {
        let rows = by_id(&report_csv_at(&env, &["asof-level", "asof-total"], as_of));
        let level = &rows["asof-level"];
        assert_eq!(&level[col("observations")], n, "as of {as_of}: {level:?}");
        assert_eq!(&level[col("latest_date")], latest, "as of {as_of}");
        assert_eq!(&level[col("status")], status, "as of {as_of}: {level:?}");
        assert_eq!(&level[col("as_of")], as_of);
        let total_row = &rows["asof-total"];
        assert_eq!(
            &total_row[col("latest_value")],
            total,
            "as of {as_of}: {total_row:?}"
        );
    }
}

/// `tracker ARGS` at wall-clock time `now` (the recorded_at of any entry).
fn at_time(env: &TestEnv, now: &str, args: &[&str]) -> std::process::Output {
    let output = env
        .tracker(args)
        .env("TRACKER_NOW", now)
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "tracker {args:?} at {now} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The observation id in "recorded #12: ...".
fn recorded_id(output: &std::process::Output) -> String {
    let out = String::from_utf8_lossy(&output.stdout);
    out.split('#')
        .nth(1)
        .and_then(|s| s.split(':').next())
        .unwrap_or_else(|| panic!("no id in {out}"))
        .to_string()
}

#[test]
fn known_at_reproduces_a_past_report_byte_for_byte() {
    // Seeded at NOW (2025-06-30T12:00); later entries at later clock times.
    // Evaluated as of 2025-07-31, so a figure for 2025-H1 counts.
    let env = TestEnv::seeded();
    let tables = target_toml(
        "known-level",
        "Synthetic level for --known-at",
        "level",
        "%",
        "up",
        LEVEL,
        &[],
    ) + &target_toml(
        "known-total",
        "Synthetic total for --known-at",
        "cumulative",
        "CNY",
        "up",
        CUM,
        &[],
    );
    let file = env.path("known.toml");
    std::fs::write(&file, format!("{FILE_HEADER}{tables}")).unwrap();
    at_time(
        &env,
        "2025-07-01T09:00:00Z",
        &["target", "import", file.to_str().unwrap()],
    );
    let record = |now: &str, id: &str, value: &str, period: &str| {
        at_time(
            &env,
            now,
            &[
                "record",
                id,
                value,
                "--period",
                period,
                "--source",
                "Synthetic source",
            ],
        )
    };
    let first = record("2025-07-10T09:00:00Z", "known-level", "40%", "2023");
    let total_2024 = record("2025-07-10T10:00:00Z", "known-total", "100 billion", "2024");

    let args = [
        "report",
        "--csv",
        "--as-of",
        "2025-07-31",
        "--known-at",
        "2025-07-15T00:00:00Z",
    ];
    let before = at_time(&env, "2025-07-20T00:00:00Z", &args).stdout;
    let before_text = String::from_utf8(before.clone()).unwrap();
    let rows = by_id(&parse_csv(&before_text));
    assert_eq!(&rows["known-level"][col("latest_value")], "40");
    assert_eq!(&rows["known-total"][col("latest_value")], "100000000000");

    // Later entries: a new figure, a correction, a new amount, a retraction
    // and an amended definition.
    record("2025-08-01T09:00:00Z", "known-level", "44%", "2024");
    at_time(
        &env,
        "2025-08-02T09:00:00Z",
        &[
            "correct",
            &recorded_id(&first),
            "41%",
            "--reason",
            "synthetic correction",
        ],
    );
    record(
        "2025-08-03T09:00:00Z",
        "known-total",
        "50 billion",
        "2025-H1",
    );
    at_time(
        &env,
        "2025-08-04T09:00:00Z",
        &[
            "retract",
            &recorded_id(&total_2024),
            "--reason",
            "synthetic retraction",
        ],
    );
    at_time(
        &env,
        "2025-08-05T09:00:00Z",
        &[
            "target",
            "amend",
            "known-level",
            "--target",
            ">= 50%",
            "--title",
            "Synthetic level, amended",
            "--reason",
            "synthetic amendment",
        ],
    );

    // The report as known then is reproduced byte for byte, on a later day...
    let after = at_time(&env, "2025-09-01T00:00:00Z", &args).stdout;
    assert_eq!(
        String::from_utf8(after).unwrap(),
        before_text,
        "--known-at must hide entries recorded later"
    );
    // ...also when the time is given as a date (its end, UTC).
    let mut by_date = args;
    by_date[5] = "2025-07-14";
    assert_eq!(
        at_time(&env, "2025-09-01T00:00:00Z", &by_date).stdout,
        before,
    );

    // Without --known-at every later entry counts.
    let now = String::from_utf8(
        at_time(
            &env,
            "2025-09-01T00:00:00Z",
            &["report", "--csv", "--as-of", "2025-07-31"],
        )
        .stdout,
    )
    .unwrap();
    let rows = by_id(&parse_csv(&now));
    assert_eq!(&rows["known-level"][col("base_value")], "41");
    assert_eq!(&rows["known-level"][col("latest_value")], "44");
    assert_eq!(&rows["known-level"][col("target")], "50");
    assert_eq!(
        &rows["known-level"][col("title")],
        "Synthetic level, amended"
    );
    assert_eq!(&rows["known-total"][col("latest_value")], "50000000000");

    // Known before the targets were defined: they do not exist yet.
    let early = at_time(
        &env,
        "2025-09-01T00:00:00Z",
        &["report", "--csv", "--known-at", "2025-06-30T23:00:00Z"],
    );
    let ids: Vec<String> = parse_csv(&String::from_utf8(early.stdout).unwrap())
        .iter()
        .map(|r| r[col("id")].to_string())
        .collect();
    assert!(ids.iter().all(|id| !id.starts_with("known-")), "{ids:?}");
}

#[test]
fn same_ledger_and_as_of_give_identical_bytes() {
    let env = status_ledger();
    for format in ["csv", "json", "markdown"] {
        let args = ["report", "--format", format, "--as-of", AS_OF];
        let first = at_time(&env, NOW, &args).stdout;
        // Another day on the wall clock, and presentation options that only
        // tables honour, change nothing.
        let second = at_time(&env, "2026-01-15T08:30:00Z", &args).stdout;
        assert_eq!(first, second, "{format}: the wall clock leaked in");
        let mut styled = vec!["--numbers", "chinese", "--color", "always"];
        styled.extend_from_slice(&args);
        let third = at_time(&env, NOW, &styled).stdout;
        assert_eq!(first, third, "{format}: table options leaked in");
        assert!(!first.is_empty());
    }
}

// ---------------------------------------------------------------------------
// -o, --fail-on, --status

#[test]
fn a_failing_run_leaves_the_existing_output_file_alone() {
    let env = status_ledger();
    let file = env.path("out").join("status.csv");
    std::fs::create_dir(env.path("out")).unwrap();
    let old = b"id,status\nprevious-run,on-track\n".to_vec();
    std::fs::write(&file, &old).unwrap();
    let out = file.to_str().unwrap();
    let missing_db = env.path("missing.db");
    for (args, code, message) in [
        (vec!["no-such-target"], 2, "unknown target"),
        (vec!["--as-of", "2025-02-30"], 2, "2025-02-30"),
        (vec!["--as-of", "yesterday"], 2, "yesterday"),
        (vec!["--known-at", "soon"], 2, "--known-at"),
        (vec!["--status", "fine"], 2, "fine"),
        (vec!["--fail-on", "late"], 2, "late"),
    ] {
        let mut full = vec!["report", "--csv", "-o", out];
        full.extend_from_slice(&args);
        env.tracker(&full)
            .assert()
            .code(code)
            .stdout("")
            .stderr(predicate::str::contains(message));
        assert_eq!(std::fs::read(&file).unwrap(), old, "{args:?}");
    }
    // A ledger that cannot be opened: a different exit code, same guarantee.
    env.tracker(&["report", "--csv", "-o", out])
        .env("TRACKER_DB", &missing_db)
        .assert()
        .code(4)
        .stdout("");
    assert_eq!(std::fs::read(&file).unwrap(), old);
    // Nothing but the old file in the folder: no temp file left behind.
    assert_eq!(std::fs::read_dir(env.path("out")).unwrap().count(), 1);

    // A good run replaces it with the report stdout would have had.
    env.tracker(&["report", "--csv", "--as-of", AS_OF, "-o", out])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    let expected = env.stdout(&["report", "--csv", "--as-of", AS_OF]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    assert_eq!(std::fs::read_dir(env.path("out")).unwrap().count(), 1);
}

#[test]
fn output_format_follows_the_file_extension() {
    let env = status_ledger();
    let ids = status_ids();
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--as-of", AS_OF];
        args.extend_from_slice(extra);
        args.extend_from_slice(&ids);
        env.tracker(&args).assert()
    };

    let json = env.path("status.json");
    run(&["-o", json.to_str().unwrap()]).success().stdout("");
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).expect("JSON");
    assert_eq!(value.as_array().unwrap().len(), ids.len());

    let csv_file = env.path("status.csv");
    run(&["-o", csv_file.to_str().unwrap()]).success();
    let rows = parse_csv(&std::fs::read_to_string(&csv_file).unwrap());
    assert_eq!(rows.len(), ids.len());

    let md = env.path("status.md");
    run(&["-o", md.to_str().unwrap()]).success();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("| id | title |"), "{text}");

    // An extension that names no format is refused unless --format says.
    let xyz = env.path("status.xyz");
    run(&["-o", xyz.to_str().unwrap()])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("status.xyz"))
        .stderr(predicate::str::contains("--format"));
    assert!(!xyz.exists());
    std::fs::write(&xyz, "keep me").unwrap();
    run(&["-o", xyz.to_str().unwrap()]).code(2);
    assert_eq!(std::fs::read_to_string(&xyz).unwrap(), "keep me");
    run(&["-o", xyz.to_str().unwrap(), "--format", "csv"]).success();
    assert_eq!(
        parse_csv(&std::fs::read_to_string(&xyz).unwrap()).len(),
        ids.len()
    );
    // An explicit format beats the extension.
    run(&["-o", json.to_str().unwrap(), "--csv"]).success();
    assert_eq!(
        parse_csv(&std::fs::read_to_string(&json).unwrap()).len(),
        ids.len()
    );
}

const ALERT_IDS: [&str; 5] = [
    "c-missed",
    "c-off-track",
    "d-off-track",
    "l-missed",
    "l-off-track",
];

#[test]
fn fail_on_exits_3_after_writing_the_whole_report() {
    let env = status_ledger();
    let ids = status_ids();
    let mut plain = vec!["report", "--csv", "--as-of", AS_OF];
    plain.extend_from_slice(&ids);
    let full = env.stdout(&plain);
    assert_eq!(parse_csv(&full).len(), ids.len());

    // To stdout: the same complete report, the alert on stderr only.
    let mut args = plain.clone();
    args.extend(["--fail-on", "off-track,missed"]);
    let output = env.tracker(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), full);
    // stderr names exactly the matching targets.
    let stderr = String::from_utf8(output.stderr).unwrap();
    let named: BTreeSet<&str> = stderr
        .trim_end()
        .rsplit_once(": ")
        .map(|(_, list)| list.split(", ").collect())
        .unwrap_or_default();
    assert_eq!(named, ALERT_IDS.into_iter().collect(), "{stderr}");

    // To a file: written in full before exiting 3.
    let file = env.path("status.csv");
    std::fs::write(&file, "old").unwrap();
    args.extend(["-o", file.to_str().unwrap()]);
    env.tracker(&args).assert().code(3).stdout("");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), full);
}

#[test]
fn fail_on_exits_0_when_nothing_reported_matches() {
    let env = status_ledger();
    // Targets that are fine.
    env.tracker(&[
        "report",
        "--csv",
        "--as-of",
        AS_OF,
        "--fail-on",
        "off-track,missed",
        "c-on-track",
        "l-at-risk",
        "d-on-track",
    ])
    .assert()
    .code(0)
    .stderr("");
    // The ledger has missed targets, but not among those reported.
    let output = env
        .tracker(&[
            "report",
            "--csv",
            "--as-of",
            AS_OF,
            "--status",
            "on-track",
            "--fail-on",
            "missed",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty());
    // Without the filter the missed targets are reported, and alert.
    env.tracker(&["report", "--csv", "--as-of", AS_OF, "--fail-on", "missed"])
        .assert()
        .code(3);
}

#[test]
fn status_filters_rows() {
    let env = status_ledger();
    let mut args = vec!["--as-of", AS_OF, "--status", "off-track,missed"];
    let ids = status_ids();
    args.extend_from_slice(&ids);
    let rows = env.report_csv(&args);
    let got: Vec<&str> = rows.iter().map(|r| &r[col("id")]).collect();
    assert_eq!(got, ALERT_IDS);
    assert!(
        rows.iter()
            .all(|r| ["off-track", "missed"].contains(&&r[col("status")]))
    );

    // Repeating the flag is the same as a comma-separated list.
    let mut repeated = vec![
        "--as-of",
        AS_OF,
        "--status",
        "off-track",
        "--status",
        "missed",
    ];
    repeated.extend_from_slice(&ids);
    assert_eq!(env.report_csv(&repeated), rows);
}

// ---------------------------------------------------------------------------
// CSV, JSON, Markdown

#[test]
fn csv_header_is_present_with_zero_rows() {
    let env = status_ledger();
    let out = env.stdout(&[
        "report",
        "--csv",
        "--as-of",
        AS_OF,
        "--status",
        "missed",
        "c-on-track",
        "l-on-track",
        "d-no-data",
    ]);
    assert_eq!(out, format!("{}\n", COLUMNS.join(",")));
    // -o writes the header too, and JSON is an empty array.
    let file = env.path("none.csv");
    env.tracker(&[
        "report",
        "--as-of",
        AS_OF,
        "--status",
        "missed",
        "c-on-track",
        "-o",
        file.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), out);
    let json = env.stdout(&[
        "report",
        "--json",
        "--as-of",
        AS_OF,
        "--status",
        "missed",
        "c-on-track",
    ]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap(),
        serde_json::json!([])
    );
}

/// Synthetic targets whose free text a spreadsheet would execute.
fn escaping_ledger() -> TestEnv {
    let env = status_ledger();
    let tables = target_toml(
        "x-formula",
        "=HYPERLINK(\"http://example.invalid\",\"synthetic\")",
        "level",
        "%",
        "up",
        // A rate with no deadline: the explanation starts with the latest
        // figure, -2%.
        "target = \">= 5%\"\nrate = true",
        &[("-3%", "2023")],
    ) + &target_toml(
        "x-plus",
        "+synthetic title",
        "direction",
        "units",
        "up",
        "",
        &[],
    ) + &target_toml(
        "x-minus",
        "-synthetic title",
        "cumulative",
        "CNY",
        "up",
        "target = \"> 3 trillion\"\nwindow_start = 2024-01-01\ndeadline = 2028-12-31",
        &[("1,234.5 billion", "2024")],
    ) + &target_toml(
        "x-at",
        "@synthetic title",
        "level",
        "people",
        "up",
        "target = \"250,000\"",
        &[],
    );
    import(&env, "escaping.toml", &tables);
    // A source starting with '@' (sources are not a report column; it must
    // not leak into one unneutralised).
    env.tracker(&[
        "record",
        "x-formula",
        "-2%",
        "--period",
        "2024",
        "--source",
        "@synthetic source",
    ])
    .assert()
    .success();
    env
}

/// Columns that hold numbers or dates written by tracker: never quoted.
const NUMERIC: [&str; 9] = [
    "target",
    "base_value",
    "latest_value",
    "observations",
    "progress_pct",
    "expected_pct",
    "ratio",
    "stale",
    "as_of",
];
const DATES: [&str; 5] = [
    "window_start",
    "deadline",
    "base_date",
    "latest_date",
    "as_of",
];

#[test]
fn csv_neutralises_formulas_and_keeps_numbers_numeric() {
    let env = escaping_ledger();
    let rows = env.report_csv(&["--as-of", AS_OF]);
    let rows_by_id = by_id(&rows);

    assert_eq!(
        &rows_by_id["x-formula"][col("title")],
        "'=HYPERLINK(\"http://example.invalid\",\"synthetic\")"
    );
    assert_eq!(&rows_by_id["x-plus"][col("title")], "'+synthetic title");
    assert_eq!(&rows_by_id["x-minus"][col("title")], "'-synthetic title");
    assert_eq!(&rows_by_id["x-at"][col("title")], "'@synthetic title");
    // The explanation is free text: "-2% on ..." is neutralised, while the
    // negative numbers stay numbers.
    let formula = &rows_by_id["x-formula"];
    assert!(
        formula[col("explanation")].starts_with("'-2% for 2024 is short of ≥ 5%"),
        "{formula:?}"
    );
    assert_eq!(&formula[col("latest_value")], "-2");
    assert_eq!(&formula[col("base_value")], "-3");
    let away = &rows_by_id["c-moving-away"];
    assert!(
        away[col("explanation")].starts_with("'-4.00% of"),
        "{away:?}"
    );
    assert_eq!(&away[col("progress_pct")], "-4.00");
    assert_eq!(&away[col("latest_value")], "-20000000000");
    // Numbers in base units without separators or unit words.
    let minus = &rows_by_id["x-minus"];
    assert_eq!(&minus[col("target")], "3000000000000");
    assert_eq!(&minus[col("latest_value")], "1234500000000");
    assert_eq!(&minus[col("progress_pct")], "41.15");
    assert_eq!(&rows_by_id["x-at"][col("target")], "250000");

    // Every cell of every row: free text never starts with a formula sign,
    // numbers parse as plain numbers, dates are ISO 8601.
    for row in &rows {
        for (i, name) in COLUMNS.iter().enumerate() {
            let cell = &row[i];
            if cell.is_empty() {
                continue;
            }
            if DATES.contains(name) {
                assert!(
                    chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").is_ok(),
                    "{name} = {cell:?}"
                );
            } else if *name == "stale" {
                assert!(cell == "true" || cell == "false", "{name} = {cell:?}");
            } else if NUMERIC.contains(name) {
                assert!(
                    cell.chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
                        && cell.parse::<f64>().is_ok(),
                    "{name} = {cell:?} in {row:?}"
                );
            } else {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name} = {cell:?} would run as a formula"
                );
            }
        }
    }
}

#[test]
fn csv_columns_order_and_parse_back() {
    let env = escaping_ledger();
    let out = env.stdout(&["report", "--csv", "--as-of", AS_OF]);
    assert_eq!(out.lines().next(), Some(COLUMNS.join(",").as_str()));
    let rows = parse_csv(&out);
    // One row per target of the ledger, ordered by id.
    let ids: Vec<String> = rows.iter().map(|r| r[col("id")].to_string()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rows must be ordered by id, once each");
    for case in STATUS_CASES {
        assert!(ids.iter().any(|id| id == case.id), "{} missing", case.id);
    }
    assert!(ids.iter().any(|id| id == "equipment-renewal"));
    let mut in_ledger: Vec<String> = env
        .query("SELECT id FROM targets")
        .into_iter()
        .map(|row| row[0].clone().unwrap())
        .collect();
    in_ledger.sort();
    assert_eq!(ids, in_ledger, "one row per target of the ledger");
    assert!(out.ends_with('\n'));

    // Named targets come out ordered by id too, each once.
    let named = env.report_csv(&[
        "--as-of",
        AS_OF,
        "l-on-track",
        "c-on-track",
        "x-at",
        "l-on-track",
        "c-at-risk",
    ]);
    let named: Vec<&str> = named.iter().map(|r| &r[col("id")]).collect();
    assert_eq!(named, ["c-at-risk", "c-on-track", "l-on-track", "x-at"]);
}

/// A JSON object with its keys in document order.
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        d.deserialize_map(Visitor)
    }
}

#[test]
fn json_has_the_csv_columns_in_order_and_the_same_values() {
    let env = escaping_ledger();
    let csv_rows = parse_csv(&env.stdout(&["report", "--csv", "--as-of", AS_OF]));
    let json = env.stdout(&["report", "--json", "--as-of", AS_OF]);
    let objects: Vec<Ordered> = serde_json::from_str(&json).expect("JSON array of objects");
    assert_eq!(objects.len(), csv_rows.len());
    for (object, row) in objects.iter().zip(&csv_rows) {
        let keys: Vec<&str> = object.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, COLUMNS);
        for ((name, value), cell) in object.0.iter().zip(row.iter()) {
            let spelled = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                other => panic!("{name}: unexpected {other}"),
            };
            // CSV neutralises free text; JSON carries it as is.
            let expected = if !NUMERIC.contains(&name.as_str())
                && spelled.starts_with(['=', '+', '-', '@', '\t', '\r'])
            {
                format!("'{spelled}")
            } else {
                spelled.clone()
            };
            assert_eq!(cell, expected, "{name} of {}", &row[0]);
            if NUMERIC.contains(&name.as_str()) && *name != "stale" && *name != "as_of" {
                assert!(
                    value.is_number() || value.is_null(),
                    "{name} must be a JSON number: {value}"
                );
            }
        }
    }
}

#[test]
fn markdown_has_a_header_row_and_one_line_per_target() {
    let env = escaping_ledger();
    let ids = ["c-on-track", "x-at", "x-formula"];
    let mut args = vec!["report", "--format", "markdown", "--as-of", AS_OF];
    args.extend_from_slice(&ids);
    let out = env.stdout(&args);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("| {} |", COLUMNS.join(" | ")));
    assert!(
        lines[1].starts_with("|---|") && lines[1].matches("---").count() == COLUMNS.len(),
        "{}",
        lines[1]
    );
    assert_eq!(lines.len(), 2 + ids.len(), "{out}");
    for (line, id) in lines[2..].iter().zip(ids) {
        assert!(line.starts_with(&format!("| {id} | ")), "{line}");
        // Cell count matches the header (no unescaped pipe breaks a row).
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, COLUMNS.len() + 1, "{line}");
    }
}

// ---------------------------------------------------------------------------
// Pipes and terminals

#[test]
fn piped_output_has_no_colour_and_diagnostics_go_to_stderr() {
    let env = status_ledger();
    // The default on a pipe is CSV, with nothing on stderr.
    let output = env
        .tracker(&["report", "--as-of", AS_OF])
        .env("TERM", "xterm-256color")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stderr.is_empty(), "{:?}", output.stderr);
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(!out.contains('\x1b'), "ANSI escape in piped output");
    assert!(!parse_csv(&out).is_empty());
    // A table asked for on a pipe: still no escapes.
    for args in [
        vec!["report", "--format", "table", "--as-of", AS_OF],
        vec!["list", "--as-of", AS_OF],
    ] {
        let output = env
            .tracker(&args)
            .env("TERM", "xterm-256color")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("c-on-track"), "{text}");
        assert!(
            !text.contains('\x1b'),
            "{args:?}: ANSI escape in piped output"
        );
    }
    // An error: the message on stderr, nothing on stdout.
    env.tracker(&["report", "--csv", "no-such-target"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("no-such-target"));
}

#[test]
fn list_shows_the_same_status_and_progress_as_report() {
    let env = escaping_ledger();
    let report = by_id(&env.report_csv(&["--as-of", AS_OF]));
    let list = by_id(&parse_csv(
        &env.stdout(&["list", "--format", "csv", "--as-of", AS_OF]),
    ));
    assert_eq!(
        list.keys().collect::<Vec<_>>(),
        report.keys().collect::<Vec<_>>()
    );
    for (id, row) in &report {
        for name in [
            "status",
            "progress_pct",
            "expected_pct",
            "ratio",
            "latest_value",
            "stale",
            "explanation",
        ] {
            assert_eq!(list[id][col(name)], row[col(name)], "{id}: {name}");
        }
    }
}

#[test]
fn a_closed_pipe_ends_the_report_quietly() {
    let env = TestEnv::seeded();
    // 1200 synthetic targets with long titles: about 350 kB of CSV, far
    // more than a pipe buffer holds, so the writer meets the closed pipe.
    let long = "x".repeat(150);
    let tables: String = (0..1200)
        .map(|i| {
            target_toml(
                &format!("bulk-{i:04}"),
                &format!("Synthetic bulk target {i} {long}"),
                "direction",
                "units",
                "up",
                "",
                &[],
            )
        })
        .collect();
    import(&env, "bulk.toml", &tables);
    let full = env.stdout(&["report"]);
    assert!(full.len() > 4 * 65536, "only {} bytes", full.len());

    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_tracker"))
        .env_clear()
        .env("HOME", env.path("home"))
        .env("TRACKER_NOW", NOW)
        .env("TRACKER_DB", env.ledger())
        .current_dir(env.dir.path())
        .arg("report")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tracker");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, like `head -1` exiting.
    assert_eq!(first.trim_end(), COLUMNS.join(","));
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
