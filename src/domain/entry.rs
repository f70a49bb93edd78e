//! Observations and trail entries: does this amount, this period and this
//! text fit this target? One definition for every write path and `check`.

use super::RuleError;
use super::text;
use crate::model::{Action, Entry, Kind, Period, Quantity, TargetDef};
use crate::period::{MAX_YEAR, MIN_YEAR, format_period};
use crate::value::format_plain;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// The day against which "not in the future" is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// A new entry: today's date.
    Today(NaiveDate),
    /// A stored or restored entry: the day it was recorded.
    Recorded(NaiveDate),
}

/// The sign and the limit: a negative amount only for a rate, never above
/// the target's natural ceiling (100 for a share in %).
pub fn check_amount(def: &TargetDef, quantity: &Quantity) -> Result<(), RuleError> {
    check_sign(def, quantity.value, "value")?;
    check_limit(def.limit, quantity.value, "value")
}

/// Only a rate may be negative.
pub fn check_sign(def: &TargetDef, x: Decimal, field: &'static str) -> Result<(), RuleError> {
    if x.is_sign_negative() && !x.is_zero() && !def.allows_negative() {
        return Err(RuleError::new(
            field,
            format!(
                "value {} is negative, but `{}` ({}) cannot be negative; only rates may be",
                format_plain(x),
                def.id,
                def.metric
            ),
        ));
    }
    Ok(())
}

/// `x` is at most `limit`, if there is one.
pub fn check_limit(
    limit: Option<Decimal>,
    x: Decimal,
    field: &'static str,
) -> Result<(), RuleError> {
    match limit {
        Some(limit) if x > limit => Err(RuleError::new(
            field,
            format!(
                "value {} exceeds the target's limit {}",
                format_plain(x),
                format_plain(limit)
            ),
        )),
        _ => Ok(()),
    }
}

/// A period the ledger can hold for `def`: within the years any date may
/// have, over by `as_of`, and inside a cumulative target's window.
pub fn check_period(def: &TargetDef, period: &Period, as_of: AsOf) -> Result<(), RuleError> {
    check_years(period.start, "period")?;
    check_years(period.end, "period")?;
    if period.start > period.end {
        return Err(RuleError::new(
            "period",
            format!(
                "period {}..{} ends before it starts",
                period.start, period.end
            ),
        ));
    }
    let (day, what) = match as_of {
        AsOf::Today(day) => (day, "today"),
        AsOf::Recorded(day) => (day, "the day it was recorded"),
    };
    if period.end > day {
        return Err(RuleError::new(
            "period",
            format!(
                "period {} ends on {}, after {what} ({day}); record only figures for what has happened",
                format_period(period),
                period.end
            ),
        ));
    }
    check_window(def, period)
}

/// A cumulative target counts only amounts inside its window.
pub fn check_window(def: &TargetDef, period: &Period) -> Result<(), RuleError> {
    if def.kind == Kind::Cumulative
        && let (Some(start), Some(end)) = (def.window_start, def.deadline)
        && (period.start < start || period.end > end)
    {
        return Err(RuleError::new(
            "period",
            format!(
                "period {} is outside the window of `{}` ({start}..{end}); a cumulative target only counts amounts inside its window",
                format_period(period),
                def.id
            ),
        ));
    }
    Ok(())
}

/// A date within the years the ledger accepts anywhere.
pub fn check_years(date: NaiveDate, field: &'static str) -> Result<(), RuleError> {
    use chrono::Datelike;
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(RuleError::new(
            field,
            format!("{date} is outside the years {MIN_YEAR}..={MAX_YEAR}"),
        ))
    }
}

/// A new observation's amount and period.
pub fn check_observation(
    def: &TargetDef,
    quantity: &Quantity,
    period: &Period,
    as_of: AsOf,
) -> Result<(), RuleError> {
    check_amount(def, quantity)?;
    check_period(def, period, as_of)
}

/// The canonical form of `recorded_at`: fixed-width UTC with milliseconds,
/// so text order is time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A trail entry's recording time, in the ledger's canonical form.
pub fn parse_recorded_at(text: &str) -> Result<DateTime<Utc>, RuleError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .filter(|t| timestamp(*t) == text)
        .ok_or_else(|| {
            RuleError::new(
                "recorded_at",
                format!(
                    "recorded_at `{}` is not a time of the form 2024-07-26T09:30:00.000Z",
                    text.escape_debug()
                ),
            )
        })
}

/// Who recorded something, as the trail stores it (entries and definition
/// versions alike), with the reason if one is given. (When: a
/// `DateTime<Utc>` is always a valid time; its text form is checked where
/// text is read, by [`parse_recorded_at`].)
pub fn check_recorded(recorded_by: &str, reason: Option<&str>) -> Result<(), RuleError> {
    text::BY.named("recorded_by").check(recorded_by)?;
    text::REASON.named("reason").check_opt(reason)?;
    Ok(())
}

/// A whole entry as stored or restored, against the definition in force
/// when it was recorded: its text, its time, and for a record or
/// correction its amount and period.
pub fn check_entry(def: &TargetDef, entry: &Entry) -> Result<(), RuleError> {
    let recorded = entry.recorded_at;
    text::SOURCE.named("source").check(&entry.source)?;
    text::URL.named("url").check_url_opt(entry.url.as_deref())?;
    text::NOTE.named("note").check_opt(entry.note.as_deref())?;
    text::BY.named("recorded_by").check(&entry.recorded_by)?;
    text::REASON
        .named("reason")
        .check_opt(entry.reason.as_deref())?;
    if entry.action != Action::Record && entry.reason.is_none() {
        return Err(RuleError::new(
            "reason",
            format!("a {} needs a reason", entry.action.as_str()),
        ));
    }
    match (entry.action, entry.supersedes) {
        (Action::Record, Some(old)) => {
            return Err(RuleError::new(
                "supersedes",
                format!(
                    "a record supersedes nothing, but this one names #{old}; \
                     a correction or retraction replaces an entry"
                ),
            ));
        }
        (action, None) if action != Action::Record => {
            return Err(RuleError::new(
                "supersedes",
                format!("a {} names the entry it supersedes", action.as_str()),
            ));
        }
        _ => {}
    }
    match (entry.action, entry.quantity, entry.period) {
        (Action::Retract, None, None) => Ok(()),
        (Action::Retract, _, _) => Err(RuleError::new(
            "value",
            "a retraction has no value and no period",
        )),
        (_, Some(quantity), Some(period)) => {
            check_amount(def, &quantity)?;
            check_period(def, &period, AsOf::Recorded(recorded.date_naive()))
        }
        (_, _, _) => Err(RuleError::new(
            "value",
            "a record or correction needs a value and a period",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Qualifier;

    fn share() -> TargetDef {
        let file =
            crate::targets_file::parse_target_file(crate::seed::SEED, crate::seed::SEED_NAME)
                .unwrap();
        file.targets
            .into_iter()
            .find(|t| t.def.id == "opbudget-st-share")
            .unwrap()
            .def
    }

    fn q(x: i64) -> Quantity {
        Quantity {
            value: Decimal::from(x),
            qualifier: Qualifier::Exact,
        }
    }

    #[test]
    fn amounts_respect_sign_and_limit() {
        let def = share();
        assert!(check_amount(&def, &q(100)).is_ok());
        assert!(check_amount(&def, &q(0)).is_ok());
        let over = check_amount(&def, &q(150)).unwrap_err();
        assert_eq!(over.message, "value 150 exceeds the target's limit 100");
        assert!(
            check_amount(&def, &q(-1))
                .unwrap_err()
                .message
                .contains("negative")
        );
    }

    #[test]
    fn periods_are_over_and_in_range() {
        let def = share();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let p = |a: &str, b: &str| Period {
            start: d(a),
            end: d(b),
        };
        let today = AsOf::Today(d("2025-06-30"));
        assert!(check_period(&def, &p("2024-01-01", "2024-12-31"), today).is_ok());
        assert!(check_period(&def, &p("2025-01-01", "2025-12-31"), today).is_err());
        assert!(check_period(&def, &p("1850-01-01", "1850-12-31"), today).is_err());
        let recorded = AsOf::Recorded(d("2025-06-30"));
        let err = check_period(&def, &p("2150-01-01", "2150-12-31"), recorded).unwrap_err();
        assert!(err.message.contains("the day it was recorded"), "{err}");
    }

    #[test]
    fn recorded_at_must_be_canonical() {
        assert!(parse_recorded_at("2025-06-30T12:00:00.000Z").is_ok());
        for bad in [
            "yesterday-ish",
            "2025-06-30T12:00:00Z",
            "2025-06-30 12:00:00.000Z",
            "",
        ] {
            assert!(parse_recorded_at(bad).is_err(), "{bad}");
        }
    }
}
