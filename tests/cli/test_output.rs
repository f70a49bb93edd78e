//! Output files never destroy anything: no command writes over the ledger or
//! its side files, devices and FIFOs are written, not replaced, symlinks are
//! followed to the real file, and a missing folder is a usage error for
//! every command that writes a file.

use crate::common::TestEnv;
use predicates::prelude::*;

/// The ledger still opens and lists its targets.
fn assert_ledger_intact(env: &TestEnv) {
    env.tracker(&["check"]).assert().success();
}

#[test]
fn report_and_export_refuse_to_write_over_the_ledger() {
    let env = TestEnv::seeded_sqlite_only();
    let before = env.snapshot();
    let db = env.db();
    let db = db.to_str().unwrap();
    for args in [
        vec!["report", "--csv", "-o", db],
        vec!["report", "--csv", "-o", "./ledger.db"],
        vec!["report", "--csv", "-o", "ledger.db-wal"],
        vec!["report", "--csv", "-o", "ledger.db-shm"],
        vec!["report", "--csv", "-o", "ledger.db-journal"],
        vec!["export", "-o", "./ledger.db"],
        vec!["export", "--format", "csv", "-o", db],
        vec!["chart", "equipment-renewal", "-o", "ledger.db-wal.svg"],
    ] {
        let assert = env.tracker(&args).assert();
        if args[0] == "chart" {
            // A name that merely starts like a side file is an ordinary file.
            assert.success();
            continue;
        }
        assert
            .code(2)
            .stderr(predicate::str::contains("the ledger"))
            .stderr(predicate::str::contains("would overwrite"));
        assert_eq!(before, env.snapshot(), "{args:?} changed the ledger");
        assert!(!env.path("ledger.db-journal").exists(), "{args:?}");
    }
    assert_ledger_intact(&env);
}

#[test]
fn output_through_a_symlink_or_hard_link_to_the_ledger_is_refused() {
    let env = TestEnv::seeded_sqlite_only();
    let before = env.snapshot();
    std::os::unix::fs::symlink(env.db(), env.path("alias.csv")).unwrap();
    std::fs::hard_link(env.db(), env.path("hard.csv")).unwrap();
    for name in ["alias.csv", "hard.csv"] {
        env.tracker(&["report", "--csv", "-o", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("would overwrite the ledger"));
    }
    assert_eq!(before, env.snapshot());
    assert_ledger_intact(&env);
}

#[test]
fn backup_refuses_the_ledger_and_its_side_files() {
    let env = TestEnv::seeded_sqlite_only();
    for name in ["ledger.db-wal", "ledger.db-journal"] {
        env.tracker(&["backup", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("would overwrite"));
    }
    // SQLite itself keeps a -wal beside a WAL ledger; no journal was made.
    assert!(!env.path("ledger.db-journal").exists());
    assert_ledger_intact(&env);
}

#[test]
fn a_symlink_is_followed_and_stays_a_symlink() {
    let env = TestEnv::seeded();
    std::fs::create_dir(env.path("reports")).unwrap();
    std::fs::write(env.path("reports/real.csv"), "old").unwrap();
    std::os::unix::fs::symlink("reports/real.csv", env.path("latest.csv")).unwrap();
    env.tracker(&["report", "--csv", "-o", "latest.csv"])
        .assert()
        .success();
    let link = std::fs::symlink_metadata(env.path("latest.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let real = std::fs::read_to_string(env.path("reports/real.csv")).unwrap();
    assert!(real.starts_with("id,title"), "{real}");
    // No temporary file left next to the link or the real file.
    for folder in [env.path("."), env.path("reports")] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let name = entry.unwrap().file_name();
            assert!(!name.to_string_lossy().starts_with(".tracker-"), "{name:?}");
        }
    }
}

#[test]
fn a_dangling_symlink_creates_its_target() {
    let env = TestEnv::seeded();
    std::fs::create_dir(env.path("out")).unwrap();
    std::os::unix::fs::symlink("out/new.json", env.path("link.json")).unwrap();
    env.tracker(&["export", "-o", "link.json"])
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(env.path("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let json = std::fs::read_to_string(env.path("out/new.json")).unwrap();
    assert!(json.contains("\"entries\""));
}

#[test]
fn dash_is_stdout_for_report_and_export() {
    let env = TestEnv::seeded();
    env.tracker(&["report", "--csv", "-o", "-"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("id,title"));
    env.tracker(&["export", "-o", "-"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"entries\""));
    assert!(!env.path("-").exists());
}

#[test]
fn a_fifo_is_written_not_replaced() {
    let env = TestEnv::seeded();
    let fifo = env.path("pipe.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read_to_string(reader_path).unwrap());
    env.tracker(&["report", "--csv", "-o", "pipe.csv"])
        .assert()
        .success();
    let read = reader.join().unwrap();
    assert!(read.starts_with("id,title"), "{read}");
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by a regular file");
}

#[test]
fn a_character_device_is_written_not_replaced() {
    // Making a device node needs root; /dev/null itself is never touched.
    if !is_root() {
        eprintln!("skipped: a_character_device_is_written_not_replaced needs root for mknod");
        return;
    }
    let env = TestEnv::seeded();
    let node = env.path("null");
    let status = std::process::Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .status()
        .expect("mknod");
    if !status.success() {
        // Containers without CAP_MKNOD.
        assert!(
            std::env::var_os("CI").is_none(),
            "mknod failed as root in CI"
        );
        eprintln!("skipped: mknod is not permitted here");
        return;
    }
    for args in [
        vec!["report", "--csv", "-o", "null"],
        vec!["export", "-o", "null"],
    ] {
        env.tracker(&args).assert().success();
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::symlink_metadata(&node).unwrap().file_type();
        assert!(kind.is_char_device(), "{args:?} replaced the device");
    }
}

#[test]
fn dev_stdout_writes_to_stdout() {
    let env = TestEnv::seeded();
    env.tracker(&["report", "--csv", "-o", "/dev/stdout"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("id,title"));
}

#[test]
fn every_command_that_writes_a_file_names_a_missing_folder() {
    let env = TestEnv::seeded();
    for args in [
        vec!["backup", "backups/ledger-2025-06-30.db"],
        vec!["export", "-o", "nodir/x.json"],
        vec!["report", "--csv", "-o", "nodir/x.csv"],
        vec!["chart", "equipment-renewal", "-o", "nodir/x.svg"],
    ] {
        env.tracker(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("does not exist"))
            .stderr(predicate::str::contains(".tracker-").not());
    }
    assert!(!env.path("backups").exists());
}

#[test]
fn init_on_a_dangling_symlink_creates_the_ledger_it_points_to() {
    let env = TestEnv::sqlite_only();
    std::fs::create_dir(env.path("data")).unwrap();
    std::os::unix::fs::symlink("data/real.db", env.db()).unwrap();
    env.tracker(&["init"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created ledger"));
    assert!(env.path("data/real.db").is_file());
    env.tracker(&["list", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("equipment-renewal"));
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
