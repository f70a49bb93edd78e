//! How values are stored as text and read back: dates, times, decimals,
//! enums, and the row decoders every query shares.
//!
//! Times (`recorded_at`, `known_at`, marks) are `DateTime<Utc>` everywhere
//! above this module; here, and only here, they become the canonical text
//! the schema holds ([`timestamp`] one way, [`parse_time_col`] the other),
//! fixed-width so that SQL compares them as text in time order.

use super::*;
use crate::model::{
    Action, Cadence, Comparator, Direction, Entry, Kind, Observation, Period, Provenance,
    Qualifier, Quantity, TargetDef,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::Row;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A time as the ledger stores it (and as exports print it).
pub use crate::domain::entry::timestamp;

/// Reads a stored time; anything but the canonical form is unreadable
/// (a hand edit, or an older tracker that let it in). The fixed-width form
/// is read by hand (every trail entry read passes here); anything else
/// goes to the general check, which accepts exactly what [`timestamp`]
/// writes.
pub(super) fn parse_time_col(text: &str) -> StorageResult<DateTime<Utc>> {
    fast_time(text.as_bytes()).map(Ok).unwrap_or_else(|| {
        crate::domain::entry::parse_recorded_at(text).map_err(|_| corrupt("time", text))
    })
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` with a valid date and time, else `None`.
fn fast_time(b: &[u8]) -> Option<DateTime<Utc>> {
    let shape = b.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[23] == b'Z';
    if !shape {
        return None;
    }
    let num = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_milli_opt(
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
        num(20..23)?,
    )?;
    // No leap second: the general check decides those.
    (num(17..19)? < 60).then(|| date.and_time(time).and_utc())
}

/// `YYYY-MM-DD`, as the schema stores dates. Written by hand: chrono's
/// formatter is the larger part of an import's per-row cost otherwise.
pub(super) fn iso_date(date: NaiveDate) -> String {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if (0..=9999).contains(&y) {
        let mut s = String::with_capacity(10);
        for digit in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
            s.push(char::from(b'0' + digit as u8));
        }
        s.push('-');
        s.push(char::from(b'0' + (m / 10) as u8));
        s.push(char::from(b'0' + (m % 10) as u8));
        s.push('-');
        s.push(char::from(b'0' + (d / 10) as u8));
        s.push(char::from(b'0' + (d % 10) as u8));
        s
    } else {
        date.format("%Y-%m-%d").to_string()
    }
}

/// Reads a date stored as `YYYY-MM-DD` (all the schema admits) without
/// chrono's general parser; anything else falls back to it.
pub(super) fn parse_date_col(text: &[u8]) -> StorageResult<NaiveDate> {
    let b = text;
    let fast = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            let num = |range: std::ops::Range<usize>| {
                b[range].iter().try_fold(0u32, |acc, &c| {
                    c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
                })
            };
            NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
        })
        .flatten();
    match fast {
        Some(date) => Ok(date),
        None => {
            let text = String::from_utf8_lossy(text);
            text.parse().map_err(|_| corrupt("date", &text))
        }
    }
}

/// Reads a number stored as `format_plain` writes it (`-123.45`: at most
/// 18 digits, no exponent) without the general decimal parser; anything
/// else falls back to it. Same value and scale as `Decimal::from_str`.
pub(super) fn parse_decimal_col(text: &[u8]) -> StorageResult<Decimal> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: i64 = 0;
    let mut count = 0;
    let mut scale: Option<u32> = None;
    let mut plain = digits.first().is_some_and(u8::is_ascii_digit);
    for &c in digits {
        match c {
            b'0'..=b'9' if count < 18 => {
                mantissa = mantissa * 10 + i64::from(c - b'0');
                count += 1;
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => {
                plain = false;
                break;
            }
        }
    }
    if plain && scale != Some(0) && !(negative && mantissa == 0) {
        let mantissa = if negative { -mantissa } else { mantissa };
        return Ok(Decimal::new(mantissa, scale.unwrap_or(0)));
    }
    let text = String::from_utf8_lossy(text);
    text.parse().map_err(|_| corrupt("number", &text))
}

/// Reads a qualifier by its spelling, from the column's bytes.
pub(super) fn parse_qualifier_col(text: &[u8]) -> StorageResult<Qualifier> {
    Qualifier::ALL
        .iter()
        .copied()
        .find(|q| q.as_str().as_bytes() == text)
        .ok_or_else(|| corrupt("qualifier", &String::from_utf8_lossy(text)))
}

/// A TEXT column's bytes, borrowed from the row: no copy, no UTF-8 check
/// (callers parse ASCII or compare bytes).
pub(super) fn bytes_ref<'r>(row: &'r Row, index: usize) -> rusqlite::Result<&'r [u8]> {
    Ok(row.get_ref(index)?.as_bytes()?)
}

/// A value stored by this program failed to read back: the file was edited
/// by hand or is damaged.
pub(super) fn corrupt(what: &str, text: &str) -> StorageError {
    StorageError::Corrupt(format!("it holds an unreadable {what} `{text}`"))
}

pub(super) fn parse_col<T: FromStr>(what: &str, text: String) -> StorageResult<T> {
    text.parse().map_err(|_| corrupt(what, &text))
}

pub(super) fn parse_opt<T: FromStr>(what: &str, text: Option<String>) -> StorageResult<Option<T>> {
    text.map(|t| parse_col(what, t)).transpose()
}

pub(super) type RowResult<T> = rusqlite::Result<StorageResult<T>>;

/// A stored `YYYY-MM-DD..YYYY-MM-DD` base period.
fn parse_base_period(text: &str) -> StorageResult<Period> {
    let (start, end) = text
        .split_once("..")
        .ok_or_else(|| corrupt("base period", text))?;
    Ok(Period {
        start: parse_date_col(start.as_bytes())?,
        end: parse_date_col(end.as_bytes())?,
    })
}

pub(super) fn target_from_row(row: &Row) -> RowResult<TargetDef> {
    let raw = (
        row.get::<_, String>(2)?,
        row.get::<_, String>(5)?,
        row.get::<_, Option<String>>(6)?,
        row.get::<_, Option<String>>(7)?,
        row.get::<_, Option<String>>(8)?,
        row.get::<_, Option<String>>(9)?,
        row.get::<_, Option<String>>(10)?,
        row.get::<_, String>(12)?,
        row.get::<_, String>(16)?,
    );
    let (id, title, metric, unit): (String, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(3)?, row.get(4)?);
    let is_rate: bool = row.get(11)?;
    let (quote, speaker, speaker_role, source_title, source_url, interpretation) = (
        row.get(13)?,
        row.get(14)?,
        row.get(15)?,
        row.get(17)?,
        row.get(18)?,
        row.get(19)?,
    );
    let base_period: Option<String> = row.get(20)?;
    let build = move || -> StorageResult<TargetDef> {
        let (
            kind,
            direction,
            comparator,
            target_value,
            window_start,
            deadline,
            limit,
            cadence,
            stated,
        ) = raw;
        Ok(TargetDef {
            id,
            title,
            kind: parse_col::<Kind>("kind", kind)?,
            metric,
            unit,
            direction: parse_col::<Direction>("direction", direction)?,
            comparator: parse_opt::<Comparator>("comparator", comparator)?,
            target_value: parse_opt::<Decimal>("number", target_value)?,
            window_start: window_start
                .map(|d| parse_date_col(d.as_bytes()))
                .transpose()?,
            deadline: deadline.map(|d| parse_date_col(d.as_bytes())).transpose()?,
            base_period: base_period.map(|p| parse_base_period(&p)).transpose()?,
            limit: parse_opt::<Decimal>("number", limit)?,
            is_rate,
            cadence: parse_col::<Cadence>("cadence", cadence)?,
            provenance: Provenance {
                quote,
                speaker,
                speaker_role,
                statement_date: parse_date_col(stated.as_bytes())?,
                source_title,
                source_url,
            },
            interpretation,
        })
    };
    Ok(build())
}

pub(super) fn quantity_from(value: String, qualifier: String) -> StorageResult<Quantity> {
    Ok(Quantity {
        value: parse_col::<Decimal>("number", value)?,
        qualifier: parse_col::<Qualifier>("qualifier", qualifier)?,
    })
}

pub(super) fn period_from(start: String, end: String) -> StorageResult<Period> {
    Ok(Period {
        start: parse_date_col(start.as_bytes())?,
        end: parse_date_col(end.as_bytes())?,
    })
}

/// One current observation. Reports read a million of these, so the
/// columns are borrowed, not copied, and parsed without allocating.
pub(super) fn observation_from_row(row: &Row) -> RowResult<Observation> {
    let id: i64 = row.get(0)?;
    let (value, qualifier, start, end) = (
        bytes_ref(row, 1)?,
        bytes_ref(row, 2)?,
        bytes_ref(row, 3)?,
        bytes_ref(row, 4)?,
    );
    Ok((|| {
        Ok(Observation {
            id,
            quantity: Quantity {
                value: parse_decimal_col(value)?,
                qualifier: parse_qualifier_col(qualifier)?,
            },
            period: Period {
                start: parse_date_col(start)?,
                end: parse_date_col(end)?,
            },
        })
    })())
}

/// A definition version: the target columns ([`super::sql::TARGET_COLUMNS`])
/// followed by version, recorded_at, recorded_by and reason.
pub(super) fn version_from_row(row: &Row) -> RowResult<TargetVersion> {
    let def = target_from_row(row)?;
    let n = super::sql::TARGET_COLUMN_COUNT;
    let version = row.get(n)?;
    let recorded_at: String = row.get(n + 1)?;
    let recorded_by = row.get(n + 2)?;
    let reason = row.get(n + 3)?;
    Ok((|| {
        Ok(TargetVersion {
            def: def?,
            version,
            recorded_at: parse_time_col(&recorded_at)?,
            recorded_by,
            reason,
        })
    })())
}

pub(super) fn entry_from_row(row: &Row) -> RowResult<Entry> {
    let id: i64 = row.get(0)?;
    let target_id: String = row.get(1)?;
    let action: String = row.get(2)?;
    let value: Option<String> = row.get(3)?;
    let qualifier: Option<String> = row.get(4)?;
    let start: Option<String> = row.get(5)?;
    let end: Option<String> = row.get(6)?;
    let source: String = row.get(7)?;
    let url: Option<String> = row.get(8)?;
    let note: Option<String> = row.get(9)?;
    let recorded_by: String = row.get(10)?;
    let recorded_at: String = row.get(11)?;
    let supersedes: Option<i64> = row.get(12)?;
    let reason: Option<String> = row.get(13)?;
    Ok((|| {
        let quantity = match (value, qualifier) {
            (Some(v), Some(q)) => Some(quantity_from(v, q)?),
            _ => None,
        };
        let period = match (start, end) {
            (Some(s), Some(e)) => Some(period_from(s, e)?),
            _ => None,
        };
        Ok(Entry {
            id,
            target_id,
            action: parse_col::<Action>("action", action)?,
            quantity,
            period,
            source,
            url,
            note,
            recorded_by,
            recorded_at: parse_time_col(&recorded_at)?,
            supersedes,
            reason,
        })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The hand-written reader reads what `timestamp` writes, exactly.
        #[test]
        fn stored_times_read_back(millis in -2_208_988_800_000i64..7_258_118_400_000i64) {
            let at = DateTime::from_timestamp_millis(millis).unwrap();
            let text = timestamp(at);
            proptest::prop_assert_eq!(fast_time(text.as_bytes()), Some(at));
            proptest::prop_assert_eq!(parse_time_col(&text).ok(), Some(at));
        }
    }

    #[test]
    fn non_canonical_times_are_unreadable() {
        for bad in [
            "2025-06-30T12:00:00Z",
            "2025-06-30T12:00:00.000+00:00",
            "2025-06-30 12:00:00.000Z",
            "2025-02-30T12:00:00.000Z",
            "2025-06-30T24:00:00.000Z",
            "2025-06-30T12:00:00.0000",
            "yesterday-ish",
            "",
        ] {
            assert!(parse_time_col(bad).is_err(), "{bad}");
        }
        // A leap second is what `timestamp` writes for one: the general
        // check reads it.
        assert!(parse_time_col("2016-12-31T23:59:60.500Z").is_ok());
    }

    #[test]
    fn fast_decimal_reads_what_the_general_parser_reads() {
        let mut inputs: Vec<String> = [
            "0",
            "-0",
            "1",
            "-1",
            "1.5",
            "-0.05",
            "123.450",
            "0001.50",
            "1.",
            ".5",
            "+5",
            "1e3",
            "",
            "-",
            "1.2.3",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "1234567890.123456789",
            "3000000000000",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for i in 0..2000u64 {
            let m = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (i % 60);
            let digits = m.to_string();
            let point = (i as usize) % (digits.len() + 1);
            let sign = if i % 3 == 0 { "-" } else { "" };
            inputs.push(format!("{sign}{digits}"));
            if point > 0 && point < digits.len() {
                inputs.push(format!("{sign}{}.{}", &digits[..point], &digits[point..]));
            }
        }
        for input in &inputs {
            let general = input.parse::<Decimal>().ok();
            let fast = parse_decimal_col(input.as_bytes()).ok();
            assert_eq!(fast, general, "{input:?}");
            if let (Some(f), Some(g)) = (fast, general) {
                assert_eq!(f.scale(), g.scale(), "{input:?}");
                assert_eq!(f.to_string(), g.to_string(), "{input:?}");
            }
        }
    }

    #[test]
    fn fast_date_reads_what_chrono_reads() {
        let mut day = NaiveDate::from_ymd_opt(1999, 12, 1).unwrap();
        while day.year() < 2031 {
            let text = iso_date(day);
            assert_eq!(text, day.format("%Y-%m-%d").to_string());
            assert_eq!(parse_date_col(text.as_bytes()).unwrap(), day);
            day = day.succ_opt().unwrap();
        }
        for odd in [
            "2024-02-30",
            "2024-13-01",
            "2024-1-01",
            "20240101",
            "",
            "2024-01-0x",
        ] {
            // The fast path declines these; chrono decides, as before.
            assert_eq!(
                parse_date_col(odd.as_bytes()).ok(),
                odd.parse::<NaiveDate>().ok(),
                "{odd}"
            );
        }
        assert_eq!(
            parse_qualifier_col(b"more-than").unwrap(),
            Qualifier::MoreThan
        );
        assert!(parse_qualifier_col(b"more than").is_err());
    }
}
