//! `tracker check`: is this ledger healthy? For cron and for peace of
//! mind after a crash, a copy or a hand edit.

use crate::config::Config;
use crate::error::{CliError, CliResult, ErrorKind, ExitCode};
use crate::storage::{Access, Ledger};

pub fn run(config: &Config) -> CliResult<ExitCode> {
    // Never create the default ledger just to check it.
    let ledger = Ledger::open(&config.ledger.path, Access::ReadOnly)?;
    let problems = ledger.check()?;
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
