//! `tracker import FILE`: observations from a CSV, or a whole ledger from
//! a JSON export. All or nothing: every row is checked first, every problem
//! is reported with its line, and a single bad row means nothing is
//! written.

use super::open_ledger;
use super::record::validate_against;
use crate::cli::ImportArgs;
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::{Action, Entry, Kind, Period, Quantity, TargetDef};
use crate::period::format_period;
use crate::sniff::InputKind;
use crate::storage::{Access, Ledger, NewObservation, StorageError, TargetVersion};
use crate::transfer::{EXPORT_KIND, ExportDoc, LineError, read_observation_csv};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap, HashSet};

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
        import_csv(config, args, &bytes)
    }
}

fn import_csv(config: &Config, args: &ImportArgs, bytes: &[u8]) -> CliResult<ExitCode> {
    let file = args.file.display().to_string();
    // Rows that parsed are checked against the ledger even when others did
    // not, so every bad line is reported in one pass.
    let (rows, mut errors) = read_observation_csv(bytes);
    if rows.is_empty() && !errors.is_empty() {
        return Err(line_errors(&file, errors));
    }
    let default_by = config.recorder(args.by.as_deref());
    let mut ledger = open_ledger(config, Access::ReadWrite)?;

    let mut defs: HashMap<String, Option<TargetDef>> = HashMap::new();
    let mut new = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
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
        lines.push(row.line);
    }
    errors.extend(overlaps(&ledger, &new, &lines, &defs)?);
    if !errors.is_empty() {
        return Err(line_errors(&file, errors));
    }
    let outcome = ledger.import_observations(&new, config.now)?;
    if !outcome.conflicts.is_empty() {
        let errors = outcome
            .conflicts
            .into_iter()
            .map(|(index, message)| LineError {
                line: lines[index],
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

/// Amounts of a cumulative target counted twice: a row whose period
/// overlaps a current entry of the ledger, or an earlier row of the file.
/// Rows are taken in file order exactly as the import stores them (a row
/// identical to an entry already kept is skipped, not a conflict), so every
/// such line is named in one pass, and an overlap inside the file names the
/// other line rather than an entry the refused import would never keep.
fn overlaps(
    ledger: &Ledger,
    new: &[NewObservation],
    lines: &[u64],
    defs: &HashMap<String, Option<TargetDef>>,
) -> CliResult<Vec<LineError>> {
    let mut by_target: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, row) in new.iter().enumerate() {
        let cumulative = defs
            .get(&row.target_id)
            .and_then(Option::as_ref)
            .is_some_and(|d| d.kind == Kind::Cumulative);
        if cumulative {
            by_target.entry(&row.target_id).or_default().push(i);
        }
    }
    let mut errors = Vec::new();
    for (target, rows) in by_target {
        let entries = ledger.entries(Some(target))?;
        let superseded: HashSet<i64> = entries.iter().filter_map(|e| e.supersedes).collect();
        let kept: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.action != Action::Retract)
            .collect();
        // Current entries and accepted rows, disjoint, by start:
        // start -> (end, what it is).
        let mut taken: BTreeMap<NaiveDate, (NaiveDate, String)> = BTreeMap::new();
        for e in kept.iter().filter(|e| !superseded.contains(&e.id)) {
            if let Some(p) = e.period {
                taken.insert(
                    p.start,
                    (
                        p.end,
                        format!("observation #{} ({}..{})", e.id, p.start, p.end),
                    ),
                );
            }
        }
        let mut accepted: Vec<&NewObservation> = Vec::new();
        for i in rows {
            let row = &new[i];
            let same = |q: Option<Quantity>, p: Option<Period>, source: &str| {
                q == Some(row.quantity) && p == Some(row.period) && source == row.source
            };
            if kept.iter().any(|e| same(e.quantity, e.period, &e.source))
                || accepted
                    .iter()
                    .any(|a| same(Some(a.quantity), Some(a.period), &a.source))
            {
                continue;
            }
            let clash = taken
                .range(..=row.period.end)
                .next_back()
                .filter(|(_, (end, _))| *end >= row.period.start)
                .map(|(_, (_, what))| what.clone());
            match clash {
                Some(what) => errors.push(LineError {
                    line: lines[i],
                    message: format!(
                        "period {} overlaps {what} of `{target}`; \
                         amounts of a cumulative target must not be counted twice",
                        format_period(&row.period)
                    ),
                }),
                None => {
                    taken.insert(
                        row.period.start,
                        (
                            row.period.end,
                            format!("line {} ({})", lines[i], format_period(&row.period)),
                        ),
                    );
                    accepted.push(row);
                }
            }
        }
    }
    Ok(errors)
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
