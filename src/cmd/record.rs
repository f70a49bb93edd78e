//! `tracker record`: append one observation, with its source.
//!
//! Everything is validated before the ledger is touched: the value grammar,
//! the unit, the sign, the period against today and against a cumulative
//! target's window, and every text field. A rejected record writes nothing.

use super::{open_ledger, table_style};
use crate::cli::RecordArgs;
use crate::config::Config;
use crate::domain::entry::{AsOf, check_observation};
use crate::domain::text;
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::{Period, TargetDef};
use crate::numfmt::human_quantity;
use crate::period::{format_period, parse_date, parse_period};
use crate::report::{ReportRow, Selection, build_rows};
use crate::storage::{Access, NewObservation};
use crate::value::{ParsedValue, check_unit, parse_value};
use chrono::{Datelike, NaiveDate};

pub fn run(config: &Config, args: &RecordArgs) -> CliResult<ExitCode> {
    let parsed = parse_value(&args.value)?;
    let period = period_from_flags(args.date.as_deref(), args.period.as_deref())?
        .ok_or_else(|| CliError::input("give --date YYYY-MM-DD or --period PERIOD"))?;
    let source = text::SOURCE.check(&args.source)?;
    let url = text::URL.check_url_opt(args.url.as_deref())?;
    let note = text::NOTE.check_opt(args.note.as_deref())?;
    let by = super::recorder(config, args.by.as_deref())?;

    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let def = ledger.target(&args.id, None)?;
    validate_against(&def, &parsed, &period, config.today())?;

    let new = NewObservation {
        target_id: def.id.clone(),
        quantity: parsed.quantity,
        period,
        source,
        url,
        note,
        recorded_by: by,
    };
    let id = ledger.record(&new, config.now)?;
    println!(
        "recorded #{id}: {} {} for {}",
        def.id,
        human_quantity(&parsed.quantity, &def.unit, config.numbers),
        format_period(&period)
    );
    let selection = Selection {
        ids: vec![def.id.clone()],
        ..Selection::default()
    };
    let rows: Vec<ReportRow> = build_rows(&ledger, &selection, config.today(), None)?;
    let bytes = crate::render::render(crate::cli::Format::Table, &rows, &table_style(config))?;
    crate::output::to_stdout(&bytes)?;
    Ok(ExitCode::Success)
}

/// The period named by `--date` (one day) or `--period`, if either is given.
pub(crate) fn period_from_flags(
    date: Option<&str>,
    period: Option<&str>,
) -> CliResult<Option<Period>> {
    match (date, period) {
        (Some(date), _) => {
            let day = parse_date(date).map_err(|e| CliError::from(e).context("--date"))?;
            Ok(Some(Period {
                start: day,
                end: day,
            }))
        }
        (None, Some(period)) => parse_period(period)
            .map(Some)
            .map_err(|e| CliError::from(e).context("--period")),
        (None, None) => Ok(None),
    }
}

/// The checks that need the target's definition: the unit as typed, then
/// the ledger's rules for amounts and periods ([`crate::domain::entry`]).
pub(crate) fn validate_against(
    def: &TargetDef,
    parsed: &ParsedValue,
    period: &Period,
    today: NaiveDate,
) -> CliResult<()> {
    check_unit(parsed, &def.unit)?;
    check_observation(def, &parsed.quantity, period, AsOf::Today(today)).map_err(|e| {
        let future = e.field == "period" && period.end > today;
        let err = CliError::input(e.message);
        if future {
            err.with_hint(format!(
                "for a figure so far this year, use a range ending today or earlier, \
                 e.g. --period {}-01-01..{today}",
                today.year()
            ))
        } else {
            err
        }
    })
}
