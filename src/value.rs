//! Reading the numbers analysts copy from official sources.
//!
//! A value is parsed into an exact [`Decimal`], never a float: the ledger
//! stores, sums and compares these numbers for years, and `2.7tn` must stay
//! exactly 2700000000000 on every machine and after every export/import, with
//! no binary rounding drift. For the same reason anything that cannot be held
//! exactly (exponent notation, more than 28 significant digits, NaN,
//! infinities) is rejected rather than rounded.
//!
//! The hedge a source puts on a figure ("more than 800 billion", "约3万亿元")
//! is kept as a [`Qualifier`] next to the number: official figures usually
//! come hedged, and a "more than" figure is evidence of a different strength
//! than an exact one, so dropping the hedge would misstate the source.
//!
//! Inputs that could be read two ways (`1,5`: decimal comma or thousands
//! separator?) are refused with a message saying how to write them, instead of
//! guessing. Every error message names the offending input and what would be
//! accepted, because users see it directly.
//!
//! Grammar (whitespace between parts optional, words case-insensitive):
//!
//! ```text
//! [qualifier] [+|-]number [scale] [% | percent | yuan | 元 | CNY | RMB] [and above | 以上]
//! ```

use crate::model::{Qualifier, Quantity};
use rust_decimal::Decimal;
use thiserror::Error;

/// Shown in messages: what a value may look like.
const ACCEPTED: &str = "a number such as 1234.5, 1,234,567, -12.5, 2.7tn, 800 billion, \
                        3万亿元, 83% or >800bn";

/// Most significant digits (and decimal places) a value may have: what a
/// [`Decimal`] holds exactly with room to spare.
const MAX_DIGITS: usize = 28;

/// A value as an analyst typed it: the number with its hedge, plus what the
/// text said about its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedValue {
    /// Exact, normalized value (scale words applied) and its qualifier.
    pub quantity: Quantity,
    /// `Some("%")` for a percentage, `Some("CNY")` for a yuan amount, `None`
    /// when the text named no unit.
    pub unit: Option<String>,
    /// The scale word as written (`"bn"`, `"万亿"`), if any; [`check_unit`]
    /// needs it to refuse `3bn` for a percentage.
    pub scale: Option<String>,
    /// The input, trimmed, for messages.
    pub input: String,
}

/// Why a value was refused. Each message names the input and says what to
/// write instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("no value given; expected {accepted}", accepted = ACCEPTED)]
    Empty,

    #[error("`{input}` has no number; expected {accepted}", accepted = ACCEPTED)]
    NoNumber { input: String },

    #[error("`{input}` is not a number (NaN is not accepted); expected {accepted}", accepted = ACCEPTED)]
    NotANumber { input: String },

    #[error(
        "`{input}` is infinite; only finite amounts can be recorded: write the number out \
         (e.g. 2700000000000) or use a scale word (e.g. 2.7tn)"
    )]
    Infinite { input: String },

    #[error(
        "`{input}` uses exponent notation, which is not accepted; write the number out \
         (e.g. 1000 or 2700000000000) or use a scale word (e.g. 1k, 2.7tn, 3万亿)"
    )]
    Exponent { input: String },

    #[error(
        "`{input}` has more than {max} significant digits or decimal places, which cannot be \
         stored exactly; round it to at most {max} digits",
        max = MAX_DIGITS
    )]
    TooManyDigits { input: String },

    #[error(
        "`{input}` is too large to store exactly (the limit is about 79 octillion, 29 digits); \
         check the number and its scale word"
    )]
    TooLarge { input: String },

    #[error(
        "`{input}` is ambiguous: a comma here could be a decimal mark or a thousands separator; \
         write {suggestion}"
    )]
    AmbiguousComma { input: String, suggestion: String },

    #[error("`{input}` has misplaced separators: {hint}")]
    BadSeparators { input: String, hint: String },

    #[error("`{input}` is not a well-formed number: {hint}")]
    BadNumber { input: String, hint: String },

    #[error(
        "`{input}` contains the dash `{dash}` ({}); use the ASCII hyphen-minus '-' for a \
         negative number, e.g. -12.5",
        codepoint(*.dash)
    )]
    UnicodeDash { input: String, dash: char },

    #[error("`{input}` uses full-width digits; use ASCII digits instead: {ascii}")]
    FullWidthDigits { input: String, ascii: String },

    #[error(
        "`{input}` has two qualifiers (`{first}` and `{second}`); give at most one, \
         e.g. >800bn, about 3tn or 100亿以上"
    )]
    TwoQualifiers {
        input: String,
        first: String,
        second: String,
    },

    #[error(
        "`{input}` has two scale words (`{first}` and `{second}`); use one, \
         e.g. 2.7tn, 800 billion or 3万亿"
    )]
    TwoScales {
        input: String,
        first: String,
        second: String,
    },

    #[error(
        "`{input}` has two units (`{first}` and `{second}`); a value is either a percentage \
         (83%) or an amount (3 trillion yuan)"
    )]
    TwoUnits {
        input: String,
        first: String,
        second: String,
    },

    #[error(
        "`{input}` combines a percentage with a scale word; write the percentage itself, \
         e.g. 83% or 83.5 percent"
    )]
    PercentWithScale { input: String },

    #[error("`{input}` has unexpected text `{junk}`; expected {accepted}", accepted = ACCEPTED)]
    TrailingJunk { input: String, junk: String },

    #[error("`{input}` is {found} but the target unit is {target}; give the value in {target}")]
    UnitMismatch {
        input: String,
        found: String,
        target: String,
    },

    #[error(
        "`{input}` uses the scale word `{scale}`, but the target unit is %; write the \
         percentage itself, e.g. 83 or 83%"
    )]
    ScaleForPercent { input: String, scale: String },
}

fn codepoint(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

const PREFIX_QUALIFIERS: &[(&str, Qualifier)] = &[
    (">", Qualifier::MoreThan),
    ("more than", Qualifier::MoreThan),
    ("over", Qualifier::MoreThan),
    ("exceeding", Qualifier::MoreThan),
    ("超", Qualifier::MoreThan),
    ("超过", Qualifier::MoreThan),
    ("逾", Qualifier::MoreThan),
    (">=", Qualifier::AtLeast),
    ("≥", Qualifier::AtLeast),
    ("at least", Qualifier::AtLeast),
    ("不少于", Qualifier::AtLeast),
    ("不低于", Qualifier::AtLeast),
    ("<", Qualifier::LessThan),
    ("less than", Qualifier::LessThan),
    ("under", Qualifier::LessThan),
    ("below", Qualifier::LessThan),
    ("不到", Qualifier::LessThan),
    ("<=", Qualifier::AtMost),
    ("≤", Qualifier::AtMost),
    ("at most", Qualifier::AtMost),
    ("up to", Qualifier::AtMost),
    ("不超过", Qualifier::AtMost),
    ("~", Qualifier::About),
    ("≈", Qualifier::About),
    ("about", Qualifier::About),
    ("around", Qualifier::About),
    ("approximately", Qualifier::About),
    ("approx.", Qualifier::About),
    ("approx", Qualifier::About),
    ("约", Qualifier::About),
    ("nearly", Qualifier::Nearly),
    ("almost", Qualifier::Nearly),
    ("近", Qualifier::Nearly),
    ("将近", Qualifier::Nearly),
];

const SUFFIX_QUALIFIERS: &[(&str, Qualifier)] = &[
    ("and above", Qualifier::AtLeast),
    ("以上", Qualifier::AtLeast),
];

/// Scale words and the power of ten they stand for.
const SCALES: &[(&str, i32)] = &[
    ("k", 3),
    ("thousand", 3),
    ("m", 6),
    ("mn", 6),
    ("million", 6),
    ("b", 9),
    ("bn", 9),
    ("billion", 9),
    ("t", 12),
    ("tn", 12),
    ("trillion", 12),
    ("万", 4),
    ("亿", 8),
    ("万亿", 12),
];

const PERCENT: &str = "%";
const CNY: &str = "CNY";

/// Unit words and the canonical unit they denote.
const UNITS: &[(&str, &str)] = &[
    ("%", PERCENT),
    ("％", PERCENT),
    ("percent", PERCENT),
    ("per cent", PERCENT),
    ("yuan", CNY),
    ("元", CNY),
    ("cny", CNY),
    ("rmb", CNY),
];

const SPECIALS: &[(&str, bool)] = &[
    ("nan", true),
    ("inf", false),
    ("infinity", false),
    ("∞", false),
];

/// Dashes people paste in place of a minus sign.
fn is_foreign_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2043}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

fn is_fullwidth_digit(c: char) -> bool {
    ('０'..='９').contains(&c)
}

/// If `s` starts with `word` (ASCII case-insensitive), the rest. A word
/// ending in an ASCII letter must not run into another ASCII letter (`m`
/// does not match `mg`).
fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let rest = s.get(word.len()..)?;
    let word_ends_in_letter = word.ends_with(|c: char| c.is_ascii_alphabetic());
    if word_ends_in_letter && rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(rest)
}

/// Like [`strip_word`], but a space in `phrase` matches any non-empty run
/// of whitespace.
fn strip_phrase<'a>(s: &'a str, phrase: &str) -> Option<&'a str> {
    let mut rest = s;
    for (i, part) in phrase.split(' ').enumerate() {
        if i > 0 {
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() {
                return None;
            }
            rest = trimmed;
        }
        rest = strip_word(rest, part)?;
    }
    Some(rest)
}

/// The longest entry of `table` that `s` starts with: the text it matched,
/// its value, and the rest of `s`.
fn longest_match<'a, T: Copy>(s: &'a str, table: &[(&str, T)]) -> Option<(&'a str, T, &'a str)> {
    table
        .iter()
        .filter_map(|&(phrase, value)| strip_phrase(s, phrase).map(|rest| (value, rest)))
        .min_by_key(|(_, rest)| rest.len())
        .map(|(value, rest)| (&s[..s.len() - rest.len()], value, rest))
}

/// Parse a value as analysts type it from sources; see the module docs for
/// the grammar.
pub fn parse_value(input: &str) -> Result<ParsedValue, ValueError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ValueError::Empty);
    }
    reject_lookalikes(text)?;
    let owned = || text.to_string();
    let (qualifier, rest) = take_prefix_qualifier(text)?;
    let (sign, rest) = take_sign(text, rest)?;
    let negative = sign == Some('-');
    let (digits, after) = take_number(text, rest, sign)?;
    let tail = parse_tail(text, after.trim_start(), qualifier)?;

    let power = tail.scale.map_or(0, |(_, p)| p);
    let value = build_decimal(text, &digits, negative, power)?;
    let qualifier = qualifier
        .or(tail.suffix)
        .map_or(Qualifier::Exact, |(_, q)| q);
    Ok(ParsedValue {
        quantity: Quantity { value, qualifier },
        unit: tail.unit.map(|(_, canonical)| canonical.to_string()),
        scale: tail.scale.map(|(word, _)| word.to_string()),
        input: owned(),
    })
}

/// A qualifier word as written, and what it means.
type QualifierWord<'t> = Option<(&'t str, Qualifier)>;

/// Characters that look like a minus sign or digits but are not ASCII:
/// refused with the ASCII spelling in the message rather than misread.
fn reject_lookalikes(text: &str) -> Result<(), ValueError> {
    if let Some(dash) = text.chars().find(|&c| is_foreign_dash(c)) {
        return Err(ValueError::UnicodeDash {
            input: text.to_string(),
            dash,
        });
    }
    if text.chars().any(is_fullwidth_digit) {
        let ascii = text
            .chars()
            .map(|c| {
                if is_fullwidth_digit(c) {
                    char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect();
        return Err(ValueError::FullWidthDigits {
            input: text.to_string(),
            ascii,
        });
    }
    Ok(())
}

/// `more than`, `about`, ... before the number; at most one.
fn take_prefix_qualifier(text: &str) -> Result<(QualifierWord<'_>, &str), ValueError> {
    let Some((word, q, rest)) = longest_match(text, PREFIX_QUALIFIERS) else {
        return Ok((None, text));
    };
    let rest = rest.trim_start();
    if let Some((second, _, _)) = longest_match(rest, PREFIX_QUALIFIERS) {
        return Err(ValueError::TwoQualifiers {
            input: text.to_string(),
            first: word.to_string(),
            second: second.to_string(),
        });
    }
    Ok((Some((word, q)), rest))
}

/// An optional `+` or `-`; `NaN` and infinities are refused here, where a
/// number is expected.
fn take_sign<'t>(text: &str, rest: &'t str) -> Result<(Option<char>, &'t str), ValueError> {
    let (sign, rest) = match rest.strip_prefix(['+', '-']) {
        Some(r) => (rest.chars().next(), r),
        None => (None, rest),
    };
    if let Some((_, is_nan, _)) = longest_match(rest, SPECIALS) {
        return Err(if is_nan {
            ValueError::NotANumber {
                input: text.to_string(),
            }
        } else {
            ValueError::Infinite {
                input: text.to_string(),
            }
        });
    }
    Ok((sign, rest))
}

/// The digits (with thousands separators and a decimal point), checked,
/// and the text after them.
fn take_number<'t>(
    text: &str,
    rest: &'t str,
    sign: Option<char>,
) -> Result<(Digits, &'t str), ValueError> {
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(rest.len());
    let (number, after) = rest.split_at(end);
    if !number.bytes().any(|b| b.is_ascii_digit()) {
        if let Some(sign) = sign
            && after.starts_with(char::is_whitespace)
            && !after.trim().is_empty()
        {
            return Err(ValueError::BadNumber {
                input: text.to_string(),
                hint: format!(
                    "write the sign directly before the digits, e.g. {sign}{}",
                    after.trim()
                ),
            });
        }
        return Err(ValueError::NoNumber {
            input: text.to_string(),
        });
    }
    if is_exponent(after) {
        return Err(ValueError::Exponent {
            input: text.to_string(),
        });
    }
    Ok((split_number(text, number)?, after))
}

/// What follows the number: a scale word, then unit and suffix qualifier
/// in any order.
struct Tail<'t> {
    scale: Option<(&'t str, i32)>,
    unit: Option<(&'t str, &'static str)>,
    suffix: QualifierWord<'t>,
}

fn parse_tail<'t>(
    text: &str,
    mut rest: &'t str,
    prefix: QualifierWord<'t>,
) -> Result<Tail<'t>, ValueError> {
    let owned = || text.to_string();
    let mut tail = Tail {
        scale: None,
        unit: None,
        suffix: None,
    };
    if let Some((word, power, r)) = longest_match(rest, SCALES) {
        tail.scale = Some((word, power));
        rest = r.trim_start();
    }
    while !rest.is_empty() {
        if let Some((word, _, _)) = longest_match(rest, SCALES) {
            return Err(match (tail.scale, tail.unit) {
                (Some((first, _)), _) => ValueError::TwoScales {
                    input: owned(),
                    first: first.to_string(),
                    second: word.to_string(),
                },
                (None, Some((_, PERCENT))) => ValueError::PercentWithScale { input: owned() },
                _ => ValueError::TrailingJunk {
                    input: owned(),
                    junk: rest.to_string(),
                },
            });
        }
        if let Some((word, canonical, r)) = longest_match(rest, UNITS) {
            if let Some((first, _)) = tail.unit {
                return Err(ValueError::TwoUnits {
                    input: owned(),
                    first: first.to_string(),
                    second: word.to_string(),
                });
            }
            if canonical == PERCENT && tail.scale.is_some() {
                return Err(ValueError::PercentWithScale { input: owned() });
            }
            tail.unit = Some((word, canonical));
            rest = r.trim_start();
            continue;
        }
        let qualifier = longest_match(rest, SUFFIX_QUALIFIERS)
            .map(|(word, q, r)| (word, Some((q, r))))
            .or_else(|| longest_match(rest, PREFIX_QUALIFIERS).map(|(word, _, _)| (word, None)));
        if let Some((word, suffix)) = qualifier {
            if let Some((first, _)) = prefix.or(tail.suffix) {
                return Err(ValueError::TwoQualifiers {
                    input: owned(),
                    first: first.to_string(),
                    second: word.to_string(),
                });
            }
            if let Some((q, r)) = suffix {
                tail.suffix = Some((word, q));
                rest = r.trim_start();
                continue;
            }
        }
        return Err(ValueError::TrailingJunk {
            input: owned(),
            junk: rest.to_string(),
        });
    }
    Ok(tail)
}

/// `e3`, `E+3`, `e-5` right after the digits.
fn is_exponent(after: &str) -> bool {
    let Some(r) = after.strip_prefix(['e', 'E']) else {
        return false;
    };
    let r = r.strip_prefix(['+', '-']).unwrap_or(r);
    r.starts_with(|c: char| c.is_ascii_digit())
}

/// The digits of a number split at the decimal mark, separators checked
/// and removed.
struct Digits {
    int: String,
    frac: String,
}

/// Check the separators of `number` (ASCII digits, `,` and `.` only).
fn split_number(input: &str, number: &str) -> Result<Digits, ValueError> {
    let bad = |hint: String| ValueError::BadSeparators {
        input: input.to_string(),
        hint,
    };
    let plain: String = number.chars().filter(char::is_ascii_digit).collect();

    let dots = number.matches('.').count();
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if dots > 1 || frac.contains(',') {
        let hint = if int.contains(',') && frac.contains(',') {
            "',' may only separate thousands before the decimal mark, e.g. 1,234.5".to_string()
        } else if frac.contains(',') || dots > 1 && number.contains(',') {
            let plain = european_to_plain(number);
            format!(
                "it looks like '.' separates thousands and ',' is the decimal mark; write \
                 {plain} instead ('.' is the decimal mark, ',' only separates groups of \
                 three digits)"
            )
        } else {
            format!(
                "'.' is the decimal mark and may appear once; thousands are separated with \
                 ',' or not at all, e.g. {plain} or {}",
                group_thousands(&plain)
            )
        };
        return Err(bad(hint));
    }
    if number.contains('.') && int.is_empty() {
        return Err(ValueError::BadNumber {
            input: input.to_string(),
            hint: format!("write a digit before the decimal mark, e.g. 0.{frac}"),
        });
    }
    if number.contains('.') && frac.is_empty() {
        let whole = int.trim_end_matches(',');
        return Err(ValueError::BadNumber {
            input: input.to_string(),
            hint: format!("write digits after the decimal mark or drop it, e.g. {whole}"),
        });
    }

    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let first = groups.first().copied().unwrap_or("");
        let valid = (1..=3).contains(&first.len())
            && !first.starts_with('0')
            && groups[1..].iter().all(|g| g.len() == 3);
        if !valid {
            let int_digits = int.replace(',', "");
            if groups.len() == 2 && frac.is_empty() && groups.iter().all(|g| !g.is_empty()) {
                let last = groups[1];
                let decimal = format!("{first}.{last}");
                let suggestion = if first.starts_with('0') {
                    format!("{decimal} for a decimal")
                } else if last.len() < 3 {
                    format!("{decimal} or {first},{last:0<3}")
                } else {
                    format!("{decimal} or {}", group_thousands(&int_digits))
                };
                return Err(ValueError::AmbiguousComma {
                    input: input.to_string(),
                    suggestion,
                });
            }
            let int_digits = int_digits.trim_start_matches('0');
            let int_digits = if int_digits.is_empty() {
                "0"
            } else {
                int_digits
            };
            let tail = if frac.is_empty() {
                String::new()
            } else {
                format!(".{frac}")
            };
            return Err(bad(format!(
                "',' may only separate groups of exactly three digits, as in 1,234,567; \
                 write {int_digits}{tail} or {}{tail}",
                group_thousands(int_digits)
            )));
        }
    }
    Ok(Digits {
        int: int.replace(',', ""),
        frac: frac.to_string(),
    })
}

/// `1.234,5` read the continental way, written plainly: `1234.5`.
fn european_to_plain(number: &str) -> String {
    number.replace('.', "").replace(',', ".")
}

/// `1234567` → `1,234,567`.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `digits × 10^power`, exactly, or an error if a [`Decimal`] cannot hold it.
fn build_decimal(
    input: &str,
    digits: &Digits,
    negative: bool,
    power: i32,
) -> Result<Decimal, ValueError> {
    let too_many = || ValueError::TooManyDigits {
        input: input.to_string(),
    };
    let too_large = || ValueError::TooLarge {
        input: input.to_string(),
    };

    // Coefficient without leading or trailing zeros, and its power of ten.
    let all = format!("{}{}", digits.int, digits.frac);
    let coefficient = all.trim_start_matches('0').trim_end_matches('0');
    if coefficient.is_empty() {
        return Ok(Decimal::ZERO);
    }
    if coefficient.len() > MAX_DIGITS {
        return Err(too_many());
    }
    let trailing_zeros = all.len() - all.trim_end_matches('0').len();
    let frac_len = i64::try_from(digits.frac.len()).map_err(|_| too_many())?;
    let zeros = i64::try_from(trailing_zeros).map_err(|_| too_many())?;
    let exponent = i64::from(power) + zeros - frac_len;

    // At most 28 digits: fits an i128 with room to spare.
    let mut mantissa = coefficient
        .bytes()
        .fold(0i128, |acc, b| acc * 10 + i128::from(b - b'0'));
    if negative {
        mantissa = -mantissa;
    }
    let value = if exponent >= 0 {
        let factor = u32::try_from(exponent)
            .ok()
            .and_then(|e| 10i128.checked_pow(e))
            .ok_or_else(too_large)?;
        let scaled = mantissa.checked_mul(factor).ok_or_else(too_large)?;
        Decimal::try_from_i128_with_scale(scaled, 0).map_err(|_| too_large())?
    } else {
        let scale = u32::try_from(-exponent).map_err(|_| too_many())?;
        if scale > Decimal::MAX_SCALE {
            return Err(too_many());
        }
        Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| too_large())?
    };
    Ok(value.normalize())
}

/// Check that a parsed value fits a target measured in `target_unit`: its
/// unit, if it named one, must be that unit (case-insensitive; `yuan`, `元`
/// and `RMB` count as `CNY`), and a percentage target takes no scale word.
pub fn check_unit(parsed: &ParsedValue, target_unit: &str) -> Result<(), ValueError> {
    let target = target_unit.trim();
    let target_canonical = canonical_unit(target);
    if target_canonical == PERCENT
        && let Some(scale) = &parsed.scale
    {
        return Err(ValueError::ScaleForPercent {
            input: parsed.input.clone(),
            scale: scale.clone(),
        });
    }
    match &parsed.unit {
        None => Ok(()),
        Some(unit) if canonical_unit(unit) == target_canonical => Ok(()),
        Some(unit) => Err(ValueError::UnitMismatch {
            input: parsed.input.clone(),
            found: if canonical_unit(unit) == PERCENT {
                "a percentage".to_string()
            } else {
                format!("an amount in {unit}")
            },
            target: target.to_string(),
        }),
    }
}

/// A unit spelled the way the ledger compares it: `%` and `CNY` for their
/// aliases, anything else lower-cased.
fn canonical_unit(unit: &str) -> String {
    let unit = unit.trim();
    match longest_match(unit, UNITS) {
        Some((_, canonical, "")) => canonical.to_string(),
        _ => unit.to_lowercase(),
    }
}

/// The canonical export form of a value: normalized, no exponent, no
/// thousands separators, `0` for zero (never `-0`).
pub fn format_plain(d: Decimal) -> String {
    let n = d.normalize();
    if n.is_zero() {
        "0".to_string()
    } else {
        n.to_string()
    }
}

/// The inverse of [`format_plain`], for files `tracker` writes: an
/// optional `-`, digits, and an optional fraction. No exponent, sign `+`,
/// separators or blanks, which the general `Decimal` parser would take.
pub fn parse_plain(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(whole) && all_digits(fraction)) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    fn q(value: &str, qualifier: Qualifier) -> Quantity {
        Quantity {
            value: dec(value),
            qualifier,
        }
    }

    #[test]
    fn accepts() {
        use Qualifier::*;
        let cases: &[(&str, &str, Qualifier, Option<&str>)] = &[
            // plain
            ("1234.5", "1234.5", Exact, None),
            ("  1234.5  ", "1234.5", Exact, None),
            ("0", "0", Exact, None),
            ("007", "7", Exact, None),
            ("12.30", "12.3", Exact, None),
            ("12.3", "12.3", Exact, None),
            ("1,234,567", "1234567", Exact, None),
            ("1,234", "1234", Exact, None),
            ("1,500", "1500", Exact, None),
            ("123,456.75", "123456.75", Exact, None),
            ("-12.5", "-12.5", Exact, None),
            ("+12.5", "12.5", Exact, None),
            ("-0", "0", Exact, None),
            ("-0.000", "0", Exact, None),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
                Exact,
                None,
            ),
            (
                "9999999999999999999999999999",
                "9999999999999999999999999999",
                Exact,
                None,
            ),
            // scales
            ("2.7tn", "2700000000000", Exact, None),
            ("0.8 tn", "800000000000", Exact, None),
            ("2.7 TN", "2700000000000", Exact, None),
            ("5k", "5000", Exact, None),
            ("5 K", "5000", Exact, None),
            ("5 thousand", "5000", Exact, None),
            ("1.5m", "1500000", Exact, None),
            ("1.5 mn", "1500000", Exact, None),
            ("1.5 Million", "1500000", Exact, None),
            ("3b", "3000000000", Exact, None),
            ("3bn", "3000000000", Exact, None),
            ("800 billion", "800000000000", Exact, None),
            ("3t", "3000000000000", Exact, None),
            ("3 trillion", "3000000000000", Exact, None),
            ("8000亿", "800000000000", Exact, None),
            ("3万亿", "3000000000000", Exact, None),
            ("25万", "250000", Exact, None),
            ("1.5万", "15000", Exact, None),
            (
                "0.0000000000000000000000000001 tn",
                "0.0000000000000001",
                Exact,
                None,
            ),
            ("1,234.5 bn", "1234500000000", Exact, None),
            ("0 tn", "0", Exact, None),
            (
                "70000000000000000 tn",
                "70000000000000000000000000000",
                Exact,
                None,
            ),
            // percent
            ("83%", "83", Exact, Some("%")),
            ("83 %", "83", Exact, Some("%")),
            ("83.5 percent", "83.5", Exact, Some("%")),
            ("83.5 per cent", "83.5", Exact, Some("%")),
            ("83.5 PERCENT", "83.5", Exact, Some("%")),
            ("-1.2%", "-1.2", Exact, Some("%")),
            // currency
            ("3 trillion yuan", "3000000000000", Exact, Some("CNY")),
            ("3万亿元", "3000000000000", Exact, Some("CNY")),
            ("500 CNY", "500", Exact, Some("CNY")),
            ("500 rmb", "500", Exact, Some("CNY")),
            ("500元", "500", Exact, Some("CNY")),
            // qualifiers
            (">800bn", "800000000000", MoreThan, None),
            ("> 800 bn", "800000000000", MoreThan, None),
            ("more than 800 billion", "800000000000", MoreThan, None),
            ("More  Than 800", "800", MoreThan, None),
            ("over 5", "5", MoreThan, None),
            ("exceeding 5", "5", MoreThan, None),
            ("超8000亿元", "800000000000", MoreThan, Some("CNY")),
            ("超过8000亿元", "800000000000", MoreThan, Some("CNY")),
            ("逾100万", "1000000", MoreThan, None),
            (">=5", "5", AtLeast, None),
            ("≥5", "5", AtLeast, None),
            ("at least 5", "5", AtLeast, None),
            ("不少于5", "5", AtLeast, None),
            ("不低于5%", "5", AtLeast, Some("%")),
            ("100 and above", "100", AtLeast, None),
            ("100亿以上", "10000000000", AtLeast, None),
            ("100亿元以上", "10000000000", AtLeast, Some("CNY")),
            ("<5", "5", LessThan, None),
            ("less than 5", "5", LessThan, None),
            ("under 5", "5", LessThan, None),
            ("below -5", "-5", LessThan, None),
            ("不到5", "5", LessThan, None),
            ("<=5", "5", AtMost, None),
            ("≤5", "5", AtMost, None),
            ("at most 5", "5", AtMost, None),
            ("up to 5", "5", AtMost, None),
            ("不超过5", "5", AtMost, None),
            ("~3tn", "3000000000000", About, None),
            ("≈3", "3", About, None),
            ("about 3", "3", About, None),
            ("around 3", "3", About, None),
            ("approximately 3", "3", About, None),
            ("approx. 3", "3", About, None),
            ("approx 3", "3", About, None),
            ("约3万亿元", "3000000000000", About, Some("CNY")),
            ("nearly 3 tn", "3000000000000", Nearly, None),
            ("almost 3", "3", Nearly, None),
            ("近3万亿", "3000000000000", Nearly, None),
            ("将近3万亿", "3000000000000", Nearly, None),
            ("about 83.5 percent", "83.5", About, Some("%")),
        ];
        for &(input, value, qualifier, unit) in cases {
            let parsed = parse_value(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(parsed.quantity, q(value, qualifier), "{input}");
            assert_eq!(parsed.unit.as_deref(), unit, "{input}");
            assert_eq!(format_plain(parsed.quantity.value), value, "{input}");
        }
    }

    #[test]
    fn keeps_scale_word_and_input() {
        let parsed = parse_value(" 3 Bn ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.scale.as_deref(), Some("Bn"));
        assert_eq!(parsed.input, "3 Bn");
        assert_eq!(parse_value("3").map(|p| p.scale), Ok(None));
    }

    #[test]
    fn negative_zero_is_zero() {
        let v = parse_value("-0")
            .unwrap_or_else(|e| panic!("{e}"))
            .quantity
            .value;
        assert!(!v.is_sign_negative());
        assert_eq!(v.to_string(), "0");
    }

    #[test]
    fn rejects() {
        type Check = fn(&ValueError) -> bool;
        let cases: &[(&str, Check, &str)] = &[
            ("", |e| matches!(e, ValueError::Empty), "no value"),
            ("   ", |e| matches!(e, ValueError::Empty), "no value"),
            (
                "NaN",
                |e| matches!(e, ValueError::NotANumber { .. }),
                "`NaN`",
            ),
            (
                "-nan",
                |e| matches!(e, ValueError::NotANumber { .. }),
                "NaN",
            ),
            ("inf", |e| matches!(e, ValueError::Infinite { .. }), "`inf`"),
            (
                "-Infinity",
                |e| matches!(e, ValueError::Infinite { .. }),
                "infinite",
            ),
            (
                "∞",
                |e| matches!(e, ValueError::Infinite { .. }),
                "infinite",
            ),
            (
                "1e400",
                |e| matches!(e, ValueError::Exponent { .. }),
                "scale word",
            ),
            (
                "1e3",
                |e| matches!(e, ValueError::Exponent { .. }),
                "write the number out",
            ),
            (
                "2.5E-3",
                |e| matches!(e, ValueError::Exponent { .. }),
                "exponent",
            ),
            (
                "1E+3",
                |e| matches!(e, ValueError::Exponent { .. }),
                "exponent",
            ),
            (
                "12345678901234567890123456789",
                |e| matches!(e, ValueError::TooManyDigits { .. }),
                "28",
            ),
            (
                "1.2345678901234567890123456789",
                |e| matches!(e, ValueError::TooManyDigits { .. }),
                "28",
            ),
            (
                "0.00000000000000000000000000001",
                |e| matches!(e, ValueError::TooManyDigits { .. }),
                "decimal places",
            ),
            (
                "100000000000000000000000000000",
                |e| matches!(e, ValueError::TooLarge { .. }),
                "too large",
            ),
            (
                "99999999999999999999 tn",
                |e| matches!(e, ValueError::TooLarge { .. }),
                "too large",
            ),
            (
                "1,5",
                |e| matches!(e, ValueError::AmbiguousComma { .. }),
                "write 1.5 or 1,500",
            ),
            (
                "1,50",
                |e| matches!(e, ValueError::AmbiguousComma { .. }),
                "1.50 or 1,500",
            ),
            (
                "1,5000",
                |e| matches!(e, ValueError::AmbiguousComma { .. }),
                "1.5000 or 15,000",
            ),
            (
                "0,500",
                |e| matches!(e, ValueError::AmbiguousComma { .. }),
                "0.500",
            ),
            (
                "1.234,5",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "1234.5",
            ),
            (
                "1,23,456",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "write 123456 or 123,456",
            ),
            (
                "1,234,5",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "groups of exactly three",
            ),
            (
                "1234,567,890",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "1,234,567,890",
            ),
            (
                "1,,234",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "three digits",
            ),
            (
                ",234",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "three digits",
            ),
            (
                "1,234.5,6",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "before the decimal mark",
            ),
            (
                "1.234.567",
                |e| matches!(e, ValueError::BadSeparators { .. }),
                "1234567",
            ),
            (".5", |e| matches!(e, ValueError::BadNumber { .. }), "0.5"),
            (
                "5.",
                |e| matches!(e, ValueError::BadNumber { .. }),
                "e.g. 5",
            ),
            ("- 5", |e| matches!(e, ValueError::BadNumber { .. }), "-5"),
            (
                "−12",
                |e| matches!(e, ValueError::UnicodeDash { .. }),
                "U+2212",
            ),
            (
                "–12",
                |e| matches!(e, ValueError::UnicodeDash { .. }),
                "ASCII hyphen-minus",
            ),
            (
                "—12",
                |e| matches!(e, ValueError::UnicodeDash { .. }),
                "'-'",
            ),
            (
                "１２３",
                |e| matches!(e, ValueError::FullWidthDigits { .. }),
                "ASCII digits instead: 123",
            ),
            (
                "约１２３亿",
                |e| matches!(e, ValueError::FullWidthDigits { .. }),
                "约123亿",
            ),
            (
                "about > 5",
                |e| matches!(e, ValueError::TwoQualifiers { .. }),
                "`about` and `>`",
            ),
            (
                ">~5",
                |e| matches!(e, ValueError::TwoQualifiers { .. }),
                "two qualifiers",
            ),
            (
                "超过100亿以上",
                |e| matches!(e, ValueError::TwoQualifiers { .. }),
                "`超过` and `以上`",
            ),
            (
                "5 about",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`about`",
            ),
            (
                "5 以上 以上",
                |e| matches!(e, ValueError::TwoQualifiers { .. }),
                "two qualifiers",
            ),
            (
                "3 万 亿",
                |e| matches!(e, ValueError::TwoScales { .. }),
                "`万` and `亿`",
            ),
            (
                "3 thousand million",
                |e| matches!(e, ValueError::TwoScales { .. }),
                "two scale words",
            ),
            (
                "3bn bn",
                |e| matches!(e, ValueError::TwoScales { .. }),
                "two scale words",
            ),
            (
                "3bn%",
                |e| matches!(e, ValueError::PercentWithScale { .. }),
                "percentage",
            ),
            (
                "3% bn",
                |e| matches!(e, ValueError::PercentWithScale { .. }),
                "percentage",
            ),
            (
                "3% yuan",
                |e| matches!(e, ValueError::TwoUnits { .. }),
                "two units",
            ),
            (
                "3%%",
                |e| matches!(e, ValueError::TwoUnits { .. }),
                "two units",
            ),
            (
                "12abc",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`abc`",
            ),
            (
                "3 yuan trillion",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`trillion`",
            ),
            (
                "5kg",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`kg`",
            ),
            (
                "1 234",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`234`",
            ),
            (
                "100+",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`+`",
            ),
            (
                "1e",
                |e| matches!(e, ValueError::TrailingJunk { .. }),
                "`e`",
            ),
            (
                "about",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "`about` has no number",
            ),
            (
                "bn",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "no number",
            ),
            (
                "-",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "no number",
            ),
            (
                "--5",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "no number",
            ),
            (
                "-~5",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "no number",
            ),
            (
                ",",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "no number",
            ),
            (
                "abc",
                |e| matches!(e, ValueError::NoNumber { .. }),
                "expected a number",
            ),
        ];
        for &(input, check, needle) in cases {
            match parse_value(input) {
                Ok(v) => panic!("{input:?} should be rejected, got {v:?}"),
                Err(e) => {
                    assert!(check(&e), "{input:?}: wrong error {e:?}");
                    let msg = e.to_string();
                    assert!(msg.contains(needle), "{input:?}: {msg:?} lacks {needle:?}");
                    if !input.trim().is_empty() {
                        assert!(
                            msg.contains(input.trim()),
                            "{input:?}: {msg:?} does not name it"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn ambiguous_message_matches_spec_example() {
        let e = parse_value("1,5").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "`1,5` is ambiguous: a comma here could be a decimal mark or a thousands \
                 separator; write 1.5 or 1,500"
            )
        );
    }

    fn parsed(input: &str) -> ParsedValue {
        parse_value(input).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    #[test]
    fn unit_checks() {
        let ok: &[(&str, &str)] = &[
            ("83", "%"),
            ("83%", "%"),
            ("83 percent", "%"),
            ("3 trillion yuan", "CNY"),
            ("3万亿元", "cny"),
            ("3万亿元", "yuan"),
            ("3万亿", "CNY"),
            ("3bn", "people"),
            ("3", "people"),
            ("3 RMB", "CNY"),
        ];
        for &(input, target) in ok {
            assert_eq!(
                check_unit(&parsed(input), target),
                Ok(()),
                "{input} for {target}"
            );
        }
        let bad: &[(&str, &str, &str)] = &[
            (
                "83%",
                "CNY",
                "`83%` is a percentage but the target unit is CNY",
            ),
            (
                "83%",
                "people",
                "is a percentage but the target unit is people",
            ),
            (
                "3 yuan",
                "%",
                "`3 yuan` is an amount in CNY but the target unit is %",
            ),
            (
                "3bn",
                "%",
                "`3bn` uses the scale word `bn`, but the target unit is %",
            ),
            ("3万", "%", "scale word `万`"),
        ];
        for &(input, target, needle) in bad {
            let msg = check_unit(&parsed(input), target)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(msg.contains(needle), "{input} for {target}: {msg:?}");
        }
    }

    #[test]
    fn format_plain_forms() {
        let cases = [
            ("2700000000000", "2700000000000"),
            ("2.7e12", "2700000000000"),
            ("12.300", "12.3"),
            ("0.000", "0"),
            ("-0", "0"),
            ("-12.50", "-12.5"),
            ("1e-28", "0.0000000000000000000000000001"),
        ];
        for (input, want) in cases {
            let d = Decimal::from_scientific(input)
                .or_else(|_| Decimal::from_str(input))
                .expect("test decimal");
            assert_eq!(format_plain(d), want, "{input}");
        }
        let mut neg_zero = Decimal::ZERO;
        neg_zero.set_sign_negative(true);
        assert_eq!(format_plain(neg_zero), "0");
    }

    /// One spelling of each qualifier, as prefix (`true`) or suffix.
    fn spellings() -> Vec<(&'static str, bool, Qualifier)> {
        let mut all: Vec<_> = PREFIX_QUALIFIERS
            .iter()
            .map(|&(w, q)| (w, true, q))
            .collect();
        all.extend(SUFFIX_QUALIFIERS.iter().map(|&(w, q)| (w, false, q)));
        all.push(("", true, Qualifier::Exact));
        all
    }

    fn decimal_strategy() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..=18).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            let _ = parse_value(&s);
        }

        #[test]
        fn never_panics_on_near_miss(
            s in "[-+0-9,. eEkmbtnKMBTN%万亿元约超过以上<>=~≈≥≤−１a-z]{0,24}"
        ) {
            if let Ok(p) = parse_value(&s) {
                let _ = check_unit(&p, "%");
                let _ = format_plain(p.quantity.value);
            }
        }

        #[test]
        fn qualified_plain_round_trips(
            d in decimal_strategy(),
            idx in 0usize..64,
            space in any::<bool>(),
        ) {
            let all = spellings();
            let (word, prefix, qualifier) = all[idx % all.len()];
            let sep = if space || word.ends_with(|c: char| c.is_ascii_alphabetic()) {
                " "
            } else {
                ""
            };
            let number = format_plain(d);
            let text = if word.is_empty() {
                number.clone()
            } else if prefix {
                format!("{word}{sep}{number}")
            } else {
                format!("{number}{sep}{word}")
            };
            let parsed = parse_value(&text);
            prop_assert_eq!(
                parsed.map(|p| p.quantity),
                Ok(Quantity { value: d.normalize(), qualifier }),
                "{}", text
            );
        }

        #[test]
        fn thousands_separated_integers_round_trip(n in any::<i64>()) {
            let grouped = group_thousands(&n.unsigned_abs().to_string());
            let text = if n < 0 { format!("-{grouped}") } else { grouped };
            prop_assert_eq!(
                parse_value(&text).map(|p| p.quantity.value),
                Ok(Decimal::from(n)),
                "{}", text
            );
        }

        #[test]
        fn scale_words_are_exact(m in any::<i32>(), s in 0u32..=6, idx in 0usize..SCALES.len()) {
            let d = Decimal::new(i64::from(m), s);
            let (word, power) = SCALES[idx];
            let text = format!("{} {word}", format_plain(d));
            let factor = Decimal::from(10i64.pow(power.unsigned_abs()));
            prop_assert_eq!(
                parse_value(&text).map(|p| p.quantity.value),
                Ok((d * factor).normalize()),
                "{}", text
            );
        }
    }

    #[test]
    fn plain_numbers_read_back_and_nothing_else_does() {
        for d in ["0", "-0.5", "3000000000000", "12.25"] {
            let n = parse_plain(d).unwrap();
            assert_eq!(format_plain(n), d);
        }
        for bad in [
            "1e5", "+1", "1,000", " 1", "1.", ".5", "-", "", "NaN", "1_000",
        ] {
            assert_eq!(parse_plain(bad), None, "{bad}");
        }
    }
}
