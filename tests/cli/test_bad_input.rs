//! Every rejection names the bad input, exits non-zero and leaves the
//! ledger byte-for-byte unchanged.

use crate::common::TestEnv;

struct Case {
    name: &'static str,
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
}

const fn case(
    name: &'static str,
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
) -> Case {
    Case {
        name,
        args,
        code,
        message,
    }
}

const CASES: &[Case] = &[
    case(
        "unknown id",
        &[
            "record",
            "equipment-renewl",
            "1bn",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "did you mean `equipment-renewal`",
    ),
    case(
        "NaN",
        &[
            "record",
            "equipment-renewal",
            "NaN",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "NaN",
    ),
    case(
        "inf",
        &[
            "record",
            "equipment-renewal",
            "inf",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "inf",
    ),
    case(
        "exponent",
        &[
            "record",
            "equipment-renewal",
            "1e400",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "1e400",
    ),
    case(
        "negative amount",
        &[
            "record",
            "equipment-renewal",
            "-5bn",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "cannot be negative",
    ),
    case(
        "percent for CNY",
        &[
            "record",
            "equipment-renewal",
            "83%",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "CNY",
    ),
    case(
        "ambiguous comma",
        &[
            "record",
            "equipment-renewal",
            "1,5",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "1,5",
    ),
    case(
        "european separators",
        &[
            "record",
            "equipment-renewal",
            "1.234,5",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "1.234,5",
    ),
    case(
        "unicode minus",
        &[
            "record",
            "sei-investment-growth",
            "\u{2212}5%",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "'-'",
    ),
    case(
        "full-width digits",
        &[
            "record",
            "equipment-renewal",
            "\u{ff11}\u{ff12}bn",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "ASCII digits",
    ),
    case(
        "february 30",
        &[
            "record",
            "opbudget-st-share",
            "81%",
            "--date",
            "2024-02-30",
            "--source",
            "s",
        ],
        2,
        "2024-02-30",
    ),
    case(
        "month 13",
        &[
            "record",
            "opbudget-st-share",
            "81%",
            "--date",
            "2024-13-01",
            "--source",
            "s",
        ],
        2,
        "2024-13-01",
    ),
    case(
        "future date",
        &[
            "record",
            "opbudget-st-share",
            "81%",
            "--date",
            "2025-07-01",
            "--source",
            "s",
        ],
        2,
        "after today",
    ),
    case(
        "period outside window",
        &[
            "record",
            "equipment-renewal",
            "1bn",
            "--period",
            "2023",
            "--source",
            "s",
        ],
        2,
        "outside the window",
    ),
    case(
        "empty source",
        &[
            "record",
            "equipment-renewal",
            "1bn",
            "--period",
            "2024",
            "--source",
            "  ",
        ],
        2,
        "--source is empty",
    ),
    case(
        "overlong source",
        &[
            "record",
            "equipment-renewal",
            "1bn",
            "--period",
            "2024",
            "--source",
            LONG,
        ],
        2,
        "the limit is 500",
    ),
    case(
        "control character",
        &[
            "record",
            "equipment-renewal",
            "1bn",
            "--period",
            "2024",
            "--source",
            "a\u{1b}[2Jb",
        ],
        2,
        "control character",
    ),
    case(
        "bad period",
        &[
            "record",
            "equipment-renewal",
            "1bn",
            "--period",
            "2024-Q5",
            "--source",
            "s",
        ],
        2,
        "2024-Q5",
    ),
    case(
        "missing source",
        &["record", "equipment-renewal", "1bn", "--period", "2024"],
        2,
        "--source",
    ),
    case(
        "missing date",
        &["record", "equipment-renewal", "1bn", "--source", "s"],
        2,
        "--date",
    ),
];

const LONG: &str = "<501 characters>";

#[test]
fn every_bad_input_is_refused_and_writes_nothing() {
    let env = TestEnv::seeded();
    let before = env.snapshot();
    let mut failures = Vec::new();
    for case in CASES {
        let long = "x".repeat(501);
        let args: Vec<&str> = case
            .args
            .iter()
            .map(|a| if *a == LONG { long.as_str() } else { a })
            .collect();
        let output = env.tracker(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() != Some(case.code) {
            failures.push(format!(
                "{}: exit {:?}, stderr: {stderr}",
                case.name,
                output.status.code()
            ));
        } else if !stderr.contains(case.message) {
            failures.push(format!(
                "{}: stderr lacks `{}`: {stderr}",
                case.name, case.message
            ));
        }
        if env.snapshot() != before {
            failures.push(format!("{}: the ledger changed", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
