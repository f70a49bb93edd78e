//! Reads: targets as of a point on the ledger clock, current observations
//! (streamed for reports), the trail and the definition history.

use super::codec::*;
use super::sql::*;
use super::*;
use crate::model::{Entry, Observation, TargetDef};
use rusqlite::{OptionalExtension, params};

impl SqliteLedger {
    pub fn target_count(&self) -> StorageResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM targets", [], |row| row.get(0))?)
    }

    pub fn entry_count(&self) -> StorageResult<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM observations", [], |row| row.get(0))?)
    }

    /// Every target id, sorted.
    pub fn target_ids(&self) -> StorageResult<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM targets ORDER BY id")?;
        let ids = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The definition of `id` in force at `known_at`.
    pub fn target(&self, id: &str, known_at: KnownAt) -> StorageResult<TargetDef> {
        let known_at = known_at.map(timestamp);
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v
             WHERE v.target_id = ?1 AND (?2 IS NULL OR v.recorded_at <= ?2)
             ORDER BY v.version DESC LIMIT 1"
        );
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![id, known_at], target_from_row)
            .optional()?;
        match found {
            Some(def) => def,
            None => Err(self.unknown_target(id)),
        }
    }

    /// The error for an id that is not in the ledger, with the nearest ids.
    pub fn unknown_target(&self, id: &str) -> StorageError {
        let ids = self.target_ids().unwrap_or_default();
        StorageError::UnknownTarget {
            id: id.to_string(),
            suggestions: nearest(id, &ids),
        }
    }

    /// The current observations of one target (corrections applied,
    /// retractions removed) as known at `known_at`, in period order.
    pub fn current_observations(
        &self,
        id: &str,
        known_at: KnownAt,
    ) -> StorageResult<Vec<Observation>> {
        let known_at = known_at.map(timestamp);
        let sql = match known_at {
            None => format!(
                "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end
                 FROM observations o
                 WHERE o.target_id = ?1 AND {CURRENT_NOW}
                 ORDER BY o.period_end, o.id"
            ),
            Some(_) => format!(
                "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end
                 FROM observations o
                 WHERE o.target_id = ?1 AND {CURRENT}
                 ORDER BY o.period_end, o.id"
            ),
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = match known_at {
            None => stmt.query_map(params![id], observation_from_row)?,
            Some(_) => stmt.query_map(params![id, known_at], observation_from_row)?,
        };
        rows.map(|row| row?).collect()
    }

    /// Streams every target (sorted by id) with its current observations:
    /// two ordered queries merged in one pass, so the cost is linear in the
    /// ledger and memory holds one target's observations at a time.
    pub fn visit_targets(&self, known_at: KnownAt, visit: &mut Visit<'_>) -> StorageResult<()> {
        let known_at = known_at.map(timestamp);
        let targets_sql = format!(
            "SELECT {TARGET_COLUMNS} FROM target_versions v
             WHERE (?1 IS NULL OR v.recorded_at <= ?1)
               AND v.version = (SELECT max(version) FROM target_versions w
                                WHERE w.target_id = v.target_id
                                  AND (?1 IS NULL OR w.recorded_at <= ?1))
             ORDER BY v.target_id"
        );
        // Without --known-at: CURRENT_NOW, with the superseded rows left
        // out by an anti-join (one cursor kept open) rather than a
        // correlated NOT EXISTS (a subquery run per row). The covering
        // index observations_by_target_covering (migration 2) holds every
        // column read, so SQLite walks one b-tree in order and never visits
        // the table.
        let observations_sql = match known_at {
            None => "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end, o.target_id
                 FROM observations o
                 LEFT JOIN observations s ON s.supersedes = o.id
                 WHERE o.value IS NOT NULL AND s.id IS NULL
                 ORDER BY o.target_id, o.period_end, o.id"
                .to_string(),
            Some(_) => format!(
                "SELECT o.id, o.value, o.qualifier, o.period_start, o.period_end, o.target_id
                 FROM observations o
                 WHERE {CURRENT}
                 ORDER BY o.target_id, o.period_end, o.id"
            ),
        };
        let mut targets_stmt = self.conn.prepare(&targets_sql)?;
        let mut targets = targets_stmt.query(params![known_at])?;
        let mut obs_stmt = self.conn.prepare(&observations_sql)?;
        let mut obs_rows = match known_at {
            None => obs_stmt.query([])?,
            Some(_) => obs_stmt.query(params![Option::<String>::None, known_at])?,
        };
        // The observation read ahead, and its target id in a buffer reused
        // for every row (no allocation per observation).
        let mut pending: Option<Observation> = None;
        let mut pending_target: Vec<u8> = Vec::new();
        let mut exhausted = false;
        let mut batch: Vec<Observation> = Vec::new();
        while let Some(row) = targets.next()? {
            let def = target_from_row(row)??;
            batch.clear();
            loop {
                if pending.is_none() && !exhausted {
                    match obs_rows.next()? {
                        Some(row) => {
                            pending_target.clear();
                            pending_target.extend_from_slice(bytes_ref(row, 5)?);
                            pending = Some(observation_from_row(row)??);
                        }
                        None => exhausted = true,
                    }
                }
                match pending {
                    Some(obs) if pending_target == def.id.as_bytes() => {
                        batch.push(obs);
                        pending = None;
                    }
                    // Observations of a target not visible at known_at.
                    Some(_) if pending_target.as_slice() < def.id.as_bytes() => pending = None,
                    _ => break,
                }
            }
            visit(def, &batch)?;
        }
        Ok(())
    }

    /// Every entry of the trail, oldest first; one target's or all.
    pub fn entries(&self, id: Option<&str>) -> StorageResult<Vec<Entry>> {
        // Two statements, not `?1 IS NULL OR target_id = ?1`: SQLite cannot
        // use the index for that OR, so one target's trail would scan the
        // whole table.
        match id {
            Some(id) => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM observations WHERE target_id = ?1 ORDER BY id"
                ))?
                .query_map(params![id], entry_from_row)?
                .map(|row| row?)
                .collect(),
            None => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM observations ORDER BY id"
                ))?
                .query_map([], entry_from_row)?
                .map(|row| row?)
                .collect(),
        }
    }

    /// One entry of the trail.
    pub fn entry(&self, id: i64) -> StorageResult<Entry> {
        self.conn
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM observations WHERE id = ?1"),
                params![id],
                entry_from_row,
            )
            .optional()?
            .ok_or(StorageError::UnknownObservation { id })?
    }

    /// Every version of every target's definition (or one target's),
    /// ordered by target then version.
    pub fn target_versions(&self, id: Option<&str>) -> StorageResult<Vec<TargetVersion>> {
        let sql = format!(
            "SELECT {TARGET_COLUMNS}, v.version, v.recorded_at, v.recorded_by, v.reason
             FROM target_versions v WHERE ?1 IS NULL OR v.target_id = ?1
             ORDER BY v.target_id, v.version"
        );
        self.conn
            .prepare(&sql)?
            .query_map(params![id], version_from_row)?
            .map(|row| row?)
            .collect()
    }
}

/// Ids within a small edit distance of `id`, nearest first (for "did you
/// mean").
pub(super) fn nearest(id: &str, ids: &[String]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = ids
        .iter()
        .map(|candidate| (strsim::jaro_winkler(id, candidate), candidate))
        .filter(|(score, candidate)| *score > 0.75 || candidate.contains(id))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.clone()).collect()
}
