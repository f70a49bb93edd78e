//! `tracker copy FROM TO`: a ledger moved to another store (a file, or a
//! PostgreSQL database) reports byte for byte what the original reports,
//! at any as-of date and any `--known-at`, and carries the whole trail.
//! The values recorded here are synthetic.

use crate::common::TestEnv;
use crate::test_import::eventful;
use predicates::prelude::*;
use std::ffi::OsStr;

/// Everything a reader of the ledger sees, as bytes: reports at several
/// dates and knowledge times, the trail and the whole export.
fn views(env: &TestEnv, ledger: &OsStr) -> Vec<(String, Vec<u8>)> {
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for as_of in ["2024-12-31", "2025-07-31"] {
        runs.push(vec!["report", "--csv", "--as-of", as_of]);
        runs.push(vec!["report", "--json", "--as-of", as_of]);
    }
    for known_at in [
        "2025-06-30T12:00:00Z",
        "2025-07-03T08:00:00Z",
        "2025-07-05",
        "2025-07-09T08:00:00.000Z",
    ] {
        runs.push(vec!["report", "--csv", "--known-at", known_at]);
    }
    runs.push(vec!["report", "--csv"]);
    runs.push(vec!["history", "--format", "csv"]);
    runs.push(vec!["changes", "--since", "2025-07-02", "--format", "csv"]);
    runs.push(vec!["export"]);
    runs.into_iter()
        .map(|args| {
            let out = env
                .tracker(&args)
                .env("TRACKER_DB", ledger)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (args.join(" "), out.stdout)
        })
        .collect()
}

fn assert_same_views(env: &TestEnv, a: &OsStr, b: &OsStr) {
    let (left, right) = (views(env, a), views(env, b));
    for ((run, x), (_, y)) in left.iter().zip(&right) {
        assert!(
            x == y,
            "`{run}` differs between {a:?} and {b:?}:\n{}\n---\n{}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
}

fn copy(env: &TestEnv, from: &OsStr, to: &OsStr) -> assert_cmd::assert::Assert {
    let mut cmd = env.bare();
    cmd.arg("copy").arg(from).arg(to);
    cmd.assert()
}

/// The env's ledger (a file, or on the postgres pass a database) copied to
/// a new file.
#[test]
fn a_ledger_copied_to_a_new_file_reports_byte_for_byte() {
    let mut env = TestEnv::seeded();
    eventful(&mut env, true);
    let file = env.path("copies/copy.db").into_os_string();
    copy(&env, &env.ledger(), &file)
        .success()
        .stdout(predicate::str::contains(
            "32 target(s), 33 definition version(s)",
        ));
    assert_same_views(&env, &env.ledger(), &file);
    env.tracker(&["check"])
        .env("TRACKER_DB", &file)
        .assert()
        .success();
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(env.path("copies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("copy.db"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_copy_never_merges_into_a_ledger_that_holds_something() {
    let env = TestEnv::seeded();
    let other = env.path("other.db").into_os_string();
    env.tracker(&["init"])
        .env("TRACKER_DB", &other)
        .assert()
        .success();
    let before = env.snapshot();
    copy(&env, &other, &env.ledger())
        .code(2)
        .stderr(predicate::str::contains("already holds a ledger"))
        .stderr(predicate::str::contains("nothing was copied"));
    assert_eq!(env.snapshot(), before);
    // A missing source is the usual missing-ledger error, and no TO appears.
    let missing = env.path("missing.db").into_os_string();
    let to = env.path("to.db");
    copy(&env, &missing, to.as_os_str())
        .code(4)
        .stderr(predicate::str::contains("missing.db"));
    assert!(!to.exists());
}

/// SQLite → PostgreSQL → SQLite: the team's database and the file brought
/// back from it report exactly what the original file reports.
#[test]
fn a_file_ledger_moves_to_postgres_and_back_unchanged() {
    let Some(pg) = TestEnv::postgres_only() else {
        return;
    };
    let mut local = TestEnv::seeded_sqlite_only();
    eventful(&mut local, true);
    copy(&local, &local.ledger(), &pg.ledger())
        .success()
        .stdout(predicate::str::contains("copied"))
        .stdout(predicate::str::contains("tester-password").not());
    assert_same_views(&local, &local.ledger(), &pg.ledger());
    local
        .tracker(&["check"])
        .env("TRACKER_DB", pg.ledger())
        .assert()
        .success();
    let back = local.path("back.db").into_os_string();
    copy(&local, &pg.ledger(), &back).success();
    assert_same_views(&local, &local.ledger(), &back);
    // Into a database that holds a ledger: refused, nothing changed.
    let before = pg.snapshot();
    copy(&local, &local.ledger(), &pg.ledger())
        .code(2)
        .stderr(predicate::str::contains("already holds a ledger"));
    assert_eq!(pg.snapshot(), before);
}

/// The same commands at the same fixed clock, once on a file and once on
/// PostgreSQL (no copy between them): every report, `--known-at`
/// included, the trail and the export are the same bytes.
#[test]
fn the_same_commands_give_the_same_bytes_on_both_backends() {
    let Some(mut pg) = TestEnv::postgres_only() else {
        return;
    };
    let mut local = TestEnv::seeded_sqlite_only();
    pg.tracker(&["init"]).assert().success();
    eventful(&mut local, true);
    eventful(&mut pg, true);
    let (file, shared) = (views(&local, &local.ledger()), views(&pg, &pg.ledger()));
    for ((run, x), (_, y)) in file.iter().zip(&shared) {
        assert!(
            x == y,
            "`{run}` differs between a file and PostgreSQL:\n{}\n---\n{}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
}
