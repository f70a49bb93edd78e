//! Stored text as people see it. Every human-readable output (tables,
//! `show`, `history`, Markdown, chart labels) takes its text through here,
//! so control characters that reached an older ledger (or a hand edit) are
//! shown as visible symbols instead of acting on the terminal. Machine
//! formats (CSV, JSON) keep the exact text: they are the ledger's record.

use crate::changes::Change;
use crate::domain::text::printable;
use crate::model::{Entry, TargetDef};
use crate::report::ReportRow;
use crate::storage::TargetVersion;

fn fix(text: &mut String) {
    if let std::borrow::Cow::Owned(safe) = printable(text) {
        *text = safe;
    }
}

fn fix_opt(text: &mut Option<String>) {
    if let Some(text) = text {
        fix(text);
    }
}

/// A definition with every text field printable.
pub fn def(def: &TargetDef) -> TargetDef {
    let mut def = def.clone();
    for text in [
        &mut def.id,
        &mut def.title,
        &mut def.metric,
        &mut def.unit,
        &mut def.interpretation,
        &mut def.provenance.quote,
        &mut def.provenance.speaker,
        &mut def.provenance.speaker_role,
        &mut def.provenance.source_title,
    ] {
        fix(text);
    }
    fix_opt(&mut def.provenance.source_url);
    def
}

/// Report rows with printable definitions.
pub fn rows(rows: &[ReportRow]) -> Vec<ReportRow> {
    rows.iter()
        .map(|row| ReportRow {
            def: def(&row.def),
            ..row.clone()
        })
        .collect()
}

/// Trail entries with every text field printable.
pub fn entries(entries: &[Entry]) -> Vec<Entry> {
    entries
        .iter()
        .map(|e| {
            let mut e = e.clone();
            for text in [&mut e.target_id, &mut e.source, &mut e.recorded_by] {
                fix(text);
            }
            fix_opt(&mut e.url);
            fix_opt(&mut e.note);
            fix_opt(&mut e.reason);
            e
        })
        .collect()
}

/// Definition versions with printable text.
pub fn versions(versions: &[TargetVersion]) -> Vec<TargetVersion> {
    versions
        .iter()
        .map(|v| {
            let mut v = TargetVersion {
                def: def(&v.def),
                ..v.clone()
            };
            fix(&mut v.recorded_by);
            fix_opt(&mut v.reason);
            v
        })
        .collect()
}

/// `changes` lines with printable text (the summary quotes sources and
/// reasons).
pub fn changes(changes: &[Change]) -> Vec<Change> {
    changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            fix(&mut c.target_id);
            fix(&mut c.summary);
            fix_opt(&mut c.recorded_by);
            fix_opt(&mut c.reason);
            c
        })
        .collect()
}
