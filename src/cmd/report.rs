//! `tracker report`: the status of every target, for people and for cron.

use super::{open_ledger, table_style};
use crate::cli::{Format, GroupBy, ReportArgs, ReportFormat};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::render::html::{Page, PageTarget};
use crate::render::{TableStyle, report_format_from_extension, safe};
use crate::report::{ReportRow, Selection, build_rows, parse_statuses};
use crate::storage::{Access, Ledger, timestamp};
use chrono::{DateTime, NaiveTime, Utc};

pub fn run(config: &Config, args: &ReportArgs) -> CliResult<ExitCode> {
    let format = choose_format(config, args)?;
    if args.group_by.is_some() && format != ReportFormat::Html {
        return Err(CliError::input("--group-by applies to the HTML page only")
            .with_hint("add --format html, or write to a .html file with -o"));
    }
    let selection = Selection {
        ids: args.ids.clone(),
        statuses: parse_statuses("--status", &args.status)?,
        kind: None,
    };
    let fail_on = parse_statuses("--fail-on", &args.fail_on)?;
    let as_of = config.as_of(args.as_of.as_deref())?;
    let known_at = args.known_at.as_deref().map(parse_known_at).transpose()?;
    let ledger = open_ledger(config, Access::ReadOnly)?;
    if let (Some(time), Some(flag)) = (known_at, &args.known_at) {
        // A target defined later is not a typo: say when it was not there.
        let time_text = timestamp(time);
        for id in &args.ids {
            if ledger.target(id, None).is_ok() && ledger.target(id, Some(time)).is_err() {
                return Err(CliError::input(format!(
                    "target `{id}` was not defined yet at {time_text} (--known-at {flag})"
                ))
                .with_hint(
                    "pick a later --known-at; `tracker export` shows when each definition \
                     was recorded (recorded_at)",
                ));
            }
        }
    }
    let rows = build_rows(&ledger, &selection, as_of, known_at)?;
    if let (Some(time), true) = (known_at, rows.is_empty() && args.status.is_empty()) {
        // A header-only report is correct but looks like a broken cron job.
        eprintln!(
            "tracker: the ledger knew nothing at {} (--known-at {}): \
             no target was defined yet",
            timestamp(time),
            args.known_at.as_deref().unwrap_or_default()
        );
    }

    // Tables go to a file without colour; to a terminal as configured.
    let style = match &args.output {
        Some(path) if path.as_os_str() != "-" => TableStyle::plain(),
        _ => table_style(config),
    };
    let bytes = match format {
        ReportFormat::Html => {
            let page = html_page(config, args, &ledger, &rows, (as_of, known_at))?;
            crate::render::html::render(&page)?
        }
        ReportFormat::Table => crate::render::render(Format::Table, &rows, &style)?,
        ReportFormat::Csv => crate::render::render(Format::Csv, &rows, &style)?,
        ReportFormat::Json => crate::render::render(Format::Json, &rows, &style)?,
        ReportFormat::Markdown => crate::render::render(Format::Markdown, &rows, &style)?,
    };
    match &args.output {
        Some(path) => crate::output::to_file(path, &bytes, Some(&config.ledger.path))?,
        None => crate::output::to_stdout(&bytes)?,
    }

    let alerts: Vec<&str> = rows
        .iter()
        .filter(|row| fail_on.contains(&row.status()))
        .map(|row| row.def.id.as_str())
        .collect();
    if alerts.is_empty() {
        Ok(ExitCode::Success)
    } else {
        eprintln!(
            "tracker: {} target(s) matched --fail-on: {}",
            alerts.len(),
            alerts.join(", ")
        );
        Ok(ExitCode::StatusAlert)
    }
}

/// The HTML page: the rows plus each target's chart data and trail, as
/// known at `--known-at`.
fn html_page(
    config: &Config,
    args: &ReportArgs,
    ledger: &Ledger,
    rows: &[ReportRow],
    (as_of, known_at): (chrono::NaiveDate, Option<DateTime<Utc>>),
) -> CliResult<Page> {
    let mut targets = Vec::with_capacity(rows.len());
    for row in rows {
        let id = &row.def.id;
        let observations = ledger.current_observations(id, known_at)?;
        let entries: Vec<_> = ledger
            .entries(Some(id))?
            .into_iter()
            .filter(|e| known_at.is_none_or(|at| e.recorded_at <= at))
            .collect();
        // Escaping keeps markup out; control characters an older ledger
        // let in are shown as symbols, as in every human-readable format.
        targets.push(PageTarget {
            row: ReportRow {
                def: safe::def(&row.def),
                ..row.clone()
            },
            observations,
            entries: safe::entries(&entries),
        });
    }
    Ok(Page {
        targets,
        as_of,
        known_at,
        numbers: config.numbers,
        group_by_source: args.group_by == Some(GroupBy::Source),
    })
}

/// `--format`, `--csv`/`--json`, else the `-o` extension, else a table on a
/// terminal and CSV for a pipe or file.
fn choose_format(config: &Config, args: &ReportArgs) -> CliResult<ReportFormat> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    if args.csv {
        return Ok(ReportFormat::Csv);
    }
    if args.json {
        return Ok(ReportFormat::Json);
    }
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            report_format_from_extension(path).ok_or_else(|| {
                CliError::input(format!(
                    "cannot tell the format of {} from its extension",
                    path.display()
                ))
                .with_hint(
                    "use a .csv, .json, .md or .html file name, or say --format csv|json|markdown|html|table",
                )
            })
        }
        _ if config.stdout_is_terminal => Ok(ReportFormat::Table),
        _ => Ok(ReportFormat::Csv),
    }
}

/// `--known-at`: an RFC 3339 time, or a date meaning the end of that day
/// (UTC).
fn parse_known_at(text: &str) -> CliResult<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    match crate::period::parse_date(text) {
        Ok(date) => {
            let end = NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap_or(NaiveTime::MIN);
            Ok(date.and_time(end).and_utc())
        }
        Err(_) => Err(CliError::input(format!(
            "--known-at: `{text}` is neither an RFC 3339 time (2025-03-01T00:00:00Z) nor a date (2025-03-01)"
        ))),
    }
}
