//! Tables that fit: `list`, `report` and `history` in a real
//! pseudo-terminal of 80 and 100 columns, with the seed plus observations
//! with long sources (synthetic), never wider than the terminal, with no
//! trailing spaces, numbers as people read them and staleness in words.

use crate::common::TestEnv;

const LONG_SOURCE: &str = "Synthetic test source with a deliberately long title: \
    annual statistical communique of a fictional agency, chapter 7, table 12, revised edition";

fn env_with_long_sources() -> TestEnv {
    let env = TestEnv::seeded();
    for (id, value, period) in [
        ("equipment-renewal", ">800bn", "2024"),
        ("equipment-renewal", "750bn", "2025-H1"),
        ("opbudget-st-share", "83%", "2024"),
    ] {
        env.tracker(&[
            "record",
            id,
            value,
            "--period",
            period,
            "--source",
            LONG_SOURCE,
            "--url",
            "https://example.org/a/very/long/path/to/a/synthetic/source/document.html",
        ])
        .assert()
        .success();
    }
    env
}

/// Every line of the screen fits `cols` and has no trailing space.
fn assert_fits(screen: &str, cols: usize, what: &str) {
    assert!(screen.lines().count() > 3, "{what}: {screen}");
    for line in screen.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line);
        assert!(
            width <= cols,
            "{what} at {cols} columns has a line of {width}:\n{line}\n\n{screen}"
        );
        assert_eq!(line, line.trim_end(), "{what}: trailing spaces in {line:?}");
    }
}

#[test]
fn list_report_history_and_show_fit_70_80_and_100_columns() {
    let env = env_with_long_sources();
    for cols in [70u16, 80, 100] {
        for args in [
            vec!["list"],
            vec!["report"],
            vec!["history"],
            vec!["history", "equipment-renewal"],
            vec!["--numbers", "chinese", "list"],
            vec!["show", "equipment-renewal"],
        ] {
            let (code, screen) = env.in_terminal(Some(&env.ledger()), &args, cols);
            assert_eq!(code, 0, "{args:?}: {screen}");
            assert_fits(&screen, cols as usize, &format!("{args:?}"));
            if !args.contains(&"history") && !args.contains(&"show") {
                // Every status is on its target's line.
                assert!(
                    screen
                        .lines()
                        .any(|l| l.starts_with("equipment-renewal ") && l.contains("on-track")),
                    "{args:?} at {cols}:\n{screen}"
                );
            }
        }
    }
}

#[test]
fn staleness_and_the_figures_date_are_in_words() {
    let env = env_with_long_sources();
    // Synthetic yearly figures to 2023 for an open-ended pledge: the 2024
    // figure was due by 2025-03-01, so by the test clock they are stale.
    for (value, period) in [("10%", "2022"), ("11%", "2023")] {
        env.tracker(&[
            "record",
            "sei-added-value-share",
            value,
            "--period",
            period,
            "--source",
            "synthetic test figure",
        ])
        .assert()
        .success();
    }
    for args in [vec!["list"], vec!["report"]] {
        let (_, screen) = env.in_terminal(Some(&env.ledger()), &args, 80);
        let line = screen
            .lines()
            .find(|l| l.starts_with("sei-added-value-share"))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(line.contains("2023-12-31, stale"), "{line}");
        assert!(screen.contains("FIGURES TO"), "{screen}");
    }
    let (_, page) = env.in_terminal(Some(&env.ledger()), &["show", "sei-added-value-share"], 80);
    assert!(page.contains("figures to 2023-12-31, stale"), "{page}");
    let (_, page) = env.in_terminal(Some(&env.ledger()), &["show", "equipment-renewal"], 80);
    assert!(page.contains("figures to 2025-06-30"), "{page}");
    assert!(!page.contains(", stale"), "{page}");
}

#[test]
fn history_prints_numbers_as_show_does() {
    let env = env_with_long_sources();
    let (_, western) = env.in_terminal(Some(&env.ledger()), &["history", "equipment-renewal"], 100);
    assert!(western.contains(">800 bn"), "{western}");
    assert!(!western.contains("800000000000"), "{western}");
    let (_, chinese) = env.in_terminal(
        Some(&env.ledger()),
        &["--numbers", "chinese", "history", "equipment-renewal"],
        100,
    );
    assert!(chinese.contains(">8000亿"), "{chinese}");
    // Machines still get the plain number.
    let csv = env.stdout(&["history", "equipment-renewal", "--format", "csv"]);
    assert!(csv.contains("800000000000"), "{csv}");
}
