//! `tracker changes --since TIME [--until TIME]`: what the ledger learned in
//! a window of knowledge time and which statuses it moved, for a nightly
//! job that mails only news.

use super::{open_ledger, table_style};
use crate::changes::{Window, collect, newly_entered};
use crate::cli::{ChangesArgs, Format};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::render::{TableStyle, format_from_extension};
use crate::report::{Selection, build_rows, parse_statuses};
use crate::storage::{Access, Ledger, timestamp};
use chrono::{DateTime, Duration, NaiveTime, SubsecRound, Utc};

pub fn run(config: &Config, args: &ChangesArgs) -> CliResult<ExitCode> {
    let format = choose_format(config, args)?;
    let fail_on = parse_statuses("--fail-on", &args.fail_on)?;
    let as_of = config.as_of(args.as_of.as_deref())?;
    let until = match &args.until {
        Some(text) => knowledge_time("--until", text, DayEdge::End)?,
        None => ledger_time(config.now),
    };
    let start = Start::parse(&args.since)?;
    let mark = mark_to_move(args.mark.as_deref(), &start)?;
    if mark.is_some() && until > ledger_time(config.now) {
        // The next `--since last` starts at the mark: a mark later than
        // now would skip what is recorded between now and then.
        return Err(CliError::input(format!(
            "--until {} is after now ({}); a mark there would make the next \
             `--since last` skip what is recorded until then",
            timestamp(until),
            timestamp(ledger_time(config.now))
        ))
        .with_hint("leave out --until to mark now, or give a time up to now"));
    }
    // Checked before anything is written, like every recorder name.
    let by = match mark {
        Some(_) => Some(super::recorder(config, args.by.as_deref())?),
        None => None,
    };
    let access = if mark.is_some() {
        Access::ReadWrite
    } else {
        Access::ReadOnly
    };
    let mut ledger = open_ledger(config, access)?;
    let since = since(&ledger, start)?;
    if let Some(since) = since.filter(|s| *s > until) {
        // Name the times as the user gave them: a date's edge (the end
        // of the day before) would read as a time they never typed.
        let since_text = match args.since.starts_with("last") {
            true => format!("{} (the mark at {})", args.since, timestamp(since)),
            false => args.since.clone(),
        };
        let until_text = args.until.clone().unwrap_or_else(|| "now".to_string());
        return Err(CliError::input(format!(
            "--since {since_text} is after --until {until_text}"
        ))
        .with_hint("give an earlier --since, or a later --until"));
    }
    let window = Window {
        since,
        until,
        as_of,
    };

    let changes = changes_in(&ledger, &window, config)?;
    let style = match &args.output {
        Some(path) if path.as_os_str() != "-" => TableStyle::plain(),
        _ => table_style(config),
    };
    let bytes = crate::render::changes::render(format, &changes, &window, &style)?;
    match &args.output {
        Some(path) => crate::output::to_file(path, &bytes, Some(&config.ledger.path))?,
        None => crate::output::to_stdout(&bytes)?,
    }
    if let (Some(name), Some(by)) = (mark, by) {
        ledger.add_mark(name.as_deref(), window.until, config.now, &by)?;
    }

    let entered = newly_entered(&changes, &fail_on);
    if !entered.is_empty() {
        eprintln!(
            "tracker: {} target(s) newly entered a --fail-on status: {}",
            entered.len(),
            entered.join(", ")
        );
        return Ok(ExitCode::StatusAlert);
    }
    if args.fail_on_change && !changes.is_empty() {
        eprintln!("tracker: {} change(s) (--fail-on-change)", changes.len());
        return Ok(ExitCode::StatusAlert);
    }
    Ok(ExitCode::Success)
}

/// Every change in the window: the two reports, and what was recorded.
fn changes_in(
    ledger: &Ledger,
    window: &Window,
    config: &Config,
) -> CliResult<Vec<crate::changes::Change>> {
    let all = Selection::default();
    let before = match window.since {
        Some(since) => build_rows(ledger, &all, window.as_of, Some(since))?,
        None => Vec::new(),
    };
    let after = build_rows(ledger, &all, window.as_of, Some(window.until))?;
    let entries = ledger.entries_between(window.since, window.until)?;
    let versions = ledger.target_versions_between(window.since, window.until)?;
    Ok(collect(
        &before,
        &after,
        &entries,
        &versions,
        config.numbers,
    ))
}

/// A time at the ledger clock's precision (the millisecond, truncated, as
/// `recorded_at` is kept), so that the window's edges are times the ledger
/// can hold and compare exactly.
fn ledger_time(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(3)
}

/// What `--since` says: a mark to start at, or a time.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Start {
    /// `last` (`None`: the unnamed mark) or `last:NAME`.
    Mark(Option<String>),
    /// An RFC 3339 time or a date.
    Time(String),
}

impl Start {
    fn parse(text: &str) -> CliResult<Start> {
        let text = text.trim();
        if text == "last" {
            return Ok(Start::Mark(None));
        }
        match text.strip_prefix("last:") {
            Some(name) => Ok(Start::Mark(Some(mark_name("--since last:", name)?))),
            None => Ok(Start::Time(text.to_string())),
        }
    }
}

/// A mark's name follows the target-id grammar (`nightly`, `weekly-digest`).
fn mark_name(flag: &str, name: &str) -> CliResult<String> {
    crate::domain::target::check_id(name).map_err(|_| {
        CliError::input(format!(
            "{flag}`{}` is not a mark name; expected lower-case letters and digits in groups \
             joined by single `-`, at most 64 characters, e.g. `nightly`",
            name.escape_debug()
        ))
    })?;
    Ok(name.to_string())
}

/// The mark a `--mark` run moves (`Some(None)`: the unnamed one), or
/// `None` without `--mark`. A bare `--mark` moves the mark `--since` read.
/// Reading one mark and moving another is refused: a misspelt name would
/// otherwise start a new mark while the job keeps reading the old one.
fn mark_to_move(flag: Option<&str>, start: &Start) -> CliResult<Option<Option<String>>> {
    let read = match start {
        Start::Mark(name) => Some(name.clone()),
        Start::Time(_) => None,
    };
    let moved = match flag {
        None => return Ok(None),
        Some("") => read.clone().flatten(),
        Some(name) => Some(mark_name("--mark ", name)?),
    };
    match read {
        Some(read) if read != moved => Err(CliError::input(format!(
            "{} reads one mark but {} would move another",
            since_words(read.as_deref()),
            mark_words(moved.as_deref())
        ))
        .with_hint(
            "name the same mark in both (`--since last:nightly --mark nightly`, or a bare \
             --mark); to start a new mark, run it once with --since TIME --mark NAME",
        )),
        _ => Ok(Some(moved)),
    }
}

fn since_words(name: Option<&str>) -> String {
    name.map_or_else(
        || "--since last".to_string(),
        |n| format!("--since last:{n}"),
    )
}

fn mark_words(name: Option<&str>) -> String {
    name.map_or_else(|| "--mark".to_string(), |n| format!("--mark {n}"))
}

/// `--since`: a mark (its latest `until`; none yet: the beginning), else a
/// time.
fn since(ledger: &Ledger, start: Start) -> CliResult<Option<DateTime<Utc>>> {
    let name = match start {
        Start::Time(text) => return knowledge_time("--since", &text, DayEdge::Start).map(Some),
        Start::Mark(name) => name,
    };
    let mark = ledger.latest_mark(name.as_deref())?;
    if mark.is_none() {
        eprintln!(
            "tracker: no earlier `changes {}` run; showing everything since the ledger's beginning",
            mark_words(name.as_deref())
        );
    }
    Ok(mark)
}

/// Which edge of a day a bare date means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayEdge {
    /// `--since 2025-06-01`: entries from 00:00 UTC that day on, i.e. the
    /// window starts after the previous day's last millisecond.
    Start,
    /// `--until 2025-06-30`: up to the day's last millisecond.
    End,
}

/// An RFC 3339 time or a date, at the ledger clock's precision.
fn knowledge_time(flag: &str, text: &str, edge: DayEdge) -> CliResult<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(ledger_time(time.with_timezone(&Utc)));
    }
    let date = crate::period::parse_date(text.trim()).map_err(|_| {
        CliError::input(format!(
            "{flag}: `{text}` is neither an RFC 3339 time (2025-06-01T08:00:00Z) nor a date (2025-06-01)"
        ))
        .with_hint(if flag == "--since" {
            "`--since last` starts where the previous `changes --mark` run ended"
        } else {
            "leave --until out to mean now"
        })
    })?;
    let last_milli = NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap_or(NaiveTime::MIN);
    let end_of_day = date.and_time(last_milli).and_utc();
    Ok(match edge {
        DayEdge::End => end_of_day,
        DayEdge::Start => end_of_day - Duration::days(1),
    })
}

/// `--format`, else the `-o` extension, else a table on a terminal and CSV
/// for a pipe or file.
fn choose_format(config: &Config, args: &ChangesArgs) -> CliResult<Format> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    match &args.output {
        Some(path) if path.as_os_str() != "-" => format_from_extension(path).ok_or_else(|| {
            CliError::input(format!(
                "cannot tell the format of {} from its extension",
                path.display()
            ))
            .with_hint(
                "use a .csv, .json or .md file name, or say --format csv|json|markdown|table",
            )
        }),
        _ if config.stdout_is_terminal => Ok(Format::Table),
        _ => Ok(Format::Csv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_mean_the_start_or_the_end_of_the_day() {
        assert_eq!(
            timestamp(knowledge_time("--since", "2025-06-01", DayEdge::Start).unwrap()),
            "2025-05-31T23:59:59.999Z"
        );
        assert_eq!(
            timestamp(knowledge_time("--until", "2025-06-30", DayEdge::End).unwrap()),
            "2025-06-30T23:59:59.999Z"
        );
        assert_eq!(
            timestamp(
                knowledge_time("--since", "2025-06-01T10:00:00+02:00", DayEdge::Start).unwrap()
            ),
            "2025-06-01T08:00:00.000Z"
        );
        let err = knowledge_time("--since", "yesterday", DayEdge::Start)
            .unwrap_err()
            .render();
        assert!(err.contains("--since: `yesterday` is neither"), "{err}");
    }
}
