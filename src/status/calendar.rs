//! Calendar arithmetic of the method: calendar-true years between figures,
//! month steps that keep month ends, and the schedule of figures a cadence
//! promises. Kept apart because every kind of target uses it and because
//! "how many years between 2023-12-31 and 2024-12-31" must have one answer.

use crate::model::{Cadence, Period, TargetDef};
use chrono::{Datelike, Days, Months, NaiveDate};

/// Days after the end of its period by which a scheduled figure is due: the
/// usual publication lag (annual figures appear in January–March, quarterly
/// ones about a month after the quarter) plus some slack.
pub const STALE_GRACE_DAYS: i64 = 60;

/// Length of the year used for the days left over after whole months.
const DAYS_PER_YEAR: f64 = 365.25;

/// Missing periods listed by end date: all up to this many, else the first
/// ones and the last.
const LISTED_MISSING: usize = 4;

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|next| next.month() != d.month())
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(Months::new(1))?;
    next.pred_opt()
}

/// `d` plus `months` calendar months; the end of a month stays the end of a
/// month (2024-02-29 + 12 = 2025-02-28, 2023-11-30 + 1 = 2023-12-31).
/// `None` past the end of the calendar.
pub fn add_months(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    let shifted = d.checked_add_months(Months::new(months))?;
    if is_month_end(d) {
        month_end(shifted.year(), shifted.month())
    } else {
        Some(shifted)
    }
}

/// The most whole months `m` with `add_months(a, m) <= b` (`a <= b`).
fn whole_months(a: NaiveDate, b: NaiveDate) -> u32 {
    let guess = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
    let mut months = u32::try_from(guess).unwrap_or(0);
    while months > 0 && add_months(a, months).is_none_or(|d| d > b) {
        months -= 1;
    }
    months
}

/// Calendar-true years from `a` to `b`: whole months / 12 plus the leftover
/// days / 365.25. Annual figures are whole years apart. Negative when `b`
/// is before `a`.
pub fn years_between(a: NaiveDate, b: NaiveDate) -> f64 {
    if b <= a {
        return -((a - b).num_days() as f64) / DAYS_PER_YEAR;
    }
    let months = whole_months(a, b);
    let whole = add_months(a, months).unwrap_or(a);
    f64::from(months) / 12.0 + (b - whole).num_days() as f64 / DAYS_PER_YEAR
}

/// Months in one step of the cadence.
pub fn cadence_months(c: Cadence) -> u32 {
    match c {
        Cadence::Monthly => 1,
        Cadence::Quarterly => 3,
        Cadence::HalfYearly => 6,
        Cadence::Yearly => 12,
    }
}

/// Whether `p` is shorter than one step of the cadence (a half-year figure
/// on a yearly target).
pub fn is_part_period(p: &Period, cadence: Cadence) -> bool {
    add_months(p.start, cadence_months(cadence))
        .and_then(|next| next.pred_opt())
        .is_some_and(|full_end| full_end > p.end)
}

/// The scheduled figures after a figure ending `last_end` that are due
/// (period end + grace) before `as_of` and, with a deadline, end on or before
/// it: their count and the listed ends. Counted, not walked, so a figure
/// decades old costs no more than a recent one.
pub fn missing_releases(
    def: &TargetDef,
    last_end: NaiveDate,
    as_of: NaiveDate,
) -> (usize, Vec<NaiveDate>) {
    let step = cadence_months(def.cadence);
    // A period ending on or before `latest` is due before `as_of`.
    let Some(due_by) = as_of.checked_sub_days(Days::new(STALE_GRACE_DAYS as u64 + 1)) else {
        return (0, Vec::new());
    };
    let latest = def.deadline.map_or(due_by, |d| d.min(due_by));
    if latest <= last_end {
        return (0, Vec::new());
    }
    let count = whole_months(last_end, latest) / step;
    let end = |k: u32| k.checked_mul(step).and_then(|m| add_months(last_end, m));
    let mut listed: Vec<NaiveDate> = (1..=count.min(LISTED_MISSING as u32 - 1))
        .filter_map(end)
        .collect();
    if count as usize > listed.len()
        && let Some(last) = end(count)
    {
        listed.push(last);
    }
    (count as usize, listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    #[test]
    fn month_steps_keep_month_ends() {
        assert_eq!(add_months(d("2024-02-29"), 12), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2023-11-30"), 1), Some(d("2023-12-31")));
        assert_eq!(add_months(d("2024-06-30"), 6), Some(d("2024-12-31")));
        assert_eq!(add_months(d("2024-01-15"), 1), Some(d("2024-02-15")));
        assert_eq!(add_months(d("2024-01-30"), 1), Some(d("2024-02-29")));
    }

    #[test]
    fn annual_figures_are_whole_years_apart() {
        assert_eq!(years_between(d("2023-12-31"), d("2024-12-31")), 1.0);
        assert_eq!(years_between(d("2022-12-31"), d("2024-12-31")), 2.0);
        assert_eq!(years_between(d("2023-12-31"), d("2024-06-30")), 0.5);
        assert_eq!(years_between(d("2024-02-29"), d("2025-02-28")), 1.0);
        let x = years_between(d("2024-01-01"), d("2024-01-11"));
        assert!((x - 10.0 / 365.25).abs() < 1e-12);
        let x = years_between(d("2024-01-15"), d("2025-03-01"));
        assert!((x - (13.0 / 12.0 + 14.0 / 365.25)).abs() < 1e-12, "{x}");
    }

    #[test]
    fn missing_releases_are_counted_not_walked() {
        let mut def =
            crate::status::tests::target(crate::model::Kind::Level, None, None, None, None);
        def.cadence = Cadence::Monthly;
        let (n, listed) = missing_releases(&def, d("0001-01-31"), d("2026-11-29"));
        // Up to 2026-08-31 (due 2026-10-30); 2026-09-30 is due on the as-of date.
        assert_eq!(n, 2025 * 12 + 7);
        assert_eq!(listed.len(), 4);
        assert_eq!(listed[0], d("0001-02-28"));
        assert_eq!(listed[3], d("2026-08-31"));
        def.cadence = Cadence::Yearly;
        let (n, listed) = missing_releases(&def, d("2021-12-31"), d("2026-11-29"));
        assert_eq!(n, 4);
        assert_eq!(
            listed,
            vec![
                d("2022-12-31"),
                d("2023-12-31"),
                d("2024-12-31"),
                d("2025-12-31")
            ]
        );
        // Due on 2026-03-01: missing from 2026-03-02.
        assert_eq!(
            missing_releases(&def, d("2024-12-31"), d("2026-03-01")).0,
            0
        );
        assert_eq!(
            missing_releases(&def, d("2024-12-31"), d("2026-03-02")).0,
            1
        );
        def.deadline = Some(d("2023-12-31"));
        assert_eq!(
            missing_releases(&def, d("2021-12-31"), d("2026-11-29")).0,
            2
        );
    }

    #[test]
    fn part_periods() {
        let p = |a: &str, b: &str| Period {
            start: d(a),
            end: d(b),
        };
        assert!(is_part_period(
            &p("2024-01-01", "2024-06-30"),
            Cadence::Yearly
        ));
        assert!(!is_part_period(
            &p("2024-01-01", "2024-12-31"),
            Cadence::Yearly
        ));
        assert!(!is_part_period(
            &p("2024-01-01", "2024-06-30"),
            Cadence::HalfYearly
        ));
        assert!(!is_part_period(
            &p("2024-02-01", "2024-02-29"),
            Cadence::Monthly
        ));
    }
}
