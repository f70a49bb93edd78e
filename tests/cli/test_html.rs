//! `tracker report --format html`: the page to publish. Structure and
//! safety checks on the bytes, and a real render in headless Chromium
//! (screenshot and console), which CI installs (`.ci/run`).
//!
//! Observation values here are synthetic, not briefing data.

use crate::common::TestEnv;
use std::path::{Path, PathBuf};
use std::process::Command;

const XSS: &str = "<script>alert(1)</script>";

/// The seed plus synthetic figures: records, a correction, a retraction,
/// a hostile source and a `javascript:` URL.
fn ledger_with_history() -> TestEnv {
    // Seeded a month before the figures arrive, so --known-at can see the
    // ledger without them.
    let mut env = TestEnv::new();
    env.now = "2025-05-01T00:00:00Z".to_string();
    env.tracker(&["init"]).assert().success();
    env.now = crate::common::NOW.to_string();
    let record = |args: &[&str]| {
        let mut full = vec!["record"];
        full.extend_from_slice(args);
        env.tracker(&full).assert().success();
    };
    // `record` now refuses a `javascript:` URL; a ledger written by an
    // older version can still hold one, so the first figure goes in by SQL,
    // exactly as `record 400bn --period 2024` stores it.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, url, recorded_by, recorded_at)
         VALUES ('equipment-renewal', 'record', '400000000000', 'exact', '2024-01-01',
            '2024-12-31', ?1, 'javascript:alert(1)', 'tester', '2025-06-30T12:00:00.000Z')",
        [XSS],
    )
    .unwrap();
    drop(conn);
    record(&[
        "equipment-renewal",
        ">450bn",
        "--period",
        "2025-H1",
        "--source",
        "synthetic example",
        "--url",
        "https://example.org/figures?year=2025&half=1",
    ]);
    record(&[
        "opbudget-st-share",
        "78%",
        "--period",
        "2024",
        "--source",
        "synthetic example",
    ]);
    record(&[
        "sei-revenue",
        "9万亿",
        "--period",
        "2024",
        "--source",
        "synthetic example",
    ]);
    // The first figure above is #N; correct it, and retract the share.
    let entries = env.stdout(&["history", "--format", "csv"]);
    let id_of = |needle: &str| -> String {
        entries
            .lines()
            .rfind(|l| l.contains(needle))
            .and_then(|l| l.split(',').next())
            .unwrap_or_else(|| panic!("no entry with {needle} in {entries}"))
            .to_string()
    };
    let first = id_of("400000000000");
    env.tracker(&[
        "correct",
        &first,
        "420bn",
        "--reason",
        "synthetic correction",
    ])
    .assert()
    .success();
    let share = id_of("opbudget-st-share");
    env.tracker(&["retract", &share, "--reason", "synthetic retraction"])
        .assert()
        .success();
    env
}

fn page(env: &TestEnv, args: &[&str]) -> String {
    let mut full = vec!["report", "--format", "html", "--as-of", "2025-06-30"];
    full.extend_from_slice(args);
    env.stdout(&full)
}

fn target_ids(env: &TestEnv) -> Vec<String> {
    env.report_csv(&[])
        .iter()
        .map(|r| r.get(0).unwrap().to_string())
        .collect()
}

#[test]
fn every_target_has_a_row_and_a_section() {
    let env = ledger_with_history();
    let html = page(&env, &[]);
    let ids = target_ids(&env);
    assert_eq!(ids.len(), 32, "the seed's targets");
    for id in &ids {
        assert!(html.contains(&format!("href=\"#t-{id}\"")), "{id} row");
        assert!(html.contains(&format!("id=\"t-{id}\"")), "{id} section");
    }
    assert_eq!(html.matches("<section class=\"target\"").count(), ids.len());
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    // Accessible structure: one h1, captions, header cells with scope.
    assert_eq!(html.matches("<h1>").count(), 1);
    assert!(html.contains("<th scope=\"col\">"));
    assert!(html.contains("<caption>"));
    assert!(html.contains("role=\"img\" aria-label=\"Chart of equipment-renewal"));
    // The quote, speaker and source of the seed, and the synthetic history.
    assert!(html.contains("3 trillion"));
    assert!(html.contains("synthetic correction"));
    assert!(html.contains("retracted by #"));
    assert!(html.contains("more than 450 bn CNY"));
}

#[test]
fn ledger_text_is_escaped_and_only_web_links_are_links() {
    let env = ledger_with_history();
    let html = page(&env, &[]);
    assert!(!html.contains(XSS));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.contains("javascript:"),
        "a javascript: URL is never written"
    );
    assert!(html.contains("href=\"https://example.org/figures?year=2025&amp;half=1\""));
}

#[test]
fn the_page_is_self_contained() {
    let env = ledger_with_history();
    let html = page(&env, &[]).to_ascii_lowercase();
    for needle in [
        "<script", "<link", "<iframe", "<object", "<embed", "<img", " src=", "@import", "url(",
    ] {
        assert!(!html.contains(needle), "the page contains {needle}");
    }
    // The only http(s) references are links people click (and the SVG
    // namespace, a name, never fetched).
    let mut rest = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    while let Some(start) = rest.find("href=\"") {
        let end = rest[start + 6..].find('"').expect("closed href") + start + 7;
        rest.replace_range(start..end, "");
    }
    assert!(!rest.contains("http://") && !rest.contains("https://"));
}

#[test]
fn same_ledger_same_bytes_and_the_file_is_replaced_whole() {
    let env = ledger_with_history();
    let a = page(&env, &[]);
    let b = page(&env, &[]);
    assert!(a == b, "two runs differ");
    env.tracker(&["report", "--as-of", "2025-06-30", "-o", "status.html"])
        .assert()
        .success();
    let file = std::fs::read_to_string(env.path("status.html")).unwrap();
    assert!(
        file == a,
        "-o status.html writes the same page as --format html"
    );
    // A later clock changes nothing when the as-of date is fixed.
    let mut later = TestEnv::new();
    std::fs::copy(env.db(), later.db()).unwrap();
    later.now = "2027-01-01T00:00:00Z".to_string();
    assert!(page(&later, &[]) == a, "the run's time leaks into the page");
}

#[test]
fn filters_known_at_and_numbers_apply() {
    let env = ledger_with_history();
    let only = page(&env, &["equipment-renewal", "sei-revenue"]);
    assert_eq!(only.matches("<section class=\"target\"").count(), 2);
    let missed = page(&env, &["--status", "no-data"]);
    assert!(!missed.contains("id=\"t-equipment-renewal\""));
    assert!(missed.contains("id=\"t-added-value\""));
    // Known at a time before the figures: no history yet.
    let before = page(&env, &["equipment-renewal", "--known-at", "2025-06-01"]);
    assert!(before.contains("No observations recorded yet."));
    assert!(before.contains("datetime=\"2025-06-01T23:59:59.999Z\""));
    let chinese = env.stdout(&[
        "--numbers",
        "chinese",
        "report",
        "sei-revenue",
        "--format",
        "html",
        "--as-of",
        "2025-06-30",
    ]);
    assert!(chinese.contains("9万亿 CNY"), "Chinese number style");
}

#[test]
fn grouping_by_source_shows_the_aggregate_score() {
    let env = ledger_with_history();
    let html = page(&env, &["--group-by", "source"]);
    assert!(html.contains("Source: State Council Information Office"));
    assert!(html.contains("Aggregate score "));
    env.tracker(&["report", "--csv", "--group-by", "source"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("HTML page only"));
}

/// SYNTHETIC targets of one synthetic source: a direction-only pledge,
/// a cap on a total, and a direction with one figure (not scorable).
const SCORED_GROUP: &str = r#"# SYNTHETIC targets for tests; not real-world data.
format = 1

[source]
title = "Synthetic briefing (test data)"
date = 2024-07-26

[[target]]
id = "syn-direction"
title = "Synthetic direction"
kind = "direction"
metric = "Synthetic metric"
unit = "enterprises"
direction = "up"
quote = "Synthetic quote."
speaker = "A. Speaker"
speaker_role = "Synthetic role"

[[target.observation]]
value = "100"
period = "2023"

[[target.observation]]
value = "101"
period = "2024"

[[target]]
id = "syn-cap"
title = "Synthetic cap"
kind = "cumulative"
metric = "Synthetic metric"
unit = "CNY"
direction = "down"
target = "<= 100"
window_start = 2024-01-01
deadline = 2025-12-31
quote = "Synthetic quote."
speaker = "A. Speaker"
speaker_role = "Synthetic role"

[[target.observation]]
value = "40"
period = "2024"

[[target]]
id = "syn-one-figure"
title = "Synthetic single figure"
kind = "direction"
metric = "Synthetic metric"
unit = "enterprises"
direction = "up"
quote = "Synthetic quote."
speaker = "A. Speaker"
speaker_role = "Synthetic role"

[[target.observation]]
value = "7"
period = "2024"
"#;

#[test]
fn the_aggregate_scores_directions_and_caps() {
    let env = TestEnv::seeded();
    let file = env.path("group.toml");
    std::fs::write(&file, SCORED_GROUP).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success();
    let html = page(&env, &["--group-by", "source"]);
    let group = html
        .split("<h2>Source: Synthetic briefing (test data)</h2>")
        .nth(1)
        .expect("the synthetic group");
    let line = group
        .split("<p class=\"aggregate\">")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("its aggregate line");
    // Direction: 100 → 101 in a year, +1 %/yr ↦ +1.25. Cap: 40 of 100
    // used after 366 of 731 days, (366/731)/0.4 = 1.2517 ↦ +4.655. The
    // single figure has no trend. Mean of two: +2.95, on track.
    assert_eq!(
        line,
        "Aggregate score +2.95 on a scale of −5 to +5: on track (2 of 3 targets scored; \
         Open SDG aggregated progress status)."
    );
    // The same bytes again: the score is part of a reproducible page.
    assert_eq!(page(&env, &["--group-by", "source"]), html);
}

// ---------------------------------------------------------------------------
// A real browser

/// Chromium on PATH (`CHROMIUM` names another binary). In CI (`CI=true`)
/// a missing browser fails the test; elsewhere the test says it skipped.
fn chromium() -> Option<PathBuf> {
    let names: Vec<String> = match std::env::var("CHROMIUM") {
        Ok(name) if !name.is_empty() => vec![name],
        _ => ["chromium", "chromium-browser", "google-chrome"]
            .map(String::from)
            .to_vec(),
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = names.iter().find_map(|name| {
        let candidate = Path::new(name);
        if candidate.is_absolute() && candidate.is_file() {
            return Some(candidate.to_path_buf());
        }
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !in_ci,
            "CI=true but no Chromium found (tried {names:?}); .ci/run installs it with apt-get"
        );
        eprintln!("SKIPPED: no Chromium on PATH (install `chromium` to run the browser test)");
    }
    found
}

/// Headless, offline, no first-run or background chatter.
const HEADLESS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// What a headless render produced.
struct Render {
    png: Vec<u8>,
    /// Console lines and uncaught errors Chromium logged.
    console: Vec<String>,
}

fn render(browser: &Path, page: &Path, work: &Path, size: (u32, u32)) -> Render {
    let shot = work.join(format!("shot-{}x{}.png", size.0, size.1));
    let output = Command::new(browser)
        .args(HEADLESS)
        .args(["--hide-scrollbars", "--enable-logging=stderr", "--v=0"])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {stderr}");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    Render {
        png: std::fs::read(&shot).expect("a screenshot"),
        console,
    }
}

/// The DOM as Chromium parsed it (`--dump-dom`).
fn parsed_dom(browser: &Path, page: &Path, work: &Path) -> String {
    let output = Command::new(browser)
        .args(HEADLESS)
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile-dom").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(output.status.success(), "chromium --dump-dom failed");
    String::from_utf8(output.stdout).expect("UTF-8 DOM")
}

/// Width, height and how many distinct colours the PNG has, and the share
/// of pixels that are not white.
fn picture_stats(png_bytes: &[u8]) -> (u32, u32, usize, f64) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    let inked = colours.iter().filter(|c| **c != [255, 255, 255]).count();
    colours.sort_unstable();
    colours.dedup();
    (
        info.width,
        info.height,
        colours.len(),
        inked as f64 / pixels.len() as f64,
    )
}

#[test]
fn the_page_renders_in_headless_chromium() {
    let Some(browser) = chromium() else { return };
    let env = ledger_with_history();
    let file = env.path("status.html");
    env.tracker(&["report", "--as-of", "2025-06-30", "-o", "status.html"])
        .assert()
        .success();
    // As the browser parsed it: no script element, the hostile source as text.
    let dom = parsed_dom(&browser, &file, env.dir.path());
    assert!(
        !dom.contains("<script"),
        "a script element in the parsed page"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(dom.matches("<section class=\"target\"").count(), 32);
    for size in [(1280, 2000), (390, 1600)] {
        let out = render(&browser, &file, env.dir.path(), size);
        assert!(
            out.console.is_empty(),
            "console output at {size:?}: {:#?}",
            out.console
        );
        let (w, h, colours, inked) = picture_stats(&out.png);
        assert_eq!((w, h), size);
        assert!(colours > 50, "only {colours} colours: a blank page?");
        assert!(inked > 0.02, "only {inked:.3} of the pixels are not white");
    }
}

/// The console check is real: a page with a script error is caught.
#[test]
fn the_browser_check_catches_script_errors() {
    let Some(browser) = chromium() else { return };
    let env = TestEnv::new();
    let file = env.path("broken.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><html lang=\"en\"><title>t</title><p>x</p>\
         <script>throw new Error('synthetic failure')</script></html>",
    )
    .unwrap();
    let out = render(&browser, &file, env.dir.path(), (400, 300));
    assert!(
        out.console.iter().any(|l| l.contains("synthetic failure")),
        "{:?}",
        out.console
    );
}

/// The README's picture of the page is made from the HTML that
/// docs/img/html-example.sh writes; this checks that HTML is current. (The
/// PNG itself depends on the Chromium version and fonts, so it is not
/// compared; the script remakes both.)
#[test]
fn the_readme_page_is_current() {
    let mut env = TestEnv::new();
    env.now = "2026-03-31T12:00:00Z".to_string();
    env.tracker(&["init"]).assert().success();
    let synthetic = "synthetic example, not a real figure";
    for (id, value, period) in [
        ("equipment-renewal", "700bn", "2024"),
        ("equipment-renewal", ">750bn", "2025"),
        ("opbudget-st-share", "78%", "2025"),
        ("sei-revenue", "~9.5万亿", "2025"),
    ] {
        env.tracker(&[
            "record", id, value, "--period", period, "--source", synthetic,
        ])
        .env("TRACKER_USER", "example")
        .assert()
        .success();
    }
    env.tracker(&[
        "--numbers",
        "western",
        "report",
        "equipment-renewal",
        "opbudget-st-share",
        "sei-revenue",
        "--group-by",
        "source",
        "-o",
        "example.html",
    ])
    .assert()
    .success();
    let made = std::fs::read_to_string(env.path("example.html")).unwrap();
    let committed = include_str!("../../docs/img/status-page-synthetic.html");
    assert!(
        made == committed,
        "docs/img/status-page-synthetic.html is out of date: run \
         `TRACKER=\"cargo run -q --\" sh docs/img/html-example.sh` (needs chromium)"
    );
}
