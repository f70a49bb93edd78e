//! `check` and `backup` on a PostgreSQL ledger.
//!
//! `check` runs the ledger's own rules (the same as on a file ledger) and
//! checks that the database still guards the trail: the schema version and
//! every append-only and authorship trigger, enabled. The server's own
//! storage health is the DBA's (`pg_amcheck`).
//!
//! `backup FILE` writes a consistent SQLite ledger file from one snapshot
//! of the database: definitions, trail and marks, with their original times
//! and authors; it opens with `tracker --db FILE` anywhere, with no server.
//! The server-side backup of the database itself is `pg_dump` (README, "A
//! shared ledger").

use super::super::{Access, SqliteLedger, StorageError, StorageResult, TargetVersion, Visit};
use super::{PgLedger, migrate, read};
use crate::domain::trail;
use crate::model::Entry;
use crate::model::Period;
use ::postgres::Transaction;
use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::ToSql;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The triggers that keep the trail append-only and its authors honest.
const GUARDS: &[(&str, &str)] = &[
    ("observations", "observations_no_update"),
    ("observations", "observations_no_delete"),
    ("observations", "observations_no_truncate"),
    ("observations", "observations_supersede_rules"),
    ("observations", "observations_recorded_by"),
    ("target_versions", "target_versions_no_update"),
    ("target_versions", "target_versions_no_delete"),
    ("target_versions", "target_versions_no_truncate"),
    ("target_versions", "target_versions_recorded_by"),
    ("targets", "targets_no_delete"),
    ("targets", "targets_no_truncate"),
    ("marks", "marks_no_update"),
    ("marks", "marks_no_delete"),
    ("marks", "marks_recorded_by"),
];

pub(super) fn check(tx: &mut Transaction<'_>) -> StorageResult<Vec<String>> {
    let mut problems = Vec::new();
    match migrate::inspect(tx)? {
        migrate::Version::Ledger(v) if (1..=migrate::current_version()).contains(&v) => {}
        other => problems.push(format!(
            "schema: expected version {}, found {other:?}",
            migrate::current_version()
        )),
    }
    for (table, trigger) in GUARDS {
        let enabled: Option<bool> = tx
            .query_opt(
                "SELECT t.tgenabled <> 'D' FROM pg_trigger t
                 WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2",
                &[table, trigger],
            )?
            .map(|row| row.get(0));
        match enabled {
            None => problems.push(format!("append-only guard `{trigger}` is missing")),
            Some(false) => problems.push(format!("append-only guard `{trigger}` is disabled")),
            Some(true) => {}
        }
    }
    let count = |tx: &mut Transaction<'_>, sql: &str| -> StorageResult<i64> {
        Ok(tx.query_one(sql, &[])?.get(0))
    };
    let orphans = count(
        tx,
        "SELECT count(*) FROM targets t WHERE NOT EXISTS
         (SELECT 1 FROM target_versions v WHERE v.target_id = t.id AND v.version = 1)",
    )?;
    if orphans > 0 {
        problems.push(format!("{orphans} target(s) without a first definition"));
    }
    let gaps = count(
        tx,
        "SELECT count(*) FROM (SELECT target_id FROM target_versions
         GROUP BY target_id HAVING max(version) <> count(*)) g",
    )?;
    if gaps > 0 {
        problems.push(format!("{gaps} target(s) with missing definition versions"));
    }
    let visit: &mut Visit<'_> = &mut |_, _| Ok(());
    if let Err(e) = read::visit_targets(tx, None, visit) {
        problems.push(format!("unreadable definition or observation: {e}"));
    }
    if let Err(e) = read::entries(tx, None) {
        problems.push(format!("unreadable entry in the trail: {e}"));
    }
    let overlaps = overlapping_amounts(tx)?;
    if overlaps > 0 {
        problems.push(format!(
            "{overlaps} current observation(s) of cumulative targets overlap another"
        ));
    }
    Ok(problems)
}

/// How many current amounts of cumulative targets overlap an earlier one:
/// the current entries streamed in target order, counted per target by
/// [`trail::count_overlapping`], the rule `record`, `import` and the
/// SQLite `check` apply (linear, not a query per entry).
fn overlapping_amounts(tx: &mut Transaction<'_>) -> StorageResult<usize> {
    let superseded: HashSet<i64> = tx
        .query(
            "SELECT supersedes FROM observations WHERE supersedes IS NOT NULL",
            &[],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut rows = tx.query_raw(
        "SELECT o.target_id, o.id, o.period_start, o.period_end FROM observations o
         WHERE o.value IS NOT NULL AND o.target_id IN (
             SELECT k.target_id FROM (
                 SELECT DISTINCT ON (v.target_id) v.target_id, v.kind FROM target_versions v
                 ORDER BY v.target_id, v.version DESC) k
             WHERE k.kind = 'cumulative')
         ORDER BY o.target_id",
        std::iter::empty::<&(dyn ToSql + Sync)>(),
    )?;
    let (mut count, mut target, mut current) = (0, String::new(), Vec::new());
    while let Some(row) = rows.next()? {
        let id: i64 = row.try_get(1)?;
        if superseded.contains(&id) {
            continue;
        }
        let this: &str = row.try_get(0)?;
        if this != target {
            count += trail::count_overlapping(&current);
            current.clear();
            target = this.to_string();
        }
        let period = Period {
            start: row.try_get(2)?,
            end: row.try_get(3)?,
        };
        current.push((id, period));
    }
    Ok(count + trail::count_overlapping(&current))
}

/// Everything a copy holds, read in one snapshot.
struct Snapshot {
    versions: Vec<TargetVersion>,
    entries: Vec<Entry>,
    /// (name, until, recorded at, by).
    marks: Vec<(String, DateTime<Utc>, DateTime<Utc>, String)>,
}

/// Writes a SQLite ledger file at `dest` (which must not exist) from one
/// snapshot; it appears whole or not at all.
pub(super) fn backup_to(ledger: &PgLedger, dest: &Path) -> StorageResult<()> {
    if dest.exists() {
        return Err(StorageError::AlreadyExists {
            path: dest.to_path_buf(),
        });
    }
    let snapshot = ledger.read(|tx| {
        let marks = tx
            .query(
                "SELECT name, marked_until, recorded_at, recorded_by FROM marks ORDER BY id",
                &[],
            )?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                ))
            })
            .collect::<StorageResult<_>>()?;
        Ok(Snapshot {
            versions: read::target_versions(tx, None)?,
            entries: read::entries(tx, None)?,
            marks,
        })
    })?;
    let folder = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |source| StorageError::Io {
        path: dest.to_path_buf(),
        source,
    };
    let dir = tempfile::Builder::new()
        .prefix(".tracker-backup-")
        .tempdir_in(&folder)
        .map_err(io)?;
    let temp = dir.path().join("ledger.db");
    let mut copy = SqliteLedger::create(&temp)?;
    copy.restore(&snapshot.versions, &snapshot.entries)?;
    for (name, until, at, by) in &snapshot.marks {
        let name = Some(name.as_str()).filter(|n| !n.is_empty());
        copy.add_mark(name, *until, *at, by)?;
    }
    copy.close()?;
    // Reopened read-only to prove the copy is a ledger before it is shown.
    drop(SqliteLedger::open(&temp, Access::ReadOnly)?);
    std::fs::File::open(&temp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::hard_link(&temp, dest).map_err(io)?;
    Ok(())
}
