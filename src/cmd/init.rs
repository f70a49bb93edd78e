//! `tracker init`: create a ledger and seed it with the briefing.

use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::seed::{SEED, SEED_NAME, SEED_RECORDER};
use crate::storage::{Access, ImportSummary, Ledger, Location, StorageError};
use crate::targets_file::parse_target_file;

pub fn run(config: &Config) -> CliResult<ExitCode> {
    let path = &config.ledger.path;
    if path.exists() {
        let ledger = Ledger::open(path, Access::ReadWrite)?;
        println!(
            "ledger at {} is already initialised ({} targets); nothing changed",
            path.display(),
            ledger.target_count()?
        );
        return Ok(ExitCode::Success);
    }
    let summary = create_seeded(config)?;
    println!(
        "created ledger at {} with {} targets and {} observations from {SEED_NAME}",
        path.display(),
        summary.added.len(),
        summary.observations
    );
    Ok(ExitCode::Success)
}

/// Builds a seeded ledger in a temporary file beside the target and renames
/// it into place, so nobody ever sees a half-seeded ledger and two first
/// runs racing each other end with one complete ledger.
pub fn create_seeded(config: &Config) -> CliResult<ImportSummary> {
    let path = &config.ledger.path;
    // A database URL is not a file name: never create a folder `postgres:`.
    if let location @ Location::Url(_) = Location::from(path) {
        return Err(StorageError::Unsupported { location }.into());
    }
    let seed = parse_target_file(SEED, SEED_NAME)?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&folder)
        .map_err(|e| CliError::from(e).context(format!("creating {}", folder.display())))?;
    let temp = tempfile::Builder::new()
        .prefix(".tracker-new-")
        .suffix(".db")
        .tempfile_in(&folder)
        .map_err(|e| {
            CliError::from(e).context(format!("creating a ledger in {}", folder.display()))
        })?
        .into_temp_path();
    let temp_path = temp.to_path_buf();
    std::fs::remove_file(&temp_path)?;
    let summary = {
        let mut ledger = Ledger::create(&temp_path)?;
        ledger.import_targets(&seed.targets, SEED_RECORDER, config.now)?
        // Dropping the connection checkpoints the WAL into the file.
    };
    match std::fs::hard_link(&temp_path, path) {
        Ok(()) => Ok(summary),
        // Someone else created it meanwhile: theirs stands, ours goes.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(summary),
        Err(e) => Err(CliError::from(e).context(format!("creating {}", path.display()))),
    }
    // `temp` is removed when dropped.
}
