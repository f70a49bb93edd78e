//! `tracker chart`: real SVG and PNG files with the target's points, the
//! status `report` gives, and clear refusals that write nothing.
//!
//! Observation values here are synthetic, not briefing data.

use crate::common::{TestEnv, col};
use predicates::prelude::*;

/// The observation colour and marker sizes of src/chart.rs: a circle of
/// radius 5 (filled: exact; open: more than / at least), a square 10 wide
/// (less than / at most) or a diamond 14 wide (about / nearly). Legend
/// markers are smaller, so they are not counted.
const OBSERVED: &str = "#1F5FA8";

/// Markers of observations in an SVG document, in drawing order, as
/// (shape, x) pairs.
fn markers(svg: &str) -> Vec<(&'static str, f64)> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let attr = |n: &roxmltree::Node, name: &str| n.attribute(name).unwrap_or("").to_string();
    let num = |n: &roxmltree::Node, name: &str| attr(n, name).parse::<f64>().unwrap_or(f64::NAN);
    let mut found = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let coloured = attr(&node, "fill") == OBSERVED || attr(&node, "stroke") == OBSERVED;
        if !coloured {
            continue;
        }
        match node.tag_name().name() {
            "circle" if num(&node, "r") == 5.0 => {
                let shape = if attr(&node, "fill") == "none" {
                    "open-circle"
                } else {
                    "circle"
                };
                found.push((shape, num(&node, "cx")));
            }
            "rect" if num(&node, "width") == 10.0 => {
                found.push(("square", num(&node, "x") + 5.0));
            }
            "polygon" => {
                let xs: Vec<f64> = attr(&node, "points")
                    .split_whitespace()
                    .filter_map(|p| p.split(',').next()?.parse().ok())
                    .collect();
                let (lo, hi) = xs
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
                if hi - lo == 14.0 {
                    found.push(("diamond", (lo + hi) / 2.0));
                }
            }
            _ => {}
        }
    }
    found
}

/// All text of the SVG, whitespace-normalised.
fn svg_text(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("XML");
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A seeded ledger with three synthetic figures for equipment-renewal:
/// exact, "more than" and "about".
fn with_three_figures() -> TestEnv {
    let env = TestEnv::seeded();
    for (value, period) in [
        ("400bn", "2024-H1"),
        (">450bn", "2024-H2"),
        ("~200bn", "2025-Q1"),
    ] {
        env.tracker(&[
            "record",
            "equipment-renewal",
            value,
            "--period",
            period,
            "--source",
            "synthetic test figure",
        ])
        .assert()
        .success();
    }
    env
}

#[test]
fn svg_is_xml_with_one_marker_per_observation() {
    let env = with_three_figures();
    env.tracker(&["chart", "equipment-renewal", "-o", "eq.svg"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote eq.svg"));
    let svg = std::fs::read_to_string(env.path("eq.svg")).unwrap();
    let found = markers(&svg);
    let shapes: Vec<&str> = found.iter().map(|(s, _)| *s).collect();
    // Cumulative: each point is the running total with the combined
    // qualifier (exact, then more than, then about).
    assert_eq!(shapes, ["circle", "open-circle", "diamond"], "{found:?}");
    let xs: Vec<f64> = found.iter().map(|(_, x)| *x).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "left to right: {xs:?}");

    let text = svg_text(&svg);
    assert!(text.contains("equipment-renewal"), "{text}");
    for label in ["400 bn", ">850 bn", "~1.05 tn", "target >3 tn CNY"] {
        assert!(text.contains(label), "missing {label}:\n{text}");
    }
    assert!(text.contains("expected linear path"), "{text}");
    assert!(text.contains("deadline 2028-12-31"), "{text}");
    assert!(text.contains("more than / at least"), "{text}");
    assert!(text.contains("about / nearly"), "{text}");
}

#[test]
fn title_status_matches_report() {
    let env = with_three_figures();
    let rows = env.report_csv(&["equipment-renewal", "--as-of", "2025-06-30"]);
    let status = rows[0][col("status")].to_string();
    env.tracker(&[
        "chart",
        "equipment-renewal",
        "-o",
        "eq.svg",
        "--as-of",
        "2025-06-30",
    ])
    .assert()
    .success();
    let text = svg_text(&std::fs::read_to_string(env.path("eq.svg")).unwrap());
    assert!(
        text.contains(&format!("{status} as of 2025-06-30")),
        "status {status} not in the title:\n{text}"
    );
}

#[test]
fn as_of_leaves_out_later_figures() {
    let env = with_three_figures();
    env.tracker(&[
        "chart",
        "equipment-renewal",
        "-o",
        "early.svg",
        "--as-of",
        "2024-12-31",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("2 points"));
    let svg = std::fs::read_to_string(env.path("early.svg")).unwrap();
    assert_eq!(markers(&svg).len(), 2);
}

#[test]
fn png_has_the_signature_and_the_size() {
    let env = with_three_figures();
    env.tracker(&["chart", "equipment-renewal", "-o", "eq.png"])
        .assert()
        .success();
    let bytes = std::fs::read(env.path("eq.png")).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut pixels).expect("PNG data");
    assert_eq!((info.width, info.height), (960, 540));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    // Something in the observation colour was drawn (markers and line).
    let blue = pixels[..info.buffer_size()]
        .chunks(3)
        .filter(|p| p == &[0x1f, 0x5f, 0xa8])
        .count();
    assert!(blue > 50, "only {blue} pixels of the observation colour");
}

#[test]
fn level_target_shows_base_and_qualifiers() {
    let env = TestEnv::seeded();
    for (value, date) in [("74%", "2023-12-31"), ("<79%", "2024-12-31")] {
        env.tracker(&[
            "record",
            "opbudget-st-share",
            value,
            "--date",
            date,
            "--source",
            "synthetic",
        ])
        .assert()
        .success();
    }
    env.tracker(&["chart", "opbudget-st-share", "-o", "share.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(env.path("share.svg")).unwrap();
    let shapes: Vec<&str> = markers(&svg).iter().map(|(s, _)| *s).collect();
    assert_eq!(shapes, ["circle", "square"]);
    let text = svg_text(&svg);
    assert!(text.contains("base 74% (2023-12-31)"), "{text}");
    assert!(text.contains("target >80%"), "{text}");
    assert!(text.contains("less than / at most"), "{text}");
}

#[test]
fn a_target_without_figures_still_draws() {
    let env = TestEnv::seeded();
    env.tracker(&["chart", "legal-entities", "-o", "le.svg"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 points"));
    let svg = std::fs::read_to_string(env.path("le.svg")).unwrap();
    assert!(markers(&svg).is_empty());
    assert!(svg_text(&svg).contains("no figures on or before 2025-06-30"));
}

#[test]
fn chinese_numbers_on_the_chart() {
    let env = with_three_figures();
    env.tracker(&[
        "--numbers",
        "chinese",
        "chart",
        "equipment-renewal",
        "-o",
        "eq.svg",
    ])
    .assert()
    .success();
    let svg = std::fs::read_to_string(env.path("eq.svg")).unwrap();
    let text = svg_text(&svg);
    assert!(text.contains(">8500亿"), "{text}");
    assert!(text.contains("target >3万亿 CNY"), "{text}");
    // Drawn in the bundled CJK font (DejaVu Sans has no 亿: empty boxes).
    assert!(
        svg.contains("font-family=\"Noto Sans SC"),
        "no CJK font named"
    );
    env.tracker(&[
        "--numbers",
        "chinese",
        "chart",
        "equipment-renewal",
        "-o",
        "eq.png",
    ])
    .assert()
    .success();
}

#[test]
fn a_chinese_title_is_drawn_in_the_cjk_font() {
    let env = TestEnv::seeded();
    env.tracker(&[
        "target",
        "add",
        "--id",
        "synthetic-cn",
        "--title",
        "合成测试目标：设备更新投资",
        "--kind",
        "level",
        "--metric",
        "synthetic",
        "--unit",
        "CNY",
        "--direction",
        "up",
        "--target",
        ">1万亿",
        "--deadline",
        "2026-12-31",
        "--quote",
        "Synthetic quote for a test.",
        "--speaker",
        "Nobody",
        "--speaker-role",
        "Test",
        "--statement-date",
        "2024-07-26",
        "--source-title",
        "Synthetic test source",
    ])
    .assert()
    .success();
    env.tracker(&["chart", "synthetic-cn", "-o", "cn.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(env.path("cn.svg")).unwrap();
    assert!(svg.contains("合成测试目标"), "title missing");
    assert!(
        svg.contains("font-family=\"Noto Sans SC"),
        "no CJK font named"
    );
    env.tracker(&["chart", "synthetic-cn", "-o", "cn.png"])
        .assert()
        .success();
}

#[test]
fn a_value_label_does_not_sit_on_the_deadline_line() {
    // A synthetic figure dated on the deadline itself: its value label
    // must go beside the vertical deadline line, not centred on it.
    let env = TestEnv::seeded();
    env.tracker(&[
        "record",
        "opbudget-st-share",
        "83%",
        "--period",
        "2024",
        "--source",
        "synthetic test figure",
    ])
    .assert()
    .success();
    env.tracker(&["chart", "opbudget-st-share", "-o", "op.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(env.path("op.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // The deadline: dashes of one vertical line in the target colour.
    let deadline_x: f64 = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#B03030"))
        .filter_map(|n| {
            let points: Vec<(f64, f64)> = n
                .attribute("points")?
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            (points.len() == 2 && points[0].0 == points[1].0).then_some(points[0].0)
        })
        .next()
        .expect("a vertical deadline line");
    let label = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("text")
                && n.attribute("fill") == Some(OBSERVED)
                && n.text().is_some_and(|t| t.trim() == "83%")
        })
        .expect("the figure's value label");
    let x: f64 = label.attribute("x").unwrap().parse().unwrap();
    match label.attribute("text-anchor") {
        Some("start") => assert!(x > deadline_x, "label starts at {x}, line at {deadline_x}"),
        Some("end") => assert!(x < deadline_x, "label ends at {x}, line at {deadline_x}"),
        other => panic!("label centred ({other:?}) at {x}; the line is at {deadline_x}"),
    }
}

#[test]
fn unknown_id_errors_without_creating_the_file() {
    let env = TestEnv::seeded();
    env.tracker(&["chart", "equipment-renewl", "-o", "x.svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown target `equipment-renewl`",
        ))
        .stderr(predicate::str::contains("did you mean `equipment-renewal`"));
    assert!(!env.path("x.svg").exists());
}

#[test]
fn bad_extension_is_a_clear_error() {
    let env = TestEnv::seeded();
    for name in ["chart.jpg", "chart"] {
        env.tracker(&["chart", "equipment-renewal", "-o", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(".svg or .png"))
            .stderr(predicate::str::contains("hint: e.g. `tracker chart ID -o"));
        assert!(!env.path(name).exists());
    }
    env.tracker(&["chart", "equipment-renewal", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".svg or .png"));
}

#[test]
fn an_existing_chart_is_replaced_whole() {
    let env = with_three_figures();
    std::fs::write(env.path("eq.svg"), "old").unwrap();
    env.tracker(&["chart", "equipment-renewal", "-o", "eq.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(env.path("eq.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    // No temporary file is left behind.
    let stray: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty());
}

/// The README's chart is what docs/img/chart-example.sh makes with this
/// build: same steps, same clock, same bytes.
#[test]
fn the_readme_chart_is_current() {
    let mut env = TestEnv::new();
    env.now = "2026-03-31T12:00:00Z".to_string();
    env.tracker(&["init"]).assert().success();
    for (value, period) in [("700bn", "2024"), (">750bn", "2025")] {
        env.tracker(&[
            "record",
            "equipment-renewal",
            value,
            "--period",
            period,
            "--source",
            "synthetic example, not a real figure",
        ])
        .assert()
        .success();
    }
    env.tracker(&["chart", "equipment-renewal", "-o", "example.svg"])
        .assert()
        .success();
    let made = std::fs::read_to_string(env.path("example.svg")).unwrap();
    let committed = include_str!("../../docs/img/equipment-renewal-synthetic.svg");
    assert!(
        made == committed,
        "docs/img/equipment-renewal-synthetic.svg is out of date: run \
         `TRACKER=\"cargo run -q --\" sh docs/img/chart-example.sh`"
    );
}
