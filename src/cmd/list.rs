//! `tracker list`: the analyst's checklist, one line per target.

use super::{open_ledger, table_style};
use crate::cli::{Format, ListArgs};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::Kind;
use crate::report::{Selection, build_rows, parse_statuses};
use crate::storage::Access;

pub fn run(config: &Config, args: &ListArgs) -> CliResult<ExitCode> {
    let selection = Selection {
        ids: Vec::new(),
        statuses: parse_statuses("--status", &args.status)?,
        kind: args
            .kind
            .as_deref()
            .map(|k| {
                k.parse::<Kind>()
                    .map_err(|e| CliError::input(format!("--kind: {e}")))
            })
            .transpose()?,
    };
    let as_of = config.as_of(args.as_of.as_deref())?;
    let ledger = open_ledger(config, Access::ReadOnly)?;
    let rows = build_rows(&ledger, &selection, as_of, None)?;
    let bytes = crate::render::render(args.format, &rows, &table_style(config))?;
    crate::output::to_stdout(&bytes)?;
    if rows.is_empty() && args.format == Format::Table {
        eprintln!("tracker: no target matches");
    }
    Ok(ExitCode::Success)
}
