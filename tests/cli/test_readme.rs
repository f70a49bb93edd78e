//! The README cannot drift from the tool: every `$ tracker ...` line of its
//! ```console blocks is run, in order, in one fresh environment using the
//! default ledger, in a pseudo-terminal (as a new user would), and must succeed (or exit with the
//! code a trailing `# exit N` names).

use crate::common::TestEnv;

const README: &str = include_str!("../../README.md");

/// (command line, expected exit code) for every console line.
fn console_commands() -> Vec<(String, i32)> {
    let mut commands = Vec::new();
    let mut in_console = false;
    for line in README.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_console = trimmed == "```console";
            continue;
        }
        if let (true, Some(command)) = (in_console, trimmed.strip_prefix("$ ")) {
            let (command, code) = match command.split_once(" # exit ") {
                Some((command, code)) => (command, code.trim().parse().expect("exit code")),
                None => (command, 0),
            };
            commands.push((command.trim().to_string(), code));
        }
    }
    commands
}

#[test]
fn every_readme_command_runs_as_documented() {
    // The walkthrough starts from the default ledger, a file.
    let mut env = TestEnv::sqlite_only();
    env.now = "2026-11-27T12:00:00Z".to_string();
    let commands = console_commands();
    assert!(commands.len() >= 8, "README lost its walkthrough");
    let mut outputs = Vec::new();
    for (line, expected) in &commands {
        let words = shell_words::split(line).expect("README command quoting");
        assert_eq!(
            words[0], "tracker",
            "README console lines run tracker: {line}"
        );
        // The walkthrough is typed at a terminal: that is where the
        // default ledger is created on first use (scripts get exit 4).
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let (code, screen) = env.in_terminal(None, &args, 100);
        assert_eq!(code, *expected, "`{line}` exited {code}: {screen}");
        outputs.push((line.clone(), screen));
    }
    let stdout_of = |needle: &str| -> &str {
        outputs
            .iter()
            .find(|(line, _)| line.contains(needle))
            .map(|(_, out)| out.as_str())
            .unwrap_or_else(|| panic!("README has no `{needle}` command"))
    };
    // What the walkthrough's prose claims.
    assert!(stdout_of("tracker record equipment-renewal").contains("recorded #12"));
    let report = stdout_of("report equipment-renewal --as-of 2025-02-01");
    assert!(report.contains("on-track"), "{report}");
    assert!(report.contains("27%"), "{report}");

    assert!(env.path("status.csv").is_file());
}
