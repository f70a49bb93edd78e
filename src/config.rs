//! What the command line and the environment resolve to, once.
//!
//! Commands never read the environment or the clock themselves: they get a
//! [`Config`]. That keeps them testable and makes every report reproducible
//! (`TRACKER_NOW` fixes the clock for tests and for re-running a past day).

use crate::cli::{Cli, ColorChoice};
use crate::error::{CliError, CliResult};
use chrono::{DateTime, NaiveDate, Utc};
use etcetera::BaseStrategy;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where the ledger is and whether the user named it.
#[derive(Debug, Clone)]
pub struct LedgerLocation {
    pub path: PathBuf,
    /// Named by `--db` or `TRACKER_DB`: must exist (except for `init`).
    /// The default location is created and seeded on first use instead.
    pub explicit: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub ledger: LedgerLocation,
    /// Colour and other terminal niceties on stdout.
    pub color: bool,
    /// stdout is a terminal (tables by default, no CSV).
    pub stdout_is_terminal: bool,
    /// The clock: now, or `TRACKER_NOW`.
    pub now: DateTime<Utc>,
}

impl Config {
    pub fn from_cli(cli: &Cli) -> CliResult<Config> {
        let ledger = match &cli.db {
            Some(path) => LedgerLocation {
                path: path.clone(),
                explicit: true,
            },
            None => LedgerLocation {
                path: default_ledger_path()?,
                explicit: false,
            },
        };
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Ok(Config {
            ledger,
            color,
            stdout_is_terminal,
            now: clock()?,
        })
    }

    /// Today's date on the ledger's clock (UTC).
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// `--as-of` if given (not after today), else today.
    pub fn as_of(&self, flag: Option<&str>) -> CliResult<NaiveDate> {
        match flag {
            None => Ok(self.today()),
            Some(text) => {
                let date = crate::period::parse_date(text)
                    .map_err(|e| CliError::from(e).context("--as-of"))?;
                Ok(date)
            }
        }
    }
}

/// `TRACKER_NOW` (RFC 3339) or the system clock.
fn clock() -> CliResult<DateTime<Utc>> {
    match std::env::var("TRACKER_NOW") {
        Ok(text) if !text.is_empty() => DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                CliError::input(format!(
                    "TRACKER_NOW=`{text}` is not an RFC 3339 time ({e}); \
                     use e.g. 2025-02-01T12:00:00Z, or unset it"
                ))
            }),
        _ => Ok(Utc::now()),
    }
}

/// `<platform data dir>/tracker/ledger.db`, e.g. ~/.local/share/tracker/ledger.db.
pub fn default_ledger_path() -> CliResult<PathBuf> {
    let strategy = etcetera::choose_base_strategy().map_err(|e| {
        CliError::runtime(format!(
            "cannot find the home folder for the default ledger: {e}"
        ))
        .with_hint("name a ledger with --db PATH or TRACKER_DB")
    })?;
    Ok(strategy.data_dir().join("tracker").join("ledger.db"))
}

/// Who is recording: `--by`/`TRACKER_USER`, else the OS user.
pub fn recorder(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
