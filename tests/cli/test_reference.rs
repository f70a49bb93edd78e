//! The reference a user reads: man pages that exist for every page they
//! cite, with exit status, environment and files; help on every flag;
//! examples that survive an 80-column terminal; the README and the target
//! file documentation agreeing with the tool.

use crate::common::TestEnv;
use clap::CommandFactory;

const README: &str = include_str!("../../README.md");
const TARGET_FILE_DOC: &str = include_str!("../../docs/target-file.md");

#[test]
fn man_pages_exist_for_every_page_they_cite() {
    let env = TestEnv::new();
    env.bare()
        .args(["man", "--dir", "man1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not exist"));
    std::fs::create_dir(env.path("man1")).unwrap();
    env.bare().args(["man", "--dir", "man1"]).assert().success();
    let dir = env.path("man1");
    let main = std::fs::read_to_string(dir.join("tracker.1")).unwrap();
    for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES"] {
        assert!(main.contains(section), "tracker.1 lacks {section}");
    }
    for variable in [
        "TRACKER_DB",
        "TRACKER_NOW",
        "TRACKER_BUSY_TIMEOUT_MS",
        "NO_COLOR",
    ] {
        assert!(main.contains(variable), "{variable}");
    }
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        pages += 1;
        // Every cited page was written, and no page cites the source tree.
        for cited in page
            .split("\\fBtracker\\-")
            .skip(1)
            .chain(page.split("\ntracker\\-").skip(1))
        {
            let name: String = cited
                .chars()
                .take_while(|c| *c != '(' && *c != '\\')
                .collect::<String>()
                .replace("\\-", "-");
            if cited[name.len()..].starts_with("(1)") {
                let file = dir.join(format!("tracker-{name}.1"));
                assert!(file.is_file(), "{} cites {file:?}", path.display());
            }
        }
        assert!(!page.contains("docs/"), "{} cites docs/", path.display());
    }
    assert!(pages >= 18, "{pages} pages");
    assert!(dir.join("tracker-target-add.1").is_file());
    // Without --dir: the main page on stdout, as before.
    let out = env.stdout(&["man"]);
    assert!(out.contains(".TH tracker 1"), "{out}");
}

#[test]
fn every_flag_of_correct_and_target_add_and_amend_has_help() {
    let mut cli = tracker::cli::Cli::command();
    cli.build();
    for path in [&["correct"][..], &["target", "add"], &["target", "amend"]] {
        let mut cmd = &cli;
        for name in path {
            cmd = cmd.find_subcommand(name).unwrap();
        }
        for arg in cmd.get_arguments() {
            assert!(
                arg.get_help().is_some(),
                "{path:?} --{} has no help text",
                arg.get_id()
            );
        }
    }
}

#[test]
fn record_help_keeps_urls_whole_at_80_columns() {
    let env = TestEnv::new();
    let out = env
        .bare()
        .env("COLUMNS", "80")
        .args(["record", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    // clap never wraps the usage line; the examples are ours to fit.
    let examples = help.split("Examples:").nth(1).expect("examples");
    for line in examples.lines() {
        assert!(line.chars().count() <= 80, "{line}");
    }
    for line in help.lines() {
        if line.contains("https:") {
            assert!(line.contains("https://example.org/x"), "URL broken: {line}");
        }
    }
    assert!(help.contains("https://example.org/x"), "{help}");
}

#[test]
fn subcommand_help_separates_its_options_from_global_ones() {
    let env = TestEnv::new();
    let help = env.stdout(&["record", "--help"]);
    let (own, global) = help
        .split_once("Global options:")
        .unwrap_or_else(|| panic!("no Global options heading:\n{help}"));
    assert!(own.contains("--source"), "{help}");
    assert!(
        !own.contains("--db"),
        "--db among record's own options:\n{help}"
    );
    assert!(
        global.contains("--db") && global.contains("--numbers"),
        "{help}"
    );
}

#[test]
fn readme_documents_the_csv_import_layout_and_install() {
    assert!(README.contains("cargo install --locked --path ."));
    let section = README
        .split("## Importing observations")
        .nth(1)
        .expect("README has an import section");
    let section = section.split("\n## ").next().unwrap();
    for column in tracker::interchange::csv::CSV_COLUMNS {
        assert!(
            section.contains(&format!("`{column}`")),
            "README lacks `{column}`"
        );
    }
    for claim in [
        "list --format markdown",
        "--as-of",
        "2024-07-26",
        "-o status.txt",
    ] {
        assert!(README.contains(claim), "README lacks {claim}");
    }
}

#[test]
fn target_add_requires_what_the_target_file_requires() {
    let section = TARGET_FILE_DOC
        .split("## `[[target]]`")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let mut cli = tracker::cli::Cli::command();
    cli.build();
    let add = cli
        .find_subcommand("target")
        .and_then(|t| t.find_subcommand("add"))
        .unwrap();
    let mut checked = 0;
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let field = cells[1].trim_matches('`');
        let required = cells[2] == "yes";
        // [source] supplies these in a file; a single `target add` has no
        // [source], so there they are required flags (--statement-date,
        // --source-title).
        if field == "statement_date" || field == "source_title" {
            continue;
        }
        let flag = field.replace('_', "-");
        let arg = add
            .get_arguments()
            .find(|a| a.get_long() == Some(flag.as_str()))
            .unwrap_or_else(|| panic!("target add has no --{flag}"));
        assert_eq!(
            arg.is_required_set(),
            required,
            "--{flag}: the docs say required = {required}"
        );
        checked += 1;
    }
    assert!(checked >= 12, "{checked}");
}
