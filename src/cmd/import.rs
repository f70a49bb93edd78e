//! `tracker import FILE`: observations from a CSV, or a whole ledger from
//! a JSON export. All or nothing: every row is checked first, every problem
//! is reported with its line, and a single bad row means nothing is
//! written.

use super::open_ledger;
use super::record::validate_against;
use crate::cli::ImportArgs;
use crate::config::Config;
use crate::domain::entry::check_entry;
use crate::domain::target::check_version;
use crate::error::{CliError, CliResult, ExitCode};
use crate::interchange::csv::{CsvRow, LineError, visit_observation_csv};
use crate::interchange::json::{EXPORT_KIND, ExportDoc, version_from_export};
use crate::model::{Entry, TargetDef};
use crate::period::format_period;
use crate::sniff::InputKind;
use crate::storage::{
    Access, ImportConflict, ImportMode, ImportRow, Ledger, NewObservation, RowConflict,
    StorageError, TargetVersion,
};
use std::collections::HashMap;

/// How many problems are listed before "and N more".
const MAX_LISTED: usize = 50;

pub fn run(config: &Config, args: &ImportArgs) -> CliResult<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", args.file.display())))?;
    super::refuse_other_kind(&args.file, &bytes, InputKind::TargetFile)?;
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json {
        restore(config, args, &bytes)
    } else {
        import_csv(config, args, bytes)
    }
}

fn import_csv(config: &Config, args: &ImportArgs, bytes: Vec<u8>) -> CliResult<ExitCode> {
    let file = args.file.display().to_string();
    let default_by = super::recorder(config, args.by.as_deref())?;
    // Each row is checked as it is read and kept only as the observation it
    // becomes (memory: one parsed row at a time). Rows that parsed are
    // checked against the ledger even when others did not, so every bad
    // line is reported in one pass. The ledger is opened at the first good
    // row: a file with no good row never creates the default ledger.
    let mut ledger: Option<Ledger> = None;
    let mut failure: Option<CliError> = None;
    let mut defs: HashMap<String, Option<TargetDef>> = HashMap::new();
    let mut new = Vec::new();
    let mut row_errors = Vec::new();
    let mut errors = visit_observation_csv(&bytes, &mut |row| {
        if failure.is_some() {
            return;
        }
        if ledger.is_none() {
            match open_ledger(config, Access::ReadWrite) {
                Ok(opened) => ledger = Some(opened),
                Err(e) => return failure = Some(e),
            }
        }
        let Some(ledger) = &ledger else { return };
        match check_row(ledger, &mut defs, row, &default_by, config.today()) {
            Ok((line, observation)) => new.push(ImportRow { line, observation }),
            Err(Checked::Line(e)) => row_errors.push(e),
            Err(Checked::Fail(e)) => failure = Some(e),
        }
    });
    drop(bytes);
    if let Some(e) = failure {
        return Err(e);
    }
    errors.extend(row_errors);
    let mut ledger = match ledger {
        Some(ledger) => ledger,
        None if errors.is_empty() => open_ledger(config, Access::ReadWrite)?,
        None => return Err(line_errors(&file, errors)),
    };
    // Rows that conflict with the ledger or with each other (duplicates
    // skipped, amounts counted twice refused) are found by the same check
    // that guards the write; with problems already found it only checks,
    // so every bad line is named in one pass.
    let mode = if errors.is_empty() {
        ImportMode::Write
    } else {
        ImportMode::CheckOnly
    };
    let outcome = ledger.import_observations(&mut new.into_iter(), config.now, mode)?;
    errors.extend(outcome.conflicts.iter().map(conflict_error));
    if !errors.is_empty() {
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
        .map(version_from_export)
        .collect::<Result<Vec<TargetVersion>, String>>()
        .map_err(|e| CliError::input(format!("{file}: {e}")))?;
    let entries = doc
        .entries
        .iter()
        .map(|e| e.to_entry().map_err(|m| format!("entry #{}: {m}", e.id)))
        .collect::<Result<Vec<Entry>, String>>()
        .map_err(|e| CliError::input(format!("{file}: {e}")))?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    check_restore(&ledger, &versions, &entries)
        .map_err(|e| CliError::input(format!("{file}: {e}")))?;
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

/// Why a row was not kept: a problem with the row, or a failure to stop on.
enum Checked {
    Line(LineError),
    Fail(CliError),
}

/// One parsed row against its target's definition (cached in `defs`):
/// the observation it becomes, with its line.
fn check_row(
    ledger: &Ledger,
    defs: &mut HashMap<String, Option<TargetDef>>,
    row: CsvRow,
    default_by: &str,
    today: chrono::NaiveDate,
) -> Result<(u64, NewObservation), Checked> {
    if !defs.contains_key(&row.target_id) {
        let def = match ledger.target(&row.target_id, None) {
            Ok(def) => Some(def),
            Err(StorageError::UnknownTarget { .. }) => None,
            Err(e) => return Err(Checked::Fail(e.into())),
        };
        defs.insert(row.target_id.clone(), def);
    }
    let Some(def) = defs.get(&row.target_id).and_then(Option::as_ref) else {
        return Err(Checked::Line(LineError {
            line: row.line,
            message: format!("unknown target `{}`", row.target_id),
        }));
    };
    if let Err(e) = validate_against(def, &row.value, &row.period, today) {
        return Err(Checked::Line(LineError {
            line: row.line,
            message: e.error.to_string(),
        }));
    }
    Ok((
        row.line,
        NewObservation {
            target_id: row.target_id,
            quantity: row.value.quantity,
            period: row.period,
            source: row.source,
            url: row.url,
            note: row.note,
            recorded_by: row.recorded_by.unwrap_or_else(|| default_by.to_string()),
        },
    ))
}

/// Every definition and entry of an export against the ledger's rules, as
/// `record` and `target add` would check them: an export is no back door.
/// Each entry is judged by the definition in force when it was recorded.
fn check_restore(
    ledger: &Ledger,
    versions: &[TargetVersion],
    entries: &[Entry],
) -> Result<(), String> {
    let mut by_target: HashMap<&str, Vec<&TargetVersion>> = HashMap::new();
    for v in versions {
        check_version(&v.def, &v.recorded_by, v.reason.as_deref()).map_err(|e| {
            format!(
                "target `{}` version {}, field `{}`: {e}",
                v.def.id, v.version, e.field
            )
        })?;
        by_target.entry(v.def.id.as_str()).or_default().push(v);
    }
    let mut stored: HashMap<String, Option<TargetDef>> = HashMap::new();
    for e in entries {
        let in_force = by_target
            .get(e.target_id.as_str())
            .and_then(|vs| TargetVersion::in_force(vs, e.recorded_at))
            .map(|v| v.def.clone());
        let def = match in_force {
            Some(def) => Some(def),
            None => stored
                .entry(e.target_id.clone())
                .or_insert_with(|| ledger.target(&e.target_id, None).ok())
                .clone(),
        };
        let Some(def) = def else {
            return Err(format!(
                "entry #{}: unknown target `{}`, defined neither in the export nor in the ledger",
                e.id, e.target_id
            ));
        };
        check_entry(&def, e)
            .map_err(|err| format!("entry #{}, field `{}`: {err}", e.id, err.field))?;
    }
    Ok(())
}

/// A conflict the ledger found, as a line of the file.
fn conflict_error(found: &RowConflict) -> LineError {
    let period = format_period(&found.period);
    let target = &found.target_id;
    let message = match &found.conflict {
        ImportConflict::UnknownTarget => format!("unknown target `{target}`"),
        ImportConflict::OverlapsEntry { id, period: other } => format!(
            "period {period} overlaps observation #{id} ({}..{}) of `{target}`; \
             amounts of a cumulative target must not be counted twice",
            other.start, other.end
        ),
        ImportConflict::OverlapsRow {
            line,
            period: other,
        } => format!(
            "period {period} overlaps line {line} ({}) of `{target}`; \
             amounts of a cumulative target must not be counted twice",
            format_period(other)
        ),
    };
    LineError {
        line: found.line,
        message,
    }
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
