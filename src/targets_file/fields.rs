//! Reading one field of a target file: its TOML type, then its grammar
//! (text, URL, enum, date, number, value), each error at the field's line.

use super::*;

impl<'a> Cx<'a> {
    // ----- Field readers --------------------------------------------------

    pub(super) fn string(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
    ) -> Result<String, TargetFileError> {
        match v.get_ref() {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.bad(
                p,
                name,
                v,
                format!("expected a string in quotes, found {}", describe(other)),
            )),
        }
    }

    pub(super) fn text(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
        max: usize,
        newlines: bool,
    ) -> Result<String, TargetFileError> {
        let s = self.string(p, name, v)?;
        check_text(name, &s, max, newlines).map_err(|m| self.bad(p, name, v, m))?;
        Ok(s)
    }

    pub(super) fn req_text(
        &self,
        p: &Place<'_>,
        name: &str,
        f: &Field,
        max: usize,
        newlines: bool,
        what: &str,
    ) -> Result<String, TargetFileError> {
        match f {
            None => Err(self.missing(p, name, &format!("expected {what}"))),
            Some(v) => self.text(p, name, v, max, newlines),
        }
    }

    pub(super) fn opt_text(
        &self,
        p: &Place<'_>,
        name: &str,
        f: &Field,
        max: usize,
        newlines: bool,
    ) -> Result<Option<String>, TargetFileError> {
        f.as_ref()
            .map(|v| self.text(p, name, v, max, newlines))
            .transpose()
    }

    pub(super) fn opt_url(
        &self,
        p: &Place<'_>,
        name: &str,
        f: &Field,
    ) -> Result<Option<String>, TargetFileError> {
        let Some(v) = f else { return Ok(None) };
        let s = self.string(p, name, v)?;
        crate::domain::text::URL
            .named("url")
            .check_url(&s)
            .map_err(|e| self.bad(p, name, v, e.to_string()))?;
        Ok(Some(s))
    }

    /// A required enum's text (its spelling is checked by
    /// [`crate::domain::target::TargetDraft::build`]); when absent, the
    /// error lists the spellings of `T`.
    pub(super) fn req_enum<T: FromStr<Err = String>>(
        &self,
        p: &Place<'_>,
        name: &str,
        f: &Field,
    ) -> Result<String, TargetFileError> {
        match f {
            None => {
                // Let the enum list its spellings.
                let accepted = "".parse::<T>().err().unwrap_or_default();
                let accepted = accepted
                    .split("expected ")
                    .nth(1)
                    .unwrap_or("a valid value");
                Err(self.missing(p, name, &format!("expected {accepted}")))
            }
            Some(v) => self.string(p, name, v),
        }
    }

    /// `true` or `false`; absent: false.
    pub(super) fn boolean(
        &self,
        p: &Place<'_>,
        name: &str,
        f: &Field,
    ) -> Result<bool, TargetFileError> {
        match f.as_ref().map(|v| (v, v.get_ref())) {
            None => Ok(false),
            Some((_, Value::Boolean(b))) => Ok(*b),
            Some((v, other)) => Err(self.bad(
                p,
                name,
                v,
                format!("expected true or false, found {}", describe(other)),
            )),
        }
    }

    /// A date, as a TOML date (`2024-07-26`) or a string: read by the one
    /// date parser every command uses ([`crate::period::parse_date`]), with
    /// its calendar and its range of years.
    pub(super) fn date(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
    ) -> Result<NaiveDate, TargetFileError> {
        let text = self.date_text(p, name, v)?;
        crate::period::parse_date(&text).map_err(|e| self.bad(p, name, v, e.to_string()))
    }

    /// A date's text, from a TOML date (`2024-07-26`) or a string; the date
    /// itself is read by [`crate::period::parse_date`].
    pub(super) fn date_text(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
    ) -> Result<String, TargetFileError> {
        const EXPECTED: &str = "expected a date YYYY-MM-DD, e.g. 2024-07-26";
        Ok(match v.get_ref() {
            Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(_), None, None) => dt.to_string(),
                _ => {
                    return Err(self.bad(
                        p,
                        name,
                        v,
                        format!("`{dt}` has a time or offset; {EXPECTED}"),
                    ));
                }
            },
            Value::String(s) => s.clone(),
            other => {
                return Err(self.bad(p, name, v, format!("{EXPECTED}, found {}", describe(other))));
            }
        })
    }

    /// The raw text of a value as written in the file (for numbers, so that
    /// `12.3` stays exactly 12.3 rather than passing through a float).
    pub(super) fn raw(&self, v: &Spanned<Value>) -> &'a str {
        self.text.get(v.span()).unwrap_or_default().trim()
    }

    pub(super) fn number(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
    ) -> Result<Decimal, TargetFileError> {
        let expected = "expected a plain number such as 100 or 12.5";
        match v.get_ref() {
            Value::Integer(i) => Ok(Decimal::from(*i)),
            Value::Float(_) => {
                let raw = self.raw(v).replace('_', "");
                Decimal::from_str(&raw).map_err(|_| {
                    self.bad(
                        p,
                        name,
                        v,
                        format!("cannot use `{raw}` exactly; {expected}"),
                    )
                })
            }
            other => Err(self.bad(p, name, v, format!("{expected}, found {}", describe(other)))),
        }
    }

    /// A value in the value grammar (`"> 3 trillion"`, `"32%"`; a bare TOML
    /// number is read from its text), checked against the target's unit.
    /// Sign and limit are the ledger's rules ([`crate::domain`]).
    pub(super) fn value(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
        unit: &str,
    ) -> Result<ParsedValue, TargetFileError> {
        let text = self.value_text(p, name, v)?;
        let parsed = parse_value(&text).map_err(|e| self.bad(p, name, v, e.to_string()))?;
        check_unit(&parsed, unit).map_err(|e| self.bad(p, name, v, e.to_string()))?;
        Ok(parsed)
    }

    /// A value's text: a string, or a bare TOML number as written.
    pub(super) fn value_text(
        &self,
        p: &Place<'_>,
        name: &str,
        v: &Spanned<Value>,
    ) -> Result<String, TargetFileError> {
        Ok(match v.get_ref() {
            Value::String(s) => s.clone(),
            Value::Integer(_) | Value::Float(_) => self.raw(v).to_string(),
            other => {
                return Err(self.bad(
                    p,
                    name,
                    v,
                    format!(
                        "expected a value such as \"> 3 trillion\" or \"32%\", found {}",
                        describe(other)
                    ),
                ));
            }
        })
    }
}

/// Non-empty, at most `max` characters, no control characters (except
/// newline where `newlines`) and no bidirectional controls: the ledger's
/// one text rule ([`crate::domain::text`]), reported under the file's key.
pub(super) fn check_text(name: &str, s: &str, max: usize, newlines: bool) -> Result<(), String> {
    let field = [
        "title",
        "metric",
        "unit",
        "quote",
        "speaker",
        "speaker_role",
        "source_title",
        "interpretation",
        "source",
        "note",
        "url",
    ]
    .into_iter()
    .find(|key| *key == name)
    .unwrap_or("text");
    let rule = if newlines {
        TextRule::paragraph(field, max)
    } else {
        TextRule::line(field, max)
    };
    rule.check(s).map(|_| ()).map_err(|e| e.to_string())
}
