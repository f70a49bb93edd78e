//! What the command line, the environment and the config file resolve to,
//! once.
//!
//! Commands never read the environment, the config file or the clock
//! themselves: they get a [`Config`]. That keeps them testable and makes
//! every report reproducible (`TRACKER_NOW` fixes the clock for tests and for
//! re-running a past day).
//!
//! Every setting is resolved the same way: a flag beats its environment
//! variable, which beats the config file, which beats the default
//! (docs/config.md).

use crate::cli::{Cli, ColorChoice, Numbers};
use crate::error::{CliError, CliResult};
use crate::numfmt::NumberStyle;
use chrono::{DateTime, NaiveDate, Utc};
use clap::ValueEnum;
use etcetera::BaseStrategy;
use serde::Deserialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Names the config file; empty means "no config file".
pub const CONFIG_ENV: &str = "TRACKER_CONFIG";

/// Where the ledger is and whether the user named it.
#[derive(Debug, Clone)]
pub struct LedgerLocation {
    pub path: PathBuf,
    /// Named by `--db`, `TRACKER_DB` or the config file: must exist (except
    /// for `init`). The default location is created and seeded on first use
    /// instead.
    pub explicit: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub ledger: LedgerLocation,
    /// Colour and other terminal niceties on stdout.
    pub color: bool,
    /// How tables and pages write large numbers (never CSV/JSON).
    pub numbers: NumberStyle,
    /// stdout is a terminal (tables by default, no CSV).
    pub stdout_is_terminal: bool,
    /// stdin is a terminal: a person is running this, not cron or a
    /// script. Only then is a missing default ledger created on first use.
    pub interactive: bool,
    /// The clock: now, or `TRACKER_NOW`.
    pub now: DateTime<Utc>,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// `by` from the config file: who records when no flag or env says.
    pub file_recorder: Option<String>,
}

impl Config {
    pub fn from_cli(cli: &Cli) -> CliResult<Config> {
        let file = ConfigFile::load()?.unwrap_or_default();
        let ledger = match (&cli.db, &file.db) {
            (Some(path), _) | (None, Some(path)) => LedgerLocation {
                path: path.clone(),
                explicit: true,
            },
            (None, None) => LedgerLocation {
                path: default_ledger_path()?,
                explicit: false,
            },
        };
        check_busy_timeout()?;
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let choice = cli.color.or(file.color).unwrap_or(ColorChoice::Auto);
        let color = resolve_color(choice, stdout_is_terminal, |name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        });
        let numbers = cli.numbers.or(file.numbers).unwrap_or(Numbers::Western);
        Ok(Config {
            ledger,
            color,
            numbers: numbers.into(),
            stdout_is_terminal,
            interactive: std::io::stdin().is_terminal(),
            now: clock()?,
            file: file.path,
            file_recorder: file.by,
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

/// Whether to colour: `always` and `never` are final; `auto` means stdout
/// is a terminal, `NO_COLOR` is unset or empty (no-color.org) and the
/// terminal is not `TERM=dumb`.
pub fn resolve_color(
    choice: ColorChoice,
    stdout_is_terminal: bool,
    env: impl Fn(&str) -> Option<String>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stdout_is_terminal
                && env("NO_COLOR").is_none_or(|v| v.is_empty())
                && env("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Refuses a `TRACKER_BUSY_TIMEOUT_MS` that is not a whole number of
/// milliseconds, so a typo in a cron file is not silently the default.
fn check_busy_timeout() -> CliResult<()> {
    const VAR: &str = crate::storage::BUSY_TIMEOUT_ENV;
    match crate::storage::busy_timeout_setting() {
        Err(text) => Err(CliError::input(format!(
            "{VAR}=`{text}` is not a whole number of milliseconds"
        ))
        .with_hint(format!("use e.g. {VAR}=30000, or unset it for the default"))),
        Ok(_) => Ok(()),
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

/// `<platform config dir>/tracker/config.toml`, e.g.
/// ~/.config/tracker/config.toml; `None` without a home folder.
pub fn default_config_path() -> Option<PathBuf> {
    let strategy = etcetera::choose_base_strategy().ok()?;
    Some(strategy.config_dir().join("tracker").join("config.toml"))
}

impl Config {
    /// Who is recording: `--by`/`TRACKER_USER`, else `by` in the config
    /// file, else `USER`, else the account name in the OS user database
    /// (cron and systemd often run without `USER`). Blank values count as
    /// unset.
    pub fn recorder(&self, flag: Option<&str>) -> String {
        let named = |name: Option<String>| name.filter(|n| !n.trim().is_empty());
        named(flag.map(str::to_string))
            .or_else(|| named(self.file_recorder.clone()))
            .or_else(|| named(std::env::var("USER").ok()))
            .or_else(|| named(std::env::var("USERNAME").ok()))
            .or_else(|| named(whoami::account().ok()))
            .unwrap_or_else(|| "unknown".to_string())
    }
}

/// The settings a config file holds, checked. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigFile {
    /// The file these came from.
    pub path: Option<PathBuf>,
    /// Ledger path; a relative path is relative to the config file's folder.
    pub db: Option<PathBuf>,
    pub by: Option<String>,
    pub color: Option<ColorChoice>,
    pub numbers: Option<Numbers>,
}

/// The file as written: strings with their place, checked afterwards so an
/// error can name the line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfigFile {
    db: Option<toml::Spanned<String>>,
    by: Option<toml::Spanned<String>>,
    color: Option<toml::Spanned<String>>,
    numbers: Option<toml::Spanned<String>>,
}

impl ConfigFile {
    /// Reads the config file: `TRACKER_CONFIG` if set (it must exist; empty
    /// means none), else the platform default if it exists.
    pub fn load() -> CliResult<Option<ConfigFile>> {
        let path = match std::env::var_os(CONFIG_ENV) {
            Some(value) if value.is_empty() => return Ok(None),
            Some(value) => {
                let path = PathBuf::from(value);
                if !path.is_file() {
                    return Err(CliError::input(format!(
                        "{CONFIG_ENV} names {}, which is not a file",
                        path.display()
                    ))
                    .with_hint(format!(
                        "create it (see docs/config.md), or unset {CONFIG_ENV}"
                    )));
                }
                path
            }
            None => match default_config_path() {
                Some(path) if path.is_file() => path,
                _ => return Ok(None),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CliError::from(e).context(format!("reading config file {}", path.display()))
        })?;
        ConfigFile::parse(&path, &text).map(Some)
    }

    /// Parses and checks `text`, the contents of `path`. Errors name the
    /// file and line: `config.toml:3: unknown key ...`.
    pub fn parse(path: &Path, text: &str) -> CliResult<ConfigFile> {
        let at = |span: Option<std::ops::Range<usize>>, message: &str| {
            let place = match span {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    format!("{}:{line}:{column}", path.display())
                }
                None => path.display().to_string(),
            };
            CliError::input(format!("{place}: {message}")).with_hint(
                "the keys are db = \"PATH\", by = \"NAME\", color = \"auto|always|never\" \
                     and numbers = \"western|chinese\" (docs/config.md)",
            )
        };
        let raw: RawConfigFile = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace("unknown field", "unknown key");
            at(e.span(), &message)
        })?;
        let mut file = ConfigFile {
            path: Some(path.to_path_buf()),
            ..ConfigFile::default()
        };
        if let Some(value) = raw.db {
            let text = value.get_ref().trim();
            if text.is_empty() {
                return Err(at(Some(value.span()), "`db` is empty; give a ledger path"));
            }
            file.db = Some(resolve_path(path, text));
        }
        if let Some(value) = raw.by {
            let text = value.get_ref().trim();
            if text.is_empty() {
                return Err(at(Some(value.span()), "`by` is empty; give a name"));
            }
            file.by = Some(text.to_string());
        }
        if let Some(value) = raw.color {
            let choice = ColorChoice::from_str(value.get_ref(), false).map_err(|_| {
                at(
                    Some(value.span()),
                    &format!(
                        "`color = \"{}\"` is not auto, always or never",
                        value.get_ref()
                    ),
                )
            })?;
            file.color = Some(choice);
        }
        if let Some(value) = raw.numbers {
            let numbers = Numbers::from_str(value.get_ref(), false).map_err(|_| {
                at(
                    Some(value.span()),
                    &format!(
                        "`numbers = \"{}\"` is not western or chinese",
                        value.get_ref()
                    ),
                )
            })?;
            file.numbers = Some(numbers);
        }
        Ok(file)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `~/x` under the home folder; a relative path under the config file's
/// folder; an absolute path as is.
fn resolve_path(config_file: &Path, text: &str) -> PathBuf {
    if let Some(rest) = text.strip_prefix("~/")
        && let Ok(strategy) = etcetera::choose_base_strategy()
    {
        return strategy.home_dir().join(rest);
    }
    // A database URL is not a path: never joined to the config's folder.
    if crate::storage::Location::is_url(text) {
        return PathBuf::from(text);
    }
    let path = PathBuf::from(text);
    if path.is_absolute() {
        return path;
    }
    match config_file.parent() {
        Some(folder) => folder.join(path),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> CliResult<ConfigFile> {
        ConfigFile::parse(Path::new("/etc/t/config.toml"), text)
    }

    #[test]
    fn reads_every_key() {
        let file = parse(
            "db = \"team/ledger.db\"\nby = \"Ana\"\ncolor = \"never\"\nnumbers = \"chinese\"\n",
        )
        .unwrap();
        assert_eq!(file.db, Some(PathBuf::from("/etc/t/team/ledger.db")));
        assert_eq!(file.by.as_deref(), Some("Ana"));
        assert_eq!(file.color, Some(ColorChoice::Never));
        assert_eq!(file.numbers, Some(Numbers::Chinese));
        assert_eq!(parse("").unwrap().db, None);
        assert_eq!(
            parse("db = \"/abs/l.db\"").unwrap().db,
            Some(PathBuf::from("/abs/l.db"))
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse("by = \"Ana\"\ncolour = \"never\"\n")
            .unwrap_err()
            .render();
        assert!(
            err.contains("/etc/t/config.toml:2:1: unknown key `colour`"),
            "{err}"
        );
        let err = parse("\n\ncolor = \"sometimes\"\n").unwrap_err().render();
        assert!(err.contains("config.toml:3:9:"), "{err}");
        assert!(err.contains("not auto, always or never"), "{err}");
        let err = parse("numbers = 3\n").unwrap_err().render();
        assert!(err.contains("config.toml:1:11:"), "{err}");
        let err = parse("db = \"\"").unwrap_err().render();
        assert!(err.contains("`db` is empty"), "{err}");
        let err = parse("db = [").unwrap_err().render();
        assert!(err.contains("config.toml:1:"), "{err}");
    }

    #[test]
    fn color_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(resolve_color(ColorChoice::Auto, true, env(&[])));
        assert!(!resolve_color(ColorChoice::Auto, false, env(&[])));
        assert!(!resolve_color(
            ColorChoice::Auto,
            true,
            env(&[("NO_COLOR", "1")])
        ));
        assert!(resolve_color(
            ColorChoice::Auto,
            true,
            env(&[("NO_COLOR", "")])
        ));
        assert!(!resolve_color(
            ColorChoice::Auto,
            true,
            env(&[("TERM", "dumb")])
        ));
        assert!(resolve_color(
            ColorChoice::Always,
            false,
            env(&[("NO_COLOR", "1")])
        ));
        assert!(!resolve_color(ColorChoice::Never, true, env(&[])));
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("a\nbé c", 6), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
