//! `tracker import FILE`: observations from a CSV, or a whole ledger from
//! a JSON export. All or nothing: every row is checked, every problem is
//! reported with its line, and a single bad row means nothing is written.
//! A CSV is read as a stream, one row at a time, straight into the ledger's
//! import transaction (which rolls back on any problem), so memory holds no
//! row's text once it is inserted.

use super::open_ledger;
use super::record::validate_against;
use crate::cli::ImportArgs;
use crate::config::Config;
use crate::domain::entry::check_entry;
use crate::domain::target::check_version;
use crate::domain::trail::{Supersedable, check_supersedes, first_overlap};
use crate::error::{CliError, CliResult, ExitCode};
use crate::interchange::csv::{CsvRow, LineError, ObservationReader};
use crate::interchange::json::{ExportReadError, parse_export, version_from_export};
use crate::model::{Entry, Kind, Period, TargetDef};
use crate::period::format_period;
use crate::sniff::InputKind;
use crate::storage::{
    Access, Definitions, ImportConflict, ImportItem, ImportMode, ImportRow, ImportSource, Ledger,
    NewObservation, RowConflict, TargetVersion,
};
use std::collections::HashMap;
use std::io::Read;

/// How many problems are listed before "and N more".
const MAX_LISTED: usize = 50;

pub fn run(config: &Config, args: &ImportArgs) -> CliResult<ExitCode> {
    let cannot_read =
        |e: std::io::Error| CliError::input(format!("cannot read {}: {e}", args.file.display()));
    let mut file = std::fs::File::open(&args.file).map_err(cannot_read)?;
    // The start of the file tells what it is; a CSV is then read as a
    // stream, never whole.
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(cannot_read)?;
    let mut first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first.is_none() && head.len() == SNIFF_BYTES {
        // Only white space so far: read on until there is something else.
        file.read_to_end(&mut head).map_err(cannot_read)?;
        first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
    }
    super::refuse_other_kind(&args.file, &head, InputKind::TargetFile)?;
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || first == Some(b'{');
    if is_json {
        file.read_to_end(&mut head).map_err(cannot_read)?;
        restore(config, args, &head)
    } else {
        import_csv(config, args, std::io::Cursor::new(head).chain(file))
    }
}

/// How much of a file is read to tell what it is.
const SNIFF_BYTES: usize = 64 * 1024;

fn import_csv(config: &Config, args: &ImportArgs, input: impl Read) -> CliResult<ExitCode> {
    let file = args.file.display().to_string();
    let default_by = super::recorder(config, args.by.as_deref())?;
    let reader = match ObservationReader::new(input) {
        Ok(reader) => reader,
        Err(e) => return Err(line_errors(&file, vec![e], 0)),
    };
    let mut source = CsvSource {
        reader,
        first: None,
        defs: HashMap::new(),
        default_by,
        today: config.today(),
        errors: Vec::new(),
        unlisted: 0,
        failure: None,
    };
    // The ledger is opened at the first row that parses: a file with no
    // such row never creates the default ledger.
    if !source.read_first() {
        if !source.errors.is_empty() {
            return Err(line_errors(&file, source.errors, source.unlisted));
        }
        // A header and no rows (an export of a ledger without
        // observations): nothing to do, but the ledger must exist.
        open_ledger(config, Access::ReadOnly)?;
        println!("nothing to import: {file} has no rows");
        return Ok(ExitCode::Success);
    }
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    // Rows are checked as they are read, against the ledger and the rows
    // before them, by the same check that guards the write; lines already
    // refused make it a check only, so every bad line is named in one pass.
    let mode = if source.errors.is_empty() {
        ImportMode::Write
    } else {
        ImportMode::CheckOnly
    };
    let outcome = ledger.import_observations(&mut source, config.now, mode)?;
    if let Some(e) = source.failure {
        return Err(e);
    }
    let mut errors = source.errors;
    errors.extend(outcome.conflicts.iter().map(conflict_error));
    if !errors.is_empty() || !outcome.written {
        return Err(line_errors(&file, errors, source.unlisted));
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

/// The rows of an observation CSV for the ledger's import: each parsed,
/// checked against its target's definition (looked up once per target,
/// through the importing transaction), and handed over with its line. The
/// problems of refused lines are kept here, to be reported with the
/// ledger's conflicts.
struct CsvSource<R: Read> {
    reader: ObservationReader<R>,
    /// The first row that parsed, read before the ledger was opened.
    first: Option<CsvRow>,
    defs: HashMap<String, Option<TargetDef>>,
    default_by: String,
    today: chrono::NaiveDate,
    /// The problems of the first [`MAX_LISTED`] refused lines (lines come
    /// in order, so these are the ones listed), and how many more there
    /// are: a file bad on every line does not fill memory with messages.
    errors: Vec<LineError>,
    unlisted: usize,
    failure: Option<CliError>,
}

impl<R: Read> CsvSource<R> {
    fn refuse(&mut self, e: LineError) {
        if self.errors.len() < MAX_LISTED {
            self.errors.push(e);
        } else {
            self.unlisted += 1;
        }
    }

    /// Reads up to the first row that parses, keeping the problems of the
    /// lines before it; whether there is one.
    fn read_first(&mut self) -> bool {
        while let Some(row) = self.reader.next_row() {
            match row {
                Ok(row) => {
                    self.first = Some(row);
                    return true;
                }
                Err(e) => self.refuse(e),
            }
        }
        false
    }
}

impl<R: Read> ImportSource for CsvSource<R> {
    fn next_item(&mut self, definitions: &mut Definitions<'_>) -> Option<ImportItem> {
        let row = match self.first.take() {
            Some(row) => row,
            None => match self.reader.next_row()? {
                Ok(row) => row,
                Err(e) => {
                    let line = e.line;
                    self.refuse(e);
                    return Some(ImportItem::Refused { line });
                }
            },
        };
        let line = row.line;
        match check_row(
            definitions,
            &mut self.defs,
            row,
            &self.default_by,
            self.today,
        ) {
            Ok(row) => Some(ImportItem::Row(row)),
            Err(Checked::Line(e)) => {
                self.refuse(e);
                Some(ImportItem::Refused { line })
            }
            Err(Checked::Fail(e)) => {
                self.failure = Some(e);
                Some(ImportItem::Stop)
            }
        }
    }
}

fn restore(config: &Config, args: &ImportArgs, bytes: &[u8]) -> CliResult<ExitCode> {
    let file = args.file.display().to_string();
    let doc = parse_export(bytes).map_err(|e| match e {
        ExportReadError::NotJson { .. } | ExportReadError::BadField { .. } => {
            CliError::input(format!("{file}:{e}"))
        }
        _ => CliError::input(format!("{file}: {e}")),
    })?;
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

/// One parsed row against its target's definition (looked up once, kept
/// in `defs`): the observation it becomes, with its line.
fn check_row(
    definitions: &mut Definitions<'_>,
    defs: &mut HashMap<String, Option<TargetDef>>,
    row: CsvRow,
    default_by: &str,
    today: chrono::NaiveDate,
) -> Result<ImportRow, Checked> {
    let def = match defs.get(&row.target_id) {
        Some(def) => def,
        None => {
            let def = definitions(&row.target_id).map_err(|e| Checked::Fail(e.into()))?;
            defs.entry(row.target_id.clone()).or_insert(def)
        }
    };
    let Some(def) = def else {
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
    Ok(ImportRow {
        line: row.line,
        observation: NewObservation {
            target_id: row.target_id,
            quantity: row.value.quantity,
            period: row.period,
            source: row.source,
            url: row.url,
            note: row.note,
            recorded_by: row.recorded_by.unwrap_or_else(|| default_by.to_string()),
        },
    })
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
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.id);
    let mut trail = ExportTrail::default();
    for e in sorted {
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
        trail
            .add(e, def.kind)
            .map_err(|err| format!("entry #{}: {err}", e.id))?;
    }
    Ok(())
}

/// The export's trail replayed in id order, by the rules `correct`,
/// `retract` and `record` follow: what each entry supersedes, and the
/// current amounts of cumulative targets, so that an overlap is named by
/// the export's own entry numbers.
#[derive(Default)]
struct ExportTrail<'e> {
    earlier: HashMap<i64, Supersedable<'e>>,
    /// Current amounts of cumulative targets: target → (entry, period).
    amounts: HashMap<&'e str, Vec<(i64, Period)>>,
}

impl<'e> ExportTrail<'e> {
    fn add(&mut self, e: &'e Entry, kind: Kind) -> Result<(), String> {
        let amounts = self.amounts.entry(e.target_id.as_str()).or_default();
        if let Some(old) = e.supersedes {
            check_supersedes(&e.target_id, old, self.earlier.get(&old))
                .map_err(|err| err.message)?;
            if let Some(old) = self.earlier.get_mut(&old) {
                old.superseded_by = Some(e.id);
            }
            amounts.retain(|(id, _)| *id != old);
        }
        if let Some(period) = e.period {
            if let Some((other, p)) = first_overlap(kind, &period, amounts.iter().copied()) {
                return Err(format!(
                    "period {} overlaps entry #{other} ({}) of `{}`; amounts of a cumulative \
                     target must not be counted twice",
                    format_period(&period),
                    format_period(&p),
                    e.target_id
                ));
            }
            if kind == Kind::Cumulative {
                amounts.push((e.id, period));
            }
        }
        self.earlier.insert(
            e.id,
            Supersedable {
                id: e.id,
                target_id: &e.target_id,
                action: e.action,
                superseded_by: None,
            },
        );
        Ok(())
    }
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

/// All problems of a file as one input error: the first [`MAX_LISTED`]
/// by line, and how many more there are (`unlisted` of them not kept).
fn line_errors(file: &str, mut errors: Vec<LineError>, unlisted: usize) -> CliError {
    errors.sort_by_key(|e| e.line);
    let total = errors.len() + unlisted;
    let mut message = format!("{total} problem(s) in {file}; nothing was imported:");
    for e in errors.iter().take(MAX_LISTED) {
        message.push_str(&format!("\n  {file}:{}: {}", e.line, e.message));
    }
    if total > MAX_LISTED {
        message.push_str(&format!("\n  ... and {} more", total - MAX_LISTED));
    }
    CliError::input(message).with_hint("fix the lines above and import the file again")
}
