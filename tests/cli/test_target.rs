use crate::common::{TestEnv, snapshot};
use predicates::prelude::*;

const SYNTHETIC: &str = r#"
# Synthetic targets for tests; not real-world data.
format = 1

[source]
title = "Synthetic briefing"
date = 2024-01-15

[[target]]
id = "synthetic-output"
title = "Synthetic output"
kind = "level"
metric = "Synthetic output level"
unit = "units"
direction = "up"
target = ">= 100"
deadline = 2026-12-31
quote = "Output will reach at least 100 units."
speaker = "A. Speaker"
speaker_role = "Synthetic role"
interpretation = "Synthetic."

[[target.observation]]
value = "40"
period = "2023"
"#;

#[test]
fn import_is_all_or_nothing_and_idempotent() {
    let env = TestEnv::seeded();
    let file = env.path("targets.toml");
    std::fs::write(&file, SYNTHETIC).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "added 1 target(s) (synthetic-output) with 1 observation(s)",
        ));
    let before = snapshot(&env.db());
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing changed"));
    assert_eq!(before, snapshot(&env.db()));
    let out = env.stdout(&["show", "synthetic-output"]);
    assert!(out.contains("Output will reach at least 100 units."));
}

/// A figure added under a target the ledger already holds is not taken
/// from a target file; the command says so instead of "nothing changed".
#[test]
fn observations_under_a_known_target_are_named_not_silently_dropped() {
    let env = TestEnv::seeded();
    let file = env.path("targets.toml");
    std::fs::write(&file, SYNTHETIC).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success();
    let later = format!("{SYNTHETIC}\n[[target.observation]]\nvalue = \"50\"\nperiod = \"2024\"\n");
    std::fs::write(&file, later).unwrap();
    let before = snapshot(&env.db());
    let out = env.stdout(&["target", "import", file.to_str().unwrap()]);
    assert!(!out.contains("nothing changed"), "{out}");
    assert!(
        out.contains(
            "1 new observation(s) under 1 target(s) already in the ledger were left alone"
        ),
        "{out}"
    );
    assert!(out.contains("tracker import"), "{out}");
    assert_eq!(before, snapshot(&env.db()));
}

#[test]
fn an_existing_id_with_another_definition_is_refused() {
    let env = TestEnv::seeded();
    let file = env.path("targets.toml");
    std::fs::write(&file, SYNTHETIC).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success();
    std::fs::write(&file, SYNTHETIC.replace(">= 100", ">= 120")).unwrap();
    let before = snapshot(&env.db());
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already exists with a different definition",
        ));
    assert_eq!(before, snapshot(&env.db()));
}

#[test]
fn a_malformed_file_names_file_line_and_field_and_writes_nothing() {
    let env = TestEnv::seeded();
    let file = env.path("bad.toml");
    // A second, valid target after the bad one must not be imported either.
    let text = SYNTHETIC.replace("kind = \"level\"", "kind = \"lvl\"")
        + &SYNTHETIC
            .split("[[target]]")
            .nth(1)
            .map(|t| {
                format!(
                    "[[target]]{}",
                    t.replace("synthetic-output", "synthetic-two")
                )
            })
            .unwrap();
    std::fs::write(&file, text).unwrap();
    let before = snapshot(&env.db());
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:12"))
        .stderr(predicate::str::contains("kind"))
        .stderr(predicate::str::contains("cumulative, level, direction"));
    assert_eq!(before, snapshot(&env.db()));
}

#[test]
fn target_add_defines_a_target_through_the_same_rules() {
    let env = TestEnv::seeded();
    env.tracker(&[
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
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(
        "added 1 target(s) (synthetic-share)",
    ));
    env.tracker(&[
        "target",
        "add",
        "--id",
        "Bad_Id",
        "--title",
        "x",
        "--kind",
        "level",
        "--metric",
        "x",
        "--unit",
        "%",
        "--direction",
        "up",
        "--target",
        "1",
        "--quote",
        "q",
        "--speaker",
        "s",
        "--speaker-role",
        "r",
        "--statement-date",
        "2024-07-26",
        "--source-title",
        "t",
        "--interpretation",
        "i",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("Bad_Id"));
}
