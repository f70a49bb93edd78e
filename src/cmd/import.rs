//! `tracker import FILE`: observations from a CSV, or a whole ledger from
//! a JSON export. All or nothing: every row is checked first, every problem
//! is reported with its line, and a single bad row means nothing is
//! written.

use super::open_ledger;
use super::record::validate_against;
use crate::cli::ImportArgs;
use crate::config::{Config, recorder};
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::{Entry, TargetDef};
use crate::storage::{Access, NewObservation, StorageError, TargetVersion};
use crate::transfer::{EXPORT_KIND, ExportDoc, LineError, parse_observation_csv};
use std::collections::HashMap;

/// How many problems are listed before "and N more".
const MAX_LISTED: usize = 50;

pub fn run(config: &Config, args: &ImportArgs) -> CliResult<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", args.file.display())))?;
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json {
        restore(config, args, &bytes)
    } else {
        import_csv(config, args, &bytes)
    }
}

fn import_csv(config: &Config, args: &ImportArgs, bytes: &[u8]) -> CliResult<ExitCode> {
    let file = args.file.display().to_string();
    let rows = parse_observation_csv(bytes).map_err(|errors| line_errors(&file, errors))?;
    let default_by = recorder(args.by.as_deref());
    let mut ledger = open_ledger(config, Access::ReadWrite)?;

    let mut defs: HashMap<String, Option<TargetDef>> = HashMap::new();
    let mut errors = Vec::new();
    let mut new = Vec::with_capacity(rows.len());
    for row in &rows {
        let def = match defs.get(&row.target_id) {
            Some(def) => def.clone(),
            None => {
                let def = match ledger.target(&row.target_id, None) {
                    Ok(def) => Some(def),
                    Err(StorageError::UnknownTarget { .. }) => None,
                    Err(e) => return Err(e.into()),
                };
                defs.insert(row.target_id.clone(), def.clone());
                def
            }
        };
        let Some(def) = def else {
            errors.push(LineError {
                line: row.line,
                message: format!("unknown target `{}`", row.target_id),
            });
            continue;
        };
        if let Err(e) = validate_against(
            &def,
            &row.value,
            &row.period,
            config.today(),
            &row.raw_value,
        ) {
            errors.push(LineError {
                line: row.line,
                message: e.error.to_string(),
            });
            continue;
        }
        new.push(NewObservation {
            target_id: def.id.clone(),
            quantity: row.value.quantity,
            period: row.period,
            source: row.source.clone(),
            url: row.url.clone(),
            note: row.note.clone(),
            recorded_by: row
                .recorded_by
                .clone()
                .unwrap_or_else(|| default_by.clone()),
        });
    }
    if !errors.is_empty() {
        return Err(line_errors(&file, errors));
    }
    let outcome = ledger.import_observations(&new, config.now)?;
    if !outcome.conflicts.is_empty() {
        let errors = outcome
            .conflicts
            .into_iter()
            .map(|(index, message)| LineError {
                line: rows[index].line,
                message,
            })
            .collect();
        return Err(line_errors(&file, errors));
    }
    if outcome.added == 0 {
        println!(
            "nothing to import: all {} row(s) of {file} are already in the ledger",
            outcome.skipped
        );
    } else {
        println!(
            "imported {} observation(s) from {file}; {} already present",
            outcome.added, outcome.skipped
        );
    }
    Ok(ExitCode::Success)
}

fn restore(config: &Config, args: &ImportArgs, bytes: &[u8]) -> CliResult<ExitCode> {
    let file = args.file.display().to_string();
    let doc: ExportDoc = serde_json::from_slice(bytes).map_err(|e| {
        CliError::input(format!(
            "{file}:{}:{}: not a tracker export: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if doc.kind != EXPORT_KIND || doc.format != 1 {
        return Err(CliError::input(format!(
            "{file} is a `{}` export of format {}; this tracker reads `{EXPORT_KIND}` format 1",
            doc.kind, doc.format
        )));
    }
    let versions = doc
        .targets
        .iter()
        .map(super::export::version_from_export)
        .collect::<Result<Vec<TargetVersion>, String>>()
        .map_err(|e| CliError::input(format!("{file}: {e}")))?;
    let entries = doc
        .entries
        .iter()
        .map(|e| e.to_entry().map_err(|m| format!("entry #{}: {m}", e.id)))
        .collect::<Result<Vec<Entry>, String>>()
        .map_err(|e| CliError::input(format!("{file}: {e}")))?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let summary = ledger.restore(&versions, &entries)?;
    println!(
        "restored {file}: {} target(s) and {} definition version(s) added, \
         {} entries added, {} already present",
        summary.targets_added,
        summary.versions_added,
        summary.entries_added,
        summary.entries_present
    );
    Ok(ExitCode::Success)
}

/// All problems of a file as one input error.
fn line_errors(file: &str, mut errors: Vec<LineError>) -> CliError {
    errors.sort_by_key(|e| e.line);
    let mut message = format!(
        "{} problem(s) in {file}; nothing was imported:",
        errors.len()
    );
    for e in errors.iter().take(MAX_LISTED) {
        message.push_str(&format!("\n  {file}:{}: {}", e.line, e.message));
    }
    if errors.len() > MAX_LISTED {
        message.push_str(&format!("\n  ... and {} more", errors.len() - MAX_LISTED));
    }
    CliError::input(message).with_hint("fix the lines above and import the file again")
}
