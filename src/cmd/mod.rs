//! One file per subcommand; this module dispatches and holds what they
//! share: opening the ledger (creating and seeding the default one on first
//! use) and resolving the table style.

mod backup;
mod changes;
mod chart;
mod check;
mod copy;
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
use crate::render::TableStyle;
use crate::storage::{Access, Ledger, StorageError};

pub fn run(cli: Cli) -> CliResult<ExitCode> {
    // Generated from the clap definitions: no ledger, no config file.
    match cli.command {
        Command::Completions { shell } => return shell::completions(shell),
        Command::Man { dir } => return shell::man(dir.as_deref()),
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
        Command::Copy(args) => copy::run(&config, &args),
        Command::Backup(args) => backup::run(&config, &args),
        Command::Check => check::run(&config),
        Command::Chart(args) => chart::run(&config, &args),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { dir } => shell::man(dir.as_deref()),
    }
}

/// Opens the configured ledger. The default ledger is created and seeded
/// on first use by a person at a terminal (with a notice on stderr); a cron
/// job or script gets exit 4 instead, so it never reports on a fresh seed
/// as if it were the real ledger. A ledger named with `--db` or
/// `TRACKER_DB` must exist.
pub fn open_ledger(config: &Config, access: Access) -> CliResult<Ledger> {
    let path = &config.ledger.path;
    // A database ledger is opened as named: never a folder, never created
    // on first use (`tracker init` sets it up).
    if let location @ crate::storage::Location::Url(_) = crate::storage::Location::from(path) {
        return Ledger::open(location, access).map_err(CliError::from);
    }
    refuse_folder(path)?;
    if !config.ledger.explicit && !path.exists() && !config.interactive {
        return Err(CliError::new(
            ErrorKind::Ledger,
            format!(
                "no ledger at {} (the default location), and this is not an interactive run",
                path.display()
            ),
        )
        .with_hint(
            "run `tracker init` once to create and seed it, or name a ledger with --db / TRACKER_DB",
        ));
    }
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

/// Refuses a file that is clearly of kind `other`, naming the command that
/// reads it.
fn refuse_other_kind(
    file: &std::path::Path,
    bytes: &[u8],
    other: crate::sniff::InputKind,
) -> CliResult<()> {
    if crate::sniff::sniff(bytes) != Some(other) {
        return Ok(());
    }
    let (what, command) = other.describe();
    Err(
        CliError::input(format!("{} looks like {what}", file.display())).with_hint(format!(
            "use `{command} {}` for it; nothing was written",
            file.display()
        )),
    )
}

/// A folder given as the ledger: say so, and suggest a file inside it
/// (suggesting `init` on the folder would fail the same way).
fn refuse_folder(path: &std::path::Path) -> CliResult<()> {
    if !path.is_dir() {
        return Ok(());
    }
    Err(CliError::new(
        ErrorKind::Ledger,
        format!("{} is a folder, not a ledger file", path.display()),
    )
    .with_hint(format!(
        "name a file in it: `tracker --db {} init` creates a ledger there",
        path.join("ledger.db").display()
    )))
}

/// Who is recording: `--by` (or `TRACKER_USER` for commands without
/// `--by`), else the config file's `by`, else the OS user; checked by the
/// same text rule on every path, so no name can carry a control sequence
/// into the trail. On a shared ledger (PostgreSQL) it is the role that logs
/// in, as the database records it; a different claimed name gets a notice.
pub fn recorder(config: &Config, flag: Option<&str>) -> CliResult<String> {
    let given = |name: Option<String>| name.filter(|n| !n.trim().is_empty());
    // An error names where the name came from, so the user knows what to
    // fix. (clap fills `--by` from TRACKER_USER where it declares the
    // variable, so a flag equal to it may well have come from there.)
    let from_env = given(std::env::var("TRACKER_USER").ok());
    if let crate::storage::Location::Url(url) = crate::storage::Location::from(&config.ledger.path)
        && let Some(role) = crate::storage::postgres::login_role(&url)
    {
        // The database records the role that logs in, not a claimed name:
        // say so rather than drop the claim silently.
        let claim = given(flag.map(str::to_string))
            .or(from_env)
            .or(given(config.file_recorder.clone()));
        if claim.is_some_and(|c| c.trim() != role) {
            eprintln!(
                "tracker: entries are recorded as {role} on a shared ledger; --by/TRACKER_USER ignored"
            );
        }
        return Ok(crate::domain::text::BY
            .named("the login role")
            .check(&role)?);
    }
    let (name, origin) = match (given(flag.map(str::to_string)), from_env) {
        (Some(name), Some(env)) if name == env => (name, "TRACKER_USER"),
        (Some(name), _) => (name, "--by"),
        (None, Some(name)) => (name, "TRACKER_USER"),
        (None, None) => (config.recorder(None), "the recorder's name"),
    };
    Ok(crate::domain::text::BY.named(origin).check(&name)?)
}

/// How tables look on this run's stdout.
pub fn table_style(config: &Config) -> TableStyle {
    TableStyle {
        color: config.color,
        width: crate::render::table::terminal_width(config.stdout_is_terminal),
        numbers: config.numbers,
    }
}

impl From<StorageError> for CliError {
    fn from(error: StorageError) -> Self {
        let kind = match &error {
            StorageError::UnknownTarget { .. }
            | StorageError::UnknownObservation { .. }
            | StorageError::Conflict(_)
            | StorageError::Invalid(_)
            | StorageError::AlreadyExists { .. } => ErrorKind::Input,
            StorageError::NotFound { .. }
            | StorageError::NotALedger { .. }
            | StorageError::TooNew { .. }
            | StorageError::Unsupported { .. }
            | StorageError::CannotOpen { .. }
            | StorageError::Corrupt(_) => ErrorKind::Ledger,
            StorageError::Busy
            | StorageError::ReadOnly { .. }
            | StorageError::DiskFull
            | StorageError::Database(_)
            | StorageError::Io { .. } => ErrorKind::Runtime,
        };
        let hint = storage_hint(&error);
        let err = CliError::new(kind, error);
        match hint {
            Some(hint) => err.with_hint(hint),
            None => err,
        }
    }
}

/// What to do about a storage error.
fn storage_hint(error: &StorageError) -> Option<String> {
    const RESTORE: &str = "run `tracker check` to see what is wrong; restore the latest \
        `tracker backup`, or rebuild with `tracker export` + `tracker import`";
    Some(match error {
        StorageError::UnknownTarget { suggestions, .. } if !suggestions.is_empty() => format!(
            "did you mean {}? (`tracker list` shows every id)",
            suggestions
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        StorageError::UnknownTarget { .. } => "`tracker list` shows every id".to_string(),
        StorageError::NotFound { path } => format!(
            "create it with `tracker --db {} init`, or check the path",
            path.display()
        ),
        // Not a ledger at all: `check` and `export` cannot read it either.
        StorageError::NotALedger { .. } => "if --db / TRACKER_DB names the wrong file, point it at \
            your ledger; if this was your ledger, it is damaged beyond reading: restore the latest \
            `tracker backup`"
            .to_string(),
        StorageError::Corrupt(_) => RESTORE.to_string(),
        StorageError::TooNew { .. } => "upgrade tracker to read this ledger".to_string(),
        StorageError::Busy => {
            "another tracker is writing; try again, or raise TRACKER_BUSY_TIMEOUT_MS".to_string()
        }
        StorageError::CannotOpen { .. } => "check the URL, that the server runs and accepts this \
            user (password from the URL, PGPASSWORD or ~/.pgpass), and that the database exists \
            (`createdb`); README, \"A shared ledger\""
            .to_string(),
        StorageError::ReadOnly {
            why: crate::storage::ReadOnly::Role,
            ..
        } => "ask the ledger's owner to grant this role the writer role (README, \"A shared ledger\"), \
            or use a role that may write"
            .to_string(),
        StorageError::ReadOnly { .. } => {
            "make the ledger and its folder writable, or point --db/TRACKER_DB at a writable copy"
                .to_string()
        }
        StorageError::DiskFull => {
            "free some space on that disk and run the command again".to_string()
        }
        StorageError::Invalid(_) => {
            "this is a bug: tracker's own checks should have refused the data first; please report it"
                .to_string()
        }
        StorageError::Database(_) => "`tracker check` tests the ledger's integrity".to_string(),
        _ => return None,
    })
}
