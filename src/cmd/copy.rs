//! `tracker copy FROM TO`: a whole ledger onto another store (a local file
//! onto a team's PostgreSQL database, or back) with nothing lost or
//! changed. It carries exactly what a JSON export carries (every
//! definition version and every entry with its time, author and reason),
//! read by the code `export` uses and written by the code `import` uses to
//! restore, through the `Store` trait alone. TO must be new or empty, so
//! the copy reports byte for byte what FROM reports, `--known-at` included.

use super::export::export_doc;
use super::import::Restorable;
use crate::cli::CopyArgs;
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::storage::{Access, Ledger, Location, RestoreSummary, StorageError};
use std::path::Path;

pub fn run(_config: &Config, args: &CopyArgs) -> CliResult<ExitCode> {
    let from = Location::from(&args.from);
    let to = Location::from(&args.to);
    let source = Ledger::open(from.clone(), Access::ReadOnly)?;
    let export = Restorable::from_doc(&export_doc(&source)?, &from.to_string())?;
    source.close()?;
    let summary = match &to {
        Location::File(path) => into_file(path, &export, &from)?,
        Location::Url(_) => {
            let mut ledger = empty_ledger(to.clone())?;
            let summary = export.restore_into(&mut ledger, &from.to_string())?;
            ledger.close()?;
            summary
        }
    };
    println!(
        "copied {from} to {to}: {} target(s), {} definition version(s), {} entries",
        summary.targets_added, summary.versions_added, summary.entries_added
    );
    Ok(ExitCode::Success)
}

/// An existing ledger at `to` with nothing in it, or a new one; a ledger
/// with targets or entries is refused (a copy never merges).
fn empty_ledger(to: Location) -> CliResult<Ledger> {
    match Ledger::open(to.clone(), Access::ReadWrite) {
        Ok(ledger) => {
            let (targets, entries) = (ledger.target_count()?, ledger.entry_count()?);
            if targets == 0 && entries == 0 {
                return Ok(ledger);
            }
            Err(CliError::input(format!(
                "{to} already holds a ledger ({targets} targets, {entries} entries); \
                 nothing was copied"
            ))
            .with_hint(
                "copy into a new file or an empty database; to merge into a ledger, \
                 `tracker export` then `tracker import` the JSON",
            ))
        }
        Err(StorageError::NotFound { .. }) => Ok(Ledger::create(to)?),
        Err(e) => Err(e.into()),
    }
}

/// Into a ledger file: an empty existing one, or a new one built beside
/// `path` and linked into place whole (as `init` does), so that a failed
/// copy leaves no file behind.
fn into_file(path: &Path, export: &Restorable, from: &Location) -> CliResult<RestoreSummary> {
    super::refuse_folder(path)?;
    let path = &crate::output::follow_symlinks(path)?;
    if path.exists() {
        let mut ledger = empty_ledger(Location::File(path.clone()))?;
        let summary = export.restore_into(&mut ledger, &from.to_string())?;
        ledger.close()?;
        return Ok(summary);
    }
    let folder = crate::output::folder_of(path).to_path_buf();
    std::fs::create_dir_all(&folder)
        .map_err(|e| CliError::from(e).context(format!("creating {}", folder.display())))?;
    let temp = tempfile::Builder::new()
        .prefix(".tracker-copy-")
        .suffix(".db")
        .tempfile_in(&folder)
        .map_err(|e| {
            CliError::from(e).context(format!("creating a ledger in {}", folder.display()))
        })?
        .into_temp_path();
    let temp_path = temp.to_path_buf();
    std::fs::remove_file(&temp_path)?;
    let mut ledger = Ledger::create(&temp_path)?;
    let summary = export.restore_into(&mut ledger, &from.to_string())?;
    // Everything into the file itself before it is linked into place.
    ledger.close()?;
    match std::fs::hard_link(&temp_path, path) {
        Ok(()) => Ok(summary),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(CliError::input(format!(
            "{} appeared while copying; nothing was copied",
            path.display()
        ))),
        Err(e) => Err(CliError::from(e).context(format!("creating {}", path.display()))),
    }
    // `temp` is removed when dropped.
}
