//! `tracker completions SHELL` and `tracker man`: generated from the clap
//! definitions, so they can never disagree with `--help`.

use crate::cli::Cli;
use crate::error::{CliError, CliResult, ExitCode};
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

pub fn completions(shell: clap_complete::Shell) -> CliResult<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tracker", &mut out);
    crate::output::to_stdout(&out)?;
    Ok(ExitCode::Success)
}

/// `tracker man`: the main page on stdout; with `--dir`, every page
/// (tracker.1, tracker-record.1, tracker-target-add.1, ...) into that
/// folder, so the pages the main one cites exist.
pub fn man(dir: Option<&Path>) -> CliResult<ExitCode> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let Some(dir) = dir else {
        crate::output::to_stdout(&page(&command, true)?)?;
        return Ok(ExitCode::Success);
    };
    if !dir.is_dir() {
        return Err(CliError::input(format!(
            "cannot write the man pages: the folder {} does not exist",
            dir.display()
        ))
        .with_hint(format!("create it first: mkdir -p {}", dir.display())));
    }
    let mut written = 0;
    let mut pending = vec![(command, true)];
    while let Some((cmd, top)) = pending.pop() {
        pending.extend(cmd.get_subcommands().cloned().map(|sub| (sub, false)));
        let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
        crate::output::to_file(&dir.join(format!("{name}.1")), &page(&cmd, top)?, None)?;
        written += 1;
    }
    println!("wrote {written} man pages to {}", dir.display());
    Ok(ExitCode::Success)
}

/// One page in roff; the main page also gets EXIT STATUS, ENVIRONMENT and
/// FILES.
fn page(cmd: &clap::Command, top: bool) -> CliResult<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    if !top {
        man.render(&mut out)?;
        return Ok(out);
    }
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    man.render_subcommands_section(&mut out)?;
    man.render_extra_section(&mut out)?;
    out.write_all(MAIN_PAGE_SECTIONS.as_bytes())?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// The sections of tracker(1) that clap does not know about. Roff: `\-`
/// is a hyphen that stays one when copied.
const MAIN_PAGE_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
0
Success.
.TP
1
Runtime failure: I/O, a database error, the ledger busy for longer than the timeout.
.TP
2
Bad usage or bad input; nothing was written.
.TP
3
\fB\-\-fail\-on\fR matched: the report was written and some target has one of the statuses asked for.
.TP
4
The ledger cannot be used: missing (a non\-interactive run with no default ledger included), not a tracker ledger, from a newer version, or \fBtracker check\fR found a problem.
.SH ENVIRONMENT
.TP
TRACKER_DB
The ledger file, as \fB\-\-db\fR. Empty counts as unset.
.TP
TRACKER_COLOR, TRACKER_NUMBERS
Defaults of \fB\-\-color\fR and \fB\-\-numbers\fR. Empty counts as unset.
.TP
TRACKER_USER
Who records entries, as \fB\-\-by\fR; else the config file's \fIby\fR, else USER, else the OS account name.
.TP
TRACKER_CONFIG
The config file; empty means none.
.TP
TRACKER_NOW
Fixes the clock (RFC 3339, e.g. 2025\-02\-01T12:00:00Z), for tests and for re\-running a past day.
.TP
TRACKER_BUSY_TIMEOUT_MS
How long to wait for another writer, in whole milliseconds (default 10000).
.TP
NO_COLOR
Set and not empty: no colour unless \fB\-\-color always\fR.
.TP
COLUMNS
Table width, instead of asking the terminal.
.SH FILES
.TP
~/.local/share/tracker/ledger.db
The default ledger (the platform data folder elsewhere). Created and seeded on first use at a terminal; a script or cron job gets exit 4 and must run \fBtracker init\fR.
.TP
~/.config/tracker/config.toml
Optional config file: \fIdb\fR (a path, relative to the file), \fIby\fR, \fIcolor\fR (auto, always, never) and \fInumbers\fR (western, chinese). A flag beats its environment variable, which beats the file.
.TP
LEDGER\-wal, LEDGER\-shm
SQLite's write\-ahead log and index beside the ledger; part of it while tracker runs. No output (\fB\-o\fR, \fBbackup\fR) may replace them.
"#;
