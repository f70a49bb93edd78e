//! `tracker init`: create a ledger and seed it with the briefing.

use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::seed::{SEED, SEED_NAME, SEED_RECORDER};
use crate::storage::{Access, ImportSummary, Ledger, Location, StorageError};
use crate::targets_file::parse_target_file;

pub fn run(config: &Config) -> CliResult<ExitCode> {
    let path = &config.ledger.path;
    if let location @ Location::Url(_) = Location::from(path) {
        return init_database(config, location);
    }
    super::refuse_folder(path)?;
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

/// Sets up and seeds a ledger in a database server's (existing, empty)
/// database; a database that holds one already is left as it is. Two
/// first runs racing each other are serialised by the migrator's lock and
/// the seed's write lock: the second adds nothing.
fn init_database(config: &Config, location: Location) -> CliResult<ExitCode> {
    let created = match Ledger::create(location.clone()) {
        Ok(ledger) => Some(ledger),
        Err(StorageError::AlreadyExists { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let mut ledger = match created {
        Some(ledger) => ledger,
        None => Ledger::open(location.clone(), Access::ReadWrite)?,
    };
    if ledger.target_count()? > 0 {
        println!(
            "ledger at {location} is already initialised ({} targets); nothing changed",
            ledger.target_count()?
        );
        return Ok(ExitCode::Success);
    }
    let seed = parse_target_file(SEED, SEED_NAME)?;
    let summary = ledger.import_targets(&seed.targets, SEED_RECORDER, config.now)?;
    ledger.close()?;
    println!(
        "created ledger at {location} with {} targets and {} observations from {SEED_NAME}",
        summary.added.len(),
        summary.observations
    );
    Ok(ExitCode::Success)
}

/// Builds a seeded ledger in a temporary file beside the target and renames
/// it into place, so nobody ever sees a half-seeded ledger and two first
/// runs racing each other end with one complete ledger.
pub fn create_seeded(config: &Config) -> CliResult<ImportSummary> {
    // A database URL is not a file name: never create a folder `postgres:`.
    if let location @ Location::Url(_) = Location::from(&config.ledger.path) {
        return Err(StorageError::Unsupported { location }.into());
    }
    // A symlink (even a dangling one) names the file to create.
    let path = &crate::output::follow_symlinks(&config.ledger.path)?;
    let seed = parse_target_file(SEED, SEED_NAME)?;
    let folder = crate::output::folder_of(path).to_path_buf();
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
    let mut ledger = Ledger::create(&temp_path)?;
    let summary = ledger.import_targets(&seed.targets, SEED_RECORDER, config.now)?;
    // Everything into the file itself before it is linked into place.
    ledger.close()?;
    match std::fs::hard_link(&temp_path, path) {
        Ok(()) => Ok(summary),
        // Someone else created it meanwhile: theirs stands, ours goes.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(summary),
        Err(e) => Err(CliError::from(e).context(format!("creating {}", path.display()))),
    }
    // `temp` is removed when dropped.
}
