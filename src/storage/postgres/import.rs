//! The observation import on PostgreSQL, inside the one writing
//! transaction the caller holds. What it promises is written on
//! [`super::super::Store::import_observations`]; how it keeps it here:
//!
//! 1. **Stage.** The source is pulled once, front to back; rows go to a
//!    temporary table (dropped at commit or rollback) with COPY, a chunk of
//!    about a MiB at a time, so memory never holds the file. Between
//!    chunks no COPY is open, so the source may look definitions up in
//!    this same transaction.
//! 2. **Narrow, in the server.** One ordered query streams, row by row in
//!    file order (through a server-side cursor), each staged row with its
//!    candidates: the ledger's entries of the same target and period (for
//!    duplicates), the ledger's current entries of a cumulative target
//!    whose period may overlap (two bounded index range scans: current
//!    periods of a cumulative target are disjoint), and the previous
//!    identical row of the file (a window function).
//! 3. **Decide, here,** with [`crate::domain::trail`]'s functions, the same
//!    ones `record`, `check` and the SQLite import use, in file order:
//!    duplicates of the ledger or of an earlier *accepted* row are skipped,
//!    overlaps name the ledger's entry or the earlier row. State kept: one
//!    flag per row and the accepted periods of cumulative targets.
//! 4. **Insert** the accepted rows with one `INSERT … SELECT … ORDER BY`
//!    file position: the k-th accepted row gets the k-th new id (writers
//!    are serialised by the ledger's lock). Rows are recorded by
//!    `session_user`, as the database would set it anyway.
//! 5. **Vacuum** after a large load has committed ([`after_bulk_load`]),
//!    so the next report reads the covering index alone.

use super::super::{
    Definitions, ImportConflict, ImportItem, ImportMode, ImportOutcome, ImportSource, RowConflict,
    StorageError, StorageResult,
};
use super::codec::*;
use super::read::Cursor;
use crate::domain::trail::{self, Sameness, TrailEntry};
use crate::model::{Action, Kind, Period, Quantity, TargetDef};
use crate::value::format_plain;
use ::postgres::{Row, Transaction};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

/// Bytes of COPY data sent at a time.
const STAGE_CHUNK_BYTES: usize = 1 << 20;

pub(super) fn import_observations(
    tx: &mut Transaction<'_>,
    source: &mut dyn ImportSource,
    now: DateTime<Utc>,
    mode: ImportMode,
) -> StorageResult<(ImportOutcome, bool)> {
    // Sorting a million staged rows into file order fits in memory (the
    // default would spill it to disk); this transaction only.
    tx.batch_execute(
        "SET LOCAL work_mem = '256MB';
         CREATE TEMPORARY TABLE tracker_import (
            idx integer NOT NULL, line bigint NOT NULL, target_id text COLLATE \"C\" NOT NULL,
            value text NOT NULL, qualifier text NOT NULL, period_start date NOT NULL,
            period_end date NOT NULL, source text NOT NULL, url text, note text
         ) ON COMMIT DROP",
    )?;
    let (complete, staged) = stage(tx, source)?;
    tx.batch_execute("ANALYZE tracker_import")?;
    let kinds = kinds(tx)?;
    let (mut outcome, accepted) = decide(tx, &kinds)?;
    let write = complete && mode == ImportMode::Write && outcome.conflicts.is_empty();
    if !write {
        outcome.added = 0;
        return Ok((outcome, false));
    }
    // Accepted rows are distinct positions in increasing order: as many
    // as were staged means every one, and the common case of a load into
    // new periods inserts straight from the staging table (a join with a
    // million-element array cost about a second at 1,000,000 rows).
    if accepted.len() == staged {
        tx.execute(
            &format!("{INSERT_SQL} FROM tracker_import r ORDER BY r.idx"),
            &[&ledger_time(now)],
        )?;
    } else if !accepted.is_empty() {
        tx.execute(
            &format!(
                "{INSERT_SQL} FROM unnest($2::integer[]) a(idx)
                 JOIN tracker_import r ON r.idx = a.idx ORDER BY r.idx"
            ),
            &[&ledger_time(now), &accepted],
        )?;
    }
    outcome.added = accepted.len();
    outcome.written = true;
    Ok((outcome, true))
}

/// The insert of staged rows `r`, recorded at `$1`, without its FROM.
const INSERT_SQL: &str = "INSERT INTO observations (target_id, action, value, qualifier,
        period_start, period_end, source, url, note, recorded_by, recorded_at)
     SELECT r.target_id, 'record', r.value::numeric, r.qualifier, r.period_start,
        r.period_end, r.source, r.url, r.note, session_user, $1";

/// Rows added by one import from which it vacuums the table afterwards.
pub(super) const VACUUM_AFTER_ROWS: usize = 50_000;

/// After a bulk load has committed: marks the new rows all-visible (and
/// refreshes the planner's statistics), as autovacuum would a minute or so
/// later. Until then a report reads the table beside its covering index,
/// one heap visit per observation (about a third of its server time at
/// 1,000,000 rows); a vacuum right after the load costs about half a
/// second at that size. Best effort: the import has committed, so a
/// failure here (a role that does not own the table is only warned, a
/// vacuum already running is skipped) changes nothing the ledger says.
pub(super) fn after_bulk_load(client: &mut ::postgres::Client) {
    let _ = client.batch_execute("VACUUM (ANALYZE, SKIP_LOCKED) observations");
}

/// Pulls every item of `source` into the staging table; returns false
/// when a line was refused or the source stopped (nothing may be written
/// then), and how many rows were staged.
fn stage(tx: &mut Transaction<'_>, source: &mut dyn ImportSource) -> StorageResult<(bool, usize)> {
    let mut definitions: HashMap<String, Option<TargetDef>> = HashMap::new();
    let mut buffer: Vec<u8> = Vec::with_capacity(STAGE_CHUNK_BYTES + 4096);
    let mut idx: i32 = 0;
    let mut complete = true;
    loop {
        let item = {
            let mut lookup = |id: &str| -> StorageResult<Option<TargetDef>> {
                if let Some(def) = definitions.get(id) {
                    return Ok(def.clone());
                }
                let def = definition(tx, id)?;
                definitions.insert(id.to_string(), def.clone());
                Ok(def)
            };
            let lookup: &mut Definitions<'_> = &mut lookup;
            source.next_item(lookup)
        };
        match item {
            None => break,
            Some(ImportItem::Row(row)) => {
                let o = &row.observation;
                buffer.extend_from_slice(format!("{idx}\t{}", row.line).as_bytes());
                for field in [
                    Some(o.target_id.as_str()),
                    Some(&format_plain(o.quantity.value)),
                    Some(o.quantity.qualifier.as_str()),
                    Some(&o.period.start.to_string()),
                    Some(&o.period.end.to_string()),
                    Some(o.source.as_str()),
                    o.url.as_deref(),
                    o.note.as_deref(),
                ] {
                    buffer.push(b'\t');
                    copy_field(&mut buffer, field);
                }
                buffer.push(b'\n');
                idx = idx.checked_add(1).ok_or_else(|| {
                    StorageError::Invalid("an import holds at most 2,147,483,647 rows".into())
                })?;
                if buffer.len() >= STAGE_CHUNK_BYTES {
                    send(tx, &mut buffer)?;
                }
            }
            Some(ImportItem::Refused { .. }) => complete = false,
            Some(ImportItem::Stop) => {
                complete = false;
                break;
            }
        }
    }
    send(tx, &mut buffer)?;
    Ok((complete, idx as usize))
}

/// A target's current definition inside the importing transaction.
fn definition(tx: &mut Transaction<'_>, id: &str) -> StorageResult<Option<TargetDef>> {
    let sql = format!(
        "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = $1
         ORDER BY v.version DESC LIMIT 1"
    );
    tx.query_opt(&sql, &[&id])?
        .map(|row| target_from_row(&row))
        .transpose()
}

/// One chunk of staged rows, with COPY.
fn send(tx: &mut Transaction<'_>, buffer: &mut Vec<u8>) -> StorageResult<()> {
    if buffer.is_empty() {
        return Ok(());
    }
    let io = |e: std::io::Error| StorageError::Database(format!("sending import rows: {e}"));
    let mut writer = tx.copy_in(
        "COPY tracker_import (idx, line, target_id, value, qualifier, period_start,
            period_end, source, url, note) FROM STDIN",
    )?;
    writer.write_all(buffer).map_err(io)?;
    writer.finish()?;
    buffer.clear();
    Ok(())
}

/// One field in COPY's text format.
fn copy_field(out: &mut Vec<u8>, field: Option<&str>) {
    let Some(text) = field else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b => out.push(b),
        }
    }
}

/// The current kind of every target the staged rows name (absent:
/// unknown target).
fn kinds(tx: &mut Transaction<'_>) -> StorageResult<HashMap<String, Kind>> {
    let mut kinds = HashMap::new();
    for row in tx.query(
        "SELECT DISTINCT ON (v.target_id) v.target_id, v.kind FROM target_versions v
         WHERE v.target_id IN (SELECT DISTINCT target_id FROM tracker_import)
         ORDER BY v.target_id, v.version DESC",
        &[],
    )? {
        let kind: &str = row.try_get(1)?;
        let kind = kind.parse().map_err(|_| {
            StorageError::Corrupt(format!("a target has an unreadable kind `{kind}`"))
        })?;
        kinds.insert(row.try_get::<_, String>(0)?, kind);
    }
    Ok(kinds)
}

/// Every staged row (part 0) followed by its candidates: the ledger's
/// entries of the same target and period (part 1) and, for cumulative
/// targets (`$1`), the ledger's current entries that may overlap (part 2);
/// candidates are only looked for in targets with entries (`$2`): a load
/// into new targets asks the index nothing per row. Overlap candidates are
/// not fetched for a row the ledger holds exactly (the predicate is
/// `trail::is_duplicate`'s, which skips such a row before any overlap is
/// looked at): a re-import fetches one candidate per row, not three.
const STREAM_SQL: &str = "
    WITH r AS (
        SELECT idx, line, target_id, value, qualifier, period_start, period_end, source,
               lag(idx) OVER (PARTITION BY target_id, period_start, period_end,
                                           value::numeric, qualifier, source
                              ORDER BY idx) AS prev
        FROM tracker_import)
    SELECT idx, 0 AS part, line, target_id, value, qualifier, period_start, period_end,
           source, prev, NULL::bigint AS id, NULL::text AS action, NULL::boolean AS superseded
    FROM r
    UNION ALL
    SELECT r.idx, 1, NULL, NULL, o.value::text, o.qualifier, o.period_start, o.period_end,
           o.source, NULL, o.id, o.action, NULL
    FROM tracker_import r JOIN observations o
      ON o.target_id = r.target_id AND o.period_end = r.period_end
     AND o.period_start = r.period_start
    WHERE r.target_id = ANY($2)
    UNION ALL
    SELECT r.idx, 2, NULL, NULL, NULL, NULL, c.period_start, c.period_end,
           NULL, NULL, c.id, c.action, false
    FROM tracker_import r
    CROSS JOIN LATERAL (
        (SELECT o.id, o.action, o.period_start, o.period_end FROM observations o
          WHERE o.target_id = r.target_id AND o.period_end >= r.period_start
            AND o.period_end <= r.period_end AND o.value IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id))
        UNION ALL
        (SELECT o.id, o.action, o.period_start, o.period_end FROM observations o
          WHERE o.target_id = r.target_id AND o.period_end > r.period_end
            AND o.value IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)
          ORDER BY o.period_end LIMIT 1)
    ) c
    WHERE r.target_id = ANY($1) AND r.target_id = ANY($2)
      AND NOT EXISTS (SELECT 1 FROM observations d
                      WHERE d.target_id = r.target_id AND d.period_end = r.period_end
                        AND d.period_start = r.period_start AND d.value = r.value::numeric
                        AND d.qualifier = r.qualifier AND d.source = r.source
                        AND d.action <> 'retract')
    ORDER BY 1, 2, 11";

/// A staged row with its candidates, as the stream delivers them.
struct Staged {
    idx: i32,
    line: u64,
    target_id: String,
    quantity: Quantity,
    period: Period,
    source: String,
    prev: Option<i32>,
    /// Ledger entries with the same target and period.
    same_period: Vec<(i64, Action, Option<Quantity>, String)>,
    /// Current ledger entries that may overlap (cumulative targets).
    overlapping: Vec<(i64, Action, Period)>,
}

/// What the decisions so far have built.
#[derive(Default)]
struct Decisions {
    outcome: ImportOutcome,
    accepted: Vec<i32>,
    /// Per row: it, or an earlier identical row of the file, was accepted.
    taken: Vec<bool>,
    /// Accepted periods of each cumulative target: start -> (end, line).
    periods: HashMap<String, BTreeMap<NaiveDate, (NaiveDate, u64)>>,
}

/// Streams the staged rows with their candidates and decides each in file
/// order; returns the outcome and the accepted rows.
fn decide(
    tx: &mut Transaction<'_>,
    kinds: &HashMap<String, Kind>,
) -> StorageResult<(ImportOutcome, Vec<i32>)> {
    let cumulative: Vec<&str> = kinds
        .iter()
        .filter(|(_, kind)| **kind == Kind::Cumulative)
        .map(|(id, _)| id.as_str())
        .collect();
    let with_entries: Vec<String> = tx
        .query(
            "SELECT t.id FROM targets t
             WHERE t.id IN (SELECT DISTINCT target_id FROM tracker_import)
               AND EXISTS (SELECT 1 FROM observations o WHERE o.target_id = t.id)",
            &[],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut stream = Cursor::open(tx, STREAM_SQL, &[&cumulative, &with_entries])?;
    let mut decisions = Decisions::default();
    let mut pending: Option<Staged> = None;
    while let Some(row) = stream.next(tx)? {
        let part: i32 = row.try_get(1)?;
        match (part, pending.as_mut()) {
            (0, _) => {
                if let Some(done) = pending.take() {
                    decisions.decide(done, kinds);
                }
                pending = Some(staged(&row)?);
            }
            (1, Some(p)) => {
                let value: &str = row.try_get(4)?;
                let qualifier: Option<&str> = row.try_get(5)?;
                let quantity = match qualifier {
                    Some(q) => Some(Quantity {
                        value: decimal(value)?,
                        qualifier: super::super::codec::parse_qualifier_col(q.as_bytes())?,
                    }),
                    None => None,
                };
                p.same_period
                    .push((row.try_get(10)?, action(&row)?, quantity, row.try_get(8)?));
            }
            (2, Some(p)) => p.overlapping.push((
                row.try_get(10)?,
                action(&row)?,
                Period {
                    start: row.try_get(6)?,
                    end: row.try_get(7)?,
                },
            )),
            _ => return Err(StorageError::Database("import rows out of order".into())),
        }
    }
    if let Some(done) = pending.take() {
        decisions.decide(done, kinds);
    }
    Ok((decisions.outcome, decisions.accepted))
}

fn action(row: &Row) -> StorageResult<Action> {
    let text: &str = row.try_get(11)?;
    text.parse()
        .map_err(|_| StorageError::Corrupt(format!("an entry has an unreadable action `{text}`")))
}

fn staged(row: &Row) -> StorageResult<Staged> {
    let value: &str = row.try_get(4)?;
    let qualifier: &str = row.try_get(5)?;
    Ok(Staged {
        idx: row.try_get(0)?,
        line: row.try_get::<_, i64>(2)? as u64,
        target_id: row.try_get(3)?,
        quantity: Quantity {
            value: decimal(value)?,
            qualifier: super::super::codec::parse_qualifier_col(qualifier.as_bytes())?,
        },
        period: Period {
            start: row.try_get(6)?,
            end: row.try_get(7)?,
        },
        source: row.try_get(8)?,
        prev: row.try_get(9)?,
        same_period: Vec::new(),
        overlapping: Vec::new(),
    })
}

impl Decisions {
    /// Decides one row as recording it after the rows before it would.
    fn decide(&mut self, row: Staged, kinds: &HashMap<String, Kind>) {
        debug_assert_eq!(self.taken.len(), row.idx as usize);
        let earlier_taken = row.prev.is_some_and(|p| self.taken[p as usize]);
        let conflict = |conflict| RowConflict {
            line: row.line,
            target_id: row.target_id.clone(),
            period: row.period,
            conflict,
        };
        let Some(&kind) = kinds.get(&row.target_id) else {
            self.outcome
                .conflicts
                .push(conflict(ImportConflict::UnknownTarget));
            self.taken.push(false);
            return;
        };
        let same = Sameness {
            quantity: row.quantity,
            period: row.period,
            source: &row.source,
        };
        let in_ledger = row
            .same_period
            .iter()
            .any(|(id, action, quantity, source)| {
                trail::is_duplicate(
                    &same,
                    &TrailEntry {
                        id: *id,
                        action: *action,
                        quantity: *quantity,
                        period: Some(row.period),
                        source,
                        superseded: false,
                    },
                )
            });
        if earlier_taken || in_ledger {
            self.outcome.skipped += 1;
            self.taken.push(earlier_taken);
            return;
        }
        if let Some(found) = self.overlap(kind, &row) {
            self.outcome.conflicts.push(conflict(found));
            self.taken.push(false);
            return;
        }
        if kind == Kind::Cumulative {
            self.periods
                .entry(row.target_id.clone())
                .or_default()
                .insert(row.period.start, (row.period.end, row.line));
        }
        self.accepted.push(row.idx);
        self.taken.push(true);
    }

    /// The current amount a cumulative target's row would be counted twice
    /// with: the ledger's (lower ids than any row, so named first), else
    /// the first earlier accepted row's.
    fn overlap(&self, kind: Kind, row: &Staged) -> Option<ImportConflict> {
        let entries: Vec<TrailEntry<'_>> = row
            .overlapping
            .iter()
            .map(|&(id, action, period)| TrailEntry {
                id,
                action,
                quantity: None,
                period: Some(period),
                source: "",
                superseded: false,
            })
            .collect();
        if let Some((id, period)) =
            trail::first_overlap(kind, &row.period, trail::current_periods(&entries, None))
        {
            return Some(ImportConflict::OverlapsEntry { id, period });
        }
        let taken = self.periods.get(&row.target_id)?;
        // Accepted periods are disjoint: those overlapping end last among
        // those starting before the row ends.
        let candidates = taken
            .range(..=row.period.end)
            .rev()
            .take_while(|(_, (end, _))| *end >= row.period.start)
            .map(|(&start, &(end, line))| (line, Period { start, end }));
        trail::first_overlap(kind, &row.period, candidates)
            .map(|(line, period)| ImportConflict::OverlapsRow { line, period })
    }
}
