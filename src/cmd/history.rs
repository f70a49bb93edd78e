//! `tracker history`: the whole trail, oldest first, for people or
//! machines. Nothing is ever hidden here: superseded and retracted entries
//! are shown with what replaced them.

use super::open_ledger;
use crate::cli::{Format, HistoryArgs};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::render::entries::{render_entries, render_versions_table};
use crate::render::safe;
use crate::storage::Access;

pub fn run(config: &Config, args: &HistoryArgs) -> CliResult<ExitCode> {
    let ledger = open_ledger(config, Access::ReadOnly)?;
    if let Some(id) = &args.id {
        ledger.target(id, None)?;
    }
    let entries = ledger.entries(args.id.as_deref())?;
    let bytes = match args.format {
        Format::Table => {
            let versions = safe::versions(&ledger.target_versions(args.id.as_deref())?);
            let mut out = render_versions_table(&versions);
            out.extend(render_entries(Format::Table, &safe::entries(&entries))?);
            out
        }
        Format::Markdown => {
            return Err(CliError::input(
                "history supports --format table, csv or json",
            ));
        }
        format => render_entries(format, &entries)?,
    };
    crate::output::to_stdout(&bytes)?;
    Ok(ExitCode::Success)
}
