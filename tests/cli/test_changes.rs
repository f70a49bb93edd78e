//! `tracker changes`: what the ledger learned between two knowledge times,
//! every status it moved, `--since last` with `--mark`, and the exit codes
//! a cron job relies on.
//!
//! Observation values here are synthetic, not briefing data.

use crate::common::TestEnv;
use predicates::prelude::*;

/// The documented columns (README, "`changes` columns").
const COLUMNS: [&str; 18] = [
    "change",
    "target_id",
    "observation",
    "supersedes",
    "version",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "status_before",
    "status_after",
    "recorded_at",
    "recorded_by",
    "reason",
    "summary",
    "since",
    "until",
    "as_of",
];

/// Runs `tracker ARGS` at the clock `now`.
fn at(env: &mut TestEnv, now: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    env.now = now.to_string();
    env.tracker(args).assert()
}

/// A ledger seeded on 2025-05-01; then, in June 2025, one of each kind of
/// change:
/// * 06-10 record equipment-renewal 400 bn for 2024 (#12),
/// * 06-12 correct #12 to 150 bn (#13),
/// * 06-14 record opbudget-st-share 78% for 2024 (#14),
/// * 06-16 retract #14 (#15),
/// * 06-18 amend equipment-renewal's deadline,
/// * 06-20 add a new target.
fn june(env: &mut TestEnv) {
    at(env, "2025-05-01T00:00:00Z", &["init"]).success();
    let synthetic = "synthetic example";
    at(
        env,
        "2025-06-10T09:00:00Z",
        &[
            "record",
            "equipment-renewal",
            "400bn",
            "--period",
            "2024",
            "--source",
            synthetic,
        ],
    )
    .success();
    at(
        env,
        "2025-06-12T09:00:00Z",
        &["correct", "12", "150bn", "--reason", "synthetic correction"],
    )
    .success();
    at(
        env,
        "2025-06-14T09:00:00Z",
        &[
            "record",
            "opbudget-st-share",
            "78%",
            "--period",
            "2024",
            "--source",
            synthetic,
        ],
    )
    .success();
    at(
        env,
        "2025-06-16T09:00:00Z",
        &["retract", "14", "--reason", "synthetic retraction"],
    )
    .success();
    at(
        env,
        "2025-06-18T09:00:00Z",
        &[
            "target",
            "amend",
            "equipment-renewal",
            "--deadline",
            "2029-12-31",
            "--reason",
            "synthetic amendment",
        ],
    )
    .success();
    at(
        env,
        "2025-06-20T09:00:00Z",
        &[
            "target",
            "add",
            "--id",
            "synthetic-level",
            "--kind",
            "level",
            "--title",
            "A synthetic level target",
            "--metric",
            "synthetic share",
            "--unit",
            "%",
            "--direction",
            "up",
            "--target",
            ">=50%",
            "--deadline",
            "2026-12-31",
            "--quote",
            "synthetic quote",
            "--speaker",
            "nobody",
            "--speaker-role",
            "test",
            "--statement-date",
            "2025-06-01",
            "--source-title",
            "synthetic source",
            "--interpretation",
            "synthetic",
        ],
    )
    .success();
}

fn csv_records(out: &str) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, COLUMNS, "documented columns, in order");
    reader.records().map(|r| r.expect("record")).collect()
}

fn col(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap()
}

fn find<'a>(rows: &'a [csv::StringRecord], change: &str, id: &str) -> &'a csv::StringRecord {
    rows.iter()
        .find(|r| &r[col("change")] == change && &r[col("target_id")] == id)
        .unwrap_or_else(|| panic!("no {change} row for {id} in {rows:#?}"))
}

#[test]
fn every_kind_of_change_and_the_status_transition_in_csv() {
    let mut env = TestEnv::new();
    june(&mut env);
    env.now = "2025-06-30T12:00:00Z".into();
    let out = env.stdout(&[
        "changes",
        "--since",
        "2025-06-01",
        "--as-of",
        "2025-06-30",
        "--format",
        "csv",
    ]);
    let rows = csv_records(&out);
    let recorded = find(&rows, "recorded", "equipment-renewal");
    assert_eq!(&recorded[col("observation")], "12");
    assert_eq!(&recorded[col("value")], "400000000000");
    assert_eq!(&recorded[col("period_start")], "2024-01-01");
    assert_eq!(&recorded[col("recorded_at")], "2025-06-10T09:00:00.000Z");
    assert_eq!(&recorded[col("recorded_by")], "tester");
    let corrected = find(&rows, "corrected", "equipment-renewal");
    assert_eq!(&corrected[col("supersedes")], "12");
    assert_eq!(&corrected[col("reason")], "synthetic correction");
    assert!(find(&rows, "recorded", "opbudget-st-share")[col("value")].eq("78"));
    assert_eq!(
        &find(&rows, "retracted", "opbudget-st-share")[col("supersedes")],
        "14"
    );
    let amended = find(&rows, "target-amended", "equipment-renewal");
    assert_eq!(&amended[col("version")], "2");
    assert_eq!(
        &find(&rows, "target-added", "synthetic-level")[col("version")],
        "1"
    );
    // The transition: no figure at the start of June, off track at its end.
    let status = find(&rows, "status", "equipment-renewal");
    assert_eq!(&status[col("status_before")], "no-data");
    assert_eq!(&status[col("status_after")], "off-track");
    assert!(
        status[col("summary")].contains("no-data → off-track (new figure for 2024: 400 bn CNY"),
        "{}",
        &status[col("summary")]
    );
    let added = find(&rows, "status", "synthetic-level");
    assert_eq!(&added[col("status_before")], "");
    assert_eq!(&added[col("status_after")], "no-data");
    // A retracted figure leaves opbudget-st-share where it was: no status row.
    assert!(
        !rows
            .iter()
            .any(|r| &r[col("change")] == "status" && &r[col("target_id")] == "opbudget-st-share")
    );
    // Window columns on every row.
    assert!(
        rows.iter()
            .all(|r| &r[col("since")] == "2025-05-31T23:59:59.999Z"
                && &r[col("until")] == "2025-06-30T12:00:00.000Z"
                && &r[col("as_of")] == "2025-06-30")
    );
    // Nothing from before the window (the seed).
    assert_eq!(rows.len(), 8, "{rows:#?}");
}

#[test]
fn until_and_json() {
    let mut env = TestEnv::new();
    june(&mut env);
    env.now = "2025-06-30T12:00:00Z".into();
    let out = env.stdout(&[
        "changes",
        "--since",
        "2025-06-11",
        "--until",
        "2025-06-14T09:00:00Z",
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = value.as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["change"].as_str().unwrap()).collect();
    // 06-12 correction and 06-14 record (until is inclusive); the status of
    // equipment-renewal moved from at-risk (400 bn) to off-track (150 bn),
    // the share's from no-data to missed (78% of a >80% 2024 target).
    assert_eq!(
        kinds,
        ["status", "status", "corrected", "recorded"],
        "{out}"
    );
    assert_eq!(rows[0]["target_id"], "equipment-renewal");
    assert_eq!(rows[0]["status_before"], "at-risk");
    assert_eq!(rows[0]["status_after"], "off-track");
    assert_eq!(rows[1]["target_id"], "opbudget-st-share");
    assert_eq!(rows[1]["status_after"], "missed");
    assert_eq!(rows[2]["value"].to_string(), "150000000000");
    assert_eq!(rows[2]["observation"], 13);
    let mut columns = COLUMNS.to_vec();
    columns.sort_unstable();
    for row in rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, columns, "every column, no other key");
    }
    // Keys come in column order in the text.
    let first = &out[..out.find('}').unwrap()];
    let positions: Vec<usize> = COLUMNS
        .iter()
        .map(|c| first.find(&format!("\"{c}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn since_last_with_mark_across_runs() {
    let mut env = TestEnv::new();
    june(&mut env);
    // First run: no mark yet, so everything since the beginning.
    let first = at(
        &mut env,
        "2025-06-30T12:00:00Z",
        &["changes", "--since", "last", "--mark", "--format", "csv"],
    )
    .success()
    .stderr(predicate::str::contains("no earlier `changes --mark` run"));
    let first = String::from_utf8(first.get_output().stdout.clone()).unwrap();
    assert!(csv_records(&first).len() > 20, "the seed counts as new");
    // Nothing since: header only, exit 0 even with --fail-on-change.
    let quiet = at(
        &mut env,
        "2025-07-01T12:00:00Z",
        &[
            "changes",
            "--since",
            "last",
            "--mark",
            "--format",
            "csv",
            "--fail-on-change",
        ],
    )
    .code(0);
    let quiet = String::from_utf8(quiet.get_output().stdout.clone()).unwrap();
    assert!(csv_records(&quiet).is_empty(), "{quiet}");
    // A new figure, then the next run sees only it, starting at the mark.
    at(
        &mut env,
        "2025-07-02T08:00:00Z",
        &[
            "record",
            "equipment-renewal",
            "500bn",
            "--period",
            "2025-H1",
            "--source",
            "synthetic",
        ],
    )
    .success();
    let next = at(
        &mut env,
        "2025-07-03T12:00:00Z",
        &["changes", "--since", "last", "--mark", "--format", "csv"],
    )
    .success();
    let rows = csv_records(&String::from_utf8(next.get_output().stdout.clone()).unwrap());
    assert!(
        rows.iter()
            .all(|r| &r[col("since")] == "2025-07-01T12:00:00.000Z")
    );
    let changed: Vec<&str> = rows.iter().map(|r| &r[col("change")]).collect();
    assert!(changed.contains(&"recorded"), "{rows:#?}");
    assert!(
        rows.iter()
            .all(|r| &r[col("target_id")] == "equipment-renewal")
    );
    // Without --mark the mark stays where it was.
    let again = at(
        &mut env,
        "2025-07-04T12:00:00Z",
        &["changes", "--since", "last", "--format", "csv"],
    )
    .success();
    let rows = csv_records(&String::from_utf8(again.get_output().stdout.clone()).unwrap());
    assert!(rows.is_empty());
    let peek = at(
        &mut env,
        "2025-07-05T12:00:00Z",
        &["changes", "--since", "last", "--format", "csv"],
    )
    .success();
    let rows = csv_records(&String::from_utf8(peek.get_output().stdout.clone()).unwrap());
    assert!(
        rows.iter()
            .all(|r| &r[col("since")] == "2025-07-03T12:00:00.000Z")
    );
}

#[test]
fn marks_are_append_only() {
    let mut env = TestEnv::new();
    june(&mut env);
    at(
        &mut env,
        "2025-06-30T12:00:00Z",
        &["changes", "--since", "last", "--mark", "--format", "csv"],
    )
    .success();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM marks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
    assert!(
        conn.execute("UPDATE marks SET marked_until = marked_until", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM marks", []).is_err());
    drop(conn);
    env.tracker(&["check"]).assert().success();
}

/// Runs `changes --since SINCE [MORE]` at `now` and returns the CSV rows.
fn changes_at(env: &mut TestEnv, now: &str, since: &str, more: &[&str]) -> Vec<csv::StringRecord> {
    let mut args = vec!["changes", "--since", since, "--format", "csv"];
    args.extend_from_slice(more);
    let out = at(env, now, &args).success();
    csv_records(&String::from_utf8(out.get_output().stdout.clone()).unwrap())
}

/// A figure recorded at `now` (synthetic).
fn figure(env: &mut TestEnv, now: &str, target: &str, value: &str, period: &str) {
    at(
        env,
        now,
        &[
            "record",
            target,
            value,
            "--period",
            period,
            "--source",
            "synthetic",
        ],
    )
    .success();
}

#[test]
fn two_jobs_with_named_marks_do_not_move_each_other() {
    let mut env = TestEnv::new();
    june(&mut env);
    // Both jobs start: each sees everything once.
    let nightly = ["--mark", "nightly"];
    let weekly = ["--mark", "weekly"];
    assert!(changes_at(&mut env, "2025-06-30T12:00:00Z", "last:nightly", &nightly).len() > 20);
    assert!(changes_at(&mut env, "2025-06-30T13:00:00Z", "last:weekly", &weekly).len() > 20);
    // A figure; the nightly job reports it and moves its own mark.
    figure(
        &mut env,
        "2025-07-01T08:00:00Z",
        "equipment-renewal",
        "500bn",
        "2025-H1",
    );
    let rows = changes_at(&mut env, "2025-07-01T12:00:00Z", "last:nightly", &nightly);
    assert!(
        rows.iter()
            .all(|r| &r[col("since")] == "2025-06-30T12:00:00.000Z")
    );
    assert!(rows.iter().any(|r| &r[col("change")] == "recorded"));
    // Another figure; the weekly job still starts at its own mark and so
    // sees both figures, although the nightly job ran in between.
    figure(
        &mut env,
        "2025-07-02T08:00:00Z",
        "opbudget-st-share",
        "80%",
        "2024",
    );
    let rows = changes_at(&mut env, "2025-07-03T12:00:00Z", "last:weekly", &weekly);
    assert!(
        rows.iter()
            .all(|r| &r[col("since")] == "2025-06-30T13:00:00.000Z")
    );
    let recorded = rows
        .iter()
        .filter(|r| &r[col("change")] == "recorded")
        .count();
    assert_eq!(recorded, 2, "{rows:#?}");
    // The nightly job sees only the second figure: the weekly run did not
    // move its mark. A bare --mark moves the mark --since read.
    let rows = changes_at(
        &mut env,
        "2025-07-03T13:00:00Z",
        "last:nightly",
        &["--mark"],
    );
    assert!(
        rows.iter()
            .all(|r| &r[col("since")] == "2025-07-01T12:00:00.000Z")
    );
    assert_eq!(
        rows.iter()
            .filter(|r| &r[col("change")] == "recorded")
            .count(),
        1
    );
    let rows = changes_at(&mut env, "2025-07-04T12:00:00Z", "last:nightly", &[]);
    assert!(rows.is_empty(), "{rows:#?}");
    // Neither named job touched the unnamed mark: there is none.
    at(
        &mut env,
        "2025-07-04T12:00:00Z",
        &["changes", "--since", "last", "--format", "csv"],
    )
    .success()
    .stderr(predicate::str::contains("no earlier `changes --mark` run"));
}

#[test]
fn mark_names_are_checked_and_must_agree() {
    let mut env = TestEnv::new();
    june(&mut env);
    env.now = "2025-06-30T12:00:00Z".into();
    for (args, message) in [
        (
            vec!["--since", "last:Nightly"],
            "--since last:`Nightly` is not a mark name",
        ),
        (vec!["--since", "last:", "--mark"], "is not a mark name"),
        (
            vec!["--since", "2025-06-01", "--mark", "night shift"],
            "--mark `night shift` is not a mark name",
        ),
        (
            vec!["--since", "last:nightly", "--mark", "nighlty"],
            "--since last:nightly reads one mark but --mark nighlty would move another",
        ),
        (
            vec!["--since", "last", "--mark", "nightly"],
            "--since last reads one mark but --mark nightly would move another",
        ),
    ] {
        let mut full = vec!["changes", "--format", "csv"];
        full.extend_from_slice(&args);
        env.tracker(&full)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    // Nothing was marked by the refused runs.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM marks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
    // A new named mark may start from a time.
    env.tracker(&["changes", "--since", "2025-06-01", "--mark", "nightly"])
        .assert()
        .success();
    let rows = changes_at(&mut env, "2025-06-30T13:00:00Z", "last:nightly", &[]);
    assert!(rows.is_empty(), "{rows:#?}");
}

#[test]
fn the_unnamed_mark_of_an_older_ledger_keeps_working() {
    let mut env = TestEnv::new();
    june(&mut env);
    changes_at(&mut env, "2025-06-30T12:00:00Z", "last", &["--mark"]);
    // The ledger as the previous schema version left it: marks without names.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "DROP INDEX marks_by_name; ALTER TABLE marks DROP COLUMN name; PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(conn);
    env.tracker(&["check"]).assert().success();
    // Read-only runs (not migrated): the unnamed mark is there, no named one.
    let rows = changes_at(&mut env, "2025-07-01T12:00:00Z", "last", &[]);
    assert!(rows.is_empty(), "{rows:#?}");
    at(
        &mut env,
        "2025-07-01T12:00:00Z",
        &["changes", "--since", "last:nightly", "--format", "csv"],
    )
    .success()
    .stderr(predicate::str::contains(
        "no earlier `changes --mark nightly` run",
    ));
    // A named mark migrates the ledger; the unnamed mark is unchanged.
    changes_at(
        &mut env,
        "2025-07-01T12:00:00Z",
        "last:nightly",
        &["--mark"],
    );
    let rows = changes_at(&mut env, "2025-07-01T13:00:00Z", "last", &[]);
    assert!(rows.is_empty(), "{rows:#?}");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM marks ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, ["", "nightly"]);
}

#[test]
fn exit_codes_for_cron() {
    let mut env = TestEnv::new();
    june(&mut env);
    env.now = "2025-06-30T12:00:00Z".into();
    let base = [
        "changes",
        "--since",
        "2025-06-01",
        "--as-of",
        "2025-06-30",
        "--format",
        "csv",
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        env.tracker(&args).assert()
    };
    run(&[]).code(0);
    run(&["--fail-on-change"])
        .code(3)
        .stdout(predicate::str::contains("status,equipment-renewal"));
    // equipment-renewal newly entered off-track.
    run(&["--fail-on", "off-track,missed"])
        .code(3)
        .stderr(predicate::str::contains("equipment-renewal"));
    run(&["--fail-on", "achieved"]).code(0);
    run(&["--fail-on", "sideways"])
        .code(2)
        .stderr(predicate::str::contains("unknown status"));
    // A window with nothing in it: no change, exit 0.
    env.tracker(&[
        "changes",
        "--since",
        "2025-06-21",
        "--as-of",
        "2025-06-30",
        "--fail-on-change",
        "--fail-on",
        "off-track",
    ])
    .assert()
    .code(0);
    env.tracker(&["changes", "--since", "someday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since: `someday` is neither"));
    env.tracker(&["changes", "--since", "2025-06-20", "--until", "2025-06-10"])
        .assert()
        .code(2);
}

#[test]
fn markdown_to_a_file_atomically() {
    let mut env = TestEnv::new();
    june(&mut env);
    env.now = "2025-06-30T12:00:00Z".into();
    env.tracker(&[
        "changes",
        "--since",
        "2025-06-01",
        "--as-of",
        "2025-06-30",
        "-o",
        "changes.md",
    ])
    .assert()
    .success()
    .stdout("");
    let md = std::fs::read_to_string(env.path("changes.md")).unwrap();
    assert!(md.starts_with("# Pledge tracker: what changed\n"));
    assert!(md.contains("## Status changes (2)"), "{md}");
    assert!(md.contains("- **equipment-renewal**: no-data → off-track"));
    assert!(md.contains("figure #14 retracted"));
    let names: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".tracker-"))
        .collect();
    assert!(names.is_empty(), "no temporary file left: {names:?}");
}

/// A mark is where the next `--since last` starts: one later than now
/// (`--until` today as a date means the end of today) would silently skip
/// what is recorded between now and then, so it is refused, and nothing
/// is marked.
/// A window that ends before it starts names the times as typed, not the
/// edge a date stands for internally.
#[test]
fn an_empty_window_is_named_in_the_users_words() {
    let mut env = TestEnv::new();
    june(&mut env);
    let out = env
        .tracker(&[
            "changes",
            "--since",
            "2025-06-15",
            "--until",
            "2025-06-14T12:00:00Z",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--since 2025-06-15 is after --until 2025-06-14T12:00:00Z"),
        "{stderr}"
    );
    assert!(!stderr.contains("23:59:59.999"), "{stderr}");
}

#[test]
fn a_mark_cannot_be_set_in_the_future() {
    let mut env = TestEnv::new();
    june(&mut env);
    for until in ["2025-07-01", "2025-07-01T12:00:01Z", "2030-01-01"] {
        at(
            &mut env,
            "2025-07-01T12:00:00Z",
            &[
                "changes",
                "--since",
                "2025-06-01",
                "--until",
                until,
                "--mark",
                "nightly",
            ],
        )
        .code(2)
        .stderr(predicate::str::contains("is after now"));
    }
    // Reading up to a later time, without a mark, still works; so does a
    // mark at now.
    at(
        &mut env,
        "2025-07-01T12:00:00Z",
        &["changes", "--since", "2025-06-01", "--until", "2025-07-01"],
    )
    .success();
    at(
        &mut env,
        "2025-07-01T12:00:00Z",
        &[
            "changes",
            "--since",
            "2025-06-01",
            "--until",
            "2025-07-01T12:00:00Z",
            "--mark",
            "nightly",
        ],
    )
    .success();
    // A figure recorded later that day is in the next run.
    figure(
        &mut env,
        "2025-07-01T18:00:00Z",
        "sei-revenue",
        "5bn",
        "2022",
    );
    let next = changes_at(&mut env, "2025-07-02T12:00:00Z", "last:nightly", &[]);
    assert!(
        next.iter().any(|r| &r[col("change")] == "recorded"),
        "{next:?}"
    );
}

/// The name a mark is recorded by follows the ledger's text rules.
#[test]
fn a_mark_is_recorded_by_a_checked_name() {
    let mut env = TestEnv::new();
    june(&mut env);
    env.now = "2025-07-01T12:00:00Z".to_string();
    let before = crate::common::snapshot(&env.db());
    env.tracker(&["changes", "--since", "last", "--mark"])
        .env("TRACKER_USER", "eve\u{1b}[2J")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("control character"));
    assert_eq!(before, crate::common::snapshot(&env.db()));
}
