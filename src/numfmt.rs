//! Numbers at human scale: `3 tn CNY`, `>800 bn CNY`, `8000亿 CNY`.
//!
//! Used for explanations and tables, never for CSV/JSON values (those keep
//! the exact number in base units). The output is a pure function of the
//! input, so reports built from it are byte-for-byte reproducible.

use crate::model::Quantity;
use rust_decimal::{Decimal, RoundingStrategy};

/// Which way of grouping large numbers to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// Thousands grouped with commas below one million, then `mn`, `bn`, `tn`.
    Western,
    /// No grouping; `万` (1e4), `亿` (1e8), `万亿` (1e12).
    Chinese,
}

/// At most this many decimals are shown; trailing zeros are dropped.
const MAX_DECIMALS: u32 = 3;

/// (power of ten, suffix) from the smallest scale up.
const WESTERN_SCALES: &[(u32, &str)] = &[(0, ""), (6, " mn"), (9, " bn"), (12, " tn")];
const CHINESE_SCALES: &[(u32, &str)] = &[(0, ""), (4, "万"), (8, "亿"), (12, "万亿")];

/// `value` in `unit` at human scale: `3 tn CNY`, `250,000 people`, `83%`
/// (Western) or `3万亿 CNY`, `25万 people`, `83%` (Chinese). A value in `%`
/// is never scaled. Rounded half away from zero to at most three decimals.
pub fn human(value: Decimal, unit: &str, style: NumberStyle) -> String {
    let (scales, group) = match style {
        NumberStyle::Western => (WESTERN_SCALES, true),
        NumberStyle::Chinese => (CHINESE_SCALES, false),
    };
    let scales = if unit == "%" { &scales[..1] } else { scales };
    let magnitude = value.abs();

    // Largest scale the value reaches, then one up if rounding carried the
    // mantissa to the next scale (999.9996 bn is 1 tn, not 1000 bn).
    let mut index = scales
        .iter()
        .rposition(|&(exp, _)| magnitude >= pow10(exp))
        .unwrap_or(0);
    let mut mantissa = scaled(magnitude, scales[index].0);
    if let Some(&(next_exp, _)) = scales.get(index + 1)
        && mantissa >= pow10(next_exp - scales[index].0)
    {
        index += 1;
        mantissa = scaled(magnitude, next_exp);
    }

    let mut out = String::with_capacity(24);
    if value.is_sign_negative() && !mantissa.is_zero() {
        out.push('-');
    }
    push_number(&mut out, mantissa, group);
    out.push_str(scales[index].1);
    match unit {
        "" => {}
        "%" => out.push('%'),
        _ => {
            out.push(' ');
            out.push_str(unit);
        }
    }
    out
}

/// [`human`] with the qualifier's prefix: `>800 bn CNY`, `~3 tn CNY`,
/// `nearly 3 tn CNY`.
pub fn human_quantity(q: &Quantity, unit: &str, style: NumberStyle) -> String {
    let mut out = String::from(q.qualifier.prefix());
    out.push_str(&human(q.value, unit, style));
    out
}

fn pow10(exp: u32) -> Decimal {
    Decimal::from(10_i64.pow(exp))
}

/// `magnitude / 10^exp`, rounded to [`MAX_DECIMALS`], without trailing zeros.
fn scaled(magnitude: Decimal, exp: u32) -> Decimal {
    magnitude
        .checked_div(pow10(exp))
        .unwrap_or(magnitude)
        .round_dp_with_strategy(MAX_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Appends a non-negative decimal, grouping the integer part by thousands
/// with commas when `group` is set.
fn push_number(out: &mut String, mantissa: Decimal, group: bool) {
    let text = mantissa.to_string();
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (text.as_str(), None),
    };
    if group {
        let len = int.len();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (len - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
    } else {
        out.push_str(int);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Qualifier;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn w(s: &str, unit: &str) -> String {
        human(d(s), unit, NumberStyle::Western)
    }

    fn c(s: &str, unit: &str) -> String {
        human(d(s), unit, NumberStyle::Chinese)
    }

    #[test]
    fn western_scales() {
        assert_eq!(w("3000000000000", "CNY"), "3 tn CNY");
        assert_eq!(w("800000000000", "CNY"), "800 bn CNY");
        assert_eq!(w("2700000000000", "CNY"), "2.7 tn CNY");
        assert_eq!(w("2745600000000", "CNY"), "2.746 tn CNY");
        assert_eq!(w("1500000", "people"), "1.5 mn people");
        assert_eq!(w("1000000", "people"), "1 mn people");
        assert_eq!(w("5000000000000000", "CNY"), "5,000 tn CNY");
    }

    #[test]
    fn western_below_a_million_is_grouped() {
        assert_eq!(w("250000", "people"), "250,000 people");
        assert_eq!(w("999999", "people"), "999,999 people");
        assert_eq!(w("1234.5", "CNY"), "1,234.5 CNY");
        assert_eq!(w("999", "CNY"), "999 CNY");
        assert_eq!(w("0", "CNY"), "0 CNY");
        assert_eq!(w("0.12345", "t"), "0.123 t");
    }

    #[test]
    fn rounding_carries_to_the_next_scale() {
        assert_eq!(w("999999999999.9", "CNY"), "1 tn CNY");
        assert_eq!(w("999999000", "CNY"), "999.999 mn CNY");
        assert_eq!(w("999999999", "CNY"), "1 bn CNY");
        assert_eq!(w("999999500", "CNY"), "1 bn CNY");
        assert_eq!(w("999999.9999", "CNY"), "1 mn CNY");
        assert_eq!(c("99999999.9", "CNY"), "1亿 CNY");
    }

    #[test]
    fn rounds_half_away_from_zero_without_trailing_zeros() {
        assert_eq!(w("1.0005", "t"), "1.001 t");
        assert_eq!(w("1.2500", "t"), "1.25 t");
        assert_eq!(w("-1.0005", "t"), "-1.001 t");
        assert_eq!(w("-0.0001", "t"), "0 t");
    }

    #[test]
    fn percent_is_never_scaled() {
        assert_eq!(w("83", "%"), "83%");
        assert_eq!(w("83.3333", "%"), "83.333%");
        assert_eq!(w("-2.5", "%"), "-2.5%");
        assert_eq!(w("1200", "%"), "1,200%");
        assert_eq!(c("83", "%"), "83%");
        assert_eq!(c("1200", "%"), "1200%");
    }

    #[test]
    fn negative_values() {
        assert_eq!(w("-800000000000", "CNY"), "-800 bn CNY");
        assert_eq!(c("-250000", "people"), "-25万 people");
    }

    #[test]
    fn empty_unit() {
        assert_eq!(w("3000000000000", ""), "3 tn");
        assert_eq!(c("30000", ""), "3万");
    }

    #[test]
    fn chinese_scales() {
        assert_eq!(c("3000000000000", "CNY"), "3万亿 CNY");
        assert_eq!(c("800000000000", "CNY"), "8000亿 CNY");
        assert_eq!(c("250000", "people"), "25万 people");
        assert_eq!(c("2700000000000", "CNY"), "2.7万亿 CNY");
        assert_eq!(c("123456789", "CNY"), "1.235亿 CNY");
        assert_eq!(c("9999", "people"), "9999 people");
        assert_eq!(c("12345.6", "CNY"), "1.235万 CNY");
    }

    #[test]
    fn quantity_with_qualifier_prefix() {
        let q = |v: &str, qualifier| Quantity {
            value: d(v),
            qualifier,
        };
        let western = |v, qualifier| human_quantity(&q(v, qualifier), "CNY", NumberStyle::Western);
        assert_eq!(western("800000000000", Qualifier::MoreThan), ">800 bn CNY");
        assert_eq!(western("3000000000000", Qualifier::About), "~3 tn CNY");
        assert_eq!(
            western("3000000000000", Qualifier::Nearly),
            "nearly 3 tn CNY"
        );
        assert_eq!(western("3000000000000", Qualifier::AtLeast), "≥3 tn CNY");
        assert_eq!(western("3000000000000", Qualifier::AtMost), "≤3 tn CNY");
        assert_eq!(western("3000000000000", Qualifier::LessThan), "<3 tn CNY");
        assert_eq!(western("3000000000000", Qualifier::Exact), "3 tn CNY");
        assert_eq!(
            human_quantity(
                &q("800000000000", Qualifier::MoreThan),
                "CNY",
                NumberStyle::Chinese
            ),
            ">8000亿 CNY"
        );
    }
}
