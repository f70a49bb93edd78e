//! Free-text fields (sources, notes, reasons, names) checked once, before
//! anything reaches the ledger.
//!
//! Text ends up in terminals, CSV files and spreadsheets. Control characters
//! could rewrite a terminal or hide content, and unbounded text makes a
//! ledger that nobody can read, so both are refused with the field named.
//! Unicode is otherwise kept exactly as typed (no normalisation): the ledger
//! quotes sources, it does not edit them.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TextError {
    #[error("{field} is empty; give a non-empty {field}")]
    Empty { field: &'static str },
    #[error("{field} is {len} characters long; the limit is {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error(
        "{field} contains the control character U+{code:04X} at character {position}; remove it{newline}"
    )]
    ControlCharacter {
        field: &'static str,
        code: u32,
        position: usize,
        newline: &'static str,
    },
}

/// How a field may look.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub field: &'static str,
    pub max_chars: usize,
    pub allow_newlines: bool,
}

impl TextRule {
    pub const fn line(field: &'static str, max_chars: usize) -> Self {
        TextRule {
            field,
            max_chars,
            allow_newlines: false,
        }
    }

    pub const fn paragraph(field: &'static str, max_chars: usize) -> Self {
        TextRule {
            field,
            max_chars,
            allow_newlines: true,
        }
    }

    /// Trims surrounding white space and checks the rest.
    pub fn check(&self, input: &str) -> Result<String, TextError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(TextError::Empty { field: self.field });
        }
        let len = text.chars().count();
        if len > self.max_chars {
            return Err(TextError::TooLong {
                field: self.field,
                len,
                max: self.max_chars,
            });
        }
        for (position, c) in text.chars().enumerate() {
            let allowed = self.allow_newlines && c == '\n';
            if c.is_control() && !allowed {
                return Err(TextError::ControlCharacter {
                    field: self.field,
                    code: c as u32,
                    position: position + 1,
                    newline: if self.allow_newlines {
                        " (newlines are allowed)"
                    } else {
                        " (this field is a single line)"
                    },
                });
            }
        }
        Ok(text.to_string())
    }

    /// Like [`check`](Self::check) for an optional field.
    pub fn check_opt(&self, input: Option<&str>) -> Result<Option<String>, TextError> {
        input.map(|text| self.check(text)).transpose()
    }
}

pub const SOURCE: TextRule = TextRule::line("--source", 500);
pub const URL: TextRule = TextRule::line("--url", 500);
pub const NOTE: TextRule = TextRule::paragraph("--note", 2000);
pub const REASON: TextRule = TextRule::paragraph("--reason", 500);
pub const BY: TextRule = TextRule::line("--by", 200);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_unicode_and_trims() {
        assert_eq!(SOURCE.check("  国资委 — NBS  ").unwrap(), "国资委 — NBS");
    }

    #[test]
    fn rejects_empty_long_and_control() {
        assert_eq!(
            SOURCE.check("   "),
            Err(TextError::Empty { field: "--source" })
        );
        assert!(matches!(
            SOURCE.check(&"x".repeat(501)),
            Err(TextError::TooLong { len: 501, .. })
        ));
        assert!(matches!(
            SOURCE.check("a\u{1b}[31mred"),
            Err(TextError::ControlCharacter {
                code: 0x1b,
                position: 2,
                ..
            })
        ));
        assert!(SOURCE.check("two\nlines").is_err());
        assert_eq!(NOTE.check("two\nlines").unwrap(), "two\nlines");
        assert!(NOTE.check("tab\there").is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(SOURCE.check(&"国".repeat(500)).is_ok());
    }
}
