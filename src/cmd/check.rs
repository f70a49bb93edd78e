//! `tracker check`: is this ledger healthy? For cron and for peace of
//! mind after a crash, a copy or a hand edit.

use crate::config::Config;
use crate::error::{CliError, CliResult, ErrorKind, ExitCode};
use crate::storage::{Access, Ledger, StorageError};

pub fn run(config: &Config) -> CliResult<ExitCode> {
    // Never create the default ledger just to check it.
    let ledger = Ledger::open(&config.ledger.path, Access::ReadOnly).map_err(damaged)?;
    let problems = ledger.check().map_err(damaged)?;
    if problems.is_empty() {
        println!(
            "ok: {} is healthy ({} targets, {} entries)",
            config.ledger.path.display(),
            ledger.target_count()?,
            ledger.entry_count()?
        );
        return Ok(ExitCode::Success);
    }
    let mut message = format!(
        "{} problem(s) in {}:",
        problems.len(),
        config.ledger.path.display()
    );
    for problem in &problems {
        message.push_str("\n  - ");
        message.push_str(problem);
    }
    Err(CliError::new(ErrorKind::Ledger, message).with_hint(
        "restore the latest `tracker backup`, or rebuild with `tracker export` + `tracker import`",
    ))
}

/// A file SQLite finds damaged is a problem `check` found (exit 4), not a
/// runtime failure.
fn damaged(error: StorageError) -> CliError {
    let corrupt = matches!(&error, StorageError::Sqlite(e) if matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    ));
    let err = CliError::from(error);
    if corrupt {
        CliError {
            kind: ErrorKind::Ledger,
            hints: vec![
                "the file is damaged: restore the latest `tracker backup`, \
                 or rebuild with `tracker export` + `tracker import`"
                    .to_string(),
            ],
            ..err
        }
    } else {
        err
    }
}
