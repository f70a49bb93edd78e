//! `tracker::interchange::csv::parse_observation_csv` on arbitrary bytes: never
//! panics, every problem names a line inside the file, every row starts on
//! a data line and carries text that passes the ledger's text rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracker::interchange::csv::parse_observation_csv;

fuzz_target!(|bytes: &[u8]| {
    // Lines end at \n, \r\n or a lone \r, as the csv crate reads records.
    let breaks = (0..bytes.len())
        .filter(|&i| match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count();
    let lines = breaks as u64 + 1;
    match parse_observation_csv(bytes) {
        Ok(rows) => {
            for row in rows {
                assert!(row.line >= 2 && row.line <= lines, "row line {}", row.line);
                assert!(tracker::domain::text::SOURCE.check(&row.source).is_ok());
                assert!(row.period.start <= row.period.end);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in errors {
                assert!(
                    e.line >= 1 && e.line <= lines,
                    "error line {}: {}",
                    e.line,
                    e.message
                );
            }
        }
    }
});
