//! The SQLite file ledger behind the [`Store`] seam: each operation is
//! implemented in the file for its job (`read.rs`, `write.rs`, `bulk.rs`,
//! `maintain.rs`); this is the one place they are bound to the trait.

use super::*;
use crate::model::{Entry, Observation, TargetDef};
use crate::targets_file::SeedTarget;
use chrono::{DateTime, Utc};
use std::path::Path;

impl Store for SqliteLedger {
    fn close(self: Box<Self>) -> StorageResult<()> {
        SqliteLedger::close(*self)
    }
    fn location(&self) -> Location {
        Location::File(self.path.clone())
    }
    fn target_count(&self) -> StorageResult<i64> {
        SqliteLedger::target_count(self)
    }
    fn entry_count(&self) -> StorageResult<i64> {
        SqliteLedger::entry_count(self)
    }
    fn target_ids(&self) -> StorageResult<Vec<String>> {
        SqliteLedger::target_ids(self)
    }
    fn target(&self, id: &str, known_at: KnownAt) -> StorageResult<TargetDef> {
        SqliteLedger::target(self, id, known_at)
    }
    fn unknown_target(&self, id: &str) -> StorageError {
        SqliteLedger::unknown_target(self, id)
    }
    fn current_observations(&self, id: &str, known_at: KnownAt) -> StorageResult<Vec<Observation>> {
        SqliteLedger::current_observations(self, id, known_at)
    }
    fn visit_targets(&self, known_at: KnownAt, visit: &mut Visit<'_>) -> StorageResult<()> {
        SqliteLedger::visit_targets(self, known_at, visit)
    }
    fn entries(&self, id: Option<&str>) -> StorageResult<Vec<Entry>> {
        SqliteLedger::entries(self, id)
    }
    fn entry(&self, id: i64) -> StorageResult<Entry> {
        SqliteLedger::entry(self, id)
    }
    fn target_versions(&self, id: Option<&str>) -> StorageResult<Vec<TargetVersion>> {
        SqliteLedger::target_versions(self, id)
    }
    fn record(&mut self, new: &NewObservation, now: DateTime<Utc>) -> StorageResult<i64> {
        SqliteLedger::record(self, new, now)
    }
    fn correct(&mut self, correction: &Correction, now: DateTime<Utc>) -> StorageResult<i64> {
        SqliteLedger::correct(self, correction, now)
    }
    fn retract(
        &mut self,
        id: i64,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        SqliteLedger::retract(self, id, reason, recorded_by, now)
    }
    fn amend_target(
        &mut self,
        def: &TargetDef,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        SqliteLedger::amend_target(self, def, reason, recorded_by, now)
    }
    fn import_observations(
        &mut self,
        rows: &mut dyn ImportSource,
        now: DateTime<Utc>,
        mode: ImportMode,
    ) -> StorageResult<ImportOutcome> {
        SqliteLedger::import_observations(self, rows, now, mode)
    }
    fn restore(
        &mut self,
        versions: &[TargetVersion],
        entries: &[Entry],
    ) -> StorageResult<RestoreSummary> {
        SqliteLedger::restore(self, versions, entries)
    }
    fn import_targets(
        &mut self,
        targets: &[SeedTarget],
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<ImportSummary> {
        SqliteLedger::import_targets(self, targets, recorded_by, now)
    }
    fn entries_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<Entry>> {
        SqliteLedger::entries_between(self, since, until)
    }
    fn target_versions_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<TargetVersion>> {
        SqliteLedger::target_versions_between(self, since, until)
    }
    fn latest_mark(&self, name: Option<&str>) -> StorageResult<Option<DateTime<Utc>>> {
        SqliteLedger::latest_mark(self, name)
    }
    fn add_mark(
        &mut self,
        name: Option<&str>,
        until: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        SqliteLedger::add_mark(self, name, until, recorded_at, by)
    }
    fn check(&self) -> StorageResult<Vec<String>> {
        SqliteLedger::check(self)
    }
    fn backup_to(&self, dest: &Path) -> StorageResult<()> {
        SqliteLedger::backup_to(self, dest)
    }
}
