//! The audit trail: corrections and retractions append, never rewrite; the
//! database itself refuses hand edits; definitions are amended, not
//! overwritten; `history` tells who changed what, when and why; read-only
//! commands never write.

use crate::common::{TestEnv, col, snapshot};
use predicates::prelude::*;
use std::path::Path;

/// The `#N` of a `recorded #N: ...` line.
fn recorded_id(out: &str) -> i64 {
    out.split("recorded #")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no `recorded #N:` in {out}"))
}

fn observation_count(db: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
        .unwrap()
}

fn record(env: &TestEnv, args: &[&str]) -> i64 {
    let mut full = vec!["record"];
    full.extend_from_slice(args);
    recorded_id(&env.stdout(&full))
}

/// History as CSV records keyed by column name.
fn history_csv(env: &TestEnv, id: &str) -> Vec<std::collections::HashMap<String, String>> {
    let out = env.stdout(&["history", id, "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// A correction that would say exactly what the entry already says is
/// refused: it would only add noise to the trail. Changing the note alone
/// is a correction.
#[test]
fn a_correction_that_changes_nothing_is_refused() {
    let env = TestEnv::seeded();
    let first = record(
        &env,
        &[
            "equipment-renewal",
            "500bn",
            "--period",
            "2024",
            "--source",
            "Release A",
        ],
    )
    .to_string();
    let before = snapshot(&env.db());
    for same in [
        vec!["correct", &first, "500bn", "--reason", "again"],
        vec![
            "correct",
            &first,
            "500,000,000,000",
            "--period",
            "2024",
            "--reason",
            "again",
        ],
        vec![
            "correct",
            &first,
            "500bn",
            "--source",
            "Release A",
            "--reason",
            "again",
        ],
    ] {
        env.tracker(&same)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("changes nothing"));
        assert_eq!(snapshot(&env.db()), before, "{same:?} wrote");
    }
    env.tracker(&[
        "correct",
        &first,
        "500bn",
        "--note",
        "page 3",
        "--reason",
        "cite the page",
    ])
    .assert()
    .success();
}

#[test]
fn a_correction_supersedes_and_history_keeps_both() {
    let env = TestEnv::seeded();
    let first = record(
        &env,
        &[
            "equipment-renewal",
            "500bn",
            "--period",
            "2024",
            "--source",
            "Release A",
        ],
    );
    env.tracker(&[
        "correct",
        &first.to_string(),
        "800bn",
        "--reason",
        "typo: the release says 800",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(format!("correcting #{first}")));
    let second = observation_count(&env.db());

    let rows = env.report_csv(&["equipment-renewal"]);
    assert_eq!(&rows[0][col("latest_value")], "800000000000");
    assert_eq!(&rows[0][col("observations")], "1");

    let trail = history_csv(&env, "equipment-renewal");
    let old = trail
        .iter()
        .find(|r| r["entry_id"] == first.to_string())
        .expect("original kept");
    let new = trail
        .iter()
        .find(|r| r["entry_id"] == second.to_string())
        .expect("correction present");
    assert_eq!(old["value"], "500000000000");
    assert_eq!(old["superseded_by"], second.to_string());
    assert_eq!(new["value"], "800000000000");
    assert_eq!(new["action"], "correct");
    assert_eq!(new["supersedes"], first.to_string());
    assert_eq!(new["reason"], "typo: the release says 800");
    // Period and source default to the corrected entry's.
    assert_eq!(new["period_start"], "2024-01-01");
    assert_eq!(new["source"], "Release A");

    let table = env.stdout(&["history", "equipment-renewal"]);
    assert!(
        table.contains(&format!("corrects #{first}: typo: the release says 800")),
        "{table}"
    );
    assert!(
        table.contains(&format!("superseded by #{second}")),
        "{table}"
    );
}

#[test]
fn a_retraction_removes_the_value_from_status() {
    let env = TestEnv::seeded();
    let id = record(
        &env,
        &[
            "opbudget-st-share",
            "83%",
            "--date",
            "2024-12-31",
            "--source",
            "MOF accounts",
        ],
    );
    let rows = env.report_csv(&["opbudget-st-share"]);
    assert_eq!(&rows[0][col("latest_value")], "83");
    assert_eq!(&rows[0][col("status")], "achieved");

    env.tracker(&["retract", &id.to_string(), "--reason", "different metric"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("retracts #{id}")));
    let rows = env.report_csv(&["opbudget-st-share"]);
    assert_eq!(&rows[0][col("latest_value")], "");
    assert_eq!(&rows[0][col("observations")], "0");
    assert_ne!(&rows[0][col("status")], "achieved");
    let list = env.stdout(&["list", "--format", "csv"]);
    let line = list
        .lines()
        .find(|l| l.starts_with("opbudget-st-share,"))
        .unwrap();
    assert!(!line.contains(",83,"), "{line}");

    // Still in the trail, marked retracted.
    let table = env.stdout(&["history", "opbudget-st-share"]);
    assert!(
        table.contains(&format!("retracted by #{}", id + 1)),
        "{table}"
    );
    assert!(
        table.contains(&format!("retracts #{id}: different metric")),
        "{table}"
    );
}

#[test]
fn changing_a_superseded_entry_or_a_retraction_is_refused_and_writes_nothing() {
    let env = TestEnv::seeded();
    let a = record(
        &env,
        &[
            "equipment-renewal",
            "500bn",
            "--period",
            "2024",
            "--source",
            "s",
        ],
    );
    env.tracker(&["correct", &a.to_string(), "600bn", "--reason", "r1"])
        .assert()
        .success();
    let b = a + 1;
    let before = snapshot(&env.db());
    let count = observation_count(&env.db());

    // The original is superseded: both verbs name the newer entry.
    for args in [
        vec!["correct", &*a.to_string(), "700bn", "--reason", "again"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>(),
        vec![
            "retract".to_string(),
            a.to_string(),
            "--reason".into(),
            "again".into(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.tracker(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "#{a} was already corrected by #{b}"
            )));
        assert_eq!(snapshot(&env.db()), before, "{args:?} changed the ledger");
        assert_eq!(observation_count(&env.db()), count);
    }

    // Retract the current entry; then neither it nor the retraction moves.
    env.tracker(&["retract", &b.to_string(), "--reason", "withdrawn"])
        .assert()
        .success();
    let c = b + 1;
    let before = snapshot(&env.db());
    let count = observation_count(&env.db());
    env.tracker(&["correct", &b.to_string(), "1bn", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "#{b} is already retracted (by #{c})"
        )));
    env.tracker(&["retract", &c.to_string(), "--reason", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "#{c} is the retraction of #{b}"
        )));
    env.tracker(&["correct", &c.to_string(), "1bn", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("#{c}")))
        .stderr(predicate::str::contains("retraction"));
    assert_eq!(snapshot(&env.db()), before);
    assert_eq!(observation_count(&env.db()), count);
}

#[test]
fn an_unknown_observation_is_refused() {
    let env = TestEnv::seeded();
    let before = snapshot(&env.db());
    env.tracker(&["correct", "9999", "1bn", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown observation #9999"));
    env.tracker(&["retract", "9999", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown observation #9999"));
    env.tracker(&["correct", "-3", "1bn", "--reason", "x"])
        .assert()
        .failure();
    assert_eq!(snapshot(&env.db()), before);
}

#[test]
fn the_database_refuses_hand_edits() {
    let env = TestEnv::seeded();
    record(
        &env,
        &[
            "equipment-renewal",
            "500bn",
            "--period",
            "2024",
            "--source",
            "s",
        ],
    );
    let count = observation_count(&env.db());
    let export = env.stdout(&["export"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for (sql, message) in [
        (
            "UPDATE observations SET value = '1'",
            "observations are append-only",
        ),
        (
            "UPDATE observations SET source = 'forged' WHERE id = 1",
            "observations are append-only",
        ),
        ("DELETE FROM observations", "observations are append-only"),
        (
            "DELETE FROM observations WHERE id = 1",
            "observations are append-only",
        ),
        (
            "UPDATE target_versions SET title = 'forged'",
            "target definitions are append-only",
        ),
        (
            "DELETE FROM target_versions",
            "target definitions are append-only",
        ),
        (
            "DELETE FROM targets WHERE id = 'equipment-renewal'",
            "targets are never deleted",
        ),
    ] {
        let err = conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains(message), "{sql}: {err}");
    }
    // Inside a transaction that is rolled back: a legitimate retraction
    // appends, but a second supersession of the same row, or superseding
    // the retraction, is refused by the schema itself.
    conn.execute_batch("BEGIN").unwrap();
    let retract = |what: &str| {
        conn.execute(
            &format!(
                "INSERT INTO observations (target_id, action, source, recorded_by, recorded_at, supersedes, reason)
                 SELECT target_id, 'retract', source, 'x', '2025-01-01T00:00:00.000Z', {what}, 'r'
                 FROM observations ORDER BY id DESC LIMIT 1"
            ),
            [],
        )
    };
    retract("id").expect("a retraction appends");
    let err = retract("supersedes").expect_err("second supersession");
    assert!(err.to_string().contains("UNIQUE"), "{err}");
    let err = retract("id").expect_err("retraction of a retraction");
    assert!(
        err.to_string()
            .contains("a retraction cannot be superseded"),
        "{err}"
    );
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    assert_eq!(observation_count(&env.db()), count);
    assert_eq!(env.stdout(&["export"]), export);
    env.tracker(&["check"]).assert().success();
}

#[test]
fn amending_a_target_keeps_earlier_definitions_for_known_at_reports() {
    let mut env = TestEnv::seeded();
    record(
        &env,
        &[
            "equipment-renewal",
            "900bn",
            "--period",
            "2024",
            "--source",
            "s",
        ],
    );
    let before_csv = env.stdout(&["report", "--csv", "--as-of", "2025-06-30"]);
    let before_json = env.stdout(&["report", "--json", "--as-of", "2025-06-30"]);

    // A day later the definition changes.
    env.now = "2025-07-01T09:30:00Z".to_string();
    env.tracker(&[
        "target",
        "amend",
        "equipment-renewal",
        "--target",
        "> 4 trillion",
        "--deadline",
        "2029-12-31",
        "--reason",
        "clarified: window runs to 2029",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("definition version 2"));

    let now = env.stdout(&["report", "--csv", "--as-of", "2025-06-30"]);
    assert_ne!(now, before_csv, "the amendment changes today's report");
    let rows = env.report_csv(&["equipment-renewal", "--as-of", "2025-06-30"]);
    assert_eq!(&rows[0][col("target")], "4000000000000");
    assert_eq!(&rows[0][col("deadline")], "2029-12-31");

    // Known at the moment of the first report: byte-identical.
    for known_at in [
        "2025-06-30T12:00:00Z",
        "2025-06-30T12:00:00.000Z",
        "2025-06-30T23:00:00+02:00",
    ] {
        let then = env.stdout(&[
            "report",
            "--csv",
            "--as-of",
            "2025-06-30",
            "--known-at",
            known_at,
        ]);
        assert_eq!(then, before_csv, "--known-at {known_at}");
    }
    let then = env.stdout(&[
        "report",
        "--json",
        "--as-of",
        "2025-06-30",
        "--known-at",
        "2025-06-30T12:00:00Z",
    ]);
    assert_eq!(then, before_json);

    // Both definitions are in the export and in the history.
    let export: serde_json::Value = serde_json::from_str(&env.stdout(&["export"])).unwrap();
    let versions: Vec<&serde_json::Value> = export["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"] == "equipment-renewal")
        .collect();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["target"], "3000000000000");
    assert_eq!(versions[0]["reason"], serde_json::Value::Null);
    assert_eq!(versions[1]["target"], "4000000000000");
    assert_eq!(versions[1]["reason"], "clarified: window runs to 2029");
    assert_eq!(versions[1]["recorded_at"], "2025-07-01T09:30:00.000Z");
    let history = env.stdout(&["history", "equipment-renewal"]);
    assert!(history.contains("Definition amendments"), "{history}");
    assert!(
        history.contains("clarified: window runs to 2029"),
        "{history}"
    );
    assert!(history.contains("2025-07-01 09:30:00Z"), "{history}");

    // An amendment that changes nothing is refused.
    env.tracker(&[
        "target",
        "amend",
        "equipment-renewal",
        "--deadline",
        "2029-12-31",
        "--reason",
        "same",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("unchanged"));
}

#[test]
fn history_shows_who_when_source_and_what_replaced_what_in_every_format() {
    let mut env = TestEnv::seeded();
    // A non-UTC clock: the trail is in UTC.
    env.now = "2025-07-01T14:15:16+02:00".to_string();
    let a = recorded_id(&env.stdout(&[
        "record",
        "equipment-renewal",
        "500bn",
        "--period",
        "2024",
        "--source",
        "国资委 release",
        "--by",
        "Analyst Ａ",
    ]));
    env.now = "2025-07-02T08:00:00Z".to_string();
    env.tracker(&[
        "correct",
        &a.to_string(),
        "~800bn",
        "--source",
        "Revised release",
        "--reason",
        "revised, \"final\" figure",
        "--by",
        "Reviewer B",
    ])
    .assert()
    .success();
    let b = a + 1;
    env.tracker(&[
        "retract",
        &b.to_string(),
        "--reason",
        "wrong metric",
        "--by",
        "Chief C",
    ])
    .assert()
    .success();
    let c = b + 1;

    // Table, unwrapped (no terminal width: a pipe); tests/cli/test_tables.rs
    // checks how it wraps at 80 and 100 columns.
    let output = env
        .tracker(&["history", "equipment-renewal"])
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "RECORDED (UTC)",
        "2025-07-01 12:15:16Z",
        "2025-07-02 08:00:00Z",
        "Analyst Ａ",
        "Reviewer B",
        "Chief C",
        "国资委 release",
        "Revised release",
        &format!("corrects #{a}: revised, \"final\" figure"),
        &format!("superseded by #{b}"),
        &format!("retracts #{b}: wrong metric"),
        &format!("retracted by #{c}"),
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }

    // CSV.
    let rows = history_csv(&env, "equipment-renewal");
    let by_id = |id: i64| {
        rows.iter()
            .find(|r| r["entry_id"] == id.to_string())
            .unwrap()
    };
    assert_eq!(by_id(a)["recorded_by"], "Analyst Ａ");
    assert_eq!(by_id(a)["recorded_at"], "2025-07-01T12:15:16.000Z");
    assert_eq!(by_id(a)["source"], "国资委 release");
    assert_eq!(by_id(a)["superseded_by"], b.to_string());
    assert_eq!(by_id(b)["supersedes"], a.to_string());
    assert_eq!(by_id(b)["qualifier"], "about");
    assert_eq!(by_id(b)["reason"], "revised, \"final\" figure");
    assert_eq!(by_id(b)["recorded_by"], "Reviewer B");
    assert_eq!(by_id(b)["superseded_by"], c.to_string());
    assert_eq!(by_id(c)["action"], "retract");
    assert_eq!(by_id(c)["value"], "");
    assert_eq!(by_id(c)["supersedes"], b.to_string());
    assert_eq!(by_id(c)["reason"], "wrong metric");
    assert_eq!(by_id(c)["recorded_by"], "Chief C");
    assert_eq!(by_id(c)["superseded_by"], "");

    // JSON.
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["history", "equipment-renewal", "--format", "json"]))
            .unwrap();
    let entries = json.as_array().unwrap();
    let by_id = |id: i64| entries.iter().find(|e| e["entry_id"] == id).unwrap();
    assert_eq!(by_id(a)["recorded_at"], "2025-07-01T12:15:16.000Z");
    assert_eq!(by_id(a)["superseded_by"], b);
    assert_eq!(by_id(b)["supersedes"], a);
    assert_eq!(by_id(b)["reason"], "revised, \"final\" figure");
    assert_eq!(by_id(c)["action"], "retract");
    assert_eq!(by_id(c)["value"], serde_json::Value::Null);
    assert_eq!(by_id(c)["recorded_by"], "Chief C");

    // The whole ledger's history includes the seed entries; one target's only its own.
    let all = env.stdout(&["history", "--format", "csv"]);
    assert!(
        all.contains("tracker-seed"),
        "seed entries are in the whole trail"
    );
    assert!(
        !table.contains("tracker-seed"),
        "one target's trail has only its own"
    );
    env.tracker(&["history", "no-such-target"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown target"));
    env.tracker(&["history", "--format", "markdown"])
        .assert()
        .code(2);
}

/// Runs `tracker ARGS` as an unprivileged user, for the permission test
/// when the suite runs as root. None if that is not possible here.
fn as_nobody(env: &TestEnv, args: &[&str]) -> Option<std::process::Output> {
    let bin = env!("CARGO_BIN_EXE_tracker");
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin)
        .args(args)
        .env_clear()
        .env("TRACKER_DB", env.db())
        .env("TRACKER_NOW", &env.now)
        .env("TRACKER_USER", "tester")
        .env("HOME", env.path("home"))
        .env("COLUMNS", "100")
        .current_dir("/");
    cmd.output().ok()
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn read_only_commands_work_on_a_read_only_ledger_and_folder() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let folder = env.path("ro");
    let db = folder.join("ledger.db");
    let tracker = |args: &[&str]| {
        let mut cmd = env.tracker(args);
        cmd.env("TRACKER_DB", &db);
        cmd
    };
    tracker(&["init"]).assert().success();
    let a = recorded_id(
        &String::from_utf8(
            tracker(&[
                "record",
                "equipment-renewal",
                "500bn",
                "--period",
                "2024",
                "--source",
                "s",
            ])
            .output()
            .unwrap()
            .stdout,
        )
        .unwrap(),
    );
    tracker(&["correct", &a.to_string(), "600bn", "--reason", "r"])
        .assert()
        .success();
    tracker(&[
        "target",
        "amend",
        "equipment-renewal",
        "--deadline",
        "2029-12-31",
        "--reason",
        "r",
    ])
    .assert()
    .success();
    // The last writer closed cleanly: no -wal or -shm file is left, which
    // is the hard case for a reader in a folder it cannot write to.
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&folder), ["ledger.db"]);

    let commands: &[&[&str]] = &[
        &["list"],
        &["list", "--format", "csv"],
        &["report", "--csv"],
        &["report", "--json", "--known-at", "2025-01-01"],
        &["show", "equipment-renewal"],
        &["history"],
        &["history", "equipment-renewal", "--format", "json"],
        &["export"],
        &["export", "--format", "csv"],
        &["check"],
    ];
    let bytes = std::fs::read(&db).unwrap();
    let mtime = std::fs::metadata(&db).unwrap().modified().unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let restore = || {
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    };

    let mut failures = Vec::new();
    let root = is_root();
    if root {
        // chmod does not stop root: run the commands as `nobody` if the
        // machine allows it, so the permissions really bite.
        std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let usable = as_nobody(&env, &["--version"]).is_some_and(|o| o.status.success());
        if usable {
            let tracker_as_nobody = |args: &[&str]| {
                let mut full = vec!["--db", db.to_str().unwrap()];
                full.extend_from_slice(args);
                as_nobody(&env, &full).unwrap()
            };
            // Prove the permissions do bite for that user.
            let write = tracker_as_nobody(&[
                "record",
                "equipment-renewal",
                "1bn",
                "--period",
                "2025-Q1",
                "--source",
                "s",
            ]);
            if write.status.success() {
                failures.push("a write succeeded on a read-only ledger".to_string());
            }
            for args in commands {
                let out = tracker_as_nobody(args);
                if !out.status.success() {
                    failures.push(format!(
                        "{args:?} as nobody: {}",
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
        } else {
            eprintln!(
                "note: running as root without a usable `setpriv`: the permission part of this \
                 test is skipped; checking instead that read-only commands leave the file untouched"
            );
        }
    }
    // As whoever we are: with chmod in force (for a non-root user) or not
    // (root), read-only commands succeed and touch neither bytes nor mtime.
    let mut outputs = Vec::new();
    for args in commands {
        let out = tracker(args).output().unwrap();
        if !out.status.success() {
            failures.push(format!(
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        outputs.push(out.stdout);
        if std::fs::read(&db).unwrap() != bytes {
            failures.push(format!("{args:?} changed the ledger's bytes"));
        }
        if std::fs::metadata(&db).unwrap().modified().unwrap() != mtime {
            failures.push(format!("{args:?} changed the ledger's mtime"));
        }
    }
    if !root {
        // And a write is refused (without damaging anything).
        tracker(&[
            "record",
            "equipment-renewal",
            "1bn",
            "--period",
            "2025-Q1",
            "--source",
            "s",
        ])
        .assert()
        .failure();
    }
    restore();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    // Same answers as on a writable ledger.
    for (args, before) in commands.iter().zip(&outputs) {
        let again = tracker(args).output().unwrap();
        assert_eq!(&again.stdout, before, "{args:?}");
    }
}
