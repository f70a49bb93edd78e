//! Bulk writes: restore of an export, target files (the observation
//! import is `import.rs`). Each is one transaction, all or nothing.

use super::codec::*;
use super::sql::*;
use super::write::*;
use super::*;
use crate::domain::target::same_definition;
use crate::model::{Entry, TargetDef};
use crate::targets_file::SeedTarget;
use crate::value::format_plain;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

impl SqliteLedger {
    /// Restores an export: definition versions and entries with their
    /// original times and authors, in one transaction. What the ledger
    /// already holds (same definitions, same entries) is matched, not
    /// duplicated, so restoring into a freshly seeded ledger works.
    pub fn restore(
        &mut self,
        versions: &[TargetVersion],
        entries: &[Entry],
    ) -> StorageResult<RestoreSummary> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = RestoreSummary::default();
        restore_versions(&tx, versions, &mut summary)?;
        restore_entries(&tx, entries, &mut summary)?;
        tx.commit()?;
        Ok(summary)
    }

    /// Adds the targets of a target file (with their seed observations) in
    /// one transaction. A target already present with the same definition is
    /// left alone; one present with a different definition refuses the whole
    /// import.
    pub fn import_targets(
        &mut self,
        targets: &[SeedTarget],
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<ImportSummary> {
        let at = timestamp(now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = ImportSummary::default();
        for seed in targets {
            let def = &seed.def;
            let existing = tx
                .prepare_cached(&format!(
                    "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = ?1
                     ORDER BY v.version DESC LIMIT 1"
                ))?
                .query_row(params![def.id], target_from_row)
                .optional()?
                .transpose()?;
            match existing {
                Some(current) if same_definition(&current, def) => {
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
            tx.prepare_cached("INSERT INTO targets (id, created_at) VALUES (?1, ?2)")?
                .execute(params![def.id, at])?;
            insert_target_version(&tx, def, 1, &at, recorded_by, None)?;
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
                insert_observation(&tx, &new, &at)?;
                summary.observations += 1;
            }
            summary.added.push(def.id.clone());
        }
        tx.commit()?;
        Ok(summary)
    }
}

/// The definition versions of a restore: each target's versions must
/// extend what the ledger holds (a prefix is matched, not duplicated).
fn restore_versions(
    tx: &Connection,
    versions: &[TargetVersion],
    summary: &mut RestoreSummary,
) -> StorageResult<()> {
    let mut by_target: std::collections::BTreeMap<&str, Vec<&TargetVersion>> = Default::default();
    for v in versions {
        by_target.entry(v.def.id.as_str()).or_default().push(v);
    }
    for (id, mut wanted) in by_target {
        wanted.sort_by_key(|v| v.version);
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v WHERE v.target_id = ?1 ORDER BY v.version"
        );
        let existing: Vec<TargetDef> = tx
            .prepare(&sql)?
            .query_map(params![id], target_from_row)?
            .map(|row| row?)
            .collect::<StorageResult<_>>()?;
        let is_prefix = existing.len() <= wanted.len()
            && existing
                .iter()
                .zip(&wanted)
                .all(|(have, want)| same_definition(have, &want.def));
        if !is_prefix {
            return Err(StorageError::Conflict(format!(
                "target `{id}` exists here with a different definition history than the export"
            )));
        }
        if existing.is_empty() {
            let created = wanted
                .first()
                .map(|v| timestamp(v.recorded_at))
                .unwrap_or_default();
            tx.execute(
                "INSERT INTO targets (id, created_at) VALUES (?1, ?2)",
                params![id, created],
            )?;
            summary.targets_added += 1;
        }
        for (n, v) in wanted.iter().enumerate().skip(existing.len()) {
            insert_target_version(
                tx,
                &v.def,
                n as i64 + 1,
                &timestamp(v.recorded_at),
                &v.recorded_by,
                v.reason.as_deref(),
            )?;
            summary.versions_added += 1;
        }
    }
    Ok(())
}

/// The entries of a restore, in id order: an entry the ledger already
/// holds is matched, the others inserted with their original time and
/// author, `supersedes` mapped to the ledger's ids.
fn restore_entries(
    tx: &Connection,
    entries: &[Entry],
    summary: &mut RestoreSummary,
) -> StorageResult<()> {
    let mut new_ids: std::collections::HashMap<i64, i64> = Default::default();
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
        let found: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM observations
                 WHERE target_id = ?1 AND action = ?2 AND value IS ?3 AND qualifier IS ?4
                   AND period_start IS ?5 AND period_end IS ?6 AND source = ?7
                   AND supersedes IS ?8 AND reason IS ?9
                 ORDER BY id LIMIT 1",
            )?
            .query_row(
                params![
                    e.target_id,
                    e.action.as_str(),
                    e.quantity.map(|q| format_plain(q.value)),
                    e.quantity.map(|q| q.qualifier.as_str()),
                    e.period.map(|p| iso_date(p.start)),
                    e.period.map(|p| iso_date(p.end)),
                    e.source,
                    supersedes,
                    e.reason,
                ],
                |row| row.get(0),
            )
            .optional()?;
        let id = match found {
            Some(id) => {
                summary.entries_present += 1;
                id
            }
            None => {
                summary.entries_added += 1;
                insert_entry(
                    tx,
                    &EntryInsert {
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
                    },
                    &timestamp(e.recorded_at),
                )?
            }
        };
        new_ids.insert(e.id, id);
    }
    Ok(())
}
