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
mod codec;
mod error;
mod maintain;
pub mod migrate;
mod open;
mod read;
mod sql;
mod write;

use crate::model::{Period, Quantity, TargetDef};
pub use codec::timestamp;
pub use error::{ReadOnly, StorageError, StorageResult};
use rusqlite::Connection;
use std::path::PathBuf;
use std::time::Duration;

/// How long a writer waits for another writer before giving up, unless
/// `TRACKER_BUSY_TIMEOUT_MS` says otherwise.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a command may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
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

/// What an observation import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub added: usize,
    /// Rows already in the ledger.
    pub skipped: usize,
    /// (row index, problem); non-empty means nothing was written.
    pub conflicts: Vec<(usize, String)>,
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
    pub recorded_at: String,
    pub recorded_by: String,
    pub reason: Option<String>,
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
pub type KnownAt<'a> = Option<&'a str>;

pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}
