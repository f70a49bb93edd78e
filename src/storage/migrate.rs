//! A tiny schema migrator keyed on `PRAGMA user_version`.
//!
//! Migrations are an ordered list of SQL scripts; the ledger's
//! `user_version` is how many of them have been applied. Pending ones run in
//! one IMMEDIATE transaction, so a ledger is never left half-migrated and two
//! processes cannot migrate at once. Released migrations are never edited or
//! removed: a change to the schema is a new entry at the end of the list.
//! A ledger whose version is higher than the list is long was written by a
//! newer `tracker` and is refused rather than misread.

use rusqlite::{Connection, TransactionBehavior};

/// `PRAGMA application_id`: "TRKR", so `file(1)` and `tracker` can tell a
/// ledger from any other SQLite file.
pub const APPLICATION_ID: i32 = 0x5452_4B52;

/// Every migration, in order. Index + 1 is the schema version it produces.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("migrations/0002-covering-index.sql"),
    include_str!("migrations/0003-base-period.sql"),
    include_str!("migrations/0004-marks.sql"),
    include_str!("migrations/0005-mark-names.sql"),
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// What a ledger file holds, as far as the migrator can tell.
#[derive(Debug, PartialEq, Eq)]
pub enum Version {
    /// A fresh, empty database (application id and version 0, no tables).
    Empty,
    /// A tracker ledger at this schema version.
    Ledger(i64),
    /// Some other SQLite database.
    Foreign,
}

pub fn inspect(conn: &Connection) -> rusqlite::Result<Version> {
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if app_id == APPLICATION_ID {
        return Ok(Version::Ledger(version));
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    if app_id == 0 && version == 0 && tables == 0 {
        Ok(Version::Empty)
    } else {
        Ok(Version::Foreign)
    }
}

/// Applies every pending migration in one IMMEDIATE transaction and returns
/// the resulting version. The caller has checked the ledger is not newer.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, script) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
        tx.execute_batch(script)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(current_version())
}

/// Lets a read-only connection (which cannot migrate) read a ledger of an
/// older version as the current schema: a column a later migration added
/// is shown with the value that migration gives existing rows, through a
/// temporary view that shadows the table for this connection only (SQLite
/// resolves unqualified names in `temp` first). Nothing is written to the
/// ledger. (Marks, from migrations 4 and 5, are probed where they are read.)
pub fn read_as_current(conn: &Connection, found: i64) -> rusqlite::Result<()> {
    if found < 3 {
        // Migration 3: base_period, NULL for every existing version.
        conn.execute_batch(
            "CREATE TEMP VIEW target_versions AS
             SELECT *, NULL AS base_period FROM main.target_versions",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_empty_database_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(inspect(&conn).unwrap(), Version::Empty);
        assert_eq!(migrate(&mut conn).unwrap(), current_version());
        assert_eq!(inspect(&conn).unwrap(), Version::Ledger(current_version()));
        // A second run applies nothing and fails on nothing.
        assert_eq!(migrate(&mut conn).unwrap(), current_version());
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 4);
    }

    #[test]
    fn foreign_database_is_recognised() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        assert_eq!(inspect(&conn).unwrap(), Version::Foreign);
    }
}
