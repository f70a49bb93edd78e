//! Health check and online backup.

use super::*;
use crate::domain::trail;
use crate::model::{Kind, Period};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

impl SqliteLedger {
    /// Runs SQLite's own checks and the ledger's rules; returns every
    /// problem found (empty: healthy).
    pub fn check(&self) -> StorageResult<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let results: Vec<String> = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        if results != ["ok"] {
            problems.extend(results.into_iter().map(|r| format!("integrity: {r}")));
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let fk: Vec<(String, i64)> = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (table, rowid) in fk {
            problems.push(format!(
                "foreign key: row {rowid} of {table} points nowhere"
            ));
        }
        match migrate::inspect(&self.conn)? {
            // An older ledger is healthy: the next write migrates it.
            migrate::Version::Ledger(v) if (1..=migrate::current_version()).contains(&v) => {}
            other => problems.push(format!(
                "schema: expected version {}, found {other:?}",
                migrate::current_version()
            )),
        }
        problems.extend(self.missing_guards()?);
        let orphans: i64 = self.conn.query_row(
            "SELECT count(*) FROM targets t
             WHERE NOT EXISTS (SELECT 1 FROM target_versions v WHERE v.target_id = t.id AND v.version = 1)",
            [],
            |row| row.get(0),
        )?;
        if orphans > 0 {
            problems.push(format!("{orphans} target(s) without a first definition"));
        }
        let gaps: i64 = self.conn.query_row(
            "SELECT count(*) FROM (SELECT target_id FROM target_versions
             GROUP BY target_id HAVING max(version) <> count(*))",
            [],
            |row| row.get(0),
        )?;
        if gaps > 0 {
            problems.push(format!("{gaps} target(s) with missing definition versions"));
        }
        problems.extend(self.rule_problems());
        Ok(problems)
    }

    /// The append-only guards (triggers) the ledger's schema must have.
    fn missing_guards(&self) -> StorageResult<Vec<String>> {
        let mut problems = Vec::new();
        for trigger in [
            "observations_no_update",
            "observations_no_delete",
            "observations_supersede_rules",
            "target_versions_no_update",
            "target_versions_no_delete",
            "targets_no_delete",
        ] {
            let present: i64 = self.conn.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                params![trigger],
                |row| row.get(0),
            )?;
            if present == 0 {
                problems.push(format!("append-only guard `{trigger}` is missing"));
            }
        }
        // Marks came with a later migration: a ledger from before it has no
        // marks table (healthy, migrated on the next write); one with the
        // table must have its guards.
        let has_marks: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'marks'",
            [],
            |row| row.get(0),
        )?;
        if has_marks {
            for trigger in ["marks_no_update", "marks_no_delete"] {
                let present: i64 = self.conn.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                    params![trigger],
                    |row| row.get(0),
                )?;
                if present == 0 {
                    problems.push(format!("append-only guard `{trigger}` is missing"));
                }
            }
        }
        Ok(problems)
    }

    /// The ledger's rules over what it holds: every stored number, date
    /// and enum reads back, and, by the rule `record` and `import` apply,
    /// current amounts of a cumulative target never overlap.
    fn rule_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut overlaps = 0;
        let visited = self.visit_targets(None, &mut |def, observations| {
            if def.kind == Kind::Cumulative {
                let current: Vec<(i64, Period)> =
                    observations.iter().map(|o| (o.id, o.period)).collect();
                overlaps += trail::count_overlapping(&current);
            }
            Ok(())
        });
        if let Err(e) = visited {
            problems.push(format!("unreadable definition or observation: {e}"));
        }
        if let Err(e) = self.entries(None) {
            problems.push(format!("unreadable entry in the trail: {e}"));
        }
        if let Err(e) = self.target_versions(None) {
            problems.push(format!("unreadable definition version: {e}"));
        }
        if overlaps > 0 {
            problems.push(format!(
                "{overlaps} current observation(s) of cumulative targets overlap another"
            ));
        }
        problems
    }

    /// Copies the ledger to `dest` with SQLite's online backup: one
    /// consistent snapshot even while others write. `dest` must not exist;
    /// the copy appears there whole or not at all.
    pub fn backup_to(&self, dest: &Path) -> StorageResult<()> {
        if dest.exists() {
            return Err(StorageError::AlreadyExists {
                path: dest.to_path_buf(),
            });
        }
        let folder = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let io = |source| StorageError::Io {
            path: dest.to_path_buf(),
            source,
        };
        let temp = tempfile::Builder::new()
            .prefix(".tracker-backup-")
            .suffix(".db")
            .tempfile_in(&folder)
            .map_err(io)?
            .into_temp_path();
        {
            let mut target = Connection::open(&temp)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
            backup.step(-1)?;
            drop(backup);
            target.pragma_update_and_check(None, "journal_mode", "delete", |_| Ok(()))?;
            target.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        std::fs::File::open(&temp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        temp.persist_noclobber(dest).map_err(|e| io(e.error))?;
        Ok(())
    }
}
