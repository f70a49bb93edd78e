//! JSON: an array of objects with the documented columns as keys, in
//! column order. Numbers are JSON numbers written exactly as the CSV spells
//! them (no binary rounding); missing values are `null`.

use crate::error::{CliError, CliResult};
use crate::report::{COLUMNS, Cell, ReportRow};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use std::str::FromStr;

struct Row<'a>(&'a ReportRow);
struct Rows<'a>(&'a [ReportRow]);

impl serde::Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_cells(serializer, &COLUMNS, &self.0.cells())
    }
}

/// One JSON object: `names[i]` ↦ `cells[i]`, in order; numbers exact,
/// empty cells `null`. Shared by every formatter with typed cells.
pub(crate) fn serialize_cells<S: Serializer>(
    serializer: S,
    names: &[&str],
    cells: &[Cell],
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(names.len()))?;
    for (name, cell) in names.iter().zip(cells.iter()) {
        match cell {
            Cell::Empty => map.serialize_entry(name, &())?,
            Cell::Text(t) | Cell::Date(t) => map.serialize_entry(name, t)?,
            Cell::Bool(b) => map.serialize_entry(name, b)?,
            Cell::Number(n) => {
                let number = serde_json::Number::from_str(n).map_err(serde::ser::Error::custom)?;
                map.serialize_entry(name, &number)?
            }
        }
    }
    map.end()
}

impl serde::Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for row in self.0 {
            seq.serialize_element(&Row(row))?;
        }
        seq.end()
    }
}

pub fn render(rows: &[ReportRow]) -> CliResult<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(&Rows(rows))
        .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_row;

    #[test]
    fn keys_in_column_order_and_numbers_exact() {
        let out = render(&[sample_row("x-1", "t")]).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let object = value[0].as_object().unwrap();
        assert_eq!(object.len(), COLUMNS.len());
        assert_eq!(value[0]["target"].to_string(), "3000000000000");
        assert_eq!(value[0]["progress_pct"].to_string(), "26.67");
        assert_eq!(value[0]["base_value"], serde_json::Value::Null);
        assert_eq!(value[0]["stale"], serde_json::Value::Bool(false));
        assert_eq!(value[0]["as_of"], "2025-02-01");
        let text = String::from_utf8(out).unwrap();
        let positions: Vec<usize> = COLUMNS
            .iter()
            .map(|c| text.find(&format!("\"{c}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn empty_is_an_empty_array() {
        assert_eq!(render(&[]).unwrap(), b"[]\n");
    }
}
