//! Cron jobs and scripts: no ledger is conjured up behind their back, the
//! environment they run in (no USER, empty variables) works, and a report
//! that sees nothing says why.

use crate::common::TestEnv;
use predicates::prelude::*;

fn default_ledger(env: &TestEnv) -> std::path::PathBuf {
    env.path("home/.local/share/tracker/ledger.db")
}

#[test]
fn a_script_with_no_default_ledger_fails_loudly_and_creates_nothing() {
    let env = TestEnv::sqlite_only();
    for args in [vec!["list"], vec!["report", "--csv"]] {
        env.bare()
            .args(&args)
            .assert()
            .code(4)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains("no ledger at"))
            .stderr(predicate::str::contains("tracker init"));
    }
    assert!(!default_ledger(&env).exists());
    assert!(!env.path("home/.local/share/tracker").exists());
}

#[test]
fn a_person_at_a_terminal_gets_the_seeded_default_ledger_on_first_run() {
    let env = TestEnv::sqlite_only();
    let (code, screen) = env.in_terminal(None, &["list"], 100);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("created a new ledger at"), "{screen}");
    assert!(screen.contains("equipment-renewal"), "{screen}");
    assert!(default_ledger(&env).is_file());
    // From now on scripts use it too, without a notice.
    env.bare()
        .args(["list", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty())
        .stdout(predicate::str::contains("equipment-renewal"));
}

#[test]
fn init_creates_the_default_ledger_for_scripts() {
    let env = TestEnv::sqlite_only();
    env.bare().arg("init").assert().success();
    assert!(default_ledger(&env).is_file());
}

/// SQLite only: on PostgreSQL the recorder is the authenticated role
/// whatever the client claims (test_postgres.rs).
#[test]
fn without_user_entries_are_recorded_by_the_os_account() {
    let env = TestEnv::seeded_sqlite_only();
    let account = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let account = String::from_utf8(account.stdout)
        .unwrap()
        .trim()
        .to_string();
    env.tracker(&[
        "record",
        "equipment-renewal",
        "1bn",
        "--period",
        "2024",
        "--source",
        "synthetic test source",
    ])
    .env_remove("TRACKER_USER")
    .env_remove("USER")
    .assert()
    .success();
    let history = env.stdout(&["history", "equipment-renewal", "--format", "csv"]);
    let last = history.lines().last().unwrap();
    assert!(last.contains(&format!(",{account},")), "{last}");
    assert!(!last.contains("unknown"), "{last}");
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let env = TestEnv::sqlite_only();
    env.bare().arg("init").assert().success();
    env.bare()
        .args(["list", "--format", "csv"])
        .env("TRACKER_DB", "")
        .env("TRACKER_COLOR", "")
        .env("TRACKER_NUMBERS", "")
        .assert()
        .success()
        .stdout(predicate::str::contains("equipment-renewal"));
}

#[test]
fn a_busy_timeout_that_is_not_a_number_is_refused() {
    let env = TestEnv::seeded();
    for bad in ["abc", "-5", "1.5"] {
        env.tracker(&["list"])
            .env("TRACKER_BUSY_TIMEOUT_MS", bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("TRACKER_BUSY_TIMEOUT_MS"))
            .stderr(predicate::str::contains(bad));
    }
    env.tracker(&["list"])
        .env("TRACKER_BUSY_TIMEOUT_MS", "2500")
        .assert()
        .success();
}

#[test]
fn known_at_before_the_ledger_existed_says_so() {
    let env = TestEnv::seeded();
    env.tracker(&["report", "--csv", "--known-at", "2020-01-01"])
        .assert()
        .success()
        .stderr(predicate::str::contains("knew nothing"))
        .stderr(predicate::str::contains("2020-01-01"));
    env.tracker(&[
        "report",
        "equipment-renewal",
        "--csv",
        "--known-at",
        "2020-01-01",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "target `equipment-renewal` was not defined yet",
    ))
    .stderr(predicate::str::contains("did you mean").not());
    env.tracker(&["report", "--csv", "--known-at", "2025-12-01"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}
