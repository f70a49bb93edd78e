//! Target files: the human-editable TOML format in which targets (and the
//! figures their source states as already reached) are written down, for the
//! embedded seed and for `tracker target import FILE` alike.
//!
//! The format is described for users in docs/target-file.md. Parsing has
//! three steps: `toml` + serde turn the text into raw tables whose every leaf
//! keeps its byte span (`toml::Spanned`); each `[[target]]` becomes the
//! [`TargetDraft`] that `target add` fills from its flags (TOML types,
//! required fields and the `[source]` defaults are the file's business);
//! and the draft's one [`TargetDraft::build`] applies the ledger's rules,
//! its errors placed back on the field's line. Every rejection names the
//! file, the line (and the column for TOML syntax errors), the target and
//! the field, and says what would be accepted.

use crate::domain::RuleError;
use crate::domain::entry::{check_amount, check_window};
use crate::domain::target::TargetDraft;
use crate::domain::text::TextRule;
use crate::model::{Cadence, Direction, Kind, Period, Quantity, TargetDef};
use crate::period::parse_period;
use crate::value::{ParsedValue, check_unit, parse_value};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use toml::{Spanned, Value};

mod fields;
mod locate;

use locate::*;

/// The only version of the format so far (`format = 1`).
pub const FORMAT_VERSION: i64 = 1;

/// Longest allowed id.
pub use crate::domain::target::MAX_ID_LEN;
/// Longest allowed target title, in characters.
pub const MAX_TITLE_LEN: usize = 200;
/// What the ledger says when a target file gives no interpretation.
pub const NO_INTERPRETATION: &str = "None given.";

/// Longest allowed quote or interpretation, in characters.
pub const MAX_LONG_TEXT_LEN: usize = 4000;
/// Longest allowed value of any other text field, in characters.
pub const MAX_TEXT_LEN: usize = 500;

/// A parsed and validated target file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFile {
    pub targets: Vec<SeedTarget>,
}

/// One target with the observations the file records for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTarget {
    pub def: TargetDef,
    pub observations: Vec<SeedObservation>,
}

/// A figure the file records for a target (usually one its source states as
/// already reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedObservation {
    pub quantity: Quantity,
    pub period: Period,
    pub source: String,
    pub url: Option<String>,
    pub note: Option<String>,
}

/// A rejected target file: where, in which target and field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TargetFileError {
    /// The file name as given to [`parse_target_file`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters), shown for TOML syntax errors.
    pub column: Option<usize>,
    /// Where in the file: "[source]", "target `id`", "target #2, observation #1".
    pub context: Option<String>,
    /// The offending field, if the error is about one.
    pub field: Option<String>,
    /// What is wrong and what would be accepted.
    pub message: String,
}

impl fmt::Display for TargetFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(col) = self.column {
            write!(f, ":{col}")?;
        }
        f.write_str(": ")?;
        match (&self.context, &self.field) {
            (Some(c), Some(field)) => write!(f, "{c}, field `{field}`: ")?,
            (Some(c), None) => write!(f, "{c}: ")?,
            (None, Some(field)) => write!(f, "field `{field}`: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

const TOP_FIELDS: &[&str] = &["format", "source", "target"];
const SOURCE_FIELDS: &[&str] = &["title", "date", "url"];
const TARGET_FIELDS: &[&str] = &[
    "id",
    "title",
    "kind",
    "metric",
    "unit",
    "direction",
    "target",
    "window_start",
    "deadline",
    "base_period",
    "cadence",
    "limit",
    "rate",
    "quote",
    "speaker",
    "speaker_role",
    "statement_date",
    "source_title",
    "interpretation",
    "observation",
];
const OBSERVATION_FIELDS: &[&str] = &["value", "period", "source", "url", "note"];
const DATE_FIELDS: &[&str] = &["date", "window_start", "deadline", "statement_date"];

type Field = Option<Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: Field,
    source: Option<Spanned<RawSource>>,
    target: Option<Vec<Spanned<RawTarget>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: Field,
    date: Field,
    url: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    id: Field,
    title: Field,
    kind: Field,
    metric: Field,
    unit: Field,
    direction: Field,
    target: Field,
    window_start: Field,
    deadline: Field,
    base_period: Field,
    cadence: Field,
    limit: Field,
    rate: Field,
    quote: Field,
    speaker: Field,
    speaker_role: Field,
    statement_date: Field,
    source_title: Field,
    interpretation: Field,
    observation: Option<Vec<Spanned<RawObservation>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObservation {
    value: Field,
    period: Field,
    source: Field,
    url: Field,
    note: Field,
}

/// Parses and validates a target file. `file_name` is only used in messages.
pub fn parse_target_file(text: &str, file_name: &str) -> Result<TargetFile, TargetFileError> {
    let line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let cx = Cx {
        text,
        file: file_name,
        line_starts,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| cx.toml_error(&e))?;
    cx.build(raw)
}

/// Checks a target id: lower-case letters and digits in groups joined by
/// single `-`, at most [`MAX_ID_LEN`] characters.
pub fn check_id(id: &str) -> Result<(), String> {
    crate::domain::target::check_id(id)
}

/// The file being parsed: turns spans into positioned errors.
struct Cx<'a> {
    text: &'a str,
    file: &'a str,
    /// Byte offset of the start of every line, for offset → line lookups
    /// in O(log n) (files with thousands of targets stay linear).
    line_starts: Vec<usize>,
}

/// File-level defaults from `[source]`.
struct SourceDefaults {
    title: String,
    date: NaiveDate,
    url: Option<String>,
}

impl<'a> Cx<'a> {
    // ----- Validation -----------------------------------------------------

    fn build(&self, raw: RawFile) -> Result<TargetFile, TargetFileError> {
        let top = Place {
            context: None,
            header: 0..0,
        };
        match &raw.format {
            None => {
                return Err(self.missing(
                    &top,
                    "format",
                    "add `format = 1` at the top of the file",
                ));
            }
            Some(v) => match v.get_ref() {
                Value::Integer(FORMAT_VERSION) => {}
                other => {
                    return Err(self.bad(
                        &top,
                        "format",
                        v,
                        format!(
                            "unsupported format `{other}`; expected {FORMAT_VERSION} (the only version so far)"
                        ),
                    ));
                }
            },
        }

        let Some(source) = raw.source else {
            return Err(self.missing(
                &top,
                "source",
                "add a [source] table with the `title` and `date` of the statement",
            ));
        };
        let defaults = self.source_defaults(&source)?;

        let Some(targets) = raw.target else {
            return Err(self.missing(&top, "target", "the file defines no [[target]] tables"));
        };
        if targets.is_empty() {
            return Err(self.missing(&top, "target", "the file defines no [[target]] tables"));
        }

        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            let seed = self.target(i + 1, t, &defaults)?;
            let line = self.line_col(t.span().start).0;
            if let Some(first) = seen.get(&seed.def.id) {
                let place = Place {
                    context: Some(&format!("target #{}", i + 1)),
                    header: t.span(),
                };
                let span = t.get_ref().id.as_ref().map_or(t.span(), |v| v.span());
                return Err(self.err(
                    &span,
                    &place,
                    Some("id"),
                    format!(
                        "duplicate id `{}`: already used by the target at line {first}; ids must be unique within a file",
                        seed.def.id
                    ),
                ));
            }
            seen.insert(seed.def.id.clone(), line);
            out.push(seed);
        }
        Ok(TargetFile { targets: out })
    }

    fn source_defaults(
        &self,
        source: &Spanned<RawSource>,
    ) -> Result<SourceDefaults, TargetFileError> {
        let place = Place {
            context: Some("[source]"),
            header: source.span(),
        };
        let s = source.get_ref();
        let title = self.req_text(
            &place,
            "title",
            &s.title,
            MAX_TEXT_LEN,
            false,
            "the title of the statement the targets come from",
        )?;
        let date = match &s.date {
            None => {
                return Err(self.missing(
                    &place,
                    "date",
                    "add the statement date, e.g. `date = 2024-07-26`",
                ));
            }
            Some(v) => self.date(&place, "date", v)?,
        };
        let url = self.opt_url(&place, "url", &s.url)?;
        Ok(SourceDefaults { title, date, url })
    }

    /// One `[[target]]`: its id (which names it in every later error),
    /// the draft its fields make, the definition [`TargetDraft::build`]
    /// makes of it (the one build `target add` and `amend` call), then its
    /// observations.
    fn target(
        &self,
        index: usize,
        t: &Spanned<RawTarget>,
        defaults: &SourceDefaults,
    ) -> Result<SeedTarget, TargetFileError> {
        let r = t.get_ref();
        let id = self.target_id(index, t)?;
        let named = format!("target `{id}`");
        let place = Place {
            context: Some(&named),
            header: t.span(),
        };
        let draft = self.draft(&place, id, r, defaults)?;
        let def = draft.build().map_err(|e| self.rule_error(&place, r, e))?;
        let observations = self.observations(&named, r, &def, defaults)?;
        Ok(SeedTarget { def, observations })
    }

    /// The id, read first: every later error names the target by it.
    fn target_id(&self, index: usize, t: &Spanned<RawTarget>) -> Result<String, TargetFileError> {
        let anon = format!("target #{index}");
        let place = Place {
            context: Some(&anon),
            header: t.span(),
        };
        match &t.get_ref().id {
            None => Err(self.missing(
                &place,
                "id",
                "add a stable id such as `id = \"equipment-renewal\"`",
            )),
            Some(v) => {
                let s = self.string(&place, "id", v)?;
                check_id(&s).map_err(|m| self.bad(&place, "id", v, m))?;
                Ok(s)
            }
        }
    }

    /// The fields as text, as `target add` takes them from its flags: the
    /// file checks its own structure here (TOML types, fields every target
    /// needs) and fills in the `[source]` defaults; every rule is left to
    /// [`TargetDraft::build`].
    fn draft(
        &self,
        p: &Place<'_>,
        id: String,
        r: &RawTarget,
        defaults: &SourceDefaults,
    ) -> Result<TargetDraft, TargetFileError> {
        let text = |name: &str, f: &Field| f.as_ref().map(|v| self.string(p, name, v)).transpose();
        let required = |name: &str, f: &Field, what: &str| match f {
            None => Err(self.missing(p, name, &format!("expected {what}"))),
            Some(v) => self.string(p, name, v),
        };
        let date =
            |name: &str, f: &Field| f.as_ref().map(|v| self.date_text(p, name, v)).transpose();
        Ok(TargetDraft {
            id,
            title: required("title", &r.title, "a short title for people")?,
            kind: self.req_enum::<Kind>(p, "kind", &r.kind)?,
            metric: required("metric", &r.metric, "what is measured, in words")?,
            unit: required(
                "unit",
                &r.unit,
                "the base unit of every value, e.g. `CNY`, `%`, `people`",
            )?,
            direction: self.req_enum::<Direction>(p, "direction", &r.direction)?,
            target: r
                .target
                .as_ref()
                .map(|v| self.value_text(p, "target", v))
                .transpose()?,
            window_start: date("window_start", &r.window_start)?,
            deadline: date("deadline", &r.deadline)?,
            base_period: text("base_period", &r.base_period)?,
            limit: r
                .limit
                .as_ref()
                .map(|v| self.number(p, "limit", v).map(|d| d.to_string()))
                .transpose()?,
            rate: self.boolean(p, "rate", &r.rate)?,
            cadence: text("cadence", &r.cadence)?.unwrap_or_else(|| Cadence::Yearly.to_string()),
            quote: required("quote", &r.quote, "the verbatim sentence of the source")?,
            speaker: required(
                "speaker",
                &r.speaker,
                "who said it, as the source names them",
            )?,
            speaker_role: required(
                "speaker_role",
                &r.speaker_role,
                "the speaker's role, as the source gives it",
            )?,
            statement_date: date("statement_date", &r.statement_date)?
                .unwrap_or_else(|| defaults.date.to_string()),
            source_title: text("source_title", &r.source_title)?
                .unwrap_or_else(|| defaults.title.clone()),
            source_url: defaults.url.clone(),
            interpretation: text("interpretation", &r.interpretation)?
                .unwrap_or_else(|| NO_INTERPRETATION.to_string()),
        })
    }

    /// A rule [`TargetDraft::build`] refused, at the field's value; for a
    /// field the file leaves out, at the target's header ("missing" when
    /// the target's kind needs it, with an example line to add).
    fn rule_error(&self, p: &Place<'_>, r: &RawTarget, e: RuleError) -> TargetFileError {
        let field = match e.field {
            "id" => &r.id,
            "title" => &r.title,
            "kind" => &r.kind,
            "metric" => &r.metric,
            "unit" => &r.unit,
            "direction" => &r.direction,
            "target" => &r.target,
            "window_start" => &r.window_start,
            "deadline" => &r.deadline,
            "base_period" => &r.base_period,
            "limit" => &r.limit,
            "cadence" => &r.cadence,
            "quote" => &r.quote,
            "speaker" => &r.speaker,
            "speaker_role" => &r.speaker_role,
            "statement_date" => &r.statement_date,
            "source_title" => &r.source_title,
            "interpretation" => &r.interpretation,
            _ => &None,
        };
        let example = match e.field {
            "target" => Some(
                " (`target = \"> 3 trillion\"`; use kind = \"direction\" for a pledge with no number)",
            ),
            "window_start" => Some(", e.g. `window_start = 2024-01-01`"),
            "deadline" => Some(", e.g. `deadline = 2028-12-31`"),
            _ => None,
        };
        match (field, example) {
            (Some(v), _) => self.bad(p, e.field, v, e.message),
            (None, Some(example)) => self.missing(p, e.field, &format!("{}{example}", e.message)),
            // Taken from [source] or a default: no line of this target.
            (None, None) => self.err(&p.header, p, Some(e.field), e.message),
        }
    }

    /// The target's observations, each against its definition, no period
    /// given twice (for a cumulative target: none overlapping).
    fn observations(
        &self,
        named: &str,
        r: &RawTarget,
        def: &TargetDef,
        defaults: &SourceDefaults,
    ) -> Result<Vec<SeedObservation>, TargetFileError> {
        let mut observations: Vec<SeedObservation> = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        for (j, o) in r.observation.iter().flatten().enumerate() {
            let ctx = format!("{named}, observation #{}", j + 1);
            let op = Place {
                context: Some(&ctx),
                header: o.span(),
            };
            let obs = self.observation(&op, o.get_ref(), def, defaults)?;
            let period_span = o.get_ref().period.as_ref().map_or(o.span(), |v| v.span());
            let cumulative = def.kind == Kind::Cumulative;
            let clash = observations.iter().position(|prev| {
                if cumulative {
                    prev.period.overlaps(&obs.period)
                } else {
                    prev.period == obs.period
                }
            });
            if let Some(k) = clash {
                let prev = &observations[k];
                let what = if cumulative { "overlaps" } else { "repeats" };
                return Err(self.err(
                    &period_span,
                    &op,
                    Some("period"),
                    format!(
                        "period {}..{} {what} the period {}..{} of observation #{} (line {}); give each period once",
                        obs.period.start,
                        obs.period.end,
                        prev.period.start,
                        prev.period.end,
                        k + 1,
                        lines[k]
                    ),
                ));
            }
            lines.push(self.line_col(o.span().start).0);
            observations.push(obs);
        }
        Ok(observations)
    }

    fn observation(
        &self,
        p: &Place<'_>,
        o: &RawObservation,
        def: &TargetDef,
        defaults: &SourceDefaults,
    ) -> Result<SeedObservation, TargetFileError> {
        let quantity = match &o.value {
            None => {
                return Err(self.missing(
                    p,
                    "value",
                    "add the figure, e.g. `value = \"> 10 trillion\"`",
                ));
            }
            Some(v) => {
                let q = self.value(p, "value", v, &def.unit)?.quantity;
                check_amount(def, &q).map_err(|e| self.bad(p, "value", v, e.message))?;
                q
            }
        };
        let period = match &o.period {
            None => {
                return Err(self.missing(
                    p,
                    "period",
                    "add the period the figure covers, e.g. `period = \"2023\"`",
                ));
            }
            Some(v) => {
                let s = self.string(p, "period", v)?;
                let period =
                    parse_period(&s).map_err(|e| self.bad(p, "period", v, e.to_string()))?;
                check_window(def, &period).map_err(|e| self.bad(p, "period", v, e.message))?;
                period
            }
        };
        let source = self.opt_text(p, "source", &o.source, MAX_TEXT_LEN, false)?;
        let url = self.opt_url(p, "url", &o.url)?;
        let note = self.opt_text(p, "note", &o.note, MAX_TEXT_LEN, true)?;
        // The file's URL belongs to the file's source: it is only the default
        // when the source is the default too.
        let url = match (&source, url) {
            (_, Some(u)) => Some(u),
            (None, None) => defaults.url.clone(),
            (Some(_), None) => None,
        };
        Ok(SeedObservation {
            quantity,
            period,
            source: source.unwrap_or_else(|| defaults.title.clone()),
            url,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Comparator, Qualifier};

    const SEED: &str = include_str!("../fixtures/sasac-2024-07-26.toml");

    fn seed() -> TargetFile {
        match parse_target_file(SEED, "fixtures/sasac-2024-07-26.toml") {
            Ok(f) => f,
            Err(e) => panic!("seed does not parse: {e}"),
        }
    }

    fn find<'f>(f: &'f TargetFile, id: &str) -> &'f SeedTarget {
        f.targets
            .iter()
            .find(|t| t.def.id == id)
            .unwrap_or_else(|| panic!("no target `{id}`"))
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn seed_parses_with_required_ids() {
        let f = seed();
        for id in [
            "equipment-renewal",
            "opbudget-st-share",
            "equity-incentive-talents",
            "reorganised-groups",
            "reorganised-enterprises",
            "new-central-enterprises",
            "sei-investment-growth",
            "sei-revenue",
            "computing-power-growth",
            "wanka-clusters",
            "ai-scenarios",
            "large-model-scale",
            "legal-entities",
            "management-levels",
            "equity-levels",
            "sei-revenue-share",
            "sei-added-value-share",
            "st-investment",
            "industrial-renewal",
            "debt-growth",
            "added-value",
            "increased-supply",
            "non-core-diversification",
            "central-enterprise-brands",
            "ai-demonstration-benchmarks",
            "intelligent-computing-centres",
            "intelligent-computing-supply",
        ] {
            find(&f, id);
        }
        for t in &f.targets {
            let d = &t.def;
            assert!(
                !d.interpretation.trim().is_empty(),
                "{}: no interpretation",
                d.id
            );
            assert_eq!(d.provenance.statement_date, day("2024-07-26"), "{}", d.id);
            assert!(
                d.provenance.source_title.contains("26 July 2024"),
                "{}",
                d.id
            );
            assert_eq!(d.provenance.source_url, None, "{}", d.id);
            assert_eq!(
                d.kind == Kind::Direction,
                d.target_value.is_none(),
                "{}",
                d.id
            );
            for o in &t.observations {
                assert_eq!(o.source, d.provenance.source_title, "{}", d.id);
                assert!(o.period.end <= d.provenance.statement_date, "{}", d.id);
            }
        }
    }

    #[test]
    fn seed_values_are_exact() {
        let f = seed();
        let e = &find(&f, "equipment-renewal").def;
        assert_eq!(e.kind, Kind::Cumulative);
        assert_eq!(e.comparator, Some(Comparator::MoreThan));
        assert_eq!(e.target_value, Some(dec("3000000000000")));
        assert_eq!(e.window_start, Some(day("2024-01-01")));
        assert_eq!(e.deadline, Some(day("2028-12-31")));
        assert_eq!(e.unit, "CNY");
        assert_eq!(e.provenance.speaker, "Liu Shaowei");

        let b = &find(&f, "opbudget-st-share").def;
        assert_eq!(
            (b.comparator, b.target_value),
            (Some(Comparator::MoreThan), Some(dec("80")))
        );
        assert_eq!(
            (b.deadline, b.limit),
            (Some(day("2024-12-31")), Some(dec("100")))
        );

        let c = find(&f, "computing-power-growth");
        assert!(c.def.is_rate);
        // "Has doubled": a rounded claim, about 100%.
        assert_eq!(
            c.observations[0].quantity,
            Quantity {
                value: dec("100"),
                qualifier: Qualifier::About
            }
        );
        assert_eq!(c.observations[0].period.end, day("2024-06-30"));

        let r = find(&f, "sei-revenue");
        assert_eq!(r.observations.len(), 2);
        assert_eq!(
            r.observations[1].quantity,
            Quantity {
                value: dec("10000000000000"),
                qualifier: Qualifier::MoreThan
            }
        );

        let m = find(&f, "large-model-scale");
        assert_eq!(m.def.comparator, Some(Comparator::AtLeast));
        assert_eq!(m.def.target_value, Some(dec("100000000000")));

        for (id, v) in [
            ("equity-incentive-talents", "250000"),
            ("reorganised-groups", "28"),
            ("reorganised-enterprises", "50"),
            ("new-central-enterprises", "15"),
            ("sei-investment-growth", "32"),
            ("wanka-clusters", "2"),
            ("ai-scenarios", "100"),
        ] {
            let t = find(&f, id);
            assert_eq!(t.def.target_value, Some(dec(v)), "{id}");
            assert_eq!(t.observations.len(), 1, "{id}");
            assert_eq!(t.observations[0].quantity.value, dec(v), "{id}");
        }
        for id in [
            "legal-entities",
            "management-levels",
            "equity-levels",
            "debt-growth",
        ] {
            assert_eq!(find(&f, id).def.direction, Direction::Down, "{id}");
        }
    }

    /// A valid file whose single target's header is on line 7; the lines of
    /// the target are 8 id, 9 title, 10 kind, 11 metric, 12 unit, 13 direction,
    /// 14 target, 15 quote, 16 speaker, 17 speaker_role.
    const VALID: &str = "format = 1

[source]
title = \"Test briefing\"
date = 2024-07-26

[[target]]
id = \"a\"
title = \"A\"
kind = \"level\"
metric = \"m\"
unit = \"CNY\"
direction = \"up\"
target = \"> 3 trillion\"
quote = \"q\"
speaker = \"s\"
speaker_role = \"r\"
";

    const CUMULATIVE: &str = "format = 1

[source]
title = \"Test briefing\"
date = 2024-07-26

[[target]]
id = \"c\"
title = \"C\"
kind = \"cumulative\"
metric = \"m\"
unit = \"CNY\"
direction = \"up\"
target = \"> 3 trillion\"
window_start = 2024-01-01
deadline = 2028-12-31
quote = \"q\"
speaker = \"s\"
speaker_role = \"r\"
";

    fn with(base: &str, from: &str, to: &str) -> String {
        assert!(base.contains(from), "test bug: `{from}` not in base");
        base.replacen(from, to, 1)
    }

    #[test]
    fn valid_minimal_file_and_defaults() {
        let f = parse_target_file(VALID, "t.toml").unwrap();
        let d = &f.targets[0].def;
        assert_eq!(d.cadence, Cadence::Yearly);
        assert!(!d.is_rate);
        assert_eq!(d.provenance.source_title, "Test briefing");
        assert_eq!(d.interpretation, NO_INTERPRETATION);

        let text = with(
            VALID,
            "date = 2024-07-26",
            "date = \"2024-07-26\"\nurl = \"https://example.org/b\"",
        );
        let text = with(
            &text,
            "target = \"> 3 trillion\"",
            "target = 28\nstatement_date = \"2024-07-27\"\nquote = \"line one\\nline two\"",
        );
        let text = text.replacen("quote = \"q\"\n", "", 1)
            + "\n[[target.observation]]\nvalue = \"12.30\"\nperiod = \"2023\"\n"
            + "\n[[target.observation]]\nvalue = 7\nperiod = \"2024-H1\"\nsource = \"Other\"\n";
        let f = parse_target_file(&text, "t.toml").unwrap();
        let t = &f.targets[0];
        assert_eq!(t.def.comparator, Some(Comparator::Equal));
        assert_eq!(t.def.target_value, Some(dec("28")));
        assert_eq!(t.def.provenance.statement_date, day("2024-07-27"));
        assert_eq!(t.def.provenance.quote, "line one\nline two");
        assert_eq!(
            t.def.provenance.source_url.as_deref(),
            Some("https://example.org/b")
        );
        assert_eq!(t.observations[0].quantity.value, dec("12.3"));
        assert_eq!(
            t.observations[0].url.as_deref(),
            Some("https://example.org/b")
        );
        assert_eq!(t.observations[0].source, "Test briefing");
        assert_eq!(t.observations[1].source, "Other");
        assert_eq!(t.observations[1].url, None);
    }

    #[test]
    fn negative_values_only_for_rates() {
        let text = with(VALID, "unit = \"CNY\"", "unit = \"%\"\nrate = true");
        let text = with(&text, "target = \"> 3 trillion\"", "target = \"-5%\"");
        let f = parse_target_file(&text, "t.toml").unwrap();
        assert_eq!(f.targets[0].def.target_value, Some(dec("-5")));
    }

    #[test]
    fn malformed_files_name_line_and_field() {
        let two_targets = format!("{VALID}\n{}", &VALID[VALID.find("[[target]]").unwrap()..]);
        let obs = |value: &str, period: &str| {
            format!("{VALID}\n[[target.observation]]\nvalue = {value}\nperiod = {period}\n")
        };
        let cum_obs = |period: &str| {
            format!(
                "{CUMULATIVE}\n[[target.observation]]\nvalue = \"1 trillion\"\nperiod = \"{period}\"\n"
            )
        };
        let long_title = format!("title = \"{}\"", "x".repeat(201));
        let long_id = format!("id = \"{}\"", "a".repeat(65));
        // (case, text, line, field, part of the message)
        let cases: Vec<(&str, String, usize, Option<&str>, &str)> = vec![
            (
                "bad kind",
                with(VALID, "kind = \"level\"", "kind = \"cumul\""),
                10,
                Some("kind"),
                "unknown kind `cumul`; expected one of: cumulative, level, direction",
            ),
            (
                "bad direction",
                with(VALID, "direction = \"up\"", "direction = \"higher\""),
                13,
                Some("direction"),
                "expected one of: up, down",
            ),
            (
                "bad cadence",
                with(
                    VALID,
                    "unit = \"CNY\"",
                    "unit = \"CNY\"\ncadence = \"weekly\"",
                ),
                13,
                Some("cadence"),
                "expected one of: monthly, quarterly, half-yearly, yearly",
            ),
            (
                "missing id",
                with(VALID, "id = \"a\"\n", ""),
                7,
                Some("id"),
                "missing",
            ),
            (
                "bad id",
                with(VALID, "id = \"a\"", "id = \"Bad_Id\""),
                8,
                Some("id"),
                "invalid id `Bad_Id`",
            ),
            (
                "id too long",
                with(VALID, "id = \"a\"", &long_id),
                8,
                Some("id"),
                "at most 64",
            ),
            (
                "duplicate id",
                two_targets,
                20,
                Some("id"),
                "duplicate id `a`: already used by the target at line 7",
            ),
            (
                "missing title",
                with(VALID, "title = \"A\"\n", ""),
                7,
                Some("title"),
                "missing",
            ),
            (
                "empty title",
                with(VALID, "title = \"A\"", "title = \"  \""),
                9,
                Some("title"),
                "is empty",
            ),
            (
                "long title",
                with(VALID, "title = \"A\"", &long_title),
                9,
                Some("title"),
                "the limit is 200",
            ),
            (
                "control char",
                with(VALID, "title = \"A\"", "title = \"A\\u0007\""),
                9,
                Some("title"),
                "U+0007",
            ),
            (
                "newline in title",
                with(VALID, "title = \"A\"", "title = \"A\\nB\""),
                9,
                Some("title"),
                "U+000A",
            ),
            (
                "wrong type",
                with(VALID, "metric = \"m\"", "metric = 5"),
                11,
                Some("metric"),
                "expected a string",
            ),
            (
                "bad native date",
                with(
                    VALID,
                    "unit = \"CNY\"",
                    "unit = \"CNY\"\ndeadline = 2024-02-30",
                ),
                13,
                Some("deadline"),
                "(a date is written YYYY-MM-DD",
            ),
            (
                "bad string date",
                with(
                    VALID,
                    "unit = \"CNY\"",
                    "unit = \"CNY\"\ndeadline = \"2024-02-30\"",
                ),
                13,
                Some("deadline"),
                "`2024-02-30` is not a calendar day: February 2024 has 29 days",
            ),
            (
                "sloppy date",
                with(
                    VALID,
                    "unit = \"CNY\"",
                    "unit = \"CNY\"\ndeadline = \"2024-7-26\"",
                ),
                13,
                Some("deadline"),
                "`2024-7-26` is not a date",
            ),
            (
                "date-time",
                with(
                    VALID,
                    "unit = \"CNY\"",
                    "unit = \"CNY\"\ndeadline = 2024-07-26T10:00:00",
                ),
                13,
                Some("deadline"),
                "has a time",
            ),
            (
                "unknown field",
                with(VALID, "unit = \"CNY\"", "unit = \"CNY\"\ncolour = \"red\""),
                13,
                Some("colour"),
                "unknown field `colour`; expected one of: id, title, kind",
            ),
            (
                "unknown source field",
                with(
                    VALID,
                    "date = 2024-07-26",
                    "date = 2024-07-26\nauthor = \"x\"",
                ),
                6,
                Some("author"),
                "expected one of: title, date, url",
            ),
            (
                "unknown observation field",
                format!(
                    "{VALID}\n[[target.observation]]\nvalue = \"1\"\nperiod = \"2023\"\nvalu = 3\n"
                ),
                22,
                Some("valu"),
                "expected one of: value, period, source, url, note",
            ),
            (
                "target on direction",
                with(VALID, "kind = \"level\"", "kind = \"direction\""),
                14,
                Some("target"),
                "a `direction` target has no number",
            ),
            (
                "missing target on level",
                with(VALID, "target = \"> 3 trillion\"\n", ""),
                7,
                Some("target"),
                "needs a value",
            ),
            (
                "hedged target",
                with(
                    VALID,
                    "target = \"> 3 trillion\"",
                    "target = \"~ 3 trillion\"",
                ),
                14,
                Some("target"),
                "cannot be hedged",
            ),
            (
                "negative target",
                with(VALID, "target = \"> 3 trillion\"", "target = \"-3\""),
                14,
                Some("target"),
                "negative",
            ),
            (
                "target over limit",
                with(VALID, "unit = \"CNY\"", "unit = \"%\"\nlimit = 100").replacen(
                    "> 3 trillion",
                    "120%",
                    1,
                ),
                15,
                Some("target"),
                "exceeds the target's limit 100",
            ),
            (
                "percent on CNY target",
                with(VALID, "target = \"> 3 trillion\"", "target = \"> 80%\""),
                14,
                Some("target"),
                "%",
            ),
            (
                "missing window",
                with(CUMULATIVE, "window_start = 2024-01-01\n", ""),
                7,
                Some("window_start"),
                "missing",
            ),
            (
                "missing deadline",
                with(CUMULATIVE, "deadline = 2028-12-31\n", ""),
                7,
                Some("deadline"),
                "missing",
            ),
            (
                "window reversed",
                with(
                    CUMULATIVE,
                    "window_start = 2024-01-01",
                    "window_start = 2029-01-01",
                ),
                16,
                Some("deadline"),
                "is before window_start",
            ),
            (
                "bad observation value",
                obs("\"lots\"", "\"2023\""),
                20,
                Some("value"),
                "",
            ),
            (
                "negative observation",
                obs("\"-5\"", "\"2023\""),
                20,
                Some("value"),
                "negative",
            ),
            (
                "bad observation unit",
                obs("\"5%\"", "\"2023\""),
                20,
                Some("value"),
                "%",
            ),
            (
                "bad period",
                obs("\"5\"", "\"2023-Q5\""),
                21,
                Some("period"),
                "",
            ),
            (
                "missing period",
                format!("{VALID}\n[[target.observation]]\nvalue = \"5\"\n"),
                19,
                Some("period"),
                "missing",
            ),
            (
                "period outside window",
                cum_obs("2029"),
                23,
                Some("period"),
                "is outside the window of `c` (2024-01-01..2028-12-31)",
            ),
            (
                "overlapping periods",
                format!(
                    "{}\n[[target.observation]]\nvalue = \"2\"\nperiod = \"2024-H1\"\n",
                    cum_obs("2024")
                ),
                27,
                Some("period"),
                "overlaps the period 2024-01-01..2024-12-31 of observation #1 (line 21)",
            ),
            (
                "bad url",
                with(
                    VALID,
                    "date = 2024-07-26",
                    "date = 2024-07-26\nurl = \"example.org\"",
                ),
                6,
                Some("url"),
                "is not a web address",
            ),
            (
                "TOML syntax error",
                with(VALID, "title = \"A\"", "title = \"A"),
                9,
                Some("title"),
                "",
            ),
            (
                "missing format",
                with(VALID, "format = 1\n", ""),
                1,
                Some("format"),
                "missing; add `format = 1`",
            ),
            (
                "unsupported format",
                with(VALID, "format = 1", "format = 2"),
                1,
                Some("format"),
                "unsupported format `2`; expected 1",
            ),
            (
                "missing source",
                with(
                    VALID,
                    "[source]\ntitle = \"Test briefing\"\ndate = 2024-07-26\n",
                    "",
                ),
                1,
                Some("source"),
                "missing",
            ),
            (
                "no targets",
                VALID[..VALID.find("[[target]]").unwrap()].to_string(),
                1,
                Some("target"),
                "no [[target]]",
            ),
        ];
        let total = cases.len();
        for (name, text, line, field, needle) in cases {
            let e = match parse_target_file(&text, "t.toml") {
                Ok(_) => panic!("{name}: accepted"),
                Err(e) => e,
            };
            let shown = e.to_string();
            assert_eq!(e.line, line, "{name}: {shown}");
            assert_eq!(e.field.as_deref(), field, "{name}: {shown}");
            assert!(
                shown.starts_with(&format!("t.toml:{line}")),
                "{name}: {shown}"
            );
            if let Some(f) = field {
                assert!(shown.contains(&format!("field `{f}`")), "{name}: {shown}");
            }
            assert!(shown.contains(needle), "{name}: `{needle}` not in: {shown}");
        }
        assert!(total >= 40);
    }

    #[test]
    fn message_format_matches_the_documentation() {
        let e = parse_target_file(
            &with(VALID, "kind = \"level\"", "kind = \"cumul\""),
            "fixtures/x.toml",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "fixtures/x.toml:10: target `a`, field `kind`: unknown kind `cumul`; expected one of: cumulative, level, direction"
        );
        let e =
            parse_target_file(&with(VALID, "title = \"A\"", "title = \"A"), "x.toml").unwrap_err();
        assert_eq!(e.column, Some(11));
        assert!(
            e.to_string()
                .starts_with("x.toml:9:11: target `a`, field `title`: "),
            "{e}"
        );
        let e = parse_target_file(
            &format!(
                "{VALID}\n[[target.observation]]\nvalue = \"1\"\nperiod = \"2023\"\nvalu = 3\n"
            ),
            "x.toml",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "x.toml:22:1: target `a`, observation #1, field `valu`: unknown field"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_file_builds_the_draft_target_add_builds() {
        // The same definition as flags would give it: one build, one set
        // of rules, the file's defaults filled in.
        let def = &parse_target_file(VALID, "t.toml").unwrap().targets[0].def;
        let draft = TargetDraft {
            id: "a".into(),
            title: "A".into(),
            kind: "level".into(),
            metric: "m".into(),
            unit: "CNY".into(),
            direction: "up".into(),
            target: Some("> 3 trillion".into()),
            cadence: "yearly".into(),
            quote: "q".into(),
            speaker: "s".into(),
            speaker_role: "r".into(),
            statement_date: "2024-07-26".into(),
            source_title: "Test briefing".into(),
            interpretation: NO_INTERPRETATION.into(),
            ..TargetDraft::default()
        };
        assert_eq!(draft.build().as_ref(), Ok(def));
        // Text is kept as every other way in keeps it: trimmed.
        let padded = with(VALID, "title = \"A\"", "title = \"  A \"");
        let padded = with(
            &padded,
            "quote = \"q\"",
            "quote = \"\"\"\nq\non two lines\n\"\"\"",
        );
        let padded = parse_target_file(&padded, "t.toml").unwrap();
        assert_eq!(padded.targets[0].def.title, "A");
        assert_eq!(padded.targets[0].def.provenance.quote, "q\non two lines");
    }

    #[test]
    fn missing_fields_a_kind_needs_are_named_with_an_example() {
        let e = parse_target_file(
            &with(CUMULATIVE, "window_start = 2024-01-01\n", ""),
            "fixtures/x.toml",
        )
        .unwrap_err();
        // As docs/target-file.md shows it.
        assert_eq!(
            e.to_string(),
            "fixtures/x.toml:7: target `c`, field `window_start`: missing; a `cumulative` target \
             needs the first day of its window, e.g. `window_start = 2024-01-01`"
        );
        let e = parse_target_file(&with(VALID, "target = \"> 3 trillion\"\n", ""), "x.toml")
            .unwrap_err();
        assert!(
            e.to_string().contains(
                "field `target`: missing; a `level` target needs a value such as `> 3 trillion` \
                 (`target = \"> 3 trillion\"`; use kind = \"direction\" for a pledge with no number)"
            ),
            "{e}"
        );
    }

    #[test]
    fn check_id_rules() {
        for ok in ["a", "equipment-renewal", "sei-revenue-2", "x1"] {
            assert!(check_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é"] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
        assert!(check_id(&"a".repeat(64)).is_ok());
        assert!(check_id(&"a".repeat(65)).is_err());
    }
}
