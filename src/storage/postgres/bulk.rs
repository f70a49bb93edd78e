//! Bulk writes: restore of an export, target files.
//! Each runs inside the one writing transaction the caller holds: all or
//! nothing, whatever the size.
//!
//! (The CSV import is in `import.rs`.)

use super::super::EntryInsert;
use super::super::{
    ImportSummary, NewObservation, RestoreSummary, StorageError, StorageResult, TargetVersion,
};
use super::codec::*;
use super::write::*;
use crate::model::{Entry, Kind, Period, TargetDef};
use crate::targets_file::SeedTarget;
use crate::value::format_plain;
use ::postgres::{Statement, Transaction};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Whether this connection may keep the original authors of what it
/// restores (a member of the role owning the ledger's tables), and its
/// role name.
fn restorer(tx: &mut Transaction<'_>) -> StorageResult<(bool, String)> {
    let row = tx.query_one(
        "SELECT pg_has_role(session_user,
                (SELECT relowner FROM pg_class WHERE oid = 'observations'::regclass), 'MEMBER'),
                session_user::text",
        &[],
    )?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Refuses to restore, under this connection's name, a row someone else
/// recorded: the trail must not change who did what.
fn author_check(keep: bool, me: &str, by: &str, what: &str) -> StorageResult<()> {
    if keep || by == me {
        return Ok(());
    }
    Err(StorageError::Conflict(format!(
        "{what} was recorded by `{by}`; restoring it as `{me}` would change who recorded it. \
         Only a member of the ledger's owner role may restore an export with its original \
         authors (README, \"A shared ledger\"); nothing was written"
    )))
}

pub(super) fn restore(
    tx: &mut Transaction<'_>,
    versions: &[TargetVersion],
    entries: &[Entry],
) -> StorageResult<RestoreSummary> {
    let (keep, me) = restorer(tx)?;
    if keep {
        tx.batch_execute("SET LOCAL tracker.keep_authors = 'on'")?;
    }
    let mut summary = RestoreSummary::default();
    restore_versions(tx, versions, keep, &me, &mut summary)?;
    let mut entries_of = Restorer {
        // Only targets with entries before the restore need the database to
        // find what is already there; for the others it is what this
        // restore added, kept here.
        had_entries: tx
            .query("SELECT DISTINCT target_id FROM observations", &[])?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, _>>()?,
        find: tx.prepare(FIND_SQL)?,
        overlap: tx.prepare(OVERLAP_CANDIDATES_SQL)?,
        insert: tx.prepare(INSERT_SQL)?,
        kinds: HashMap::new(),
        added: HashMap::new(),
    };
    let mut new_ids: HashMap<i64, i64> = HashMap::new();
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.id);
    for e in sorted {
        let supersedes = match e.supersedes {
            Some(old) => Some(*new_ids.get(&old).ok_or_else(|| {
                StorageError::Conflict(format!(
                    "entry #{} supersedes #{old}, which the export does not hold",
                    e.id
                ))
            })?),
            None => None,
        };
        let id = match entries_of.find(tx, e, supersedes)? {
            Some(id) => {
                summary.entries_present += 1;
                id
            }
            None => {
                author_check(keep, &me, &e.recorded_by, &format!("entry #{}", e.id))?;
                summary.entries_added += 1;
                entries_of.insert(tx, e, supersedes)?
            }
        };
        new_ids.insert(e.id, id);
    }
    Ok(summary)
}

/// The first entry identical to an exported one (its `supersedes` mapped).
const FIND_SQL: &str = "SELECT id FROM observations
    WHERE target_id = $1 AND action = $2 AND value IS NOT DISTINCT FROM $3::text::numeric
      AND qualifier IS NOT DISTINCT FROM $4 AND period_start IS NOT DISTINCT FROM $5
      AND period_end IS NOT DISTINCT FROM $6 AND source = $7
      AND supersedes IS NOT DISTINCT FROM $8 AND reason IS NOT DISTINCT FROM $9
    ORDER BY id LIMIT 1";

/// What makes two entries the same for a restore.
type EntryKey = (
    String,
    &'static str,
    Option<String>,
    Option<&'static str>,
    Option<Period>,
    String,
    Option<i64>,
    Option<String>,
);

/// A restore's entries, one round trip per entry where it can: statements
/// prepared once, kinds asked once per target, and matches for targets
/// new to the ledger found in memory.
struct Restorer {
    had_entries: HashSet<String>,
    find: Statement,
    overlap: Statement,
    insert: Statement,
    kinds: HashMap<String, Kind>,
    added: HashMap<EntryKey, i64>,
}

impl Restorer {
    fn key(e: &Entry, supersedes: Option<i64>) -> EntryKey {
        (
            e.target_id.clone(),
            e.action.as_str(),
            e.quantity.map(|q| format_plain(q.value)),
            e.quantity.map(|q| q.qualifier.as_str()),
            e.period,
            e.source.clone(),
            supersedes,
            e.reason.clone(),
        )
    }

    /// The id of an entry identical to `e` already in the ledger.
    fn find(
        &self,
        tx: &mut Transaction<'_>,
        e: &Entry,
        supersedes: Option<i64>,
    ) -> StorageResult<Option<i64>> {
        if !self.had_entries.contains(&e.target_id) {
            return Ok(self.added.get(&Self::key(e, supersedes)).copied());
        }
        let found = tx.query_opt(
            &self.find,
            &[
                &e.target_id,
                &e.action.as_str(),
                &e.quantity.map(|q| format_plain(q.value)),
                &e.quantity.map(|q| q.qualifier.as_str()),
                &e.period.map(|p| p.start),
                &e.period.map(|p| p.end),
                &e.source,
                &supersedes,
                &e.reason,
            ],
        )?;
        Ok(found.map(|row| row.try_get(0)).transpose()?)
    }

    /// Adds `e` with the checks `record` makes (an overlapping amount).
    fn insert(
        &mut self,
        tx: &mut Transaction<'_>,
        e: &Entry,
        supersedes: Option<i64>,
    ) -> StorageResult<i64> {
        let kind = match self.kinds.get(&e.target_id) {
            Some(kind) => *kind,
            None => {
                let kind = target_kind(tx, &e.target_id)?;
                self.kinds.insert(e.target_id.clone(), kind);
                kind
            }
        };
        if let Some(period) = &e.period
            && let Some((id, old)) =
                overlapping(tx, &self.overlap, kind, &e.target_id, period, supersedes)?
        {
            return Err(overlap_error(&e.target_id, period, id, &old));
        }
        let entry = EntryInsert {
            target_id: &e.target_id,
            action: e.action,
            quantity: e.quantity,
            period: e.period,
            source: &e.source,
            url: e.url.as_deref(),
            note: e.note.as_deref(),
            recorded_by: &e.recorded_by,
            supersedes,
            reason: e.reason.as_deref(),
        };
        let id = insert_row(tx, &self.insert, &entry, ledger_time(e.recorded_at))?;
        self.added.entry(Self::key(e, supersedes)).or_insert(id);
        Ok(id)
    }
}

/// The definition histories of a restore: each target's must extend what
/// the ledger holds.
fn restore_versions(
    tx: &mut Transaction<'_>,
    versions: &[TargetVersion],
    keep: bool,
    me: &str,
    summary: &mut RestoreSummary,
) -> StorageResult<()> {
    let mut by_target: BTreeMap<&str, Vec<&TargetVersion>> = BTreeMap::new();
    for v in versions {
        by_target.entry(v.def.id.as_str()).or_default().push(v);
    }
    for (id, mut wanted) in by_target {
        wanted.sort_by_key(|v| v.version);
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = $1 ORDER BY v.version"
        );
        let existing: Vec<TargetDef> = tx
            .query(&sql, &[&id])?
            .iter()
            .map(target_from_row)
            .collect::<StorageResult<_>>()?;
        let is_prefix = existing.len() <= wanted.len()
            && existing
                .iter()
                .zip(&wanted)
                .all(|(have, want)| *have == want.def);
        if !is_prefix {
            return Err(StorageError::Conflict(format!(
                "target `{id}` exists here with a different definition history than the export"
            )));
        }
        if existing.is_empty() {
            let created = match wanted.first() {
                Some(v) => ledger_time(v.recorded_at),
                None => continue,
            };
            tx.execute(
                "INSERT INTO targets (id, created_at) VALUES ($1, $2)",
                &[&id, &created],
            )?;
            summary.targets_added += 1;
        }
        for (n, v) in wanted.iter().enumerate().skip(existing.len()) {
            author_check(
                keep,
                me,
                &v.recorded_by,
                &format!("version {} of target `{id}`", v.version),
            )?;
            insert_target_version(
                tx,
                VERSION_INSERT_SQL,
                &v.def,
                n as i64 + 1,
                ledger_time(v.recorded_at),
                &v.recorded_by,
                v.reason.as_deref(),
            )?;
            summary.versions_added += 1;
        }
    }
    Ok(())
}

pub(super) fn import_targets(
    tx: &mut Transaction<'_>,
    targets: &[SeedTarget],
    recorded_by: &str,
    now: DateTime<Utc>,
) -> StorageResult<ImportSummary> {
    let at = ledger_time(now);
    // The briefing's seed is nobody's entry: written by the owner (`tracker
    // init`), it keeps its recorder's name, as on a file ledger, so seeded
    // trails are the same on both backends. Anyone else is recorded as
    // their role by the database.
    if recorded_by == crate::seed::SEED_RECORDER && restorer(tx)?.0 {
        tx.batch_execute("SET LOCAL tracker.keep_authors = 'on'")?;
    }
    let mut summary = ImportSummary::default();
    let current_sql = format!(
        "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = $1
         ORDER BY v.version DESC LIMIT 1"
    );
    let current = tx.prepare(&current_sql)?;
    let new_target = tx.prepare("INSERT INTO targets (id, created_at) VALUES ($1, $2)")?;
    let new_version = tx.prepare(VERSION_INSERT_SQL)?;
    for seed in targets {
        let def = &seed.def;
        let existing = tx
            .query_opt(&current, &[&def.id])?
            .map(|row| target_from_row(&row))
            .transpose()?;
        match existing {
            Some(current) if crate::domain::target::same_definition(&current, def) => {
                summary.unchanged.push(def.id.clone());
                continue;
            }
            Some(_) => {
                return Err(StorageError::Conflict(format!(
                    "target `{}` already exists with a different definition; \
                     use `tracker target amend {}` to change it, or pick a new id",
                    def.id, def.id
                )));
            }
            None => {}
        }
        tx.execute(&new_target, &[&def.id, &at])?;
        insert_target_version(tx, &new_version, def, 1, at, recorded_by, None)?;
        for obs in &seed.observations {
            let new = NewObservation {
                target_id: def.id.clone(),
                quantity: obs.quantity,
                period: obs.period,
                source: obs.source.clone(),
                url: obs.url.clone(),
                note: obs.note.clone(),
                recorded_by: recorded_by.to_string(),
            };
            insert_entry(tx, &EntryInsert::record(&new), at)?;
            summary.observations += 1;
        }
        summary.added.push(def.id.clone());
    }
    Ok(summary)
}
