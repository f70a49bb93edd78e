//! `tracker::value::parse_value` on arbitrary UTF-8: never panics, and
//! every accepted value is a finite decimal whose canonical form parses
//! back to itself (what `record` stores is what `report` prints).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracker::value::{format_plain, parse_value};

fuzz_target!(|input: &str| {
    let Ok(parsed) = parse_value(input) else {
        return;
    };
    let canonical = format_plain(parsed.quantity.value);
    let again = parse_value(&canonical).expect("the canonical form of an accepted value parses");
    assert_eq!(
        again.quantity.value, parsed.quantity.value,
        "{input:?} -> {canonical}"
    );
    assert_eq!(format_plain(again.quantity.value), canonical);
    // Any target unit: a verdict, never a panic.
    for unit in ["CNY", "%", "people"] {
        let _ = tracker::value::check_unit(&parsed, unit);
    }
});
