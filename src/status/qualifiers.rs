//! When a qualified figure meets a target, and the qualifier of a sum of
//! qualified amounts (docs/methodology.md, "When a figure meets a target").
//! One definition, used by every kind of target.

use crate::model::{Comparator, Direction, Qualifier, Quantity, TargetDef};
use rust_decimal::Decimal;

/// The comparator with `=` resolved by direction: "reach X" is at least X
/// when up is good and at most X when down is good. A missing comparator is
/// read as `=`.
pub(super) fn effective_comparator(def: &TargetDef) -> Comparator {
    match def.comparator.unwrap_or(Comparator::Equal) {
        Comparator::Equal => match def.direction {
            Direction::Up => Comparator::AtLeast,
            Direction::Down => Comparator::AtMost,
        },
        other => other,
    }
}

/// Whether every value the figure allows satisfies `cmp target` (the truth
/// table in docs/methodology.md). `about` is its point value, `nearly v` is
/// v − ε.
pub fn meets(q: &Quantity, cmp: Comparator, target: Decimal) -> bool {
    use Qualifier as Q;
    let v = q.value;
    let t = target;
    match cmp {
        Comparator::MoreThan => match q.qualifier {
            Q::Exact | Q::About | Q::Nearly | Q::AtLeast => v > t,
            Q::MoreThan => v >= t,
            Q::LessThan | Q::AtMost => false,
        },
        Comparator::AtLeast | Comparator::Equal => match q.qualifier {
            Q::Exact | Q::About | Q::AtLeast | Q::MoreThan => v >= t,
            Q::Nearly => v > t,
            Q::LessThan | Q::AtMost => false,
        },
        Comparator::AtMost => match q.qualifier {
            Q::Exact | Q::About | Q::Nearly | Q::LessThan | Q::AtMost => v <= t,
            Q::MoreThan | Q::AtLeast => false,
        },
        Comparator::LessThan => match q.qualifier {
            Q::Exact | Q::About | Q::AtMost => v < t,
            Q::Nearly | Q::LessThan => v <= t,
            Q::MoreThan | Q::AtLeast => false,
        },
    }
}

/// Qualifier of a sum of qualified amounts (docs/methodology.md).
#[derive(Default)]
pub(super) struct QualifierSum {
    about: bool,
    more_than: bool,
    at_least: bool,
    less_than: bool,
    at_most: bool,
    nearly: bool,
}

impl QualifierSum {
    pub(super) fn add(&mut self, q: Qualifier) {
        match q {
            Qualifier::Exact => {}
            Qualifier::About => self.about = true,
            Qualifier::MoreThan => self.more_than = true,
            Qualifier::AtLeast => self.at_least = true,
            Qualifier::LessThan => self.less_than = true,
            Qualifier::AtMost => self.at_most = true,
            Qualifier::Nearly => self.nearly = true,
        }
    }

    pub(super) fn result(&self) -> Qualifier {
        let lower = self.more_than || self.at_least;
        let upper = self.less_than || self.at_most || self.nearly;
        if self.about || (lower && upper) {
            Qualifier::About
        } else if self.more_than {
            Qualifier::MoreThan
        } else if self.at_least {
            Qualifier::AtLeast
        } else if self.less_than || (self.nearly && self.at_most) {
            Qualifier::LessThan
        } else if self.nearly {
            Qualifier::Nearly
        } else if self.at_most {
            Qualifier::AtMost
        } else {
            Qualifier::Exact
        }
    }
}
