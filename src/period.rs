//! Reading and writing the calendar periods observations cover.
//!
//! Official statistics are published for calendar units (a year, a half, a
//! quarter, a month) or for "January to June"-style spans, so those units are
//! what analysts type: `2024`, `2024-H1`, `2024-Q3`, `2024-07`, a single day
//! `2024-06-30`, or an inclusive range `2024-01-01..2024-06-30`. Each parses to
//! a closed [`Period`] of days, and [`format_period`] writes a period back in
//! the shortest of those forms, so exports read the way sources do and
//! re-import to the very same period.
//!
//! Dates are strict `YYYY-MM-DD`: a ledger meant to last must not guess
//! whether `1/2/24` is January or February, nor roll `2024-02-30` over into
//! March. Years outside 1900..=2200 are refused as almost certainly typos.

use crate::model::Period;
use chrono::{Datelike, NaiveDate};
use thiserror::Error;

/// Earliest year accepted.
pub const MIN_YEAR: i32 = 1900;
/// Latest year accepted.
pub const MAX_YEAR: i32 = 2200;

/// Shown in messages: every form a period may take.
const FORMS: &str = "2024 (a year), 2024-H1 or 2024-H2 (a half), 2024-Q1 to 2024-Q4 \
                     (a quarter), 2024-07 (a month), 2024-06-30 (a single day) or \
                     2024-01-01..2024-06-30 (an inclusive range of days)";

/// Why a date or period was refused. Each message names the input and says
/// what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("no date given; expected a date as YYYY-MM-DD, e.g. 2024-06-30")]
    EmptyDate,

    #[error("no period given; expected {forms}", forms = FORMS)]
    EmptyPeriod,

    #[error(
        "`{input}` is not a date; expected YYYY-MM-DD with a four-digit year and two-digit \
         month and day, e.g. 2024-06-30"
    )]
    BadDate { input: String },

    #[error("`{input}` is not a calendar day: {reason}; expected YYYY-MM-DD, e.g. 2024-06-30")]
    NoSuchDay { input: String, reason: String },

    #[error(
        "`{input}`: year {year} is outside the supported range {min}..={max}",
        min = MIN_YEAR,
        max = MAX_YEAR
    )]
    YearOutOfRange { input: String, year: i32 },

    #[error("`{input}` is not a period; expected {forms}", forms = FORMS)]
    BadPeriod { input: String },

    #[error(
        "`{input}`: there is no half {half}; write {year}-H1 (January to June) or {year}-H2 \
         (July to December)"
    )]
    NoSuchHalf {
        input: String,
        year: i32,
        half: String,
    },

    #[error("`{input}`: there is no quarter {quarter}; write {year}-Q1, -Q2, -Q3 or -Q4")]
    NoSuchQuarter {
        input: String,
        year: i32,
        quarter: String,
    },

    #[error("`{input}`: there is no month {month}; write {year}-01 to {year}-12")]
    NoSuchMonth {
        input: String,
        year: i32,
        month: String,
    },

    #[error("`{input}` ends before it starts; write the earlier day first, e.g. {end}..{start}")]
    ReversedRange {
        input: String,
        start: NaiveDate,
        end: NaiveDate,
    },

    #[error(
        "`{input}` is not a valid range ({reason}); write START..END with both days as \
         YYYY-MM-DD, e.g. 2024-01-01..2024-06-30"
    )]
    BadRange {
        input: String,
        reason: Box<PeriodError>,
    },
}

/// The value of a run of ASCII digits, or `None` if `s` is anything else.
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn check_year(input: &str, year: i32) -> Result<i32, PeriodError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(PeriodError::YearOutOfRange {
            input: input.to_string(),
            year,
        })
    }
}

/// A four-digit year, range-checked.
fn year_of(input: &str, text: &str) -> Option<Result<i32, PeriodError>> {
    if text.len() != 4 {
        return None;
    }
    let year = i32::try_from(digits(text)?).ok()?;
    Some(check_year(input, year))
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Last day of a month.
fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    ymd(next_year, next_month, 1)?.pred_opt()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Parse a strict `YYYY-MM-DD` date (surrounding whitespace is ignored).
pub fn parse_date(input: &str) -> Result<NaiveDate, PeriodError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(PeriodError::EmptyDate);
    }
    let bad = || PeriodError::BadDate {
        input: text.to_string(),
    };
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(bad());
    }
    // Bytes 4 and 7 are ASCII, so these are char boundaries.
    let year = year_of(text, &text[..4]).ok_or_else(bad)??;
    let month = digits(&text[5..7]).ok_or_else(bad)?;
    let day = digits(&text[8..]).ok_or_else(bad)?;
    let no_such = |reason: String| PeriodError::NoSuchDay {
        input: text.to_string(),
        reason,
    };
    let Some(month_name) = month.checked_sub(1).and_then(|i| MONTHS.get(i as usize)) else {
        return Err(no_such(format!("there is no month {month:02}")));
    };
    ymd(year, month, day).ok_or_else(|| {
        let days = month_end(year, month).map_or(31, |d| d.day());
        no_such(format!("{month_name} {year} has {days} days"))
    })
}

/// Parse any of the period forms: `2024`, `2024-H1`, `2024-Q3`, `2024-07`,
/// `2024-06-30` or `2024-01-01..2024-06-30` (`h`/`q` in either case).
pub fn parse_period(input: &str) -> Result<Period, PeriodError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(PeriodError::EmptyPeriod);
    }
    let owned = || text.to_string();
    let bad = || PeriodError::BadPeriod { input: owned() };

    if let Some((a, b)) = text.split_once("..") {
        let endpoint = |s: &str| {
            parse_date(s).map_err(|e| PeriodError::BadRange {
                input: owned(),
                reason: Box::new(e),
            })
        };
        let start = endpoint(a)?;
        let end = endpoint(b)?;
        if start > end {
            return Err(PeriodError::ReversedRange {
                input: owned(),
                start,
                end,
            });
        }
        return Ok(Period { start, end });
    }

    if let Some(year) = year_of(text, text) {
        let year = year?;
        return span(ymd(year, 1, 1), ymd(year, 12, 31)).ok_or_else(bad);
    }

    let bytes = text.as_bytes();
    if bytes.len() < 5 || bytes[4] != b'-' {
        return Err(bad());
    }
    // Byte 4 is ASCII, so 4 and 5 are char boundaries.
    let year = year_of(text, &text[..4]).ok_or_else(bad)??;
    let tail = &text[5..];
    let mut chars = tail.chars();
    let first = chars.next();
    let number = chars.as_str();
    match first {
        Some('h' | 'H') => match digits(number) {
            Some(1) => span(ymd(year, 1, 1), ymd(year, 6, 30)),
            Some(2) => span(ymd(year, 7, 1), ymd(year, 12, 31)),
            _ => {
                return Err(PeriodError::NoSuchHalf {
                    input: owned(),
                    year,
                    half: tail.to_string(),
                });
            }
        }
        .ok_or_else(bad),
        Some('q' | 'Q') => match digits(number) {
            Some(q @ 1..=4) => {
                let month = 3 * q - 2;
                span(ymd(year, month, 1), month_end(year, month + 2))
            }
            _ => {
                return Err(PeriodError::NoSuchQuarter {
                    input: owned(),
                    year,
                    quarter: tail.to_string(),
                });
            }
        }
        .ok_or_else(bad),
        _ if tail.len() == 2 => match digits(tail) {
            Some(month @ 1..=12) => {
                span(ymd(year, month, 1), month_end(year, month)).ok_or_else(bad)
            }
            Some(_) => Err(PeriodError::NoSuchMonth {
                input: owned(),
                year,
                month: tail.to_string(),
            }),
            None => Err(bad()),
        },
        _ if tail.len() == 5 => {
            let day = parse_date(text)?;
            Ok(Period {
                start: day,
                end: day,
            })
        }
        _ => Err(bad()),
    }
}

fn span(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Option<Period> {
    Some(Period {
        start: start?,
        end: end?,
    })
}

/// The shortest accepted form that denotes exactly `p`, so that
/// `parse_period(&format_period(p)) == Ok(*p)` for every valid period.
pub fn format_period(p: &Period) -> String {
    let (start, end) = (p.start, p.end);
    let year = start.year();
    if end.year() == year && start.day() == 1 {
        let month = start.month();
        let ends_month = |m: u32| month_end(year, m) == Some(end);
        if month == 1 && ends_month(12) {
            return format!("{year:04}");
        }
        if (month == 1 || month == 7) && ends_month(month + 5) {
            return format!("{year:04}-H{}", month / 6 + 1);
        }
        if month % 3 == 1 && ends_month(month + 2) {
            return format!("{year:04}-Q{}", month / 3 + 1);
        }
        if ends_month(month) {
            return format!("{year:04}-{month:02}");
        }
    }
    if start == end {
        start.to_string()
    } else {
        format!("{start}..{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    fn p(start: NaiveDate, end: NaiveDate) -> Period {
        Period { start, end }
    }

    #[test]
    fn dates_accepted() {
        let cases = [
            ("2024-06-30", d(2024, 6, 30)),
            (" 2024-02-29 ", d(2024, 2, 29)),
            ("1900-01-01", d(1900, 1, 1)),
            ("2200-12-31", d(2200, 12, 31)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn dates_rejected() {
        type Check = fn(&PeriodError) -> bool;
        let cases: &[(&str, Check, &str)] = &[
            ("", |e| matches!(e, PeriodError::EmptyDate), "YYYY-MM-DD"),
            (
                "2024-02-30",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "February 2024 has 29 days",
            ),
            (
                "2023-02-29",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "has 28 days",
            ),
            (
                "2024-04-31",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "April 2024 has 30 days",
            ),
            (
                "2024-06-00",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "June",
            ),
            (
                "2024-13-01",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "no month 13",
            ),
            (
                "2024-00-01",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "no month 00",
            ),
            (
                "24-1-1",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "YYYY-MM-DD",
            ),
            (
                "2024-6-30",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "two-digit",
            ),
            (
                "2024-06-30x",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "YYYY-MM-DD",
            ),
            (
                "2024-06-30 extra",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "YYYY-MM-DD",
            ),
            (
                "2024/06/30",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "YYYY-MM-DD",
            ),
            (
                "+024-06-30",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "YYYY-MM-DD",
            ),
            (
                "2024-0６-30",
                |e| matches!(e, PeriodError::BadDate { .. }),
                "YYYY-MM-DD",
            ),
            (
                "1899-12-31",
                |e| matches!(e, PeriodError::YearOutOfRange { .. }),
                "1900..=2200",
            ),
            (
                "2201-01-01",
                |e| matches!(e, PeriodError::YearOutOfRange { .. }),
                "year 2201",
            ),
        ];
        for &(input, check, needle) in cases {
            let e = match parse_date(input) {
                Ok(v) => panic!("{input:?} should be rejected, got {v}"),
                Err(e) => e,
            };
            assert!(check(&e), "{input:?}: wrong error {e:?}");
            let msg = e.to_string();
            assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
            assert!(
                msg.contains(input.trim()),
                "{input:?}: {msg:?} does not name it"
            );
        }
    }

    #[test]
    fn periods_accepted() {
        let cases = [
            ("2024", p(d(2024, 1, 1), d(2024, 12, 31)), "2024"),
            ("2024-H1", p(d(2024, 1, 1), d(2024, 6, 30)), "2024-H1"),
            ("2024-h2", p(d(2024, 7, 1), d(2024, 12, 31)), "2024-H2"),
            ("2024-Q1", p(d(2024, 1, 1), d(2024, 3, 31)), "2024-Q1"),
            ("2024-q2", p(d(2024, 4, 1), d(2024, 6, 30)), "2024-Q2"),
            ("2024-Q3", p(d(2024, 7, 1), d(2024, 9, 30)), "2024-Q3"),
            ("2024-Q4", p(d(2024, 10, 1), d(2024, 12, 31)), "2024-Q4"),
            ("2024-07", p(d(2024, 7, 1), d(2024, 7, 31)), "2024-07"),
            ("2024-02", p(d(2024, 2, 1), d(2024, 2, 29)), "2024-02"),
            ("2023-02", p(d(2023, 2, 1), d(2023, 2, 28)), "2023-02"),
            (
                "2024-06-30",
                p(d(2024, 6, 30), d(2024, 6, 30)),
                "2024-06-30",
            ),
            (
                "2024-01-01..2024-06-15",
                p(d(2024, 1, 1), d(2024, 6, 15)),
                "2024-01-01..2024-06-15",
            ),
            (
                " 2024-01-01 .. 2024-06-30 ",
                p(d(2024, 1, 1), d(2024, 6, 30)),
                "2024-H1",
            ),
            (
                "2024-01-01..2024-12-31",
                p(d(2024, 1, 1), d(2024, 12, 31)),
                "2024",
            ),
            (
                "2024-03-01..2024-03-31",
                p(d(2024, 3, 1), d(2024, 3, 31)),
                "2024-03",
            ),
            (
                "2024-06-30..2024-06-30",
                p(d(2024, 6, 30), d(2024, 6, 30)),
                "2024-06-30",
            ),
            (
                "2023-07-01..2024-06-30",
                p(d(2023, 7, 1), d(2024, 6, 30)),
                "2023-07-01..2024-06-30",
            ),
            ("1900", p(d(1900, 1, 1), d(1900, 12, 31)), "1900"),
            ("2200-Q4", p(d(2200, 10, 1), d(2200, 12, 31)), "2200-Q4"),
        ];
        for (input, want, formatted) in cases {
            assert_eq!(parse_period(input), Ok(want), "{input}");
            assert_eq!(format_period(&want), formatted, "{input}");
            assert_eq!(parse_period(formatted), Ok(want), "{formatted}");
        }
    }

    #[test]
    fn periods_rejected() {
        type Check = fn(&PeriodError) -> bool;
        let cases: &[(&str, Check, &str)] = &[
            ("", |e| matches!(e, PeriodError::EmptyPeriod), "2024-Q1"),
            ("  ", |e| matches!(e, PeriodError::EmptyPeriod), "2024-H1"),
            (
                "24",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "2024 (a year)",
            ),
            (
                "20245",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "2024-07 (a month)",
            ),
            (
                "2024-",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "inclusive range",
            ),
            (
                "2024-7",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "2024-07",
            ),
            (
                "2024-H3",
                |e| matches!(e, PeriodError::NoSuchHalf { .. }),
                "no half H3",
            ),
            (
                "2024-H",
                |e| matches!(e, PeriodError::NoSuchHalf { .. }),
                "2024-H1",
            ),
            (
                "2024-Q5",
                |e| matches!(e, PeriodError::NoSuchQuarter { .. }),
                "no quarter Q5",
            ),
            (
                "2024-Q0",
                |e| matches!(e, PeriodError::NoSuchQuarter { .. }),
                "2024-Q1",
            ),
            (
                "2024-Q12",
                |e| matches!(e, PeriodError::NoSuchQuarter { .. }),
                "Q12",
            ),
            (
                "2024-13",
                |e| matches!(e, PeriodError::NoSuchMonth { .. }),
                "no month 13",
            ),
            (
                "2024-00",
                |e| matches!(e, PeriodError::NoSuchMonth { .. }),
                "2024-01 to 2024-12",
            ),
            (
                "2024-02-30",
                |e| matches!(e, PeriodError::NoSuchDay { .. }),
                "29 days",
            ),
            (
                "1899",
                |e| matches!(e, PeriodError::YearOutOfRange { .. }),
                "1900..=2200",
            ),
            (
                "2201-Q1",
                |e| matches!(e, PeriodError::YearOutOfRange { .. }),
                "2201",
            ),
            (
                "2024-S1",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "2024-H1",
            ),
            (
                "2024-06-30 junk",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "a single day",
            ),
            (
                "2024 Q1",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "2024-Q1",
            ),
            (
                "H1 2024",
                |e| matches!(e, PeriodError::BadPeriod { .. }),
                "2024-H1",
            ),
            (
                "2024-06-30..2024-01-01",
                |e| matches!(e, PeriodError::ReversedRange { .. }),
                "e.g. 2024-01-01..2024-06-30",
            ),
            (
                "2024-01-01..",
                |e| matches!(e, PeriodError::BadRange { .. }),
                "no date given",
            ),
            (
                "..2024-01-01",
                |e| matches!(e, PeriodError::BadRange { .. }),
                "START..END",
            ),
            (
                "2024..2025",
                |e| matches!(e, PeriodError::BadRange { .. }),
                "`2024` is not a date",
            ),
            (
                "2024-01-01..2024-02-30",
                |e| matches!(e, PeriodError::BadRange { .. }),
                "February 2024 has 29 days",
            ),
            (
                "2024-01-01..2024-02-01..2024-03-01",
                |e| matches!(e, PeriodError::BadRange { .. }),
                "YYYY-MM-DD",
            ),
        ];
        for &(input, check, needle) in cases {
            let e = match parse_period(input) {
                Ok(v) => panic!("{input:?} should be rejected, got {v:?}"),
                Err(e) => e,
            };
            assert!(check(&e), "{input:?}: wrong error {e:?}");
            let msg = e.to_string();
            assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
            assert!(
                msg.contains(input.trim()),
                "{input:?}: {msg:?} does not name it"
            );
        }
    }

    fn first_day() -> NaiveDate {
        d(MIN_YEAR, 1, 1)
    }

    fn day_count() -> i64 {
        (d(MAX_YEAR, 12, 31) - first_day()).num_days()
    }

    fn day_strategy() -> impl Strategy<Value = NaiveDate> {
        (0..=day_count()).prop_map(|n| first_day() + chrono::Duration::days(n))
    }

    fn period_strategy() -> impl Strategy<Value = Period> {
        let year = MIN_YEAR..=MAX_YEAR;
        prop_oneof![
            year.clone().prop_map(|y| p(d(y, 1, 1), d(y, 12, 31))),
            (year.clone(), 1u32..=2).prop_map(|(y, h)| {
                let m = 6 * h - 5;
                p(d(y, m, 1), month_end(y, m + 5).expect("test month"))
            }),
            (year.clone(), 1u32..=4).prop_map(|(y, q)| {
                let m = 3 * q - 2;
                p(d(y, m, 1), month_end(y, m + 2).expect("test month"))
            }),
            (year, 1u32..=12)
                .prop_map(|(y, m)| p(d(y, m, 1), month_end(y, m).expect("test month"))),
            day_strategy().prop_map(|x| p(x, x)),
            (day_strategy(), day_strategy()).prop_map(|(a, b)| p(a.min(b), a.max(b))),
        ]
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            let _ = parse_period(&s);
            let _ = parse_date(&s);
        }

        #[test]
        fn near_misses_never_panic_and_round_trip(s in "[0-9HhQq.\\- ６]{0,24}") {
            let _ = parse_date(&s);
            if let Ok(period) = parse_period(&s) {
                prop_assert!(period.start <= period.end);
                prop_assert_eq!(parse_period(&format_period(&period)), Ok(period));
            }
        }

        #[test]
        fn format_then_parse_round_trips(period in period_strategy()) {
            let text = format_period(&period);
            prop_assert_eq!(parse_period(&text), Ok(period), "{}", text);
        }

        #[test]
        fn ranges_round_trip_through_range_syntax(a in day_strategy(), b in day_strategy()) {
            let period = p(a.min(b), a.max(b));
            let text = format!("{}..{}", period.start, period.end);
            prop_assert_eq!(parse_period(&text), Ok(period));
            prop_assert!(format_period(&period).len() <= text.len());
        }
    }
}
