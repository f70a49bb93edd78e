//! Target definitions: what a valid one is, and the typed draft that
//! `target add` and `target amend` fill from flags, and target files from
//! their fields, all built with one [`TargetDraft::build`]. An error names
//! the field, which each caller shows as the flag the user typed or the
//! file line they wrote, never a line of a file they did not write.

use super::RuleError;
use super::entry::{check_limit, check_sign, check_years};
use super::text;
use crate::model::{Cadence, Comparator, Direction, Kind, Provenance, Qualifier, TargetDef};
use crate::period::parse_date;
use crate::value::{check_unit, format_plain, parse_value};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Longest allowed id.
pub const MAX_ID_LEN: usize = 64;

/// Ids are lower-case letters and digits in groups joined by single `-`.
pub fn check_id(id: &str) -> Result<(), String> {
    let well_formed = !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !well_formed {
        return Err(format!(
            "invalid id `{}`; expected lower-case letters and digits in groups joined by single `-`, e.g. `equipment-renewal`",
            id.escape_debug()
        ));
    }
    if id.len() > MAX_ID_LEN {
        return Err(format!(
            "id is {} characters long; at most {MAX_ID_LEN} allowed",
            id.len()
        ));
    }
    Ok(())
}

/// Every rule a stored definition must meet: text, dates, the target
/// value against kind, sign and limit, a cumulative target's window.
pub fn check_target(def: &TargetDef) -> Result<(), RuleError> {
    check_id(&def.id).map_err(|m| RuleError::new("id", m))?;
    text::TITLE.check(&def.title)?;
    text::METRIC.check(&def.metric)?;
    text::UNIT.check(&def.unit)?;
    let p = &def.provenance;
    text::QUOTE.check(&p.quote)?;
    text::SPEAKER.check(&p.speaker)?;
    text::SPEAKER_ROLE.check(&p.speaker_role)?;
    text::SOURCE_TITLE.check(&p.source_title)?;
    text::SOURCE_URL.check_url_opt(p.source_url.as_deref())?;
    text::INTERPRETATION.check(&def.interpretation)?;
    check_years(p.statement_date, "statement_date")?;
    if let Some(limit) = def.limit
        && limit <= Decimal::ZERO
    {
        return Err(RuleError::new(
            "limit",
            format!(
                "limit must be greater than 0, found {}",
                format_plain(limit)
            ),
        ));
    }
    match (def.kind, def.comparator, def.target_value) {
        (Kind::Direction, None, None) => {}
        (Kind::Direction, _, _) => {
            return Err(RuleError::new(
                "target",
                "a `direction` target has no number; remove the target, or use kind `level` or `cumulative`",
            ));
        }
        (_, Some(_), Some(x)) => {
            check_sign(def, x, "target")?;
            check_limit(def.limit, x, "target")?;
        }
        (kind, _, _) => {
            return Err(RuleError::new(
                "target",
                format!("a `{kind}` target needs a value such as `> 3 trillion`"),
            ));
        }
    }
    if let Some(start) = def.window_start {
        check_years(start, "window_start")?;
    }
    if let Some(end) = def.deadline {
        check_years(end, "deadline")?;
    }
    if def.kind == Kind::Cumulative && def.base_period.is_some() {
        return Err(RuleError::new(
            "base_period",
            "a `cumulative` target has no base figure: its total starts at window_start; remove base_period",
        ));
    }
    match (def.kind, def.window_start, def.deadline) {
        (Kind::Cumulative, None, _) => Err(RuleError::new(
            "window_start",
            "a `cumulative` target needs the first day of its window",
        )),
        (Kind::Cumulative, _, None) => Err(RuleError::new(
            "deadline",
            "a `cumulative` target needs the last day of its window",
        )),
        (_, Some(start), Some(end)) if start > end => Err(RuleError::new(
            "deadline",
            format!(
                "deadline {end} is before window_start {start}; expected a date on or after it"
            ),
        )),
        _ => Ok(()),
    }
}

/// A stored or restored definition version: the definition, and who
/// recorded it and why.
pub fn check_version(
    def: &TargetDef,
    recorded_by: &str,
    reason: Option<&str>,
) -> Result<(), RuleError> {
    check_target(def)?;
    super::entry::check_recorded(recorded_by, reason)?;
    Ok(())
}

/// A definition as typed: every field as text, before any is checked.
/// Built from flags (`target add`), from a stored definition with some
/// fields replaced (`target amend`) or from a target file's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetDraft {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub metric: String,
    pub unit: String,
    pub direction: String,
    pub target: Option<String>,
    pub window_start: Option<String>,
    pub deadline: Option<String>,
    /// The period trends are measured from (`2023`, `start..end`).
    pub base_period: Option<String>,
    pub limit: Option<String>,
    pub rate: bool,
    pub cadence: String,
    pub quote: String,
    pub speaker: String,
    pub speaker_role: String,
    pub statement_date: String,
    pub source_title: String,
    pub source_url: Option<String>,
    pub interpretation: String,
}

/// Whether a definition from a target file is the one the ledger holds:
/// compared as the rules store it today, so a definition an older version
/// kept with blanks around its text still counts as the same one.
pub fn same_definition(stored: &TargetDef, new: &TargetDef) -> bool {
    stored == new
        || TargetDraft::from_def(stored)
            .build()
            .is_ok_and(|d| d == *new)
}

impl TargetDraft {
    /// The draft a stored definition came from.
    pub fn from_def(def: &TargetDef) -> Self {
        let p = &def.provenance;
        TargetDraft {
            id: def.id.clone(),
            title: def.title.clone(),
            kind: def.kind.to_string(),
            metric: def.metric.clone(),
            unit: def.unit.clone(),
            direction: def.direction.to_string(),
            target: def.comparator.zip(def.target_value).map(|(c, v)| match c {
                Comparator::Equal => format_plain(v),
                c => format!("{c} {}", format_plain(v)),
            }),
            window_start: def.window_start.map(|d| d.to_string()),
            deadline: def.deadline.map(|d| d.to_string()),
            base_period: def.base_period.as_ref().map(crate::period::format_period),
            limit: def.limit.map(format_plain),
            rate: def.is_rate,
            cadence: def.cadence.to_string(),
            quote: p.quote.clone(),
            speaker: p.speaker.clone(),
            speaker_role: p.speaker_role.clone(),
            statement_date: p.statement_date.to_string(),
            source_title: p.source_title.clone(),
            source_url: p.source_url.clone(),
            interpretation: def.interpretation.clone(),
        }
    }

    /// Checks every field and the definition as a whole.
    pub fn build(&self) -> Result<TargetDef, RuleError> {
        check_id(&self.id).map_err(|m| RuleError::new("id", m))?;
        let kind: Kind = parse_enum("kind", &self.kind)?;
        let direction: Direction = parse_enum("direction", &self.direction)?;
        let cadence: Cadence = parse_enum("cadence", &self.cadence)?;
        let unit = text::UNIT.check(&self.unit)?;
        let limit = self.limit.as_deref().map(parse_limit).transpose()?;
        let (comparator, target_value) = match &self.target {
            None => (None, None),
            Some(text) => {
                let (c, v) = parse_target(text, &unit)?;
                (Some(c), Some(v))
            }
        };
        let date = |field: &'static str, text: &str| {
            parse_date(text).map_err(|e| RuleError::new(field, e.to_string()))
        };
        let opt_date = |field: &'static str, text: &Option<String>| {
            text.as_deref().map(|t| date(field, t)).transpose()
        };
        let def = TargetDef {
            id: self.id.clone(),
            title: text::TITLE.check(&self.title)?,
            kind,
            metric: text::METRIC.check(&self.metric)?,
            unit,
            direction,
            comparator,
            target_value,
            window_start: opt_date("window_start", &self.window_start)?,
            deadline: opt_date("deadline", &self.deadline)?,
            base_period: self
                .base_period
                .as_deref()
                .map(|t| {
                    crate::period::parse_period(t)
                        .map_err(|e| RuleError::new("base_period", e.to_string()))
                })
                .transpose()?,
            limit,
            is_rate: self.rate,
            cadence,
            provenance: Provenance {
                quote: text::QUOTE.check(&self.quote)?,
                speaker: text::SPEAKER.check(&self.speaker)?,
                speaker_role: text::SPEAKER_ROLE.check(&self.speaker_role)?,
                statement_date: date("statement_date", &self.statement_date)?,
                source_title: text::SOURCE_TITLE.check(&self.source_title)?,
                source_url: text::SOURCE_URL.check_url_opt(self.source_url.as_deref())?,
            },
            interpretation: text::INTERPRETATION.check(&self.interpretation)?,
        };
        check_target(&def)?;
        Ok(def)
    }
}

fn parse_enum<T: FromStr<Err = String>>(field: &'static str, text: &str) -> Result<T, RuleError> {
    text.trim().parse().map_err(|m| RuleError::new(field, m))
}

/// A limit: a plain positive number.
fn parse_limit(text: &str) -> Result<Decimal, RuleError> {
    let x = Decimal::from_str(text.trim()).map_err(|_| {
        RuleError::new(
            "limit",
            format!(
                "`{}` is not a number; expected a plain number such as 100 or 12.5",
                text.escape_debug()
            ),
        )
    })?;
    if x <= Decimal::ZERO {
        return Err(RuleError::new(
            "limit",
            format!("limit must be greater than 0, found {}", format_plain(x)),
        ));
    }
    Ok(x)
}

/// A target in the value grammar (`> 3 trillion`, `<= 5%`), in the
/// target's unit and not hedged.
pub fn parse_target(text: &str, unit: &str) -> Result<(Comparator, Decimal), RuleError> {
    let parsed = parse_value(text).map_err(|e| RuleError::new("target", e.to_string()))?;
    check_unit(&parsed, unit).map_err(|e| RuleError::new("target", e.to_string()))?;
    let q = parsed.quantity;
    let comparator = match q.qualifier {
        Qualifier::MoreThan => Comparator::MoreThan,
        Qualifier::AtLeast => Comparator::AtLeast,
        Qualifier::Exact => Comparator::Equal,
        Qualifier::AtMost => Comparator::AtMost,
        Qualifier::LessThan => Comparator::LessThan,
        Qualifier::About | Qualifier::Nearly => {
            return Err(RuleError::new(
                "target",
                format!(
                    "a target cannot be hedged with `{}`; state it with >, >=, =, <= or < (a bare number means =)",
                    q.qualifier
                ),
            ));
        }
    };
    Ok((comparator, q.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_defs() -> Vec<TargetDef> {
        crate::targets_file::parse_target_file(crate::seed::SEED, crate::seed::SEED_NAME)
            .unwrap()
            .targets
            .into_iter()
            .map(|t| t.def)
            .collect()
    }

    #[test]
    fn every_seed_definition_survives_a_draft_round_trip() {
        for def in seed_defs() {
            assert_eq!(check_target(&def), Ok(()), "{}", def.id);
            assert_eq!(
                TargetDraft::from_def(&def).build().as_ref(),
                Ok(&def),
                "{}",
                def.id
            );
        }
    }

    #[test]
    fn draft_errors_name_the_field() {
        let def = seed_defs().into_iter().find(|d| d.limit.is_some()).unwrap();
        let mut draft = TargetDraft::from_def(&def);
        draft.limit = Some("lots".into());
        let err = draft.build().unwrap_err();
        assert_eq!((err.field, err.flag().as_str()), ("limit", "--limit"));
        draft.limit = Some("100".into());
        draft.deadline = Some("1850-01-01".into());
        assert_eq!(draft.build().unwrap_err().field, "deadline");
        draft.deadline = None;
        draft.title = "a\u{1b}]0;x\u{7}".into();
        assert_eq!(draft.build().unwrap_err().field, "title");
    }

    #[test]
    fn a_definition_stored_with_blanks_is_the_same_as_its_trimmed_form() {
        let def = seed_defs().remove(0);
        let mut padded = def.clone();
        padded.provenance.quote = format!("{}\n", def.provenance.quote);
        padded.title = format!(" {}", def.title);
        assert!(same_definition(&padded, &def));
        let mut other = def.clone();
        other.title.push_str(" (amended)");
        assert!(!same_definition(&padded, &other));
    }
}
