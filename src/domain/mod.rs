//! The ledger's rules, in one place: what a valid observation, entry and
//! target definition is. Every way data gets in (`record`, `correct`,
//! `retract`, CSV import, JSON restore, target files, `target add/amend`)
//! and `check` ask these functions, so the paths cannot disagree: a value
//! one path refuses, every path refuses, with the same words.
//!
//! The rules are pure (no I/O, no clock: "today" is a parameter). Storage
//! only fetches and inserts; the database's own constraints stay as a
//! second line of defence.
//!
//! Errors are [`RuleError`]s naming the field by its file/JSON key
//! (`limit`, `source`); callers say where that field came from (a flag
//! `--limit`, a file line, an entry of an export).

pub mod entry;
pub mod target;
pub mod text;
pub mod trail;

/// A broken rule: which field, and what is wrong and what would be
/// accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    /// The field's key as in target files and exports (`limit`, `period`).
    pub field: &'static str,
    pub message: String,
}

impl RuleError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        RuleError {
            field,
            message: message.into(),
        }
    }

    /// The flag a field is given with on the command line (`--limit`).
    pub fn flag(&self) -> String {
        format!("--{}", self.field.replace('_', "-"))
    }
}

impl From<text::TextError> for RuleError {
    fn from(error: text::TextError) -> Self {
        let field = match &error {
            text::TextError::Empty { field }
            | text::TextError::TooLong { field, .. }
            | text::TextError::ControlCharacter { field, .. }
            | text::TextError::Bidi { field, .. }
            | text::TextError::NotAUrl { field, .. } => *field,
        };
        RuleError::new(field.trim_start_matches('-'), error.to_string())
    }
}
