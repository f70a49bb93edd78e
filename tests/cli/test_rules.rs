//! One set of rules for every way data gets into a ledger: `record`,
//! `correct`, CSV import, JSON restore, target files and `target add` all
//! refuse the same bad data (and leave the ledger byte-identical), and
//! `check` flags such data if an older tracker let it in.
//!
//! All values here are synthetic test data.

use crate::common::{TestEnv, snapshot};
use predicates::prelude::*;
use serde_json::{Value, json};

/// `tracker ARGS` must fail with `code`, say `message`, and write nothing.
fn refused(env: &TestEnv, args: &[&str], code: i32, message: &str) -> String {
    let before = snapshot(&env.db());
    let out = env.tracker(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(code),
        "tracker {args:?}: expected exit {code}; stderr: {stderr}"
    );
    assert!(
        stderr.contains(message),
        "tracker {args:?}: expected `{message}` in: {stderr}"
    );
    assert_eq!(before, snapshot(&env.db()), "tracker {args:?} wrote");
    stderr
}

/// The seeded ledger's JSON export.
fn export(env: &TestEnv) -> Value {
    serde_json::from_str(&env.stdout(&["export"])).unwrap()
}

/// An export holding one more entry, `changes` applied to a copy of a
/// plain record.
fn with_entry(env: &TestEnv, changes: Value) -> Value {
    let mut doc = export(env);
    let entries = doc["entries"].as_array_mut().unwrap();
    let next = entries.len() as i64 + 1;
    let mut entry = json!({
        "id": next, "target_id": "opbudget-st-share", "action": "record",
        "value": "50", "qualifier": "exact",
        "period_start": "2024-01-01", "period_end": "2024-12-31",
        "source": "synthetic", "url": null, "note": null,
        "recorded_by": "tester", "recorded_at": "2025-06-01T00:00:00.000Z",
        "supersedes": null, "reason": null
    });
    for (key, value) in changes.as_object().unwrap() {
        entry[key] = value.clone();
    }
    entries.push(entry);
    doc
}

fn write_json(env: &TestEnv, name: &str, doc: &Value) -> String {
    let path = env.path(name);
    std::fs::write(&path, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn a_value_over_the_limit_is_refused_by_record_and_csv_import() {
    let env = TestEnv::seeded();
    refused(
        &env,
        &[
            "record",
            "opbudget-st-share",
            "150%",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        2,
        "limit 100",
    );
    std::fs::write(
        env.path("over.csv"),
        "target_id,value,period,source\nopbudget-st-share,250%,2024,s\n",
    )
    .unwrap();
    let stderr = refused(&env, &["import", "over.csv"], 2, "limit 100");
    assert!(stderr.contains("over.csv:2:"), "{stderr}");
}

#[test]
fn a_restore_checks_every_entry_like_record_does() {
    let env = TestEnv::seeded();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "escape in source",
            json!({"source": "a\u{1b}[2Jb"}),
            "control character",
        ),
        (
            "bell in note",
            json!({"note": "ding\u{7}"}),
            "control character",
        ),
        (
            "newline in recorded_by",
            json!({"recorded_by": "eve\nmallory"}),
            "control character",
        ),
        (
            "bidi override in source",
            json!({"source": "abc\u{202e}cba"}),
            "U+202E",
        ),
        (
            "javascript url",
            json!({"url": "javascript:alert(1)"}),
            "http",
        ),
        (
            "negative value",
            json!({"target_id": "sei-revenue", "value": "-5", "period_start": "2022-01-01", "period_end": "2022-12-31"}),
            "negative",
        ),
        (
            "outside the window",
            json!({"target_id": "equipment-renewal", "value": "5", "period_start": "2020-01-01", "period_end": "2020-12-31"}),
            "window",
        ),
        (
            "period in 2150",
            json!({"period_start": "2150-01-01", "period_end": "2150-12-31"}),
            "2150",
        ),
        ("over the limit", json!({"value": "150"}), "limit 100"),
        (
            "unreadable time",
            json!({"recorded_at": "yesterday-ish"}),
            "yesterday-ish",
        ),
    ];
    for (name, changes, message) in cases {
        let file = write_json(&env, "bad.json", &with_entry(&env, changes));
        let stderr = refused(&env, &["import", &file], 2, message);
        assert!(
            stderr.contains("entry #12"),
            "{name}: the entry is named: {stderr}"
        );
    }
    // The shape of the trail: what an entry supersedes. (The seed's
    // entry #1 is of `equity-incentive-talents`.)
    let shape: Vec<(&str, Vec<Value>, &str)> = vec![
        (
            "a record that supersedes",
            vec![json!({"supersedes": 1})],
            "a record supersedes nothing",
        ),
        (
            "a correction that supersedes nothing",
            vec![json!({"action": "correct", "reason": "synthetic"})],
            "a correct names the entry it supersedes",
        ),
        (
            "a correction of another target's entry",
            vec![json!({"action": "correct", "supersedes": 1, "reason": "synthetic"})],
            "belongs to `equity-incentive-talents`, not `opbudget-st-share`",
        ),
        (
            "two corrections of one entry",
            vec![
                json!({"target_id": "equity-incentive-talents", "action": "correct",
                       "supersedes": 1, "reason": "synthetic", "value": "260000",
                       "period_start": "2024-07-26", "period_end": "2024-07-26"}),
                json!({"id": 13, "target_id": "equity-incentive-talents", "action": "correct",
                       "supersedes": 1, "reason": "synthetic", "value": "270000",
                       "period_start": "2024-07-26", "period_end": "2024-07-26"}),
            ],
            "#1 is already superseded by #12",
        ),
        (
            "a correction of a later entry",
            vec![json!({"action": "correct", "supersedes": 40, "reason": "synthetic"})],
            "supersedes #40, which the export does not hold before it",
        ),
    ];
    for (name, changes, message) in shape {
        let mut doc = with_entry(&env, changes[0].clone());
        if let Some(second) = changes.get(1) {
            let next = with_entry(&env, second.clone());
            let entry = next["entries"].as_array().unwrap().last().unwrap().clone();
            doc["entries"].as_array_mut().unwrap().push(entry);
        }
        let file = write_json(&env, "shape.json", &doc);
        let stderr = refused(&env, &["import", &file], 2, message);
        assert!(stderr.contains("shape.json: entry #1"), "{name}: {stderr}");
        assert!(!stderr.contains("bug"), "{name}: {stderr}");
    }
    // A control sequence in a restored definition's title (it would
    // rewrite the terminal's window title in `show`).
    let mut doc = export(&env);
    let versions = doc["targets"].as_array_mut().unwrap();
    let mut amended = versions[0].clone();
    amended["version"] = json!(2);
    amended["title"] = json!("x\u{1b}]0;pwned\u{7}");
    amended["reason"] = json!("synthetic");
    versions.insert(1, amended);
    let file = write_json(&env, "title.json", &doc);
    refused(&env, &["import", &file], 2, "title");
    // The untouched export restores.
    let file = write_json(&env, "good.json", &with_entry(&env, json!({})));
    env.tracker(&["import", &file]).assert().success();
}

#[test]
fn check_flags_entries_the_rules_refuse() {
    let env = TestEnv::seeded();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, recorded_by, recorded_at)
         VALUES ('opbudget-st-share', 'record', '50', 'exact', '2024-01-01', '2024-12-31',
            'a' || char(27) || '[2J', 'x', '2025-01-01T00:00:00.000Z'),
                ('opbudget-st-share', 'record', '150', 'exact', '2023-01-01', '2023-12-31',
            's', 'x', '2025-01-01T00:00:00.000Z')",
    )
    .unwrap();
    drop(conn);
    env.tracker(&["check"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("limit 100"))
        .stderr(predicate::str::contains("control character"))
        .stderr(predicate::str::contains("entry #12, field `source`"))
        .stderr(predicate::str::contains("entry #13, field `value`"));
}

#[test]
fn an_unreadable_value_is_a_ledger_problem_not_bad_input() {
    let env = TestEnv::seeded();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, recorded_by, recorded_at)
         VALUES ('sei-revenue', 'record', '1-2', 'exact', '2022-01-01', '2022-12-31', 's', 'x',
            '2025-01-01T00:00:00.000Z')",
    )
    .unwrap();
    drop(conn);
    env.tracker(&["report"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("tracker check"));
}

#[test]
fn a_recorder_name_with_control_characters_is_refused_everywhere() {
    let env = TestEnv::seeded();
    std::fs::write(
        env.path("ok.csv"),
        "target_id,value,period,source\nsei-revenue,5bn,2022,s\n",
    )
    .unwrap();
    let before = snapshot(&env.db());
    let out = env
        .tracker(&["import", "ok.csv"])
        .env("TRACKER_USER", "eve\u{1b}[2J")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("control character"), "{stderr}");
    // The error names where the name came from, not a flag never given.
    assert!(stderr.contains("TRACKER_USER"), "{stderr}");
    assert!(!stderr.contains("--by"), "{stderr}");
    assert_eq!(before, snapshot(&env.db()));
    let stderr = refused(
        &env,
        &["import", "ok.csv", "--by", "eve\u{1b}[2J"],
        2,
        "control character",
    );
    assert!(stderr.contains("--by"), "{stderr}");
}

#[test]
fn a_url_must_be_http_or_https() {
    let env = TestEnv::seeded();
    refused(
        &env,
        &[
            "record",
            "sei-revenue",
            "5bn",
            "--period",
            "2022",
            "--source",
            "s",
            "--url",
            "javascript:alert(1)",
        ],
        2,
        "http",
    );
}

const ADD: &[&str] = &[
    "target",
    "add",
    "--id",
    "synthetic-share",
    "--title",
    "Synthetic share",
    "--kind",
    "level",
    "--metric",
    "Synthetic share",
    "--unit",
    "%",
    "--direction",
    "up",
    "--target",
    ">=2.5%",
    "--deadline",
    "2025-12-31",
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
];

fn add_with(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = ADD.to_vec();
    args.extend_from_slice(extra);
    args
}

#[test]
fn target_add_takes_a_limit_and_names_the_flag_in_errors() {
    let env = TestEnv::seeded();
    env.tracker(&add_with(&["--limit", "100"]))
        .assert()
        .success();
    let export = export(&env);
    let added = export["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "synthetic-share")
        .unwrap();
    assert_eq!(added["limit"], json!("100"));
    assert_eq!(added["recorded_by"], json!("tester"), "TRACKER_USER");

    let env = TestEnv::seeded();
    let stderr = refused(&env, &add_with(&["--limit", "lots"]), 2, "--limit");
    assert!(!stderr.contains("command line:"), "{stderr}");
    let stderr = refused(&env, &add_with(&["--limit=-3"]), 2, "--limit");
    assert!(!stderr.contains("command line:"), "{stderr}");
}

#[test]
fn target_amend_works_on_a_target_with_a_limit() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "target",
        "amend",
        "opbudget-st-share",
        "--title",
        "Synthetic new title",
        "--reason",
        "synthetic",
    ])
    .assert()
    .success();
    let export = export(&env);
    let v2 = export["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "opbudget-st-share" && t["version"] == 2)
        .unwrap();
    assert_eq!(v2["limit"], json!("100"));
    assert_eq!(v2["title"], json!("Synthetic new title"));
    assert_eq!(v2["recorded_by"], json!("tester"), "TRACKER_USER");

    let stderr = refused(
        &env,
        &[
            "target",
            "amend",
            "opbudget-st-share",
            "--deadline",
            "someday",
            "--reason",
            "synthetic",
        ],
        2,
        "--deadline",
    );
    assert!(!stderr.contains("amended definition"), "{stderr}");
}

#[test]
fn target_import_refuses_figures_for_the_future() {
    let env = TestEnv::seeded();
    std::fs::write(
        env.path("future.toml"),
        r#"format = 1
[source]
title = "synthetic"
date = 2024-01-01

[[target]]
id = "synthetic-future"
title = "synthetic"
kind = "level"
metric = "synthetic"
unit = "people"
direction = "up"
target = ">= 10"
quote = "synthetic"
speaker = "nobody"
speaker_role = "test"

[[target.observation]]
value = "5"
period = "2099"
"#,
    )
    .unwrap();
    let stderr = refused(&env, &["target", "import", "future.toml"], 2, "after today");
    assert!(stderr.contains("future.toml:"), "{stderr}");
}

#[test]
fn check_accepts_a_ledger_of_the_previous_schema_version() {
    let env = TestEnv::seeded();
    // Version 4, as that version made it (every earlier one: below).
    downgrade(&env.db(), 4);
    env.tracker(&["check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok:"));
}

#[test]
fn text_that_looks_neutralised_survives_a_csv_round_trip() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "sei-revenue",
        "5bn",
        "--period",
        "2022",
        "--source",
        "'=not a formula",
        "--note",
        "''twice",
    ])
    .assert()
    .success();
    let csv = env.stdout(&["export", "--format", "csv"]);
    let other = TestEnv::seeded();
    std::fs::write(other.path("round.csv"), &csv).unwrap();
    other.tracker(&["import", "round.csv"]).assert().success();
    let restored = export(&other);
    let last = restored["entries"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["source"], json!("'=not a formula"));
    assert_eq!(last["note"], json!("''twice"));
}

#[test]
fn stored_control_characters_never_reach_a_terminal() {
    let env = TestEnv::seeded();
    // What an older tracker let in (written directly: today's rules refuse
    // it on every path).
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO target_versions SELECT target_id, 2, 'x' || char(27) || ']0;pwned' || char(7) || '|' || char(13) || 'y',
            kind, metric, unit, direction, comparator, target_value, window_start, deadline,
            limit_value, is_rate, cadence, quote, speaker, speaker_role, statement_date,
            source_title, source_url, 'a' || char(13) || 'b', '2025-01-01T00:00:00.000Z',
            'eve' || char(27) || '[2J', 'synthetic', base_period
         FROM target_versions WHERE target_id = 'sei-revenue' AND version = 1;
         INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, note, recorded_by, recorded_at)
         VALUES ('sei-revenue', 'record', '5', 'exact', '2022-01-01', '2022-12-31',
            's' || char(27) || '[31m', 'n' || char(13) || '|x', 'eve' || char(27) || '[2J',
            '2025-01-01T00:00:00.000Z')",
    )
    .unwrap();
    drop(conn);
    let svg = env.path("c.svg");
    for args in [
        vec!["list"],
        vec!["report", "--format", "table"],
        vec!["report", "--format", "markdown"],
        vec!["report", "--format", "html"],
        vec!["changes", "--since", "2024-01-01", "--format", "table"],
        vec!["changes", "--since", "2024-01-01", "--format", "markdown"],
        vec!["show", "sei-revenue"],
        vec!["history"],
        vec!["history", "sei-revenue"],
        vec!["chart", "sei-revenue", "-o", svg.to_str().unwrap()],
    ] {
        let out = env.stdout(&args);
        assert!(!out.contains('\u{1b}'), "{args:?}: {out:?}");
        assert!(!out.contains('\r'), "{args:?}: {out:?}");
        assert!(!out.contains('\u{7}'), "{args:?}: {out:?}");
    }
    let show = env.stdout(&["show", "sei-revenue"]);
    assert!(show.contains("x␛]0;pwned␇"), "visible, not hidden: {show}");
    // A CR or a pipe in a title keeps a Markdown table's row in one piece.
    let markdown = env.stdout(&["report", "--format", "markdown"]);
    let row = markdown
        .lines()
        .find(|l| l.starts_with("| sei-revenue |"))
        .unwrap_or_else(|| panic!("no sei-revenue row: {markdown}"));
    assert!(row.contains("pwned␇\\|␍y |"), "{row}");
    let header = markdown.lines().next().unwrap();
    assert_eq!(
        row.matches(" | ").count(),
        header.matches(" | ").count(),
        "{row}"
    );
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(!picture.contains('\u{1b}'), "{picture}");
    // The machine formats keep the ledger's exact text.
    let json = env.stdout(&["export"]);
    assert!(json.contains("\\u001b]0;pwned"), "exact in the export");
}

/// One bad observation, as each write path is given it.
struct Bad {
    name: &'static str,
    target: &'static str,
    /// As typed (record, correct, CSV, target file).
    value: &'static str,
    /// As an export stores it.
    stored: &'static str,
    period: &'static str,
    source: &'static str,
    url: Option<&'static str>,
    note: Option<&'static str>,
    /// What every path says.
    message: &'static str,
}

const fn bad(
    name: &'static str,
    target: &'static str,
    value: &'static str,
    stored: &'static str,
    period: &'static str,
    message: &'static str,
) -> Bad {
    Bad {
        name,
        target,
        value,
        stored,
        period,
        source: "synthetic",
        url: None,
        note: None,
        message,
    }
}

fn bad_entries() -> Vec<Bad> {
    let long: &'static str = Box::leak("s".repeat(501).into_boxed_str());
    vec![
        bad(
            "over the limit",
            "opbudget-st-share",
            "150%",
            "150",
            "2024",
            "value 150 exceeds the target's limit 100",
        ),
        bad(
            "negative",
            "sei-revenue",
            "-5bn",
            "-5000000000",
            "2022",
            "is negative, but",
        ),
        bad(
            "future",
            "sei-revenue",
            "5bn",
            "5000000000",
            "2026",
            "ends on 2026-12-31, after",
        ),
        bad(
            "outside the window",
            "equipment-renewal",
            "1bn",
            "1000000000",
            "2020",
            "is outside the window of",
        ),
        Bad {
            source: "a\u{1b}[2J",
            ..bad(
                "escape in source",
                "sei-revenue",
                "5bn",
                "5000000000",
                "2022",
                "contains the control character U+001B at character 2",
            )
        },
        Bad {
            note: Some("abc\u{202e}cba"),
            ..bad(
                "bidi in note",
                "sei-revenue",
                "5bn",
                "5000000000",
                "2022",
                "contains the bidirectional control U+202E",
            )
        },
        Bad {
            url: Some("javascript:alert(1)"),
            ..bad(
                "javascript url",
                "sei-revenue",
                "5bn",
                "5000000000",
                "2022",
                "is not a web address",
            )
        },
        Bad {
            source: long,
            ..bad(
                "long source",
                "sei-revenue",
                "5bn",
                "5000000000",
                "2022",
                "is 501 characters long; the limit is 500",
            )
        },
    ]
}

/// A target file defining synthetic targets shaped like the seed's, with
/// `case` as the observation of the one like its target.
fn target_file(case: &Bad) -> String {
    let shape = match case.target {
        "opbudget-st-share" => "unit = \"%\"\nlimit = 100\nkind = \"level\"\ntarget = \"> 80%\"",
        "equipment-renewal" => {
            "unit = \"CNY\"\nkind = \"cumulative\"\ntarget = \"> 3 trillion\"\nwindow_start = 2024-01-01\ndeadline = 2028-12-31"
        }
        _ => "unit = \"CNY\"\nkind = \"level\"\ntarget = \"> 10 trillion\"",
    };
    let mut obs = format!(
        "[[target.observation]]\nvalue = \"{}\"\nperiod = \"{}\"\nsource = {}\n",
        case.value,
        case.period,
        toml_string(case.source)
    );
    if let Some(url) = case.url {
        obs.push_str(&format!("url = {}\n", toml_string(url)));
    }
    if let Some(note) = case.note {
        obs.push_str(&format!("note = {}\n", toml_string(note)));
    }
    format!(
        "format = 1\n[source]\ntitle = \"synthetic\"\ndate = 2024-01-01\n\n[[target]]\nid = \"synthetic-case\"\ntitle = \"synthetic\"\nmetric = \"synthetic\"\ndirection = \"up\"\n{shape}\nquote = \"synthetic\"\nspeaker = \"nobody\"\nspeaker_role = \"test\"\n\n{obs}"
    )
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn every_write_path_refuses_the_same_bad_entries_and_writes_nothing() {
    let env = TestEnv::seeded();
    // One current entry per target to correct (#12, #13, #14).
    for (target, value, period) in [
        ("opbudget-st-share", "50%", "2024"),
        ("sei-revenue", "5bn", "2021"),
        ("equipment-renewal", "1bn", "2024-01"),
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
    }
    let entry_of = |target: &str| match target {
        "opbudget-st-share" => "12",
        "sei-revenue" => "13",
        _ => "14",
    };
    for case in bad_entries() {
        let mut optional: Vec<&str> = Vec::new();
        if let Some(url) = case.url {
            optional.extend(["--url", url]);
        }
        if let Some(note) = case.note {
            optional.extend(["--note", note]);
        }
        let mut record = vec![
            "record",
            case.target,
            case.value,
            "--period",
            case.period,
            "--source",
            case.source,
        ];
        record.extend(&optional);
        refused(&env, &record, 2, case.message);

        let mut correct = vec![
            "correct",
            entry_of(case.target),
            case.value,
            "--period",
            case.period,
            "--source",
            case.source,
            "--reason",
            "synthetic",
        ];
        correct.extend(&optional);
        refused(&env, &correct, 2, case.message);

        let mut csv = ::csv::Writer::from_writer(Vec::new());
        csv.write_record(["target_id", "value", "period", "source", "url", "note"])
            .unwrap();
        csv.write_record([
            case.target,
            case.value,
            case.period,
            case.source,
            case.url.unwrap_or(""),
            case.note.unwrap_or(""),
        ])
        .unwrap();
        std::fs::write(env.path("bad.csv"), csv.into_inner().unwrap()).unwrap();
        let stderr = refused(&env, &["import", "bad.csv"], 2, case.message);
        assert!(stderr.contains("bad.csv:2:"), "{}: {stderr}", case.name);

        let (start, end) = match case.period {
            "2024" => ("2024-01-01", "2024-12-31"),
            "2022" => ("2022-01-01", "2022-12-31"),
            "2026" => ("2026-01-01", "2026-12-31"),
            _ => ("2020-01-01", "2020-12-31"),
        };
        let doc = with_entry(
            &env,
            json!({
                "id": 15, "target_id": case.target, "value": case.stored,
                "period_start": start, "period_end": end, "source": case.source,
                "url": case.url, "note": case.note,
            }),
        );
        let file = write_json(&env, "bad.json", &doc);
        let stderr = refused(&env, &["import", &file], 2, case.message);
        assert!(stderr.contains("entry #15"), "{}: {stderr}", case.name);

        std::fs::write(env.path("bad.toml"), target_file(&case)).unwrap();
        let stderr = refused(&env, &["target", "import", "bad.toml"], 2, case.message);
        assert!(stderr.contains("bad.toml:"), "{}: {stderr}", case.name);
    }
    // The text rules for definitions, through `target add` and a restore.
    let long_title: &'static str = Box::leak("t".repeat(201).into_boxed_str());
    for (flag, value, message) in [
        (
            "--title",
            "a\u{1b}[2J",
            "contains the control character U+001B at character 2",
        ),
        (
            "--interpretation",
            "abc\u{202e}cba",
            "contains the bidirectional control U+202E",
        ),
        (
            "--source-url",
            "javascript:alert(1)",
            "is not a web address",
        ),
        (
            "--title",
            long_title,
            "is 201 characters long; the limit is 200",
        ),
    ] {
        let mut args = ADD.to_vec();
        match args.iter().position(|a| *a == flag) {
            Some(i) => args[i + 1] = value,
            None => args.extend([flag, value]),
        }
        let stderr = refused(&env, &args, 2, message);
        assert!(stderr.contains(flag), "{stderr}");
        let mut doc = export(&env);
        let versions = doc["targets"].as_array_mut().unwrap();
        let mut amended = versions[0].clone();
        amended["version"] = json!(2);
        amended["reason"] = json!("synthetic");
        amended[flag.trim_start_matches("--").replace('-', "_")] = json!(value);
        versions.insert(1, amended);
        let file = write_json(&env, "def.json", &doc);
        refused(&env, &["import", &file], 2, message);
    }
}

#[test]
fn an_import_names_overlaps_and_bad_rows_in_one_pass() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "equipment-renewal",
        "500bn",
        "--period",
        "2024",
        "--source",
        "synthetic",
    ])
    .assert()
    .success();
    std::fs::write(
        env.path("mixed.csv"),
        "target_id,value,period,source\n\
         equipment-renewal,1bn,2024-Q1,other\n\
         sei-revenue,NaN,2022,s\n\
         equipment-renewal,1bn,2025-Q1,s\n\
         equipment-renewal,1bn,2025-03,s\n",
    )
    .unwrap();
    let stderr = refused(&env, &["import", "mixed.csv"], 2, "3 problem(s)");
    for (line, words) in [
        (2, "overlaps observation #12"),
        (3, "NaN"),
        (5, "overlaps line 4 (2025-Q1)"),
    ] {
        let text = stderr
            .lines()
            .find(|l| l.trim().starts_with(&format!("mixed.csv:{line}:")))
            .unwrap_or_else(|| panic!("line {line} not named: {stderr}"));
        assert!(text.contains(words), "line {line}: {text}");
    }
}

#[test]
fn a_target_file_reads_dates_with_the_one_date_parser() {
    let env = TestEnv::seeded();
    for (date, words) in [
        ("1850-01-01", "outside the supported range 1900..=2200"),
        ("\"1850-01-01\"", "outside the supported range 1900..=2200"),
        ("\"2024-02-30\"", "February 2024 has 29 days"),
    ] {
        std::fs::write(
            env.path("old.toml"),
            format!(
                "format = 1\n[source]\ntitle = \"synthetic\"\ndate = 2024-01-01\n\n\
                 [[target]]\nid = \"synthetic-old\"\ntitle = \"synthetic\"\nkind = \"level\"\n\
                 metric = \"synthetic\"\nunit = \"people\"\ndirection = \"up\"\ntarget = \">= 10\"\n\
                 deadline = {date}\nquote = \"synthetic\"\nspeaker = \"nobody\"\nspeaker_role = \"test\"\n"
            ),
        )
        .unwrap();
        let stderr = refused(&env, &["target", "import", "old.toml"], 2, words);
        assert!(stderr.contains("old.toml:14:"), "{stderr}");
        assert!(stderr.contains("field `deadline`"), "{stderr}");
    }
}

/// The bad-input table's grammar cases (how a value or period is written)
/// through every path that reads typed values: each says the same, and
/// writes nothing. (An export holds plain base-unit values, so a restore
/// meets only the date rules: the impossible day is run through it too.)
#[test]
fn every_path_that_reads_typed_values_refuses_the_same_grammar_errors() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "sei-revenue",
        "5bn",
        "--period",
        "2021",
        "--source",
        "synthetic",
    ])
    .assert()
    .success();
    let cases = [
        bad(
            "percent for CNY",
            "sei-revenue",
            "5%",
            "",
            "2022",
            "is a percentage but the target unit is CNY",
        ),
        bad(
            "NaN",
            "sei-revenue",
            "NaN",
            "",
            "2022",
            "NaN is not accepted",
        ),
        bad(
            "ambiguous comma",
            "sei-revenue",
            "1,5",
            "",
            "2022",
            "is ambiguous",
        ),
        bad(
            "exponent",
            "sei-revenue",
            "1e400",
            "",
            "2022",
            "uses exponent notation",
        ),
        bad(
            "unicode minus",
            "sei-revenue",
            "\u{2212}5",
            "",
            "2022",
            "U+2212",
        ),
        bad(
            "full-width digits",
            "sei-revenue",
            "\u{ff11}\u{ff12}",
            "",
            "2022",
            "full-width digits",
        ),
        bad(
            "two scale words",
            "sei-revenue",
            "5 bn bn",
            "",
            "2022",
            "has two scale words",
        ),
        bad(
            "impossible day",
            "sei-revenue",
            "5bn",
            "",
            "2023-02-30",
            "February 2023 has 28 days",
        ),
        bad(
            "no month 13",
            "sei-revenue",
            "5bn",
            "",
            "2023-13",
            "there is no month 13",
        ),
        bad(
            "year out of range",
            "sei-revenue",
            "5bn",
            "",
            "1850",
            "outside the supported range",
        ),
    ];
    for case in cases {
        refused(
            &env,
            &[
                "record",
                case.target,
                case.value,
                "--period",
                case.period,
                "--source",
                "s",
            ],
            2,
            case.message,
        );
        refused(
            &env,
            &[
                "correct",
                "12",
                case.value,
                "--period",
                case.period,
                "--reason",
                "synthetic",
            ],
            2,
            case.message,
        );
        let mut csv = ::csv::Writer::from_writer(Vec::new());
        csv.write_record(["target_id", "value", "period", "source"])
            .unwrap();
        csv.write_record([case.target, case.value, case.period, "s"])
            .unwrap();
        std::fs::write(env.path("bad.csv"), csv.into_inner().unwrap()).unwrap();
        let stderr = refused(&env, &["import", "bad.csv"], 2, case.message);
        assert!(stderr.contains("bad.csv:2:"), "{}: {stderr}", case.name);
        std::fs::write(env.path("bad.toml"), target_file(&case)).unwrap();
        let stderr = refused(&env, &["target", "import", "bad.toml"], 2, case.message);
        assert!(stderr.contains("bad.toml:"), "{}: {stderr}", case.name);
    }
    let doc = with_entry(
        &env,
        json!({"period_start": "2023-02-01", "period_end": "2023-02-30"}),
    );
    let file = write_json(&env, "bad.json", &doc);
    refused(&env, &["import", &file], 2, "February 2023 has 28 days");
}

/// A seeded ledger taken back to schema `version` the way that version
/// made it (later migrations undone), for the upgrade tests.
fn downgrade(db: &std::path::Path, version: i64) {
    let steps = [
        // 5 → 4: marks without names.
        "DROP INDEX marks_by_name; ALTER TABLE marks DROP COLUMN name;",
        // 4 → 3: no marks.
        "DROP TABLE marks;",
        // 3 → 2: no base periods.
        "ALTER TABLE target_versions DROP COLUMN base_period;",
        // 2 → 1: the index before the covering one.
        "DROP INDEX observations_by_target_covering;
         CREATE INDEX observations_by_target ON observations (target_id, period_end, id);",
    ];
    let conn = rusqlite::Connection::open(db).unwrap();
    for step in &steps[..(5 - version) as usize] {
        conn.execute_batch(step).unwrap();
    }
    conn.pragma_update(None, "user_version", version).unwrap();
}

/// After an upgrade of tracker, the nightly report (a reading command,
/// which opens the ledger read-only and so does not migrate it) and
/// `check` work on a ledger of every earlier schema version, and change
/// nothing in it; the first write migrates it.
#[test]
fn reading_commands_work_on_a_ledger_of_every_earlier_version() {
    let current = TestEnv::seeded();
    let expected = current.stdout(&["report", "--csv"]);
    for version in 1..=4 {
        let env = TestEnv::seeded();
        downgrade(&env.db(), version);
        let before = snapshot(&env.db());
        env.tracker(&["check"])
            .assert()
            .success()
            .stdout(predicate::str::contains("ok:"));
        assert_eq!(
            env.stdout(&["report", "--csv"]),
            expected,
            "version {version}"
        );
        for args in [
            vec!["list"],
            vec!["show", "sei-revenue"],
            vec!["history"],
            vec!["export"],
            vec!["changes", "--since", "last"],
            vec!["changes", "--since", "last:nightly"],
            vec!["report", "--format", "html"],
        ] {
            env.tracker(&args).assert().success();
        }
        assert_eq!(before, snapshot(&env.db()), "version {version}: changed");
        env.tracker(&[
            "record",
            "sei-revenue",
            "5bn",
            "--period",
            "2021",
            "--source",
            "synthetic",
        ])
        .assert()
        .success();
        env.tracker(&["check"]).assert().success();
    }
}

/// Two amounts of an export that would count days twice are named by the
/// export's own entry numbers (the ledger's ids of a rolled-back restore
/// mean nothing), and a correction's period may replace what it corrects.
#[test]
fn a_restore_names_overlapping_amounts_by_the_exports_entries() {
    let env = TestEnv::seeded();
    let year = json!({"target_id": "equipment-renewal", "value": "5",
                      "period_start": "2024-01-01", "period_end": "2024-12-31"});
    let mut doc = with_entry(&env, year.clone());
    let june = with_entry(
        &env,
        json!({"id": 13, "target_id": "equipment-renewal", "value": "6",
               "period_start": "2024-06-01", "period_end": "2024-06-30"}),
    );
    let entry = june["entries"].as_array().unwrap().last().unwrap().clone();
    doc["entries"].as_array_mut().unwrap().push(entry);
    let file = write_json(&env, "overlap.json", &doc);
    let stderr = refused(&env, &["import", &file], 2, "overlaps entry #12");
    assert!(stderr.contains("overlap.json: entry #13"), "{stderr}");
    assert!(!stderr.contains("tracker correct"), "{stderr}");
    // A correction of #12 to the half year is no overlap.
    let mut doc = with_entry(&env, year);
    let fix = with_entry(
        &env,
        json!({"id": 13, "target_id": "equipment-renewal", "action": "correct",
               "supersedes": 12, "reason": "synthetic", "value": "6",
               "period_start": "2024-01-01", "period_end": "2024-06-30"}),
    );
    let entry = fix["entries"].as_array().unwrap().last().unwrap().clone();
    doc["entries"].as_array_mut().unwrap().push(entry);
    let file = write_json(&env, "fix.json", &doc);
    env.tracker(&["import", &file]).assert().success();
}
