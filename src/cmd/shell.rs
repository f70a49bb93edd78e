//! `tracker completions SHELL` and `tracker man`: generated from the clap
//! definitions, so they can never disagree with `--help`.

use crate::cli::Cli;
use crate::error::{CliResult, ExitCode};
use clap::CommandFactory;

pub fn completions(shell: clap_complete::Shell) -> CliResult<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tracker", &mut out);
    crate::output::to_stdout(&out)?;
    Ok(ExitCode::Success)
}

pub fn man() -> CliResult<ExitCode> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    crate::output::to_stdout(&out)?;
    Ok(ExitCode::Success)
}
