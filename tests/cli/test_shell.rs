//! Shell conventions: colour only where a person looks (and never against
//! NO_COLOR unless asked), machine formats always clean, completions, the
//! man page, and an example in every `--help`.

use crate::common::TestEnv;
use clap::CommandFactory;

const ESC: char = '\u{1b}';

/// Runs `tracker ARGS` (shell words) in a 100-column pseudo-terminal, in
/// `env`'s cleared environment plus `extra`; asserts success and returns
/// what the terminal showed.
fn on_terminal(env: &TestEnv, extra: &[(&str, &str)], args: &str) -> String {
    let words = shell_words::split(args).expect("shell words");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut all = vec![("TERM", "xterm-256color")];
    all.extend_from_slice(extra);
    let (code, out) = env.in_terminal_with(Some(&env.ledger()), &words, 100, &all);
    assert_eq!(code, 0, "{args}: {out}");
    out
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let env = TestEnv::seeded();
    let out = on_terminal(&env, &[], "list");
    assert!(out.contains(ESC), "no colour on a terminal:\n{out}");
    assert!(out.contains("equipment-renewal"));

    let out = on_terminal(&env, &[("NO_COLOR", "1")], "list");
    assert!(!out.contains(ESC), "NO_COLOR ignored:\n{out}");
    assert!(out.contains("equipment-renewal"));

    // An empty NO_COLOR does not count (no-color.org).
    let out = on_terminal(&env, &[("NO_COLOR", "")], "list");
    assert!(out.contains(ESC));

    // Asking beats NO_COLOR; TERM=dumb gets none in auto.
    let out = on_terminal(&env, &[("NO_COLOR", "1")], "--color always list");
    assert!(out.contains(ESC));
    let out = on_terminal(&env, &[("TERM", "dumb")], "list");
    assert!(!out.contains(ESC));
    let out = on_terminal(&env, &[], "--color never show equipment-renewal");
    assert!(!out.contains(ESC));
}

#[test]
fn no_colour_on_a_pipe_unless_forced() {
    let env = TestEnv::seeded();
    assert!(!env.stdout(&["list"]).contains(ESC));
    assert!(!env.stdout(&["show", "equipment-renewal"]).contains(ESC));
    assert!(!env.stdout(&["report", "--format", "table"]).contains(ESC));

    for args in [
        &["--color", "always", "list"][..],
        &["list", "--color=always"],
        &["--color", "always", "show", "equipment-renewal"],
        &["--color", "always", "report", "--format", "table"],
    ] {
        let out = env.stdout(args);
        assert!(out.contains(ESC), "{args:?} not coloured");
    }
    let out = env
        .tracker(&["list"])
        .env("TRACKER_COLOR", "always")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(ESC));
}

#[test]
fn machine_formats_never_have_escapes_or_wrapping() {
    let env = TestEnv::seeded();
    let narrow = |args: &[&str]| {
        let mut full = vec!["--color", "always"];
        full.extend_from_slice(args);
        let output = env.tracker(&full).env("COLUMNS", "20").output().unwrap();
        assert!(output.status.success(), "{args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let report_lines = |out: &str| {
        csv::Reader::from_reader(out.as_bytes())
            .records()
            .map(|r| r.unwrap().len())
            .collect::<Vec<_>>()
    };
    for args in [
        &["list", "--format", "csv"][..],
        &["report", "--csv"],
        &["report"], // a pipe: CSV by default
    ] {
        let out = narrow(args);
        assert!(!out.contains(ESC), "{args:?}");
        let widths = report_lines(&out);
        assert_eq!(widths.len(), 32, "{args:?}: one line per target");
        assert!(
            widths.iter().all(|w| *w == crate::common::COLUMNS.len()),
            "{args:?}: {widths:?}"
        );
        assert_eq!(out.lines().count(), 33, "{args:?}: no wrapped lines");
    }
    for args in [
        &["list", "--format", "json"][..],
        &["report", "--json"],
        &["history", "--format", "json"],
        &["export"],
    ] {
        let out = narrow(args);
        assert!(!out.contains(ESC), "{args:?}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
    let out = narrow(&["history", "--format", "csv"]);
    assert!(!out.contains(ESC));
    let out = narrow(&["report", "--format", "markdown"]);
    assert!(!out.contains(ESC));
    assert_eq!(out.lines().filter(|l| l.starts_with('|')).count(), 34);

    // On a terminal too.
    let out = on_terminal(&env, &[], "--color always report --csv");
    assert!(!out.contains(ESC), "{out}");
    assert!(out.starts_with("id,title,kind"), "{out}");
}

#[test]
fn completions_for_every_shell() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = env.stdout(&["completions", shell]);
        assert!(out.len() > 1000, "{shell}: {} bytes", out.len());
        assert!(out.contains("record"), "{shell}: no `record`");
        assert!(out.contains("report"), "{shell}: no `report`");
        assert!(out.contains("chart"), "{shell}: no `chart`");
    }
    env.tracker(&["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bash"));
}

#[test]
fn man_page_is_roff() {
    let env = TestEnv::new();
    let out = env.stdout(&["man"]);
    assert!(out.contains(".TH"), "{out}");
    assert!(out.contains("tracker"));
    assert!(out.contains("report"));
}

#[test]
fn completions_and_man_need_no_ledger_or_config() {
    let env = TestEnv::sqlite_only();
    std::fs::write(env.path("broken.toml"), "colour = 1\n").unwrap();
    for args in [&["completions", "bash"][..], &["man"]] {
        env.tracker(args)
            .env("TRACKER_CONFIG", env.path("broken.toml"))
            .assert()
            .success();
    }
    assert!(!env.db().exists());
}

/// Every command and subcommand, with its path (`target add`).
fn all_commands() -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands() {
            let path = format!("{prefix} {}", sub.get_name()).trim().to_string();
            out.push((path.clone(), sub.clone()));
            walk(&path, sub, out);
        }
    }
    let mut out = Vec::new();
    walk("", &tracker::cli::Cli::command(), &mut out);
    out
}

#[test]
fn every_help_has_a_purpose_and_an_example() {
    let commands = all_commands();
    assert!(commands.len() >= 18, "{}", commands.len());
    let mut missing = Vec::new();
    for (path, mut cmd) in commands {
        let help = cmd.render_long_help().to_string();
        if cmd.get_about().is_none() || !help.contains("Example") {
            missing.push(path);
        }
    }
    assert!(missing.is_empty(), "no purpose or example: {missing:?}");
    let top = tracker::cli::Cli::command().render_long_help().to_string();
    assert!(top.contains("Example"));
}

#[test]
fn help_from_the_binary_shows_examples() {
    let env = TestEnv::new();
    for (path, _) in all_commands() {
        let mut args: Vec<&str> = path.split(' ').collect();
        args.push("--help");
        let out = env.stdout(&args);
        assert!(out.contains("Example"), "tracker {path} --help:\n{out}");
    }
}

/// `text` without ANSI SGR sequences.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn coloured_list_fits_the_terminal_and_uses_the_room() {
    let env = TestEnv::seeded();
    let out = on_terminal(&env, &[], "list");
    assert!(out.contains(ESC));
    let plain = strip_ansi(&out);
    for line in plain.lines() {
        assert!(line.trim_end().chars().count() <= 100, "too wide: {line}");
    }
    assert!(plain.contains("STATUS"));
    // A wider terminal gets the titles too.
    let out = on_terminal(&env, &[("COLUMNS", "160")], "list");
    let plain = strip_ansi(&out);
    assert!(plain.contains("TITLE"), "{plain}");
    assert!(plain.contains("Large-scale equipment renewal"), "{plain}");
    for line in plain.lines() {
        assert!(line.trim_end().chars().count() <= 160, "too wide: {line}");
    }
}
