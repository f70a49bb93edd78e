use crate::common::{TestEnv, col};
use predicates::prelude::*;

/// Ids the briefing's seed must hold.
const REQUIRED: [&str; 12] = [
    "equipment-renewal",
    "opbudget-st-share",
    "equity-incentive-talents",
    "reorganised-groups",
    "reorganised-enterprises",
    "new-central-enterprises",
    "sei-investment-growth",
    "sei-revenue",
    "computing-power-growth",
    "wanka-clusters",
    "ai-scenarios",
    "large-model-scale",
];

#[test]
fn list_holds_every_briefing_target_sorted() {
    let env = TestEnv::seeded();
    let out = env.stdout(&["list", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    for id in REQUIRED {
        assert!(ids.iter().any(|i| i == id), "missing {id}");
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    // Direction-only pledges are on the checklist too.
    let kinds: Vec<String> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap()[col("kind")].to_string())
        .collect();
    assert!(kinds.iter().filter(|k| *k == "direction").count() >= 3);
}

#[test]
fn list_filters_by_kind_and_status() {
    let env = TestEnv::seeded();
    let out = env.stdout(&["list", "--kind", "cumulative", "--format", "csv"]);
    let rows: Vec<_> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| &r[col("kind")] == "cumulative"));

    let out = env.stdout(&["list", "--status", "achieved", "--format", "csv"]);
    let rows: Vec<_> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert!(rows.iter().any(|r| &r[0] == "reorganised-groups"));
    assert!(rows.iter().all(|r| &r[col("status")] == "achieved"));
}

#[test]
fn list_table_fits_100_columns_without_colour_when_piped() {
    let env = TestEnv::seeded();
    let out = env.stdout(&["list"]);
    assert!(out.contains("equipment-renewal"));
    assert!(!out.contains('\u{1b}'), "colour on a pipe");
    for line in out.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

#[test]
fn list_rejects_unknown_kind_and_status() {
    let env = TestEnv::seeded();
    env.tracker(&["list", "--kind", "cumul"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected one of: cumulative, level, direction",
        ));
    env.tracker(&["list", "--status", "great"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("on-track"));
}

#[test]
fn show_prints_definition_quote_and_source() {
    let env = TestEnv::seeded();
    let out = env.stdout(&["show", "equipment-renewal"]);
    assert!(out.contains("equipment-renewal"));
    // Paragraphs are wrapped to the terminal; compare words.
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        out.contains("more than 3 trillion yuan"),
        "quote missing:\n{out}"
    );
    assert!(out.contains("Liu Shaowei"));
    assert!(out.contains("2024-01-01..2028-12-31"));
    assert!(out.contains("How we read it"));
}

#[test]
fn show_unknown_id_suggests_the_nearest() {
    let env = TestEnv::seeded();
    env.tracker(&["show", "equipment-renewl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown target `equipment-renewl`",
        ))
        .stderr(predicate::str::contains("did you mean `equipment-renewal`"));
}
