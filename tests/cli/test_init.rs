use crate::common::TestEnv;
use predicates::prelude::*;

#[test]
fn init_creates_and_seeds_then_changes_nothing() {
    let env = TestEnv::new();
    env.tracker(&["init"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created ledger at"))
        .stdout(predicate::str::contains("targets"));
    let before = env.snapshot();
    env.tracker(&["init"])
        .assert()
        .success()
        .stdout(predicate::str::contains("already initialised"))
        .stdout(predicate::str::contains("nothing changed"));
    assert_eq!(before, env.snapshot());
}

#[test]
fn explicit_missing_ledger_is_an_error_not_a_new_file() {
    let env = TestEnv::sqlite_only();
    let typo = env.path("ledgr.db");
    env.bare()
        .args(["--db", typo.to_str().unwrap(), "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("no ledger at"))
        .stderr(predicate::str::contains("init"));
    assert!(!typo.exists());
}

#[test]
fn a_file_that_is_not_a_ledger_is_refused() {
    let env = TestEnv::sqlite_only();
    std::fs::write(env.db(), "just text, not sqlite").unwrap();
    env.tracker(&["list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("not a tracker ledger"));
    assert_eq!(std::fs::read(env.db()).unwrap(), b"just text, not sqlite");
}

#[test]
fn a_ledger_from_a_newer_version_is_refused() {
    let env = TestEnv::seeded();
    let newer = match env.is_postgres() {
        true => "INSERT INTO schema_version (version) VALUES (999)",
        false => "PRAGMA user_version = 999",
    };
    env.session().batch(newer).unwrap();
    env.tracker(&["list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "newer than this tracker understands",
        ));
}
