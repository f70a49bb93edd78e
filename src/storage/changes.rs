//! What the ledger learned in a window of knowledge time, for `tracker
//! changes`, and the marks that let a nightly job say `--since last`.
//!
//! The window is half-open, `(since, until]`: an entry recorded exactly at
//! `since` belongs to the previous window, so consecutive runs that pass
//! one's `until` as the next one's `since` see every entry exactly once.

use super::codec::{entry_from_row, parse_time_col, timestamp, version_from_row};
use super::sql::{ENTRY_COLUMNS, TARGET_COLUMNS};
use super::{SqliteLedger, StorageResult, TargetVersion};
use crate::model::Entry;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

impl SqliteLedger {
    /// Trail entries recorded in `(since, until]` (`since` None: from the
    /// beginning), oldest first.
    pub fn entries_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<Entry>> {
        let (since, until) = (since.map(timestamp), timestamp(until));
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM observations
             WHERE (?1 IS NULL OR recorded_at > ?1) AND recorded_at <= ?2
             ORDER BY id"
        );
        self.conn
            .prepare(&sql)?
            .query_map(params![since, until], entry_from_row)?
            .map(|row| row?)
            .collect()
    }

    /// Target definition versions recorded in `(since, until]`: version 1
    /// is a new target, later ones are amendments. Ordered by time, target
    /// and version.
    pub fn target_versions_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<TargetVersion>> {
        let (since, until) = (since.map(timestamp), timestamp(until));
        let sql = format!(
            "SELECT {TARGET_COLUMNS}, v.version, v.recorded_at, v.recorded_by, v.reason
             FROM target_versions v
             WHERE (?1 IS NULL OR v.recorded_at > ?1) AND v.recorded_at <= ?2
             ORDER BY v.recorded_at, v.target_id, v.version"
        );
        self.conn
            .prepare(&sql)?
            .query_map(params![since, until], version_from_row)?
            .map(|row| row?)
            .collect()
    }

    /// The `until` of the latest `changes --mark` run of the mark `name`
    /// (`None`: the unnamed mark), if any. A ledger from before marks, or
    /// before named marks, existed (opened read-only, not migrated) has
    /// none of them, or only the unnamed one.
    pub fn latest_mark(&self, name: Option<&str>) -> StorageResult<Option<DateTime<Utc>>> {
        let (has_table, has_names): (bool, bool) = self.conn.query_row(
            "SELECT count(*) > 0,
                    (SELECT count(*) > 0 FROM pragma_table_info('marks') WHERE name = 'name')
             FROM sqlite_schema WHERE type = 'table' AND name = 'marks'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let until: Option<String> = match (has_table, has_names, name) {
            (false, _, _) | (true, false, Some(_)) => None,
            (true, false, None) => self
                .conn
                .query_row(
                    "SELECT marked_until FROM marks ORDER BY id DESC LIMIT 1",
                    [],
                    |row| row.get(0),
                )
                .optional()?,
            (true, true, name) => self
                .conn
                .query_row(
                    "SELECT marked_until FROM marks WHERE name = ?1 ORDER BY id DESC LIMIT 1",
                    params![name.unwrap_or("")],
                    |row| row.get(0),
                )
                .optional()?,
        };
        until.as_deref().map(parse_time_col).transpose()
    }

    /// Appends a mark of `name` (`None`: the unnamed mark): its next
    /// `--since last` starts at `until`.
    pub fn add_mark(
        &mut self,
        name: Option<&str>,
        until: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO marks (name, marked_until, recorded_at, recorded_by)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                name.unwrap_or(""),
                timestamp(until),
                timestamp(recorded_at),
                by
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}
