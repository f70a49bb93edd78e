//! The storage seam: every operation the program performs on a ledger, as
//! one trait. The SQLite file ledger ([`super::SqliteLedger`]) implements
//! it; a second backend (PostgreSQL for a shared team ledger) implements
//! the same trait and nothing above `storage/` changes.
//!
//! # What every backend must honour
//! * **Append-only.** Nothing is ever updated or deleted: corrections and
//!   retractions are new entries naming the entry they supersede, and a
//!   new definition is a new version. A backend should make the database
//!   itself refuse UPDATE/DELETE on the trail (SQLite: triggers).
//! * **Atomic writes.** Each writing method is one transaction: it commits
//!   whole or changes nothing ([`Store::import_observations`],
//!   [`Store::restore`] and [`Store::import_targets`] included, however
//!   many rows they carry).
//! * **Serialised checks.** The checks a write makes against the ledger
//!   (an overlapping amount of a cumulative target, an entry already
//!   superseded, a row already imported) run inside the writing
//!   transaction, serialised with every other writer (SQLite: `BEGIN
//!   IMMEDIATE`; PostgreSQL: an advisory lock per target or SERIALIZABLE
//!   with retry), so two writers can never both pass them.
//! * **Ids in order.** Entry ids grow with recording order; an import's
//!   k-th added row gets the k-th new id.
//! * **Consistent reads.** A read method sees one snapshot: a report
//!   running during an import sees all of it or none of it.
//! * **The ledger's clock.** Times cross this trait as `DateTime<Utc>`.
//!   `recorded_at` is the writer's `now` to the millisecond (truncated):
//!   a backend stores it so that it reads back exactly and orders as time
//!   (SQLite: the canonical text form of [`super::timestamp`], compared as
//!   text; PostgreSQL: `timestamptz`, whose microseconds hold it exactly).
//!   A report `known_at` a time sees exactly the entries and definitions
//!   recorded at or before it, with `known_at` truncated to the
//!   millisecond the same way.
//! * **Errors by kind.** Failures map onto [`StorageError`]'s kinds
//!   (conflict, busy, read-only, disk full, corrupt, ...), never a
//!   backend's raw codes.
//!
//! The rules of what is *valid* are not the store's business: callers
//! check them with [`crate::domain`] first. The store's own constraints
//! are a second line of defence.

use super::{
    Correction, ImportMode, ImportOutcome, ImportSource, ImportSummary, KnownAt, Location,
    NewObservation, RestoreSummary, StorageError, StorageResult, TargetVersion,
};
use crate::model::{Entry, Observation, TargetDef};
use crate::targets_file::SeedTarget;
use chrono::{DateTime, Utc};
use std::path::Path;

/// A visitor of targets and their current observations.
pub type Visit<'v> = dyn FnMut(TargetDef, &[Observation]) -> StorageResult<()> + 'v;

pub trait Store {
    /// Where this ledger lives (for messages; never includes a password).
    fn location(&self) -> Location;

    fn target_count(&self) -> StorageResult<i64>;

    fn entry_count(&self) -> StorageResult<i64>;

    /// Every target id, sorted.
    fn target_ids(&self) -> StorageResult<Vec<String>>;

    /// The definition of `id` in force at `known_at`.
    fn target(&self, id: &str, known_at: KnownAt) -> StorageResult<TargetDef>;

    /// The error for an id that is not in the ledger, with the nearest ids.
    fn unknown_target(&self, id: &str) -> StorageError;

    /// The current observations of one target (corrections applied,
    /// retractions removed) as known at `known_at`, in period order.
    fn current_observations(&self, id: &str, known_at: KnownAt) -> StorageResult<Vec<Observation>>;

    /// Every target in id order with its current observations as known at
    /// `known_at`, one target at a time: memory holds one target's
    /// observations, never the ledger's.
    fn visit_targets(&self, known_at: KnownAt, visit: &mut Visit<'_>) -> StorageResult<()>;

    /// Every entry of the trail, oldest first; one target's or all.
    fn entries(&self, id: Option<&str>) -> StorageResult<Vec<Entry>>;

    /// One entry of the trail.
    fn entry(&self, id: i64) -> StorageResult<Entry>;

    /// Every version of every target's definition (or one target's),
    /// ordered by target then version.
    fn target_versions(&self, id: Option<&str>) -> StorageResult<Vec<TargetVersion>>;

    /// Records one observation. For a cumulative target, a period that
    /// overlaps a current observation is a [`StorageError::Conflict`].
    fn record(&mut self, new: &NewObservation, now: DateTime<Utc>) -> StorageResult<i64>;

    /// Appends a correction of entry `correction.supersedes` (which must be
    /// current). Period, source, URL and note default to the corrected
    /// entry's.
    fn correct(&mut self, correction: &Correction, now: DateTime<Utc>) -> StorageResult<i64>;

    /// Appends a retraction of entry `id` (which must be current).
    fn retract(
        &mut self,
        id: i64,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64>;

    /// Adds a new version of a target's definition; returns its number.
    fn amend_target(
        &mut self,
        def: &TargetDef,
        reason: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<i64>;

    /// Adds the rows of `rows` in one transaction, all or nothing,
    /// reading the source once, front to back, without holding it whole
    /// (memory must not grow with the rows' text: a million-row file is
    /// imported in well under 100 MiB).
    ///
    /// Each row is decided against the ledger *and the rows of this import
    /// accepted before it*, exactly as if the rows were recorded one by one
    /// in order (the decisions are [`crate::domain::trail`]'s, the same
    /// functions `record` and `check` use):
    /// * a row the trail already holds ([`crate::domain::trail::is_duplicate`]:
    ///   same target, period, value, qualifier and source as a record or
    ///   correction, current or not, or as an earlier accepted row) is
    ///   skipped and counted in `skipped`, so importing a file twice adds
    ///   nothing; this is decided first, so a duplicate is never also an
    ///   overlap;
    /// * a row of an unknown target is [`super::ImportConflict::UnknownTarget`];
    /// * a row of a cumulative target whose period overlaps a current entry
    ///   ([`crate::domain::trail::first_overlap`]) is
    ///   [`super::ImportConflict::OverlapsEntry`] naming the lowest such id, or, if
    ///   none in the ledger, [`super::ImportConflict::OverlapsRow`] naming the line
    ///   of the first earlier accepted row it overlaps; a conflicting row is
    ///   not accepted (later rows are not checked against it);
    /// * an [`super::ImportItem::Refused`] line is only counted as a reason not to
    ///   write; checking goes on;
    /// * [`super::ImportItem::Stop`] ends reading at once; nothing is written and
    ///   the outcome so far is returned.
    ///
    /// Conflicts are listed by line in the order the rows came. If there is
    /// any conflict or refused line, the source stopped, or `mode` is
    /// [`ImportMode::CheckOnly`], nothing is written (`written` false,
    /// `added` 0). Otherwise every accepted row is recorded as a `record`
    /// entry with `recorded_at` = `now`, the k-th accepted row getting the
    /// k-th new id. The checks run inside the writing transaction,
    /// serialised with other writers, and definitions handed to the source
    /// come from that same transaction.
    fn import_observations(
        &mut self,
        rows: &mut dyn ImportSource,
        now: DateTime<Utc>,
        mode: ImportMode,
    ) -> StorageResult<ImportOutcome>;

    /// Restores an export: definition versions and entries with their
    /// original times and authors, in one transaction; what the ledger
    /// already holds is matched, not duplicated.
    fn restore(
        &mut self,
        versions: &[TargetVersion],
        entries: &[Entry],
    ) -> StorageResult<RestoreSummary>;

    /// Adds the targets of a target file with their observations in one
    /// transaction; a target present with another definition refuses all.
    fn import_targets(
        &mut self,
        targets: &[SeedTarget],
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<ImportSummary>;

    /// Trail entries recorded in `(since, until]` (`since` None: from the
    /// beginning), oldest first (by id). Bounds compare at the ledger's
    /// millisecond precision, as `known_at` does.
    fn entries_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<Entry>>;

    /// Definition versions recorded in `(since, until]`, ordered by time,
    /// target and version.
    fn target_versions_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> StorageResult<Vec<TargetVersion>>;

    /// The `until` of the latest `changes --mark` run of the mark `name`
    /// (`None`: the unnamed mark), if any. Marks of different names never
    /// affect each other: each cron job keeps its own.
    fn latest_mark(&self, name: Option<&str>) -> StorageResult<Option<DateTime<Utc>>>;

    /// Appends a mark of `name` (`None`: the unnamed mark; append-only,
    /// like the trail): its next `--since last` starts at `until`.
    /// `recorded_at` is the run's `now`. Names are checked by the caller
    /// (the target-id grammar).
    fn add_mark(
        &mut self,
        name: Option<&str>,
        until: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()>;

    /// The store's own integrity checks; every problem found (empty:
    /// healthy).
    fn check(&self) -> StorageResult<Vec<String>>;

    /// A consistent copy of the whole ledger at `dest` (which must not
    /// exist), appearing whole or not at all.
    fn backup_to(&self, dest: &Path) -> StorageResult<()>;

    /// Closes the ledger, reporting what dropping it would hide: after
    /// `close` returns, everything written is in the store's own files
    /// (for a file ledger: no write-ahead log left beside it), so the file
    /// can be handed on (linked into place, copied) whole.
    fn close(self: Box<Self>) -> StorageResult<()>;
}
