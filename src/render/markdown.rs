//! Markdown: a pipe table with the documented columns, for pasting into
//! notes and issues. Pipes and newlines inside cells are escaped so a cell
//! never breaks the table.

use crate::report::{COLUMNS, Cell, ReportRow};

pub fn render(rows: &[ReportRow]) -> Vec<u8> {
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
    for row in rows {
        let cells: Vec<String> = row.cells().iter().map(spell).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.into_bytes()
}

fn spell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t
            .replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace('\n', "<br>"),
        Cell::Number(n) | Cell::Date(n) => n.clone(),
        Cell::Bool(b) => b.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_row;

    #[test]
    fn escapes_pipes_and_keeps_shape() {
        let out = String::from_utf8(render(&[sample_row("x-1", "a | b\nc")])).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].contains("a \\| b<br>c"));
        let columns = |l: &str| l.matches(" | ").count();
        assert_eq!(columns(lines[0]), columns(lines[2]));
    }
}
