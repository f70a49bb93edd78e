//! The ledger's vocabulary: targets, observations and the small enums that
//! describe them.
//!
//! These types are shared by every other module (storage, status method,
//! formatters), so they carry no behaviour that needs I/O. Each enum has one
//! canonical lower-case spelling, used in target files, in the database and in
//! CSV/JSON output alike; `as_str`/`FromStr` are the only place it is written,
//! and serde writes and reads exactly that spelling.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! spelled_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        /// Serialised as its canonical spelling, the one `as_str` writes.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Read from its canonical spelling, the one `FromStr` reads.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical spelling (database, files, CSV/JSON).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} `{}`; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

spelled_enum! {
    /// How a target is judged (see docs/methodology.md).
    Kind {
        /// A total to accumulate over a window; each observation is the
        /// amount for its period and they add up.
        Cumulative => "cumulative",
        /// A value to reach (or a stated figure to hold) by a deadline; each
        /// observation is the level at the end of its period.
        Level => "level",
        /// A pledge of direction with no number ("fewer legal entities").
        Direction => "direction",
    }
}

spelled_enum! {
    /// Which way is good for the metric.
    Direction {
        Up => "up",
        Down => "down",
    }
}

spelled_enum! {
    /// The comparison a target value is stated with.
    Comparator {
        /// "more than", "exceeded", "超"
        MoreThan => ">",
        /// "at least", "and above"
        AtLeast => ">=",
        /// "reach", "a total of": the value itself, read as at least
        Equal => "=",
        /// "at most", "no more than"
        AtMost => "<=",
        /// "less than", "below"
        LessThan => "<",
    }
}

impl Comparator {
    /// The CSV/JSON spelling: a word, because a cell holding `=` is a
    /// formula to a spreadsheet.
    pub fn export_word(self) -> &'static str {
        match self {
            Comparator::MoreThan => "more-than",
            Comparator::AtLeast => "at-least",
            Comparator::Equal => "equal",
            Comparator::AtMost => "at-most",
            Comparator::LessThan => "less-than",
        }
    }
}

spelled_enum! {
    /// How often new figures are expected; drives the `stale` flag.
    Cadence {
        Monthly => "monthly",
        Quarterly => "quarterly",
        HalfYearly => "half-yearly",
        Yearly => "yearly",
    }
}

impl Cadence {
    /// Nominal length of one update interval, in days.
    pub fn days(self) -> i64 {
        match self {
            Cadence::Monthly => 31,
            Cadence::Quarterly => 92,
            Cadence::HalfYearly => 183,
            Cadence::Yearly => 366,
        }
    }
}

spelled_enum! {
    /// The hedge a source puts on a number ("more than 800 billion").
    /// Kept with the number, never dropped.
    Qualifier {
        /// No hedge: the number as stated.
        Exact => "exact",
        /// ">", "more than", "over", "exceeded", "超", "超过", "逾"
        MoreThan => "more-than",
        /// ">=", "at least", "and above", "不少于"
        AtLeast => "at-least",
        /// "<", "less than", "under", "below", "不到"
        LessThan => "less-than",
        /// "<=", "at most", "up to", "不超过"
        AtMost => "at-most",
        /// "~", "about", "around", "approximately", "约"
        About => "about",
        /// "nearly", "almost", "近", "将近": just under the number
        Nearly => "nearly",
    }
}

impl Qualifier {
    /// Short prefix for people: `>800 bn`, `~3 tn`, `nearly 3 tn`.
    pub fn prefix(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::MoreThan => ">",
            Qualifier::AtLeast => "≥",
            Qualifier::LessThan => "<",
            Qualifier::AtMost => "≤",
            Qualifier::About => "~",
            Qualifier::Nearly => "nearly ",
        }
    }

    /// The CSV/JSON spelling: empty for an exact value.
    pub fn export_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            other => other.as_str(),
        }
    }
}

spelled_enum! {
    /// What an entry in the observation trail does.
    Action {
        /// A new observation.
        Record => "record",
        /// A replacement for an earlier entry (`supersedes` names it).
        Correct => "correct",
        /// Withdraws an earlier entry (`supersedes` names it); carries no value.
        Retract => "retract",
    }
}

/// A number as a source states it: exact decimal plus its hedge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    pub value: Decimal,
    pub qualifier: Qualifier,
}

/// A closed range of calendar days an observation covers. For a level
/// target only `end` matters (the level at that day); for a cumulative target
/// the observation is the amount for the whole range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

/// Where a target's wording comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Verbatim quote of the source sentence.
    pub quote: String,
    pub speaker: String,
    pub speaker_role: String,
    pub statement_date: NaiveDate,
    pub source_title: String,
    pub source_url: Option<String>,
}

/// One version of a target's definition. Amendments add a new version; the
/// earlier ones stay in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetDef {
    /// Stable id: lower-case letters, digits and `-`.
    pub id: String,
    pub title: String,
    pub kind: Kind,
    /// What is measured, in words ("cumulative investment in ...").
    pub metric: String,
    /// Base unit of every value: `CNY`, `%`, `people`, ...
    pub unit: String,
    pub direction: Direction,
    /// Set together with `target_value`; both absent for direction-only.
    pub comparator: Option<Comparator>,
    pub target_value: Option<Decimal>,
    pub window_start: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    /// The period of the figure trends are measured from; `None`: chosen
    /// from the pledge (docs/methodology.md, "The pledge's start and the
    /// base").
    pub base_period: Option<Period>,
    /// Natural ceiling of the quantity (100 for a share in %), if any.
    pub limit: Option<Decimal>,
    /// The metric is itself a rate of change (a growth rate in %): it may
    /// be negative, and its trend is judged on changes of its level.
    pub is_rate: bool,
    pub cadence: Cadence,
    pub provenance: Provenance,
    /// How we read the source where it left a choice to us.
    pub interpretation: String,
}

impl TargetDef {
    /// Whether values of this metric may be negative.
    pub fn allows_negative(&self) -> bool {
        self.is_rate
    }
}

/// A current observation as the status method sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub id: i64,
    pub quantity: Quantity,
    pub period: Period,
}

/// One entry of the append-only trail, with who/when/why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub target_id: String,
    pub action: Action,
    /// None only for retractions.
    pub quantity: Option<Quantity>,
    pub period: Option<Period>,
    pub source: String,
    pub url: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    /// When the ledger learned it (the writer's clock, to the millisecond;
    /// storage keeps it as canonical text, see `storage::codec`).
    pub recorded_at: DateTime<Utc>,
    pub supersedes: Option<i64>,
    pub reason: Option<String>,
}

spelled_enum! {
    /// The verdict of the status method (docs/methodology.md).
    Status {
        Achieved => "achieved",
        OnTrack => "on-track",
        AtRisk => "at-risk",
        OffTrack => "off-track",
        MovingAway => "moving-away",
        Missed => "missed",
        /// The deadline has passed and no figure covers it yet.
        AwaitingData => "awaiting-data",
        InsufficientData => "insufficient-data",
        NoData => "no-data",
    }
}

impl TargetDef {
    /// "higher" or "lower": the pledge of a direction-only target.
    pub fn direction_word(&self) -> &'static str {
        match self.direction {
            Direction::Up => "higher",
            Direction::Down => "lower",
        }
    }
}
