//! The PostgreSQL schema migrator, the counterpart of SQLite's
//! `user_version` one: an ordered list of scripts, and a `schema_version`
//! table holding one row per script applied. Pending scripts run in one
//! transaction (PostgreSQL's DDL is transactional) under an advisory lock,
//! so a ledger is never half-migrated and two machines cannot migrate at
//! once. A ledger whose version is newer than this build knows is refused,
//! as a newer SQLite ledger is.

use super::super::StorageResult;
use ::postgres::GenericClient;

/// Every migration, in order. Index + 1 is the schema version it produces.
pub const MIGRATIONS: &[&str] = &[include_str!("migrations/0001-schema.sql")];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The advisory lock key migrations hold ("TRKRmigr").
const MIGRATE_LOCK: i64 = 0x5452_4B52_6D69_6772;

/// What a database holds, as far as the migrator can tell.
#[derive(Debug, PartialEq, Eq)]
pub enum Version {
    /// No tracker tables: a database made for the ledger, not yet set up.
    Empty,
    /// A tracker ledger at this schema version.
    Ledger(i64),
    /// Tables named like tracker's, without its version table.
    Foreign,
    /// A ledger this role cannot read: its schema or tables are there, but
    /// the role has no rights on them (roles.sql grants those).
    NoRights,
}

pub fn inspect(client: &mut impl GenericClient) -> StorageResult<Version> {
    // pg_class is readable by every role: a version table in a schema
    // this role may not use, or may not read, is a ledger it has no
    // rights on, not an empty database (where `init` would set up a
    // second ledger).
    let row = client.query_one(
        "SELECT to_regclass('schema_version') IS NOT NULL,
                to_regclass('observations') IS NOT NULL OR to_regclass('targets') IS NOT NULL,
                EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE c.relname = 'schema_version' AND c.relkind = 'r'
                          AND (NOT has_schema_privilege(n.oid, 'USAGE')
                               OR NOT has_table_privilege(c.oid, 'SELECT')))",
        &[],
    )?;
    let (versioned, named_like_ours, hidden): (bool, bool, bool) =
        (row.get(0), row.get(1), row.get(2));
    if hidden {
        return Ok(Version::NoRights);
    }
    if !versioned {
        return Ok(if named_like_ours {
            Version::Foreign
        } else {
            Version::Empty
        });
    }
    let version: Option<i32> = client
        .query_one("SELECT max(version) FROM schema_version", &[])?
        .get(0);
    Ok(Version::Ledger(i64::from(version.unwrap_or(0))))
}

/// Applies every pending migration in one transaction and returns the
/// resulting version; a newer schema is returned as found (the caller
/// refuses it).
pub fn migrate(client: &mut ::postgres::Client) -> StorageResult<i64> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
    // A member of the owner role (roles.sql) creates and alters the tables
    // as that role, so that any other member may migrate them later; only
    // where that role may create them (the `tracker` schema of roles.sql).
    let as_owner: bool = tx
        .query_one(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tracker_owner')
                THEN pg_has_role(session_user, 'tracker_owner', 'MEMBER')
                     AND has_schema_privilege('tracker_owner', current_schema(), 'CREATE')
                ELSE false END",
            &[],
        )?
        .get(0);
    if as_owner {
        tx.batch_execute("SET LOCAL ROLE tracker_owner")?;
    }
    let applied = match inspect(&mut tx)? {
        Version::Ledger(v) => v,
        Version::Empty => 0,
        Version::Foreign => return Ok(-1),
        Version::NoRights => return Ok(-2),
    };
    if applied > current_version() {
        return Ok(applied);
    }
    for (index, script) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
        tx.batch_execute(script)?;
        let version = index as i32 + 1;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&version],
        )?;
    }
    tx.commit()?;
    Ok(current_version())
}
