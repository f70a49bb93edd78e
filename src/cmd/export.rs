//! `tracker export`: the whole ledger out, for backup, hand-over or audit.
//! JSON holds everything (definition history and the full trail, with
//! times and authors) and `tracker import` restores it; CSV holds the
//! current observations in the layout `tracker import` reads.

use crate::cli::{ExportArgs, ExportFormat, Format};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::interchange::csv::current_observations_csv;
use crate::interchange::json::{EXPORT_KIND, ExportDoc, ExportEntry, version_to_export};
use crate::storage::{Access, Ledger};

pub fn run(config: &Config, args: &ExportArgs) -> CliResult<ExitCode> {
    let format = match (args.format, &args.output) {
        (Some(format), _) => format,
        (None, Some(path)) if crate::render::format_from_extension(path) == Some(Format::Csv) => {
            ExportFormat::Csv
        }
        (None, _) => ExportFormat::Json,
    };
    let ledger = super::open_ledger(config, Access::ReadOnly)?;
    let bytes = match format {
        ExportFormat::Json => {
            let mut out = serde_json::to_vec_pretty(&export_doc(&ledger)?)
                .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
            out.push(b'\n');
            out
        }
        ExportFormat::Csv => current_observations_csv(&ledger)?,
    };
    match &args.output {
        Some(path) => crate::output::to_file(path, &bytes, Some(&config.ledger.path))?,
        None => crate::output::to_stdout(&bytes)?,
    }
    Ok(ExitCode::Success)
}

/// The whole ledger as the JSON export holds it: every definition version
/// and every entry, with their times, authors and reasons. `tracker copy`
/// carries exactly this to the other ledger.
pub fn export_doc(ledger: &Ledger) -> CliResult<ExportDoc> {
    Ok(ExportDoc {
        kind: EXPORT_KIND.to_string(),
        format: 1,
        targets: ledger
            .target_versions(None)?
            .iter()
            .map(version_to_export)
            .collect(),
        entries: ledger
            .entries(None)?
            .iter()
            .map(ExportEntry::from_entry)
            .collect(),
    })
}
