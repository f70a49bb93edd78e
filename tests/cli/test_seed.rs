//! The seed against its source: every quote in
//! `fixtures/sasac-2024-07-26.toml` is a verbatim excerpt of the briefing's
//! text, and every figure the briefing states as reached covers its
//! target's deadline, so the seeded ledger says `achieved` for each.
//!
//! The briefing lives outside the repository, in `shared/briefing/` beside
//! the clone (or beside one of its parent folders). Without it the quote
//! test cannot run: it says so and passes on a developer's machine, and
//! fails under CI (`CI=true`), where the file is always provided.

use crate::common::{TestEnv, col};
use std::path::PathBuf;
use tracker::seed::{SEED, SEED_NAME};
use tracker::targets_file::parse_target_file;

const BRIEFING: &str = "shared/briefing/sasac-press-conference-2024-07-26.txt";

/// `shared/briefing/...` beside the repository or one of its parents.
fn briefing_path() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join(BRIEFING))
        .find(|p| p.is_file())
}

/// Runs of whitespace as one space: a quote may be wrapped across lines in
/// the target file, the briefing across lines in its text.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_seed_quote_is_verbatim_from_the_briefing() {
    let Some(path) = briefing_path() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{BRIEFING} not found beside the clone: CI must provide it"
        );
        eprintln!("skipped: {BRIEFING} not found beside the repository");
        return;
    };
    let briefing = squeeze(&std::fs::read_to_string(&path).expect("briefing text"));
    let seed = parse_target_file(SEED, SEED_NAME).expect("seed parses");
    let missing: Vec<String> = seed
        .targets
        .iter()
        .filter(|t| !briefing.contains(&squeeze(&t.def.provenance.quote)))
        .map(|t| format!("{}: {}", t.def.id, t.def.provenance.quote))
        .collect();
    assert!(
        missing.is_empty(),
        "quotes not found verbatim in {}:\n{}",
        path.display(),
        missing.join("\n")
    );
}

#[test]
fn stated_figures_cover_their_deadlines() {
    let mut env = TestEnv::seeded();
    env.now = "2026-11-29T12:00:00Z".into();
    let seed = parse_target_file(SEED, SEED_NAME).expect("seed parses");
    let stated: Vec<&str> = seed
        .targets
        .iter()
        .filter(|t| !t.observations.is_empty() && t.def.kind == tracker::model::Kind::Level)
        .map(|t| t.def.id.as_str())
        .collect();
    assert!(stated.len() >= 9, "{stated:?}");
    let rows = env.report_csv(&["--as-of", "2026-11-29"]);
    for id in stated {
        let row = rows.iter().find(|r| &r[0] == id).expect("row");
        assert_eq!(&row[col("status")], "achieved", "{id}: {row:?}");
        assert!(
            row[col("explanation")].contains("covers it and meets"),
            "{id}: {}",
            &row[col("explanation")]
        );
    }
}
