//! `tracker target import|add|amend`: define targets.
//!
//! A target file goes through the target-file parser; `add` and `amend`
//! fill a [`TargetDraft`] from their flags and build it. Both end in the
//! same rules ([`crate::domain::target::check_target`]), so a target typed
//! on the command line is held to exactly what a file or the seed is, and
//! an error names the flag (`--limit`) or the file line.

use super::open_ledger;
use crate::cli::{TargetAddArgs, TargetAmendArgs};
use crate::config::Config;
use crate::domain::RuleError;
use crate::domain::entry::{AsOf, check_observation};
use crate::domain::target::TargetDraft;
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::TargetDef;
use crate::storage::{Access, ImportSummary};
use crate::targets_file::{SeedTarget, TargetFile, parse_target_file};
use std::path::Path;

pub fn import(config: &Config, file: &Path) -> CliResult<ExitCode> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", file.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::input(format!(
            "{} is not valid UTF-8 (first bad byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let name = file.display().to_string();
    let parsed = parse_target_file(&text, &name)?;
    // Figures a file records are observations like any other: none for a
    // period that has not ended yet.
    for target in &parsed.targets {
        for (n, obs) in target.observations.iter().enumerate() {
            check_observation(
                &target.def,
                &obs.quantity,
                &obs.period,
                AsOf::Today(config.today()),
            )
            .map_err(|e| {
                CliError::input(format!(
                    "{name}: target `{}`, observation #{}, field `{}`: {e}",
                    target.def.id,
                    n + 1,
                    e.field
                ))
            })?;
        }
    }
    let summary = store(config, &parsed)?;
    report(&summary);
    Ok(ExitCode::Success)
}

pub fn add(config: &Config, args: &TargetAddArgs) -> CliResult<ExitCode> {
    let def = draft_from_flags(args).build().map_err(flag_error)?;
    let parsed = TargetFile {
        targets: vec![SeedTarget {
            def,
            observations: Vec::new(),
        }],
    };
    let summary = store(config, &parsed)?;
    report(&summary);
    Ok(ExitCode::Success)
}

/// A broken rule reported against the flag that gave the field.
fn flag_error(e: RuleError) -> CliError {
    CliError::input(format!("{}: {}", e.flag(), e.message))
}

fn store(config: &Config, parsed: &TargetFile) -> CliResult<ImportSummary> {
    let by = super::recorder(config, None)?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    Ok(ledger.import_targets(&parsed.targets, &by, config.now)?)
}

fn report(summary: &ImportSummary) {
    if summary.added.is_empty() {
        println!(
            "nothing changed: all {} target(s) already in the ledger with the same definition",
            summary.unchanged.len()
        );
    } else {
        const LISTED: usize = 10;
        let mut names = summary.added[..summary.added.len().min(LISTED)].join(", ");
        if summary.added.len() > LISTED {
            names.push_str(&format!(", and {} more", summary.added.len() - LISTED));
        }
        println!(
            "added {} target(s) ({names}) with {} observation(s); {} unchanged",
            summary.added.len(),
            summary.observations,
            summary.unchanged.len()
        );
    }
}

/// The flags of `target add` as a draft.
fn draft_from_flags(args: &TargetAddArgs) -> TargetDraft {
    TargetDraft {
        id: args.id.clone(),
        title: args.title.clone(),
        kind: args.kind.clone(),
        metric: args.metric.clone(),
        unit: args.unit.clone(),
        direction: args.direction.clone(),
        target: args.target.clone(),
        window_start: args.window_start.clone(),
        deadline: args.deadline.clone(),
        limit: args.limit.clone(),
        rate: args.rate,
        cadence: args.cadence.clone(),
        quote: args.quote.clone(),
        speaker: args.speaker.clone(),
        speaker_role: args.speaker_role.clone(),
        statement_date: args.statement_date.clone(),
        source_title: args.source_title.clone(),
        source_url: args.source_url.clone(),
        interpretation: args.interpretation.clone(),
    }
}

pub fn amend(config: &Config, args: &TargetAmendArgs) -> CliResult<ExitCode> {
    let reason = crate::domain::text::REASON.check(&args.reason)?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let current = ledger.target(&args.id, None)?;
    let mut draft = TargetDraft::from_def(&current);
    let replace = |field: &mut String, flag: &Option<String>| {
        if let Some(value) = flag {
            *field = value.clone();
        }
    };
    replace(&mut draft.title, &args.title);
    replace(&mut draft.metric, &args.metric);
    replace(&mut draft.direction, &args.direction);
    replace(&mut draft.cadence, &args.cadence);
    replace(&mut draft.interpretation, &args.interpretation);
    for (field, flag) in [
        (&mut draft.target, &args.target),
        (&mut draft.window_start, &args.window_start),
        (&mut draft.deadline, &args.deadline),
    ] {
        if flag.is_some() {
            *field = flag.clone();
        }
    }
    let amended: TargetDef = draft.build().map_err(flag_error)?;
    if amended == current {
        return Err(CliError::input(format!(
            "the amendment leaves `{}` unchanged; give at least one changed field",
            current.id
        )));
    }
    let by = super::recorder(config, None)?;
    let version = ledger.amend_target(&amended, &reason, &by, config.now)?;
    println!("amended {} (definition version {version})", amended.id);
    Ok(ExitCode::Success)
}
