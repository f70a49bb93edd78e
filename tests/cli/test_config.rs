//! The config file (docs/config.md): where it is, what it sets, and the
//! order flag > environment > config file > default; mistakes are named
//! with file and line.

use crate::common::TestEnv;
use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;

const ESC: char = '\u{1b}';

/// The default config file under the test's fake home.
fn default_config(env: &TestEnv) -> PathBuf {
    env.path("home/.config/tracker/config.toml")
}

fn write_config(env: &TestEnv, text: &str) -> PathBuf {
    let path = default_config(env);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// `tracker ARGS` with neither TRACKER_DB nor TRACKER_USER set.
fn plain(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = env.bare();
    cmd.env_remove("TRACKER_USER").args(args);
    cmd
}

fn stdout(mut cmd: Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn db_from_the_config_file_relative_to_it() {
    let env = TestEnv::sqlite_only();
    write_config(&env, "db = \"team/ledger.db\"\n");
    std::fs::create_dir_all(env.path("home/.config/tracker/team")).unwrap();
    plain(&env, &["init"]).assert().success();
    assert!(env.path("home/.config/tracker/team/ledger.db").exists());
    // A named ledger must exist: no silent creation elsewhere.
    write_config(&env, "db = \"~/elsewhere.db\"\n");
    plain(&env, &["list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("elsewhere.db"));
    assert!(!env.path("home/elsewhere.db").exists());
    assert!(!env.path("home/.local/share/tracker/ledger.db").exists());
}

#[test]
fn db_precedence_flag_env_file_default() {
    let env = TestEnv::sqlite_only();
    write_config(
        &env,
        &format!("db = \"{}\"\n", env.path("file.db").display()),
    );
    let a = env.path("flag.db");
    let b = env.path("env.db");
    let mut cmd = plain(&env, &["--db", a.to_str().unwrap(), "init"]);
    cmd.env("TRACKER_DB", &b).assert().success();
    assert!(a.exists() && !b.exists() && !env.path("file.db").exists());
    let mut cmd = plain(&env, &["init"]);
    cmd.env("TRACKER_DB", &b).assert().success();
    assert!(b.exists() && !env.path("file.db").exists());
    plain(&env, &["init"]).assert().success();
    assert!(env.path("file.db").exists());
    // Without any, the platform default.
    let mut cmd = plain(&env, &["init"]);
    cmd.env("TRACKER_CONFIG", "").assert().success();
    assert!(env.path("home/.local/share/tracker/ledger.db").exists());
}

#[test]
fn by_precedence_flag_env_file_os_user() {
    let env = TestEnv::seeded();
    write_config(&env, "by = \"Ana from the file\"\n");
    let record = |period: &str| {
        let mut cmd = plain(&env, &[]);
        cmd.env("TRACKER_DB", env.ledger()).args([
            "record",
            "equipment-renewal",
            "100bn",
            "--period",
            period,
            "--source",
            "synthetic",
        ]);
        cmd
    };
    record("2024-Q1").assert().success();
    let mut cmd = record("2024-Q2");
    cmd.env("TRACKER_USER", "Env User").assert().success();
    let mut cmd = record("2024-Q3");
    cmd.env("TRACKER_USER", "Env User")
        .args(["--by", "Flag User"])
        .assert()
        .success();
    let mut cmd = record("2024-Q4");
    cmd.env("TRACKER_CONFIG", "")
        .env("USER", "os-user")
        .assert()
        .success();
    let out = env.stdout(&["history", "equipment-renewal", "--format", "csv"]);
    let by: Vec<String> = csv::Reader::from_reader(out.as_bytes())
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap()["recorded_by"].clone())
        .collect();
    let expected = ["Ana from the file", "Env User", "Flag User", "os-user"];
    assert_eq!(by, expected.map(|claimed| env.recorded_by(claimed)));
}

#[test]
fn color_precedence_flag_env_file() {
    let env = TestEnv::seeded();
    write_config(&env, "color = \"always\"\n");
    // The file asks for colour even on a pipe, and beats NO_COLOR
    // (no-color.org: configuration overrides it).
    let mut cmd = env.tracker(&["list"]);
    cmd.env("NO_COLOR", "1");
    assert!(stdout(cmd).contains(ESC));
    let mut cmd = env.tracker(&["list"]);
    cmd.env("TRACKER_COLOR", "never");
    assert!(!stdout(cmd).contains(ESC));
    let mut cmd = env.tracker(&["--color", "always", "list"]);
    cmd.env("TRACKER_COLOR", "never");
    assert!(stdout(cmd).contains(ESC));
    let mut cmd = env.tracker(&["--color", "never", "list"]);
    cmd.env("TRACKER_COLOR", "always");
    assert!(!stdout(cmd).contains(ESC));
    // Machine formats stay clean whatever the file says.
    assert!(!env.stdout(&["report", "--csv"]).contains(ESC));
}

#[test]
fn numbers_precedence_flag_env_file() {
    let env = TestEnv::seeded();
    write_config(&env, "numbers = \"chinese\"\n");
    let list = env.stdout(&["list"]);
    assert!(list.contains("25万 people"), "{list}");
    assert!(list.contains(">10万亿 CNY"), "{list}");
    let mut cmd = env.tracker(&["list"]);
    cmd.env("TRACKER_NUMBERS", "western");
    let list = stdout(cmd);
    assert!(list.contains("250,000 people"), "{list}");
    let mut cmd = env.tracker(&["--numbers", "chinese", "list"]);
    cmd.env("TRACKER_NUMBERS", "western");
    assert!(stdout(cmd).contains("25万 people"));
    // CSV and JSON keep the plain number.
    let csv = env.stdout(&["report", "--csv", "equity-incentive-talents"]);
    assert!(csv.contains(",250000,"), "{csv}");
    assert!(!csv.contains('万'), "{csv}");
    let json = env.stdout(&["report", "--json", "sei-revenue"]);
    assert!(!json.contains("万"), "{json}");
}

#[test]
fn tracker_config_names_another_file() {
    let env = TestEnv::seeded();
    write_config(&env, "numbers = \"chinese\"\n");
    std::fs::write(env.path("team.toml"), "numbers = \"western\"\n").unwrap();
    let mut cmd = env.tracker(&["list"]);
    cmd.env("TRACKER_CONFIG", env.path("team.toml"));
    assert!(stdout(cmd).contains("250,000 people"));

    let mut cmd = env.tracker(&["list"]);
    cmd.env("TRACKER_CONFIG", env.path("missing.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("TRACKER_CONFIG names"))
        .stderr(predicate::str::contains("missing.toml"));

    // Empty: no config file at all, not even a broken default one.
    write_config(&env, "this is not toml");
    let mut cmd = env.tracker(&["list"]);
    cmd.env("TRACKER_CONFIG", "").assert().success();
}

#[test]
fn unknown_keys_and_bad_values_name_file_and_line() {
    let env = TestEnv::seeded();
    let path = write_config(&env, "by = \"Ana\"\ncolour = \"never\"\n");
    let shown = path.display().to_string();
    env.tracker(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: {shown}:2:1: unknown key `colour`"
        )))
        .stderr(predicate::str::contains(
            "hint: the keys are db = \"PATH\", by = \"NAME\", color = \"auto|always|never\"",
        ));

    write_config(&env, "# team defaults\n\ncolor = \"sometimes\"\n");
    env.tracker(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{shown}:3:9:")))
        .stderr(predicate::str::contains("not auto, always or never"));

    write_config(&env, "numbers = \"arabic\"\n");
    env.tracker(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{shown}:1:11:")))
        .stderr(predicate::str::contains("not western or chinese"));

    write_config(&env, "numbers = 3\n");
    env.tracker(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{shown}:1:11:")));

    write_config(&env, "db = \"a.db\"\nby = \"\"\n");
    env.tracker(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{shown}:2:6:")))
        .stderr(predicate::str::contains("`by` is empty"));

    write_config(&env, "db = \"unterminated\n");
    env.tracker(&["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{shown}:1:")));
}

#[test]
fn numbers_apply_to_show_and_report_tables() {
    let env = TestEnv::seeded();
    let show = env.stdout(&["--numbers", "chinese", "show", "equity-incentive-talents"]);
    // The fields and the history; the status explanation is the report's
    // sentence, the same as in CSV, so it keeps Western numbers.
    let line = |show: &str, name: &str| {
        show.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in\n{show}"))
            .to_string()
    };
    assert!(line(&show, "target").contains("25万 people"), "{show}");
    assert!(line(&show, "latest").contains("25万 people"), "{show}");
    let show = env.stdout(&["show", "equity-incentive-talents"]);
    assert!(line(&show, "target").contains("250,000 people"), "{show}");
    let table = env.stdout(&["--numbers", "chinese", "report", "--format", "table"]);
    assert!(
        table.contains("8000亿") || table.contains("3万亿 CNY"),
        "{table}"
    );
    assert!(table.contains(">10万亿 CNY"), "{table}");
}
