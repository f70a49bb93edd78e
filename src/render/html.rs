//! HTML: one self-contained page to publish the tracker (`report --format
//! html`, `-o status.html`).
//!
//! Why it looks the way it does:
//! * **Self-contained.** CSS is inline and charts are inline SVG from
//!   [`crate::chart`]; no script, font, style sheet or image is fetched, so
//!   the page works from disk, offline, in a mail attachment and in an
//!   archive years later.
//! * **Cannot be injected.** The page is built with `maud`, which escapes
//!   every interpolated string; the only unescaped inserts are the CSS
//!   constant and the chart SVG (whose text plotters escapes). Links are
//!   written only for `http://` and `https://` URLs, anything else shows as
//!   text.
//! * **Reproducible.** Nothing of the run (time, host, user) is written:
//!   the same ledger, `--as-of` and `--known-at` give the same bytes, so a
//!   published page changes only when the data does.
//! * **For people.** Headings, a captioned table with header cells, status
//!   as a badge with its word (never colour alone), text colours with at
//!   least 4.5:1 contrast, a print style sheet, and a layout that reflows on
//!   a phone.

use crate::aggregate::{Aggregate, aggregate, progress_of};
use crate::chart::{ChartData, render_svg};
use crate::domain::entry::timestamp;
use crate::error::{CliError, CliResult, ErrorKind};
use crate::model::{Action, Entry, Kind, Observation, Qualifier, Quantity, Status};
use crate::numfmt::{NumberStyle, human};
use crate::period::format_period;
use crate::report::ReportRow;
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::{BTreeMap, HashMap};

/// One target of the page: its report row, and what its section shows.
#[derive(Debug, Clone)]
pub struct PageTarget {
    pub row: ReportRow,
    /// Current observations as known at `--known-at` (for the chart).
    pub observations: Vec<Observation>,
    /// The target's trail as known at `--known-at`, oldest first.
    pub entries: Vec<Entry>,
}

/// Everything the page shows; [`render`] only lays it out.
#[derive(Debug, Clone)]
pub struct Page {
    pub targets: Vec<PageTarget>,
    pub as_of: chrono::NaiveDate,
    /// `--known-at`; `None`: everything.
    pub known_at: Option<DateTime<Utc>>,
    pub numbers: NumberStyle,
    /// Group the overview by source, with an aggregate score per group.
    pub group_by_source: bool,
}

/// The page as UTF-8 bytes.
pub fn render(page: &Page) -> CliResult<Vec<u8>> {
    let mut sections = Vec::with_capacity(page.targets.len());
    for target in &page.targets {
        sections.push(target_section(target, page.numbers)?);
    }
    let title = format!("Pledge tracker: status as of {}", page.as_of);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (title) }
                    (header_facts(page))
                }
                main {
                    (summary(page))
                    @if page.group_by_source {
                        @for (source, targets) in by_source(&page.targets) {
                            (group_overview(source, &targets, page.numbers))
                        }
                    } @else {
                        section aria-labelledby="overview" {
                            h2 id="overview" { "All targets" }
                            (overview_table(&page.targets.iter().collect::<Vec<_>>(), page.numbers, "Every target with its status, progress and latest figure"))
                        }
                    }
                    @for section in sections { (section) }
                }
                footer {
                    p {
                        "Made by tracker. Statuses follow the published method (docs/methodology.md in the tracker sources): "
                        "the linear path for totals over a window, the Open SDG growth ratio for levels and trends."
                    }
                }
            }
        }
    };
    Ok(markup.into_string().into_bytes())
}

/// Sources, as-of and known-at.
fn header_facts(page: &Page) -> Markup {
    let mut sources: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for t in &page.targets {
        let p = &t.row.def.provenance;
        let url = p.source_url.as_deref();
        let slot = sources.entry(p.source_title.as_str()).or_insert(url);
        if slot.is_none() {
            *slot = url;
        }
    }
    html! {
        dl.facts {
            dt { "Status as of" }
            dd { time datetime=(page.as_of) { (page.as_of) } " (figures dated after this day are not used)" }
            dt { "Ledger as known at" }
            dd {
                @match &page.known_at {
                    Some(at) => { @let at = timestamp(*at); time datetime=(at) { (at) } " (entries recorded later are not shown)" }
                    None => { "every entry recorded when this page was made" }
                }
            }
            dt { "Targets" }
            dd { (page.targets.len()) }
        }
        @if !sources.is_empty() {
            h2 { "Sources" }
            ul.sources {
                @for (title, url) in &sources {
                    li { (link(title, *url)) }
                }
            }
        }
    }
}

/// Counts per status, every status listed (zero included) so pages compare.
fn summary(page: &Page) -> Markup {
    let mut counts: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
    for t in &page.targets {
        *counts.entry(t.row.status()).or_default() += 1;
    }
    html! {
        section aria-labelledby="summary" {
            h2 id="summary" { "Targets per status" }
            table.counts {
                caption { "How many targets have each status" }
                thead { tr { th scope="col" { "Status" } th scope="col" class="num" { "Targets" } } }
                tbody {
                    @for (status, n) in &counts {
                        tr { td { (badge(*status)) } td class="num" { (n) } }
                    }
                }
            }
        }
    }
}

/// Targets grouped by source title, groups in title order.
fn by_source(targets: &[PageTarget]) -> BTreeMap<&str, Vec<&PageTarget>> {
    let mut groups: BTreeMap<&str, Vec<&PageTarget>> = BTreeMap::new();
    for t in targets {
        groups
            .entry(t.row.def.provenance.source_title.as_str())
            .or_default()
            .push(t);
    }
    groups
}

fn group_overview(source: &str, targets: &[&PageTarget], numbers: NumberStyle) -> Markup {
    let progress: Vec<_> = targets.iter().map(|t| progress_of(&t.row)).collect();
    let result = aggregate(&progress);
    html! {
        section.group {
            h2 { "Source: " (source) }
            p.aggregate { (aggregate_text(result, targets.len())) }
            (overview_table(targets, numbers, "The targets of this source"))
        }
    }
}

/// "Aggregate score +1.25 of −5..+5: progress made but acceleration needed
/// (2 of 3 targets scored)".
pub fn aggregate_text(result: Option<Aggregate>, total: usize) -> String {
    match result {
        Some(a) => format!(
            "Aggregate score {:+.2} on a scale of −5 to +5: {} ({} of {} target{} scored; Open SDG aggregated progress status).",
            a.score,
            a.band.words(),
            a.scored,
            total,
            if total == 1 { "" } else { "s" }
        ),
        None => format!(
            "No aggregate score: none of the {total} target{} has a trend to score yet.",
            if total == 1 { "" } else { "s" }
        ),
    }
}

fn overview_table(targets: &[&PageTarget], numbers: NumberStyle, caption: &str) -> Markup {
    if targets.is_empty() {
        return html! { p.none { "No target matches this selection." } };
    }
    html! {
        div.scroll {
            table.overview {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { "Target" }
                        th scope="col" { "Status" }
                        th scope="col" { "Progress" }
                        th scope="col" { "Latest figure" }
                        th scope="col" { "Goal" }
                        th scope="col" { "Up to date?" }
                    }
                }
                tbody {
                    @for t in targets {
                        @let row = &t.row;
                        tr {
                            th scope="row" {
                                a href={ "#t-" (row.def.id) } { code { (row.def.id) } }
                                br;
                                span.title { (row.def.title) }
                            }
                            td data-label="Status" { (badge(row.status())) }
                            td data-label="Progress" { (progress_bar(row)) }
                            td data-label="Latest figure" { (latest_text(row, numbers)) }
                            td data-label="Goal" { (goal_text(row, numbers)) }
                            td data-label="Up to date" { (stale_text(row)) }
                        }
                    }
                }
            }
        }
    }
}

fn badge(status: Status) -> Markup {
    html! { span class={ "badge s-" (status.as_str()) } { (status.as_str()) } }
}

/// A bar with the expected position marked, and the numbers in words.
fn progress_bar(row: &ReportRow) -> Markup {
    let a = &row.assessment;
    let Some(progress) = a.progress_pct.filter(|p| p.is_finite()) else {
        return html! { span.none { "not a total" } };
    };
    let width = progress.clamp(0.0, 100.0);
    let expected = a.expected_pct.filter(|e| e.is_finite());
    let words = match expected {
        Some(e) => format!("{progress:.0}% done, {e:.0}% expected by now"),
        None => format!("{progress:.0}% done"),
    };
    html! {
        span.bar role="img" aria-label=(words) {
            span class={ "fill s-" (row.status().as_str()) } style={ "width:" (format!("{width:.1}")) "%" } {}
            @if let Some(e) = expected {
                span.expected style={ "left:" (format!("{:.1}", e.clamp(0.0, 100.0))) "%" } {}
            }
        }
        span.barlabel { (words) }
    }
}

/// The qualifier in words before the number: "more than 800 bn CNY".
fn quantity_words(q: &Quantity, unit: &str, numbers: NumberStyle) -> String {
    let word = match q.qualifier {
        Qualifier::Exact => "",
        Qualifier::MoreThan => "more than ",
        Qualifier::AtLeast => "at least ",
        Qualifier::LessThan => "less than ",
        Qualifier::AtMost => "at most ",
        Qualifier::About => "about ",
        Qualifier::Nearly => "nearly ",
    };
    format!("{word}{}", human(q.value, unit, numbers))
}

fn latest_text(row: &ReportRow, numbers: NumberStyle) -> Markup {
    match &row.assessment.latest {
        Some(p) => {
            let what = if row.def.kind == Kind::Cumulative {
                "total to "
            } else {
                ""
            };
            html! {
                (quantity_words(&p.quantity, &row.def.unit, numbers))
                br;
                span.date { (what) time datetime=(p.date) { (p.date) } }
            }
        }
        None => html! { span.none { "no figure yet" } },
    }
}

fn goal_text(row: &ReportRow, numbers: NumberStyle) -> String {
    let value = crate::render::table::target_value_text(row, numbers);
    match row.def.deadline {
        Some(d) => format!("{value} by {d}"),
        None => value,
    }
}

fn stale_text(row: &ReportRow) -> String {
    let a = &row.assessment;
    if a.latest.is_none() {
        "no figure yet".to_string()
    } else if a.stale {
        format!("stale: no {} figure for too long", row.def.cadence.as_str())
    } else {
        "up to date".to_string()
    }
}

/// `<a>` for an http(s) URL; other schemes (javascript:, data:, file:)
/// show as text.
fn link(text: &str, url: Option<&str>) -> Markup {
    match url.filter(|u| is_web_url(u)) {
        Some(url) => html! { a href=(url) rel="noopener noreferrer" { (text) } },
        None => html! { (text) },
    }
}

/// Only `http://` and `https://` (any case) become links.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url.contains(char::is_control)
}

fn target_section(t: &PageTarget, numbers: NumberStyle) -> CliResult<Markup> {
    let row = &t.row;
    let def = &row.def;
    let p = &def.provenance;
    let chart = ChartData::new(row, &t.observations, numbers);
    let svg = render_svg(&chart).map_err(|e| CliError::new(ErrorKind::Runtime, e))?;
    let chart_label = format!(
        "Chart of {}: {} figure{} over time{}; status {} as of {}.",
        def.id,
        chart.points.len(),
        if chart.points.len() == 1 { "" } else { "s" },
        if def.target_value.is_some() {
            ", with the target line"
        } else {
            ""
        },
        row.status(),
        row.as_of
    );
    Ok(html! {
        section.target id={ "t-" (def.id) } aria-labelledby={ "h-" (def.id) } {
            h2 id={ "h-" (def.id) } { code { (def.id) } " — " (def.title) }
            p.status {
                (badge(row.status()))
                " as of " (row.as_of) ". "
                (row.assessment.explanation)
            }
            blockquote {
                p { "“" (p.quote.trim()) "”" }
                footer {
                    "— " (p.speaker) ", " (p.speaker_role) ", "
                    time datetime=(p.statement_date) { (p.statement_date) }
                    ". Source: " cite { (link(&p.source_title, p.source_url.as_deref())) }
                }
            }
            dl.facts {
                dt { "Goal" } dd { (goal_text(row, numbers)) }
                dt { "Metric" } dd { (def.metric) }
                dt { "How we read it" } dd { (def.interpretation) }
                dt { "Latest figure" } dd { (latest_text(row, numbers)) }
                dt { "Up to date?" } dd { (stale_text(row)) }
            }
            figure.chart {
                div role="img" aria-label=(chart_label) { (PreEscaped(svg)) }
                figcaption { (chart_label) }
            }
            (history(&t.entries, &def.unit, numbers))
        }
    })
}

/// The observation trail with sources, links, corrections and retractions.
fn history(entries: &[Entry], unit: &str, numbers: NumberStyle) -> Markup {
    if entries.is_empty() {
        return html! { p.none { "No observations recorded yet." } };
    }
    let replaced_by: HashMap<i64, &Entry> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|old| (old, e)))
        .collect();
    html! {
        div.scroll {
            table.history {
                caption { "Observation history, oldest first" }
                thead {
                    tr {
                        th scope="col" class="num" { "#" }
                        th scope="col" { "Period" }
                        th scope="col" { "Value" }
                        th scope="col" { "Source" }
                        th scope="col" { "Recorded" }
                        th scope="col" { "State" }
                    }
                }
                tbody {
                    @for e in entries {
                        tr {
                            td class="num" { (e.id) }
                            td { (e.period.map(|p| format_period(&p)).unwrap_or_default()) }
                            td { (e.quantity.map(|q| quantity_words(&q, unit, numbers)).unwrap_or_else(|| "—".into())) }
                            td {
                                (link(&e.source, e.url.as_deref()))
                                @if let Some(note) = &e.note { br; span.note { "Note: " (note) } }
                            }
                            td { (e.recorded_by) ", " time datetime=(timestamp(e.recorded_at)) { (short_time(e.recorded_at)) } }
                            td { (entry_state(e, replaced_by.get(&e.id).copied())) }
                        }
                    }
                }
            }
        }
    }
}

fn entry_state(e: &Entry, replaced_by: Option<&Entry>) -> String {
    let mut parts = Vec::new();
    match (e.action, e.supersedes) {
        (Action::Correct, Some(old)) => parts.push(format!("corrects #{old}")),
        (Action::Retract, Some(old)) => parts.push(format!("retracts #{old}")),
        _ => {}
    }
    if let Some(reason) = &e.reason {
        parts.push(format!("because: {reason}"));
    }
    match replaced_by {
        Some(n) if n.action == Action::Retract => parts.push(format!("retracted by #{}", n.id)),
        Some(n) => parts.push(format!("superseded by #{}", n.id)),
        None if e.action != Action::Retract => parts.push("current".to_string()),
        None => {}
    }
    parts.join("; ")
}

/// `2026-03-31T12:00:00.000Z` as `2026-03-31 12:00 UTC`.
fn short_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The whole style sheet. Colours: text on badge backgrounds is at least
/// 4.5:1 (WCAG AA); the bar fills are decoration next to their words.
const CSS: &str = r#"
:root{color-scheme:light;--ink:#1a1a1a;--muted:#505050;--rule:#d0d0d0;--link:#0b57a4}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--rule)}
a{color:var(--link)}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.95em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0;color:var(--muted)}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--rule)}
thead th{border-bottom:2px solid var(--ink)}
.num{text-align:right;font-variant-numeric:tabular-nums}
table.counts{width:auto}
.title,.date,.note,.none,.barlabel{color:var(--muted);font-size:.9em;font-weight:normal}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.75rem;font-weight:600;font-size:.9em;white-space:nowrap;border:1px solid currentColor}
.s-achieved,.s-on-track{background:#e6f4e7;color:#1b5e20}
.s-at-risk{background:#fff3dc;color:#6d3d00}
.s-off-track,.s-missed,.s-moving-away{background:#fde8e8;color:#a01919}
.s-insufficient-data,.s-no-data{background:#efefef;color:#424242}
.bar{position:relative;display:block;width:8rem;height:.8rem;background:#efefef;border:1px solid #8a8a8a;margin:.3rem 0}
.bar .fill{position:absolute;left:0;top:0;bottom:0;border:0;border-radius:0;padding:0}
.bar .fill.s-achieved,.bar .fill.s-on-track{background:#2e7d32}
.bar .fill.s-at-risk{background:#b26a00}
.bar .fill.s-off-track,.bar .fill.s-missed,.bar .fill.s-moving-away{background:#c62828}
.bar .fill.s-insufficient-data,.bar .fill.s-no-data{background:#757575}
.bar .expected{position:absolute;top:-.2rem;bottom:-.2rem;width:2px;background:var(--ink)}
.aggregate{font-weight:600}
blockquote{margin:1rem 0;padding:.5rem 1rem;border-left:4px solid var(--rule);background:#fafafa}
blockquote p{margin:0 0 .5rem;font-size:1.05em}
blockquote footer{color:var(--muted)}
figure.chart{margin:1rem 0}
figure.chart svg{display:block;width:100%;max-width:960px;height:auto}
figcaption{color:var(--muted);font-size:.9em}
section.target{border-top:1px solid var(--rule);margin-top:2rem}
footer{margin-top:2rem;color:var(--muted);font-size:.9em}
@media (max-width:40rem){body{padding:.5rem;font-size:15px}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}th,td{padding:.3rem}
table.overview thead{position:absolute;left:-10000px}table.overview tr{display:block;padding:.5rem 0;border-bottom:2px solid var(--rule)}table.overview th,table.overview td{display:block;border:0;padding:.1rem 0}table.overview td::before{content:attr(data-label) ": ";font-weight:600}}
@media print{body{max-width:none;padding:0;font-size:11pt}a{color:inherit}a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em;word-break:break-all}.scroll{overflow:visible}section.target,figure.chart,tr{break-inside:avoid}.badge{border:1px solid #000}.bar{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_row;

    fn page(rows: Vec<ReportRow>, entries: Vec<Entry>) -> Page {
        Page {
            targets: rows
                .into_iter()
                .map(|row| PageTarget {
                    row,
                    observations: Vec::new(),
                    entries: entries.clone(),
                })
                .collect(),
            as_of: crate::render::tests::date("2025-02-01"),
            known_at: None,
            numbers: NumberStyle::Western,
            group_by_source: false,
        }
    }

    fn entry(source: &str, url: Option<&str>) -> Entry {
        Entry {
            id: 7,
            target_id: "x-1".into(),
            action: Action::Record,
            quantity: Some(Quantity {
                value: 800_000_000_000i64.into(),
                qualifier: Qualifier::MoreThan,
            }),
            period: None,
            source: source.into(),
            url: url.map(str::to_string),
            note: None,
            recorded_by: "tester".into(),
            recorded_at: "2025-01-20T08:00:00Z".parse().unwrap(),
            supersedes: None,
            reason: None,
        }
    }

    fn text(page: &Page) -> String {
        String::from_utf8(render(page).unwrap()).unwrap()
    }

    #[test]
    fn ledger_text_is_escaped() {
        let mut row = sample_row("x-1", "<script>alert(1)</script>");
        row.def.provenance.quote = "a \"quote\" & <b>bold</b>".into();
        let out = text(&page(
            vec![row],
            vec![entry("<img src=x onerror=alert(1)>", None)],
        ));
        assert!(!out.contains("<script>alert"));
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!out.contains("<img"));
        assert!(!out.contains("<b>bold"));
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn only_web_urls_become_links() {
        let mut row = sample_row("x-1", "t");
        row.def.provenance.source_url = Some("javascript:alert(1)".into());
        row.def.provenance.source_title = "Briefing".into();
        let out = text(&page(
            vec![row],
            vec![entry(
                "Example source",
                Some("https://example.org/a?b=1&c=2"),
            )],
        ));
        assert!(!out.contains("javascript:"));
        assert!(out.contains(r#"href="https://example.org/a?b=1&amp;c=2""#));
        assert!(is_web_url("HTTPS://EXAMPLE.ORG"));
        assert!(!is_web_url("data:text/html,x"));
        assert!(!is_web_url("file:///etc/passwd"));
        assert!(!is_web_url("https://a\n.org"));
    }

    #[test]
    fn same_input_same_bytes_and_no_external_resources() {
        let p = page(vec![sample_row("x-1", "t"), sample_row("x-2", "u")], vec![]);
        let a = render(&p).unwrap();
        assert_eq!(a, render(&p).unwrap());
        let out = String::from_utf8(a).unwrap();
        assert!(out.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        for needle in ["<script", "<link", "src=", "@import", "url("] {
            assert!(!out.contains(needle), "page contains {needle}");
        }
        assert!(out.contains(r#"id="t-x-1""#) && out.contains(r#"id="t-x-2""#));
        assert!(out.contains("<svg"), "charts are inline SVG");
    }

    #[test]
    fn an_empty_selection_says_so() {
        let out = text(&page(vec![], vec![]));
        assert!(out.contains("No target matches this selection."));
        assert!(!out.contains("<table class=\"overview\""));
    }

    #[test]
    fn chinese_numbers_and_qualifier_words() {
        let mut p = page(vec![sample_row("x-1", "t")], vec![]);
        p.numbers = NumberStyle::Chinese;
        let out = text(&p);
        assert!(out.contains("more than 8000亿 CNY"), "{out}");
    }

    #[test]
    fn grouping_adds_an_aggregate_line() {
        let mut p = page(vec![sample_row("x-1", "t")], vec![]);
        p.group_by_source = true;
        let out = text(&p);
        assert!(out.contains("Source: synthetic"));
        // ratio 1.3312 ⇒ +5, on track.
        assert!(out.contains("Aggregate score +5.00"), "{out}");
        assert!(out.contains("on track (1 of 1 target scored"));
    }
}
