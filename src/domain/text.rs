//! Free-text fields (sources, notes, reasons, names, titles, quotes, URLs):
//! the one definition of what text the ledger accepts, used by every way
//! text gets in (flags, CSV, JSON restore, target files) and by `check`.
//!
//! Text ends up in terminals, CSV files and spreadsheets. Control characters
//! could rewrite a terminal or hide content, bidirectional overrides can
//! make text read differently from what it says, and unbounded text makes a
//! ledger that nobody can read, so all are refused with the field named.
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
    #[error(
        "{field} contains the bidirectional control U+{code:04X} at character {position}, which can make text display differently from what it says; remove it"
    )]
    Bidi {
        field: &'static str,
        code: u32,
        position: usize,
    },
    #[error(
        "{field} `{url}` is not a web address; expected an http:// or https:// URL without spaces"
    )]
    NotAUrl { field: &'static str, url: String },
}

/// Characters that reorder the display of text around them (embeddings,
/// overrides and isolates). Refused in every field.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Stored text made safe to show to a person: control characters (other
/// than newline) become their visible Unicode pictures (ESC shows as ␛,
/// CR as ␍), C1 controls and bidirectional controls become U+FFFD. Text
/// the rules above accepted comes back unchanged; text an older ledger
/// holds can never move the cursor, retitle a terminal or reorder a line.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n') || is_bidi_control(c);
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\n' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
            '\u{7f}' => '\u{2421}',
            c if unsafe_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
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

    /// The same rule reported under another name (a file key such as
    /// `source` rather than the flag `--source`).
    pub const fn named(self, field: &'static str) -> Self {
        TextRule { field, ..self }
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
            if is_bidi_control(c) {
                return Err(TextError::Bidi {
                    field: self.field,
                    code: c as u32,
                    position: position + 1,
                });
            }
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

    /// A web address: a one-line text that starts with `http://` or
    /// `https://` and has no white space (so `javascript:` and `file:`
    /// links never reach a report or an HTML page).
    pub fn check_url(&self, input: &str) -> Result<String, TextError> {
        let text = self.check(input)?;
        let lower = text.to_ascii_lowercase();
        let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
        if !scheme_ok || text.chars().any(char::is_whitespace) || text.len() <= "http://".len() {
            return Err(TextError::NotAUrl {
                field: self.field,
                url: text,
            });
        }
        Ok(text)
    }

    /// Like [`check_url`](Self::check_url) for an optional field.
    pub fn check_url_opt(&self, input: Option<&str>) -> Result<Option<String>, TextError> {
        input.map(|text| self.check_url(text)).transpose()
    }
}

pub const SOURCE: TextRule = TextRule::line("--source", 500);
pub const URL: TextRule = TextRule::line("--url", 500);
pub const NOTE: TextRule = TextRule::paragraph("--note", 2000);
pub const REASON: TextRule = TextRule::paragraph("--reason", 500);
pub const BY: TextRule = TextRule::line("--by", 200);
pub const ID: TextRule = TextRule::line("id", 64);
pub const TITLE: TextRule = TextRule::line("title", 200);
pub const METRIC: TextRule = TextRule::line("metric", 500);
pub const UNIT: TextRule = TextRule::line("unit", 40);
pub const QUOTE: TextRule = TextRule::paragraph("quote", 4000);
pub const SPEAKER: TextRule = TextRule::line("speaker", 500);
pub const SPEAKER_ROLE: TextRule = TextRule::line("speaker_role", 500);
pub const SOURCE_TITLE: TextRule = TextRule::line("source_title", 500);
pub const SOURCE_URL: TextRule = TextRule::line("source_url", 500);
pub const INTERPRETATION: TextRule = TextRule::paragraph("interpretation", 4000);

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
    fn refuses_bidi_controls_and_non_web_urls() {
        assert!(matches!(
            NOTE.check("abc\u{202e}cba"),
            Err(TextError::Bidi { code: 0x202e, .. })
        ));
        assert!(URL.check_url("https://example.org/a").is_ok());
        assert!(URL.check_url("HTTP://example.org").is_ok());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://a b",
            "http://",
        ] {
            assert!(URL.check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn printable_keeps_good_text_and_defuses_the_rest() {
        assert!(matches!(
            printable("国资委\nline"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(printable("a\u{1b}]0;x\u{7}b\r"), "a␛]0;x␇b␍");
        assert_eq!(printable("x\u{202e}y\u{9b}z\u{7f}"), "x\u{FFFD}y\u{FFFD}z␡");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(SOURCE.check(&"国".repeat(500)).is_ok());
    }
}
