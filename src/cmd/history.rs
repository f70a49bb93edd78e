//! `tracker history`: the whole trail, oldest first, for people or
//! machines. Nothing is ever hidden here: superseded and retracted entries
//! are shown with what replaced them.

use super::{open_ledger, table_style};
use crate::cli::{HistoryArgs, HistoryFormat};
use crate::config::Config;
use crate::error::{CliResult, ExitCode};
use crate::render::entries::{MachineFormat, render_entries, render_versions_table, trail_table};
use crate::render::safe;
use crate::storage::Access;
use std::collections::HashMap;

pub fn run(config: &Config, args: &HistoryArgs) -> CliResult<ExitCode> {
    let ledger = open_ledger(config, Access::ReadOnly)?;
    if let Some(id) = &args.id {
        ledger.target(id, None)?;
    }
    let entries = ledger.entries(args.id.as_deref())?;
    let bytes = match args.format {
        HistoryFormat::Table => {
            let versions = safe::versions(&ledger.target_versions(args.id.as_deref())?);
            // Values read in each target's current unit, as `show` prints them.
            let units: HashMap<&str, &str> = versions
                .iter()
                .map(|v| (v.def.id.as_str(), v.def.unit.as_str()))
                .collect();
            let unit_of = |id: &str| units.get(id).copied().unwrap_or("");
            let style = table_style(config);
            let mut out = render_versions_table(&versions, &style);
            out.extend(
                trail_table(
                    &safe::entries(&entries),
                    &unit_of,
                    args.id.is_none(),
                    &style,
                )
                .into_bytes(),
            );
            out
        }
        HistoryFormat::Csv => render_entries(MachineFormat::Csv, &entries)?,
        HistoryFormat::Json => render_entries(MachineFormat::Json, &entries)?,
    };
    crate::output::to_stdout(&bytes)?;
    Ok(ExitCode::Success)
}
