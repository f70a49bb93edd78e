//! `tracker backup FILE`: a consistent copy while others keep writing.

use super::open_ledger;
use crate::cli::BackupArgs;
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::storage::Access;

pub fn run(config: &Config, args: &BackupArgs) -> CliResult<ExitCode> {
    let ledger = open_ledger(config, Access::ReadOnly)?;
    ledger.backup_to(&args.file)?;
    println!("backed up {} to {}", ledger.location(), args.file.display());
    Ok(ExitCode::Success)
}
