//! Errors that say what to do: each names the real problem and a fix that
//! works, and the ledger is left as it was.

use crate::common::TestEnv;
use predicates::prelude::*;

const RECORD: [&str; 7] = [
    "record",
    "equipment-renewal",
    "1bn",
    "--period",
    "2024",
    "--source",
    "synthetic test source",
];

#[test]
fn a_folder_as_db_is_called_a_folder_and_the_hint_works() {
    let env = TestEnv::sqlite_only();
    std::fs::create_dir(env.path("adir")).unwrap();
    for args in [vec!["--db", "adir", "list"], vec!["--db", "adir", "init"]] {
        env.bare()
            .args(&args)
            .assert()
            .code(4)
            .stderr(predicate::str::contains("adir is a folder"))
            .stderr(predicate::str::contains("--db adir/ledger.db"));
    }
    // The hint's command does what it says.
    env.bare()
        .args(["--db", "adir/ledger.db", "init"])
        .assert()
        .success();
}

#[test]
fn record_without_a_date_or_period_names_both() {
    let env = TestEnv::seeded();
    env.tracker(&["record", "equipment-renewal", "1bn", "--source", "s"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--date"))
        .stderr(predicate::str::contains("--period"));
}

#[test]
fn observations_are_accepted_as_printed_with_a_hash() {
    let env = TestEnv::seeded();
    env.tracker(&RECORD)
        .assert()
        .success()
        .stdout(predicate::str::contains("recorded #12"));
    env.tracker(&["correct", "#12", "2bn", "--reason", "typo"])
        .assert()
        .success()
        .stdout(predicate::str::contains("correcting #12"));
    env.tracker(&["retract", "#13", "--reason", "wrong metric"])
        .assert()
        .success()
        .stdout(predicate::str::contains("retracts #13"));
    env.tracker(&["correct", "#x", "2bn", "--reason", "r"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("observation number"));
}

#[test]
fn retracting_twice_says_it_is_already_retracted() {
    let env = TestEnv::seeded();
    env.tracker(&RECORD).assert().success();
    env.tracker(&["retract", "12", "--reason", "wrong metric"])
        .assert()
        .success()
        .stdout(predicate::str::contains("recorded #13"));
    let before = env.snapshot();
    env.tracker(&["retract", "12", "--reason", "again"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("#12 is already retracted"))
        .stderr(predicate::str::contains("try #13").not());
    // The retraction itself is not an observation to change.
    for args in [
        vec!["retract", "13", "--reason", "x"],
        vec!["correct", "13", "5bn", "--reason", "x"],
    ] {
        env.tracker(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("#13 is the retraction of #12"))
            .stderr(predicate::str::contains("period").not());
    }
    assert_eq!(before, env.snapshot());
}

#[test]
fn each_format_flag_accepts_what_its_help_lists() {
    let env = TestEnv::seeded();
    // Every value a command's --help lists works...
    for (command, formats) in [
        ("list", &["table", "csv", "json", "markdown"][..]),
        ("report", &["table", "csv", "json", "markdown", "html"][..]),
        ("history", &["table", "csv", "json"][..]),
        ("export", &["json", "csv"][..]),
    ] {
        let help = env.stdout(&[command, "--help"]);
        let listed = help
            .split("--format <FORMAT>")
            .nth(1)
            .and_then(|rest| rest.split("[possible values: ").nth(1))
            .and_then(|rest| rest.split(']').next())
            .unwrap_or_else(|| panic!("{command} --help lists no formats: {help}"));
        let listed: Vec<&str> = listed.split(", ").collect();
        assert_eq!(listed, formats, "{command}");
        for format in formats {
            env.tracker(&[command, "--format", format])
                .assert()
                .success();
        }
    }
    // ... and nothing else gets past the parser, with the list in the error.
    env.tracker(&["export", "--format", "table"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values: json, csv"))
        .stderr(predicate::str::contains("Table").not());
}

#[test]
fn import_and_target_import_point_to_each_other() {
    let env = TestEnv::seeded();
    let before = env.snapshot();
    std::fs::write(
        env.path("plan.toml"),
        "format = 1\n\n[[target]]\nid = \"synthetic\"\n",
    )
    .unwrap();
    env.tracker(&["import", "plan.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("target file"))
        .stderr(predicate::str::contains("tracker target import plan.toml"));
    std::fs::write(
        env.path("obs.csv"),
        "target_id,value,period,source\nequipment-renewal,1bn,2024,synthetic\n",
    )
    .unwrap();
    env.tracker(&["target", "import", "obs.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("observations"))
        .stderr(predicate::str::contains("tracker import obs.csv"));
    assert_eq!(before, env.snapshot());
}
