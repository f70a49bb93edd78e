//! The ledger on disk. All SQL lives in this module and nowhere else.
//!
//! The rest of the program talks to [`Ledger`] in the vocabulary of
//! `model.rs` (targets, observations, entries) and never sees a rusqlite
//! type, so a second backend (PostgreSQL for teams sharing one ledger) is a
//! new implementation of these methods, not a rewrite of the commands.
//!
//! Invariants kept here:
//! * a path that does not exist is never created by `open`: a typo must not
//!   become a new, empty ledger (only [`Ledger::create`] creates);
//! * every writing transaction is `BEGIN IMMEDIATE`, so concurrent writers
//!   queue on the busy timeout instead of failing half-way;
//! * WAL journal with `synchronous=FULL`: readers (cron exports) never block
//!   writers, and a committed entry survives power loss;
//! * reads stream: reports walk observations in one ordered query, never one
//!   query per target.

mod bulk;
mod changes;
mod codec;
mod error;
mod import;
mod location;
mod maintain;
pub mod migrate;
mod open;
pub mod postgres;
mod read;
mod sql;
mod sqlite;
mod store;
mod write;

use crate::model::{Observation, Period, Quantity, TargetDef};
use chrono::{DateTime, Utc};
pub use codec::timestamp;
pub use error::{ReadOnly, StorageError, StorageResult};
pub use location::Location;
use rusqlite::Connection;
use std::path::PathBuf;
use std::time::Duration;
pub use store::{Store, Visit};

/// How long a writer waits for another writer before giving up, unless
/// `TRACKER_BUSY_TIMEOUT_MS` says otherwise.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Milliseconds to wait for another writer.
pub const BUSY_TIMEOUT_ENV: &str = "TRACKER_BUSY_TIMEOUT_MS";

/// [`BUSY_TIMEOUT_ENV`] as a duration: `None` when unset or empty, the
/// text itself as the error when it is not a whole number of milliseconds.
pub fn busy_timeout_setting() -> Result<Option<Duration>, String> {
    match std::env::var(BUSY_TIMEOUT_ENV) {
        Ok(text) if !text.is_empty() => text
            .parse::<u64>()
            .map(|ms| Some(Duration::from_millis(ms)))
            .map_err(|_| text),
        _ => Ok(None),
    }
}

/// Whether a command may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// One row for the trail as every backend inserts it: a new value
/// (record/correct) or a retraction.
struct EntryInsert<'a> {
    target_id: &'a str,
    action: crate::model::Action,
    quantity: Option<Quantity>,
    period: Option<Period>,
    source: &'a str,
    url: Option<&'a str>,
    note: Option<&'a str>,
    recorded_by: &'a str,
    supersedes: Option<i64>,
    reason: Option<&'a str>,
}

impl<'a> EntryInsert<'a> {
    /// The row that records a new observation.
    fn record(new: &'a NewObservation) -> Self {
        EntryInsert {
            target_id: &new.target_id,
            action: crate::model::Action::Record,
            quantity: Some(new.quantity),
            period: Some(new.period),
            source: &new.source,
            url: new.url.as_deref(),
            note: new.note.as_deref(),
            recorded_by: &new.recorded_by,
            supersedes: None,
            reason: None,
        }
    }
}

/// An observation about to be recorded.
#[derive(Debug, Clone)]
pub struct NewObservation {
    pub target_id: String,
    pub quantity: Quantity,
    pub period: Period,
    pub source: String,
    pub url: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
}

/// One row of an import: the observation, and where it came from.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The 1-based line of the file where the row starts (conflicts are
    /// reported by it).
    pub line: u64,
    pub observation: NewObservation,
}

/// What an [`ImportSource`] hands over next.
#[derive(Debug, Clone)]
pub enum ImportItem {
    /// A row that parsed and passed the rules of its target's definition.
    Row(ImportRow),
    /// A line the source refused (it keeps the reason and words it): the
    /// import goes on checking the other rows, so that every problem of a
    /// file is found in one pass, and writes nothing.
    Refused { line: u64 },
    /// The source cannot go on (the file became unreadable, a lookup
    /// failed; the source keeps the error): the import stops reading and
    /// writes nothing.
    Stop,
}

/// A target's current definition as the importing transaction sees it;
/// `None` when the ledger has no such target.
pub type Definitions<'a> = dyn FnMut(&str) -> StorageResult<Option<TargetDef>> + 'a;

/// The rows of an import, read once, front to back: a store never holds
/// the whole file. A source is pulled inside the importing transaction and
/// may look up definitions through the store while it is (so that rows are
/// checked against the definitions the write sees).
pub trait ImportSource {
    /// The next item, or `None` after the last. `definitions` answers for
    /// any target id; a source should ask once per target and keep the
    /// answer.
    fn next_item(&mut self, definitions: &mut Definitions<'_>) -> Option<ImportItem>;
}

/// A source of rows already in memory, every row on its own line number
/// (tests, and callers with a handful of rows).
impl ImportSource for std::vec::IntoIter<ImportRow> {
    fn next_item(&mut self, _: &mut Definitions<'_>) -> Option<ImportItem> {
        self.next().map(ImportItem::Row)
    }
}

/// What an observation import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Rows written (0 when nothing was written).
    pub added: usize,
    /// Rows already in the ledger or earlier in the file, skipped.
    pub skipped: usize,
    /// The rows that conflict, in the order they came; non-empty means
    /// nothing was written.
    pub conflicts: Vec<RowConflict>,
    /// Whether the rows were committed: no conflict, no refused line, the
    /// source did not stop, and the mode was [`ImportMode::Write`].
    pub written: bool,
}

/// An import row that cannot be added, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowConflict {
    /// The row's line.
    pub line: u64,
    /// The row's target and period, for messages.
    pub target_id: String,
    pub period: Period,
    pub conflict: ImportConflict,
}

/// Why an import row cannot be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportConflict {
    /// The ledger has no such target.
    UnknownTarget,
    /// A cumulative target's amount for a period overlapping a current
    /// entry of the ledger (which would count it twice).
    OverlapsEntry { id: i64, period: Period },
    /// Likewise, overlapping an earlier row (by its line, with its period)
    /// of the same import.
    OverlapsRow { line: u64, period: Period },
}

/// Whether an import writes, or only checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Write,
    /// Check every row as a write would, write nothing.
    CheckOnly,
}

/// What a restore did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    pub targets_added: usize,
    pub versions_added: usize,
    pub entries_added: usize,
    pub entries_present: usize,
}

/// A replacement for an earlier entry.
#[derive(Debug, Clone)]
pub struct Correction {
    pub supersedes: i64,
    pub quantity: Quantity,
    /// None: the corrected entry's period.
    pub period: Option<Period>,
    /// None: the corrected entry's source (and likewise URL and note).
    pub source: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub reason: String,
    pub recorded_by: String,
}

/// One version of a target's definition with who/when/why.
#[derive(Debug, Clone)]
pub struct TargetVersion {
    pub def: TargetDef,
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
    pub reason: Option<String>,
}

impl TargetVersion {
    /// Of one target's versions, the one in force at `recorded_at` (as
    /// [`Store::target`] with `known_at` picks it), else the first: the
    /// definition an entry recorded then is judged by.
    pub fn in_force<'v>(
        versions: &[&'v TargetVersion],
        recorded_at: DateTime<Utc>,
    ) -> Option<&'v TargetVersion> {
        versions
            .iter()
            .filter(|v| v.recorded_at <= recorded_at)
            .max_by_key(|v| v.version)
            .or_else(|| versions.iter().min_by_key(|v| v.version))
            .copied()
    }
}

/// What a target import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: Vec<String>,
    pub unchanged: Vec<String>,
    pub observations: usize,
}

/// A point on the ledger's own clock: entries recorded at or before it are
/// visible. `None` sees everything.
pub type KnownAt = Option<DateTime<Utc>>;

/// A SQLite ledger file (the [`Store`] for local ledgers).
pub struct SqliteLedger {
    conn: Connection,
    path: PathBuf,
}

/// An open ledger, whatever stores it. Commands hold this; every operation
/// of [`Store`] is called on it directly (it dereferences to the store).
pub struct Ledger {
    store: Box<dyn Store>,
}

impl Ledger {
    /// Creates a new ledger with the current schema; never opens an
    /// existing one.
    pub fn create(location: impl Into<Location>) -> StorageResult<Ledger> {
        match location.into() {
            Location::File(path) => Ok(Ledger::from(SqliteLedger::create(&path)?)),
            Location::Url(url) => Ok(Ledger::from(postgres::PgLedger::create(&url)?)),
        }
    }

    /// Opens an existing ledger; never creates one.
    pub fn open(location: impl Into<Location>, access: Access) -> StorageResult<Ledger> {
        match location.into() {
            Location::File(path) => Ok(Ledger::from(SqliteLedger::open(&path, access)?)),
            Location::Url(url) => Ok(Ledger::from(postgres::PgLedger::open(&url, access)?)),
        }
    }

    /// Closes the ledger; see [`Store::close`].
    pub fn close(self) -> StorageResult<()> {
        self.store.close()
    }

    /// Every target with its current observations, in id order; see
    /// [`Store::visit_targets`].
    pub fn for_each_target<F>(&self, known_at: KnownAt, mut visit: F) -> StorageResult<()>
    where
        F: FnMut(TargetDef, &[Observation]) -> StorageResult<()>,
    {
        self.store.visit_targets(known_at, &mut visit)
    }
}

impl From<SqliteLedger> for Ledger {
    fn from(store: SqliteLedger) -> Self {
        Ledger {
            store: Box::new(store),
        }
    }
}

impl std::ops::Deref for Ledger {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

impl std::ops::DerefMut for Ledger {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.store.as_mut()
    }
}

#[cfg(test)]
mod tests {
    /// The seam holds: no rusqlite and no SQL statement anywhere outside
    /// `src/storage/`, so a second backend is an addition, not a rewrite.
    #[test]
    fn sql_and_rusqlite_stay_in_storage() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.ends_with("storage") {
                    continue;
                }
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for needle in [
                        "rusqlite",
                        "SELECT ",
                        "INSERT INTO",
                        "CREATE TABLE",
                        "PRAGMA ",
                    ] {
                        if text.contains(needle) {
                            found.push(format!("{} mentions `{needle}`", path.display()));
                        }
                    }
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        walk(&src, &mut found);
        assert!(found.is_empty(), "outside src/storage/: {found:#?}");
    }
}
