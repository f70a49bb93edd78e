//! `tracker correct` and `tracker retract`: change what the ledger says
//! without erasing what it said. Both append an entry that names the entry
//! it supersedes; the original stays in `history` and in `--known-at`
//! reports from before the change.

use super::open_ledger;
use super::record::{period_from_flags, validate_against};
use crate::cli::{CorrectArgs, RetractArgs};
use crate::config::Config;
use crate::domain::text;
use crate::domain::trail::{Replacement, check_changes_something};
use crate::error::{CliError, CliResult, ExitCode};
use crate::numfmt::human_quantity;
use crate::period::format_period;
use crate::storage::{Access, Correction};
use crate::value::parse_value;

pub fn correct(config: &Config, args: &CorrectArgs) -> CliResult<ExitCode> {
    let parsed = parse_value(&args.value)?;
    let period = period_from_flags(args.date.as_deref(), args.period.as_deref())?;
    let reason = text::REASON.check(&args.reason)?;
    let source = text::SOURCE.check_opt(args.source.as_deref())?;
    let url = text::URL.check_url_opt(args.url.as_deref())?;
    let note = text::NOTE.check_opt(args.note.as_deref())?;
    let by = super::recorder(config, args.by.as_deref())?;

    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let old = changeable(ledger.entry(args.observation)?)?;
    let def = ledger.target(&old.target_id, None)?;
    let effective = period
        .or(old.period)
        .ok_or_else(|| CliError::input(format!("#{} is a retraction and has no period", old.id)))?;
    validate_against(&def, &parsed, &effective, config.today())?;
    let replacement = Replacement {
        quantity: parsed.quantity,
        period,
        source: source.as_deref(),
        url: url.as_deref(),
        note: note.as_deref(),
    };
    check_changes_something(&old, &replacement).map_err(|e| CliError::input(e.message))?;
    let id = ledger.correct(
        &Correction {
            supersedes: old.id,
            quantity: parsed.quantity,
            period,
            source,
            url,
            note,
            reason,
            recorded_by: by,
        },
        config.now,
    )?;
    println!(
        "recorded #{id}: {} {} for {}, correcting #{}",
        def.id,
        human_quantity(&parsed.quantity, &def.unit, config.numbers),
        format_period(&effective),
        old.id
    );
    Ok(ExitCode::Success)
}

pub fn retract(config: &Config, args: &RetractArgs) -> CliResult<ExitCode> {
    let reason = text::REASON.check(&args.reason)?;
    let by = super::recorder(config, args.by.as_deref())?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let old = changeable(ledger.entry(args.observation)?)?;
    let id = ledger.retract(old.id, &reason, &by, config.now)?;
    println!("recorded #{id}: retracts #{} of {}", old.id, old.target_id);
    Ok(ExitCode::Success)
}

/// A retraction withdraws an observation; it has no value or period of its
/// own, so it is neither corrected nor retracted.
fn changeable(entry: crate::model::Entry) -> CliResult<crate::model::Entry> {
    if entry.action != crate::model::Action::Retract {
        return Ok(entry);
    }
    let of = entry
        .supersedes
        .map(|old| format!(" of #{old}"))
        .unwrap_or_default();
    Err(CliError::input(format!(
        "#{} is the retraction{of}, not an observation; it cannot be corrected or retracted",
        entry.id
    ))
    .with_hint(format!(
        "to restore the figure, record it again with `tracker record {} ...`",
        entry.target_id
    )))
}
