//! `tracker check`: is this ledger healthy? For cron and for peace of
//! mind after a crash, a copy or a hand edit.

use crate::config::Config;
use crate::domain::entry::check_entry;
use crate::domain::target::check_version;
use crate::error::{CliError, CliResult, ErrorKind, ExitCode};
use crate::storage::{Access, Ledger, TargetVersion};
use std::collections::HashMap;

pub fn run(config: &Config) -> CliResult<ExitCode> {
    // Never create the default ledger just to check it.
    let ledger = Ledger::open(&config.ledger.path, Access::ReadOnly)?;
    let mut problems = ledger.check()?;
    if problems.is_empty() {
        problems = broken_rules(&ledger)?;
    }
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
    for problem in problems.iter().take(MAX_LISTED) {
        message.push_str("\n  - ");
        message.push_str(problem);
    }
    if problems.len() > MAX_LISTED {
        message.push_str(&format!("\n  ... and {} more", problems.len() - MAX_LISTED));
    }
    Err(CliError::new(ErrorKind::Ledger, message).with_hint(
        "restore the latest `tracker backup`, or rebuild with `tracker export` + `tracker import`",
    ))
}

/// How many problems are listed before "and N more".
const MAX_LISTED: usize = 50;

/// Definitions and entries the ledger's rules refuse (an older tracker, a
/// restore or a hand edit let them in): each judged exactly as `record`,
/// `import` and `target add` would judge it today.
fn broken_rules(ledger: &Ledger) -> CliResult<Vec<String>> {
    let mut problems = Vec::new();
    let versions = ledger.target_versions(None)?;
    let mut by_target: HashMap<&str, Vec<&TargetVersion>> = HashMap::new();
    for v in &versions {
        if let Err(e) = check_version(&v.def, &v.recorded_by, v.reason.as_deref()) {
            problems.push(format!(
                "target `{}` version {}, field `{}`: {e}",
                v.def.id, v.version, e.field
            ));
        }
        by_target.entry(v.def.id.as_str()).or_default().push(v);
    }
    for entry in ledger.entries(None)? {
        let Some(def) = by_target
            .get(entry.target_id.as_str())
            .and_then(|vs| TargetVersion::in_force(vs, entry.recorded_at))
        else {
            continue;
        };
        if let Err(e) = check_entry(&def.def, &entry) {
            problems.push(format!("entry #{}, field `{}`: {e}", entry.id, e.field));
        }
    }
    Ok(problems)
}
