//! Errors as the user meets them, and the exit codes cron sees.
//!
//! Every domain module has its own `thiserror` type (value grammar, periods,
//! target files, storage). At the edge they become a [`CliError`], which adds
//! the one thing the domain cannot know: what *kind* of failure this is for
//! the person or script running the command (their input, the ledger file, or
//! the machine), plus hints naming the command that would fix it. The kind
//! decides the exit code, so scripts can tell "you typed it wrong" from "the
//! disk is full" without parsing messages.

use std::fmt;

/// Documented exit codes (README, "Exit codes"). Never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything worked.
    Success = 0,
    /// A runtime failure: I/O, a locked or failing database, a bug.
    Failure = 1,
    /// Bad usage or bad input; nothing was written.
    Usage = 2,
    /// `--fail-on` matched: the report was written, some target has a
    /// status the caller asked to be alerted about.
    StatusAlert = 3,
    /// The ledger cannot be used: missing, not a tracker ledger, written by a
    /// newer version, or `tracker check` found a problem.
    Ledger = 4,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Who has to act to fix the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line or the data given to it.
    Input,
    /// The ledger file itself.
    Ledger,
    /// The environment, or a bug.
    Runtime,
}

impl ErrorKind {
    pub fn exit_code(self) -> ExitCode {
        match self {
            ErrorKind::Input => ExitCode::Usage,
            ErrorKind::Ledger => ExitCode::Ledger,
            ErrorKind::Runtime => ExitCode::Failure,
        }
    }
}

/// An error ready to be shown: kind, the underlying error (with its causes)
/// and hints.
pub struct CliError {
    pub kind: ErrorKind,
    pub error: Box<dyn std::error::Error + Send + Sync + 'static>,
    pub hints: Vec<String>,
}

pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    pub fn new(
        kind: ErrorKind,
        error: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        CliError {
            kind,
            error: error.into(),
            hints: Vec::new(),
        }
    }

    pub fn input(message: impl Into<String>) -> Self {
        CliError::new(ErrorKind::Input, message.into())
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        CliError::new(ErrorKind::Runtime, message.into())
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Prefixes the message with where it happened ("line 12: ..."), keeping
    /// kind and hints.
    pub fn context(self, context: impl fmt::Display) -> Self {
        let message = format!("{context}: {}", self.error);
        CliError {
            kind: self.kind,
            error: message.into(),
            hints: self.hints,
        }
    }

    /// The text printed on stderr: the error, its causes, then hints.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.error);
        let mut source = self.error.source();
        while let Some(cause) = source {
            out.push_str(&format!("  caused by: {cause}\n"));
            source = cause.source();
        }
        for hint in &self.hints {
            out.push_str(&format!("hint: {hint}\n"));
        }
        out
    }
}

impl fmt::Debug for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::new(ErrorKind::Runtime, error)
    }
}

impl From<crate::value::ValueError> for CliError {
    fn from(error: crate::value::ValueError) -> Self {
        CliError::new(ErrorKind::Input, error)
    }
}

impl From<crate::period::PeriodError> for CliError {
    fn from(error: crate::period::PeriodError) -> Self {
        CliError::new(ErrorKind::Input, error)
    }
}

impl From<crate::targets_file::TargetFileError> for CliError {
    fn from(error: crate::targets_file::TargetFileError) -> Self {
        CliError::new(ErrorKind::Input, error)
    }
}

impl From<crate::domain::text::TextError> for CliError {
    fn from(error: crate::domain::text::TextError) -> Self {
        CliError::new(ErrorKind::Input, error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_stable() {
        assert_eq!(ExitCode::Success.code(), 0);
        assert_eq!(ExitCode::Failure.code(), 1);
        assert_eq!(ExitCode::Usage.code(), 2);
        assert_eq!(ExitCode::StatusAlert.code(), 3);
        assert_eq!(ExitCode::Ledger.code(), 4);
    }

    #[test]
    fn kinds_map_to_codes() {
        assert_eq!(ErrorKind::Input.exit_code(), ExitCode::Usage);
        assert_eq!(ErrorKind::Ledger.exit_code(), ExitCode::Ledger);
        assert_eq!(ErrorKind::Runtime.exit_code(), ExitCode::Failure);
    }

    #[test]
    fn render_shows_causes_and_hints() {
        let io = std::io::Error::other("disk full");
        let err = CliError::new(ErrorKind::Runtime, io)
            .context("writing report.csv")
            .with_hint("free some space");
        let text = err.render();
        assert!(text.starts_with("error: writing report.csv: disk full\n"));
        assert!(text.ends_with("hint: free some space\n"));
    }
}
