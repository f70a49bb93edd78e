//! One file per subcommand; this module dispatches and holds what they
//! share: opening the ledger (creating and seeding the default one on first
//! use) and resolving the table style.

mod backup;
mod changes;
mod chart;
mod check;
mod correct;
mod export;
mod history;
mod import;
mod init;
mod list;
mod record;
mod report;
mod shell;
mod show;
mod target;

use crate::cli::{Cli, Command, TargetCommand};
use crate::config::Config;
use crate::error::{CliError, CliResult, ErrorKind, ExitCode};
use crate::export::TableStyle;
use crate::storage::{Access, Ledger, StorageError};

pub fn run(cli: Cli) -> CliResult<ExitCode> {
    // Generated from the clap definitions: no ledger, no config file.
    match cli.command {
        Command::Completions { shell } => return shell::completions(shell),
        Command::Man => return shell::man(),
        _ => {}
    }
    let config = Config::from_cli(&cli)?;
    match cli.command {
        Command::Init => init::run(&config),
        Command::List(args) => list::run(&config, &args),
        Command::Show(args) => show::run(&config, &args),
        Command::Record(args) => record::run(&config, &args),
        Command::Report(args) => report::run(&config, &args),
        Command::Changes(args) => changes::run(&config, &args),
        Command::Target(TargetCommand::Import { file }) => target::import(&config, &file),
        Command::Target(TargetCommand::Add(args)) => target::add(&config, &args),
        Command::Target(TargetCommand::Amend(args)) => target::amend(&config, &args),
        Command::Correct(args) => correct::correct(&config, &args),
        Command::Retract(args) => correct::retract(&config, &args),
        Command::History(args) => history::run(&config, &args),
        Command::Import(args) => import::run(&config, &args),
        Command::Export(args) => export::run(&config, &args),
        Command::Backup(args) => backup::run(&config, &args),
        Command::Check => check::run(&config),
        Command::Chart(args) => chart::run(&config, &args),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
    }
}

/// Opens the configured ledger. The default ledger is created and seeded
/// on first use (with a notice on stderr); a ledger named with `--db` or
/// `TRACKER_DB` must exist.
pub fn open_ledger(config: &Config, access: Access) -> CliResult<Ledger> {
    let path = &config.ledger.path;
    if !config.ledger.explicit && !path.exists() {
        let summary = init::create_seeded(config)?;
        eprintln!(
            "tracker: created a new ledger at {} with {} targets from the SASAC briefing of 2024-07-26",
            path.display(),
            summary.added.len()
        );
    }
    Ledger::open(path, access).map_err(CliError::from)
}

/// How tables look on this run's stdout.
pub fn table_style(config: &Config) -> TableStyle {
    TableStyle {
        color: config.color,
        width: crate::export::table::terminal_width(config.stdout_is_terminal),
        numbers: config.numbers,
    }
}

impl From<StorageError> for CliError {
    fn from(error: StorageError) -> Self {
        let kind = match &error {
            StorageError::UnknownTarget { .. }
            | StorageError::UnknownObservation { .. }
            | StorageError::Conflict(_)
            | StorageError::AlreadyExists { .. } => ErrorKind::Input,
            StorageError::NotFound { .. }
            | StorageError::NotALedger { .. }
            | StorageError::TooNew { .. } => ErrorKind::Ledger,
            StorageError::Busy | StorageError::Sqlite(_) | StorageError::Io { .. } => {
                ErrorKind::Runtime
            }
        };
        let hint = match &error {
            StorageError::UnknownTarget { suggestions, .. } if !suggestions.is_empty() => {
                Some(format!(
                    "did you mean {}? (`tracker list` shows every id)",
                    suggestions
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
            StorageError::UnknownTarget { .. } => Some("`tracker list` shows every id".to_string()),
            StorageError::NotFound { path } => Some(format!(
                "create it with `tracker --db {} init`, or check the path",
                path.display()
            )),
            StorageError::TooNew { .. } => Some("upgrade tracker to read this ledger".to_string()),
            StorageError::Busy => Some(
                "another tracker is writing; try again, or raise TRACKER_BUSY_TIMEOUT_MS"
                    .to_string(),
            ),
            StorageError::Sqlite(_) => {
                Some("`tracker check` tests the ledger's integrity".to_string())
            }
            _ => None,
        };
        let err = CliError::new(kind, error);
        match hint {
            Some(hint) => err.with_hint(hint),
            None => err,
        }
    }
}
