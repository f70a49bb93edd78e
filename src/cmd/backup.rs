//! `tracker backup FILE`: a consistent copy while others keep writing.

use super::open_ledger;
use crate::cli::BackupArgs;
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::storage::Access;

pub fn run(config: &Config, args: &BackupArgs) -> CliResult<ExitCode> {
    let ledger = open_ledger(config, Access::ReadOnly)?;
    // Checked here so a missing folder or a ledger side file is a usage
    // error naming the path, before SQLite creates anything.
    let destination = crate::output::new_file(&args.file, &config.ledger.path)?;
    ledger.backup_to(&destination)?;
    println!("backed up {} to {}", ledger.location(), args.file.display());
    Ok(ExitCode::Success)
}
