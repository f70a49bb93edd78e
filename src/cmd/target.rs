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
use crate::domain::trail::{Sameness, TrailEntry, is_duplicate};
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::TargetDef;
use crate::sniff::InputKind;
use crate::storage::{Access, ImportSummary};
use crate::targets_file::{SeedObservation, SeedTarget, TargetFile, parse_target_file};
use std::path::Path;

pub fn import(config: &Config, file: &Path) -> CliResult<ExitCode> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", file.display())))?;
    for other in [InputKind::ObservationCsv, InputKind::ExportJson] {
        super::refuse_other_kind(file, &bytes, other)?;
    }
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
    let stored = store(config, &parsed)?;
    report(&stored);
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
    let stored = store(config, &parsed)?;
    report(&stored);
    Ok(ExitCode::Success)
}

/// A broken rule reported against the flag that gave the field.
fn flag_error(e: RuleError) -> CliError {
    CliError::input(format!("{}: {}", e.flag(), e.message))
}

/// What a target import did: the store's summary, and the figures the
/// file lists under targets the ledger already held that it does not
/// already record (a target file adds observations only with a new
/// target).
struct Stored {
    summary: ImportSummary,
    /// (observations, targets) left alone.
    left_alone: (usize, usize),
}

fn store(config: &Config, parsed: &TargetFile) -> CliResult<Stored> {
    let by = super::recorder(config, None)?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let summary = ledger.import_targets(&parsed.targets, &by, config.now)?;
    let mut left_alone = (0, 0);
    for seed in &parsed.targets {
        if seed.observations.is_empty() || !summary.unchanged.contains(&seed.def.id) {
            continue;
        }
        let entries = ledger.entries(Some(&seed.def.id))?;
        let known = |o: &SeedObservation| {
            let new = Sameness {
                quantity: o.quantity,
                period: o.period,
                source: &o.source,
            };
            entries.iter().any(|e| {
                let earlier = TrailEntry {
                    id: e.id,
                    action: e.action,
                    quantity: e.quantity,
                    period: e.period,
                    source: &e.source,
                    superseded: false,
                };
                is_duplicate(&new, &earlier)
            })
        };
        let new = seed.observations.iter().filter(|o| !known(o)).count();
        if new > 0 {
            left_alone = (left_alone.0 + new, left_alone.1 + 1);
        }
    }
    Ok(Stored {
        summary,
        left_alone,
    })
}

fn report(stored: &Stored) {
    let summary = &stored.summary;
    let (figures, targets) = stored.left_alone;
    if summary.added.is_empty() && figures == 0 {
        println!(
            "nothing changed: all {} target(s) already in the ledger with the same definition",
            summary.unchanged.len()
        );
        return;
    }
    if summary.added.is_empty() {
        println!(
            "no target added: all {} already in the ledger",
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
    // Saying "nothing changed" over figures the user just added to the
    // file would hide them.
    if figures > 0 {
        println!(
            "{figures} new observation(s) under {targets} target(s) already in the ledger were \
             left alone: a target file adds observations only with a new target; add later \
             figures with `tracker import FILE.csv` or `tracker record`"
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
        base_period: args.base_period.clone(),
        limit: args.limit.clone(),
        rate: args.rate,
        cadence: args.cadence.clone(),
        quote: args.quote.clone(),
        speaker: args.speaker.clone(),
        speaker_role: args.speaker_role.clone(),
        statement_date: args.statement_date.clone(),
        source_title: args.source_title.clone(),
        source_url: args.source_url.clone(),
        interpretation: args
            .interpretation
            .clone()
            .unwrap_or_else(|| crate::targets_file::NO_INTERPRETATION.to_string()),
    }
}

/// One accounting rule everywhere: as `record` and `import` refuse a period
/// straddling a cumulative target's window, an amendment may not make a
/// recorded period straddle the new window (docs/methodology.md).
fn refuse_straddling(ledger: &crate::storage::Ledger, def: &TargetDef) -> CliResult<()> {
    if def.kind != crate::model::Kind::Cumulative {
        return Ok(());
    }
    let observations = ledger.current_observations(&def.id, None)?;
    let Some(o) = observations
        .iter()
        .find(|o| crate::status::straddles_window(def, &o.period))
    else {
        return Ok(());
    };
    let window = format!(
        "{}..{}",
        def.window_start.map_or("?".into(), |d| d.to_string()),
        def.deadline.map_or("?".into(), |d| d.to_string())
    );
    Err(CliError::input(format!(
        "the amended window {window} of `{}` would cut through the recorded period {}..{} (entry #{}); amounts are never split",
        def.id, o.period.start, o.period.end, o.id
    ))
    .with_hint(format!(
        "correct entry #{} into amounts inside and outside the new window first (tracker correct {} ... --period ...), or choose window edges between periods",
        o.id, o.id
    )))
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
        (&mut draft.base_period, &args.base_period),
    ] {
        if flag.is_some() {
            *field = flag.clone();
        }
    }
    let amended: TargetDef = draft.build().map_err(flag_error)?;
    refuse_straddling(&ledger, &amended)?;
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
