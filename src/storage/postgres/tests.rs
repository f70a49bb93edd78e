//! Tests of the PostgreSQL backend against a real server.
//!
//! `TRACKER_TEST_POSTGRES` names a server where the tests may create and
//! drop databases and roles (an admin URL, e.g.
//! `postgres://postgres@127.0.0.1:55432/postgres`); each test works in a
//! database of its own and drops it at the end. Without the variable the
//! tests say so and pass, except under `CI=true`, where a missing server
//! is a failure: CI must never pass by skipping PostgreSQL.
//!
//! All data here is synthetic.

use super::super::*;
use super::connect::connect;
use super::{PgLedger, ROLES_SQL, migrate};
use crate::model::{Entry, Kind, Observation, Qualifier, Quantity};
use crate::targets_file::parse_target_file;
use ::postgres::Client;
use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const SERVER_ENV: &str = "TRACKER_TEST_POSTGRES";

/// The password of the roles the tests create (synthetic; the test server
/// may authenticate with SCRAM).
const ROLE_PASSWORD: &str = "synthetic-test-password";

/// The admin URL, or None (outside CI) when no server is configured.
fn server() -> Option<String> {
    match std::env::var(SERVER_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {SERVER_ENV} is not set: the PostgreSQL tests must run in CI")
        }
        _ => {
            eprintln!("skipped: set {SERVER_ENV}=postgres://… to run the PostgreSQL tests");
            None
        }
    }
}

/// `url` with its database replaced by `db` (query parameters kept).
fn with_database(url: &str, db: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let (main, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority_end = main[scheme_end..]
        .find('/')
        .map_or(main.len(), |i| scheme_end + i);
    format!("{}/{db}{query}", &main[..authority_end])
}

fn client(url: &str) -> Client {
    connect(url, &Location::Url(url.to_string())).expect("connect to the test server")
}

/// A database of its own for one test, dropped at the end.
struct TestDb {
    admin: String,
    name: String,
    url: String,
}

impl TestDb {
    fn new(tag: &str) -> Option<TestDb> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let admin = server()?;
        let name = format!(
            "tracker_test_{}_{}_{tag}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = client(&admin);
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let url = with_database(&admin, &name);
        Some(TestDb { admin, name, url })
    }

    /// The URL as `role`, logging in with [`ROLE_PASSWORD`] (same server
    /// and database).
    fn url_as(&self, role: &str) -> String {
        let scheme_end = self.url.find("://").unwrap() + 3;
        let rest = &self.url[scheme_end..];
        let host = rest.rfind('@').map_or(rest, |at| &rest[at + 1..]);
        format!("{}{role}:{ROLE_PASSWORD}@{host}", &self.url[..scheme_end])
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = connect(&self.admin, &Location::Url(self.admin.clone())) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The synthetic targets every backend's tests use.
use crate::storage::import::contract::SYNTHETIC_TARGETS as SYNTHETIC;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap()
}

fn seeded(url: &str) -> Ledger {
    let mut ledger = Ledger::create(Location::Url(url.to_string())).unwrap();
    let parsed = parse_target_file(SYNTHETIC, "synthetic.toml").unwrap();
    ledger
        .import_targets(&parsed.targets, "test", now())
        .unwrap();
    ledger
}

fn row(target: &str, value: i64, start: &str, end: &str, source: &str) -> NewObservation {
    NewObservation {
        target_id: target.to_string(),
        quantity: Quantity {
            value: Decimal::from(value),
            qualifier: Qualifier::Exact,
        },
        period: Period {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        },
        source: source.to_string(),
        url: None,
        note: None,
        recorded_by: "test".to_string(),
    }
}

/// Import items as a source that asks for a definition before each.
struct Items(std::vec::IntoIter<ImportItem>, usize);

impl ImportSource for Items {
    fn next_item(&mut self, definitions: &mut Definitions<'_>) -> Option<ImportItem> {
        let def = definitions("syn-level").expect("a lookup inside the import");
        assert_eq!(def.map(|d| d.kind), Some(Kind::Level));
        self.1 += 1;
        self.0.next()
    }
}

/// `rows` as an import source, the first on line 2 (after a header).
fn source(rows: &[NewObservation]) -> std::vec::IntoIter<ImportRow> {
    rows.iter()
        .enumerate()
        .map(|(i, observation)| ImportRow {
            line: i as u64 + 2,
            observation: observation.clone(),
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// Everything a report and the trail show, minus who recorded it (the
/// database decides that on PostgreSQL).
fn state(ledger: &Ledger) -> (Vec<(String, Vec<Observation>)>, Vec<Entry>) {
    let mut targets = Vec::new();
    ledger
        .for_each_target(None, |def, obs| {
            targets.push((def.id, obs.to_vec()));
            Ok(())
        })
        .unwrap();
    let entries = ledger
        .entries(None)
        .unwrap()
        .into_iter()
        .map(|mut e| {
            e.recorded_by = String::new();
            e
        })
        .collect();
    (targets, entries)
}

/// The same writes on SQLite and PostgreSQL leave the same ledger: same
/// ids, values, periods, times, the same refusals with the same words.
#[test]
fn same_writes_same_ledger_as_sqlite() {
    let Some(db) = TestDb::new("same") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut pg = seeded(&db.url);
    let mut sqlite = Ledger::from(SqliteLedger::create(&dir.path().join("l.db")).unwrap());
    let parsed = parse_target_file(SYNTHETIC, "synthetic.toml").unwrap();
    sqlite
        .import_targets(&parsed.targets, "test", now())
        .unwrap();
    for ledger in [&mut pg, &mut sqlite] {
        let a = ledger
            .record(&row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"), now())
            .unwrap();
        assert_eq!(a, 1);
        ledger
            .record(&row("syn-level", 7, "2022-01-01", "2022-01-01", "s"), now())
            .unwrap();
        let err = ledger
            .record(&row("syn-sum", 5, "2021-06-01", "2022-06-30", "s"), now())
            .unwrap_err();
        assert!(matches!(err, StorageError::Conflict(_)), "{err}");
        let correction = Correction {
            supersedes: 1,
            quantity: Quantity {
                value: "5.50".parse().unwrap(),
                qualifier: Qualifier::About,
            },
            period: None,
            source: None,
            url: None,
            note: Some("synthetic note".into()),
            reason: "typo".into(),
            recorded_by: "test".into(),
        };
        assert_eq!(ledger.correct(&correction, now()).unwrap(), 3);
        let again = ledger.correct(&correction, now()).unwrap_err();
        assert!(
            again.to_string().contains("already corrected by #3"),
            "{again}"
        );
        assert_eq!(ledger.retract(2, "wrong", "test", now()).unwrap(), 4);
        let twice = ledger.retract(2, "wrong", "test", now()).unwrap_err();
        assert!(twice.to_string().contains("already retracted"), "{twice}");
        let mut def = ledger.target("syn-level", None).unwrap();
        def.title = "synthetic level, amended".into();
        assert_eq!(
            ledger.amend_target(&def, "clearer", "test", now()).unwrap(),
            2
        );
    }
    assert_eq!(state(&pg), state(&sqlite));
    let overlap = |l: &mut Ledger| {
        l.record(&row("syn-sum", 1, "2021-03-01", "2021-03-31", "s"), now())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(overlap(&mut pg), overlap(&mut sqlite));
    let versions = |l: &Ledger| -> Vec<_> {
        l.target_versions(None)
            .unwrap()
            .into_iter()
            .map(|v| (v.def, v.version, v.recorded_at, v.reason))
            .collect()
    };
    assert_eq!(versions(&pg), versions(&sqlite));
    let before = now() - chrono::Duration::days(1);
    assert!(pg.target("syn-sum", Some(before)).is_err());
    assert_eq!(pg.check().unwrap(), Vec::<String>::new());
    assert_eq!(pg.entries_between(None, now()).unwrap().len(), 4);
    assert_eq!(pg.entries_between(Some(now()), now()).unwrap().len(), 0);
    assert_eq!(pg.target_versions_between(None, now()).unwrap().len(), 3);
    assert_eq!(pg.latest_mark(None).unwrap(), None);
    let later = now() + chrono::Duration::microseconds(1_234_567);
    pg.add_mark(None, later, later, "x").unwrap();
    pg.add_mark(Some("nightly"), now(), now(), "x").unwrap();
    let ms = |t: chrono::DateTime<Utc>| crate::storage::timestamp(t);
    assert_eq!(
        pg.latest_mark(None).unwrap().map(ms),
        Some("2026-01-15T10:00:01.234Z".to_string()),
        "the ledger's millisecond"
    );
    assert_eq!(pg.latest_mark(Some("nightly")).unwrap(), Some(now()));
    assert_eq!(pg.latest_mark(Some("other")).unwrap(), None);
}

/// A restore gives SQLite's summary and ledger: into a fresh ledger, again
/// (everything present), and into one that already holds part of it.
#[test]
fn restore_matches_sqlite() {
    let Some(db) = TestDb::new("restore") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let parsed = parse_target_file(SYNTHETIC, "synthetic.toml").unwrap();
    let mut origin = Ledger::from(SqliteLedger::create(&dir.path().join("o.db")).unwrap());
    origin
        .import_targets(&parsed.targets, "test", now())
        .unwrap();
    let twice = row("syn-level", 3, "2022-01-01", "2022-01-01", "s");
    for r in [
        row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"),
        twice.clone(),
        twice,
        row("syn-sum", 6, "2022-01-01", "2022-12-31", "s"),
    ] {
        origin.record(&r, now()).unwrap();
    }
    origin.retract(1, "wrong", "test", now()).unwrap();
    let versions = origin.target_versions(None).unwrap();
    let entries = origin.entries(None).unwrap();
    let mut pg = seeded(&db.url);
    let mut sqlite = Ledger::from(SqliteLedger::create(&dir.path().join("l.db")).unwrap());
    sqlite
        .import_targets(&parsed.targets, "test", now())
        .unwrap();
    pg.record(&row("syn-sum", 6, "2022-01-01", "2022-12-31", "s"), now())
        .unwrap();
    sqlite
        .record(&row("syn-sum", 6, "2022-01-01", "2022-12-31", "s"), now())
        .unwrap();
    for _ in 0..2 {
        let a = pg.restore(&versions, &entries).unwrap();
        let b = sqlite.restore(&versions, &entries).unwrap();
        assert_eq!(a, b);
        assert_eq!(state(&pg), state(&sqlite));
    }
    let overlapping = [Entry {
        id: 99,
        ..origin.entries(None).unwrap()[3].clone()
    }];
    let mut shifted = overlapping.clone();
    shifted[0].period = Some(Period {
        start: "2022-06-01".parse().unwrap(),
        end: "2023-06-30".parse().unwrap(),
    });
    let a = pg.restore(&versions, &shifted).unwrap_err().to_string();
    let b = sqlite.restore(&versions, &shifted).unwrap_err().to_string();
    assert_eq!(a, b);
}

/// The import's outcome, ids included, is SQLite's: skips, conflicts
/// naming the entry or row, check-only writes nothing, all or nothing.
#[test]
fn import_matches_sqlite() {
    let Some(db) = TestDb::new("import") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut pg = seeded(&db.url);
    let mut sqlite = Ledger::from(SqliteLedger::create(&dir.path().join("l.db")).unwrap());
    let parsed = parse_target_file(SYNTHETIC, "synthetic.toml").unwrap();
    sqlite
        .import_targets(&parsed.targets, "test", now())
        .unwrap();
    let first = [
        row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"),
        row("syn-sum", 7, "2022-01-01", "2022-06-30", "s"),
        row("syn-sum", 7, "2022-01-01", "2022-06-30", "s"),
        row("syn-level", 3, "2022-01-01", "2022-01-01", "s"),
        row("syn-level", 3, "2022-01-01", "2022-01-01", "t\ttab\\slash"),
    ];
    let second = [
        row("syn-sum", 1, "2023-01-01", "2023-03-31", "s"),
        row("syn-sum", 1, "2022-06-01", "2022-07-31", "s"),
        row("syn-sum", 1, "2023-02-01", "2023-02-28", "s"),
        row("nope", 1, "2023-02-01", "2023-02-28", "s"),
    ];
    for ledger in [&mut pg, &mut sqlite] {
        ledger.record(&first[0], now()).unwrap();
    }
    for (rows, mode) in [
        (&first[..], ImportMode::Write),
        (&first[..], ImportMode::Write),
        (&second[..], ImportMode::CheckOnly),
        (&second[..], ImportMode::Write),
        (&second[..1], ImportMode::CheckOnly),
        (&second[..1], ImportMode::Write),
    ] {
        let a = pg
            .import_observations(&mut source(rows), now(), mode)
            .unwrap();
        let b = sqlite
            .import_observations(&mut source(rows), now(), mode)
            .unwrap();
        assert_eq!(a, b, "{mode:?}");
        assert_eq!(state(&pg), state(&sqlite));
    }
    assert_eq!(pg.entry_count().unwrap(), 5);
    // A refused line or a stopped source writes nothing; the source looks
    // definitions up in the importing transaction.
    for last in [ImportItem::Refused { line: 9 }, ImportItem::Stop] {
        let fine = ImportRow {
            line: 8,
            observation: row("syn-level", 9, "2023-05-01", "2023-05-01", "s"),
        };
        let items = vec![ImportItem::Row(fine), last];
        let a = pg
            .import_observations(
                &mut Items(items.clone().into_iter(), 0),
                now(),
                ImportMode::Write,
            )
            .unwrap();
        let b = sqlite
            .import_observations(&mut Items(items.into_iter(), 0), now(), ImportMode::Write)
            .unwrap();
        assert_eq!(a, b);
        assert!(!a.written && a.added == 0, "{a:?}");
        assert_eq!(state(&pg), state(&sqlite));
    }
    // A row spanning two entries names the one with the lower id, which
    // here is the one ending after the row.
    let later_first = [
        row("syn-sum", 1, "2024-07-01", "2024-12-31", "s"),
        row("syn-sum", 1, "2024-01-01", "2024-06-30", "s"),
    ];
    let spanning = [row("syn-sum", 2, "2024-03-01", "2024-09-30", "s")];
    for ledger in [&mut pg, &mut sqlite] {
        for r in &later_first {
            ledger.record(r, now()).unwrap();
        }
    }
    let a = pg
        .import_observations(&mut source(&spanning), now(), ImportMode::Write)
        .unwrap();
    let b = sqlite
        .import_observations(&mut source(&spanning), now(), ImportMode::Write)
        .unwrap();
    assert_eq!(a, b);
    assert!(
        matches!(
            a.conflicts[..],
            [RowConflict {
                line: 2,
                conflict: ImportConflict::OverlapsEntry { id: 6, .. },
                ..
            }]
        ),
        "{a:?}"
    );
}

/// UPDATE, DELETE and TRUNCATE of the trail are refused by the database,
/// whoever asks (here the server's superuser, bypassing tracker).
#[test]
fn the_database_refuses_changes_to_the_trail() {
    let Some(db) = TestDb::new("trail") else {
        return;
    };
    let mut ledger = seeded(&db.url);
    ledger
        .record(&row("syn-level", 1, "2022-01-01", "2022-01-01", "s"), now())
        .unwrap();
    let mut raw = client(&db.url);
    for sql in [
        "UPDATE observations SET value = 2",
        "DELETE FROM observations",
        "TRUNCATE observations CASCADE",
        "UPDATE target_versions SET title = 'x'",
        "DELETE FROM target_versions",
        "DELETE FROM targets",
        "TRUNCATE targets CASCADE",
        "INSERT INTO observations (target_id, action, value, qualifier, period_start, period_end,
            source, recorded_by, recorded_at, supersedes, reason)
         SELECT target_id, 'correct', 1, 'exact', period_start, period_end, source, 'x',
            recorded_at, id, 'r' FROM observations WHERE id = 12345",
    ] {
        let result = raw.batch_execute(sql);
        if sql.contains("12345") {
            assert!(result.is_ok(), "inserting nothing is fine");
            continue;
        }
        let err = result.expect_err(sql);
        let mapped = StorageError::from(err);
        assert!(
            matches!(mapped, StorageError::Invalid(ref m) if m.contains("append-only") || m.contains("never deleted")),
            "{sql}: {mapped}"
        );
    }
    assert_eq!(ledger.entry_count().unwrap(), 1);
    // Overlapping amounts slipped in by hand are found by `check`.
    for period in ["2021-01-01', '2021-12-31", "2021-06-01', '2022-06-30"] {
        raw.batch_execute(&format!(
            "INSERT INTO observations (target_id, action, value, qualifier, period_start,
                period_end, source, recorded_at)
             VALUES ('syn-sum', 'record', 1, 'exact', '{period}', 's', now())"
        ))
        .unwrap();
    }
    let problems = ledger.check().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("1 current observation(s)")),
        "{problems:?}"
    );
    // Disabling a guard is visible to `check`.
    raw.batch_execute("ALTER TABLE observations DISABLE TRIGGER observations_no_delete")
        .unwrap();
    let problems = ledger.check().unwrap();
    assert!(
        problems.iter().any(|p| p.contains("disabled")),
        "{problems:?}"
    );
}

/// The author is the authenticated role, not the name the client claims;
/// roles.sql's reader may not write, its writer may not alter the trail,
/// and only an owner restores other people's entries.
#[test]
fn roles_and_authors() {
    let Some(db) = TestDb::new("roles") else {
        return;
    };
    let mut admin = client(&db.url);
    admin.batch_execute(ROLES_SQL).unwrap();
    let (owner, writer, reader, nobody) = (
        format!("{}_o", db.name),
        format!("{}_w", db.name),
        format!("{}_r", db.name),
        format!("{}_n", db.name),
    );
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {owner}; DROP ROLE IF EXISTS {writer}; DROP ROLE IF EXISTS {reader};
             CREATE ROLE {owner} LOGIN PASSWORD '{ROLE_PASSWORD}' IN ROLE tracker_owner;
             CREATE ROLE {writer} LOGIN PASSWORD '{ROLE_PASSWORD}' IN ROLE tracker_writer;
             CREATE ROLE {reader} LOGIN PASSWORD '{ROLE_PASSWORD}' IN ROLE tracker_reader;
             DROP ROLE IF EXISTS {nobody};
             CREATE ROLE {nobody} LOGIN PASSWORD '{ROLE_PASSWORD}';"
        ))
        .unwrap();
    let cleanup = RoleCleanup {
        admin: db.admin.clone(),
        db: db.name.clone(),
        roles: vec![
            owner.clone(),
            writer.clone(),
            reader.clone(),
            nobody.clone(),
        ],
    };
    drop(seeded(&db.url_as(&owner)));
    let owned: String = admin
        .query_one(
            "SELECT tableowner::text FROM pg_tables WHERE tablename = 'observations'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(owned, "tracker_owner");

    // A role without rights is told so; it is never offered, nor given, a
    // second ledger.
    for result in [
        Ledger::open(Location::Url(db.url_as(&nobody)), Access::ReadOnly).err(),
        Ledger::create(Location::Url(db.url_as(&nobody))).err(),
    ] {
        let err = result.expect("a role without rights cannot use the ledger");
        assert!(
            matches!(err, StorageError::CannotOpen { ref reason, .. } if reason.contains("no rights")),
            "{err}"
        );
    }

    // The writer records; the trail names the writer, not the claim.
    let mut w = Ledger::open(Location::Url(db.url_as(&writer)), Access::ReadWrite).unwrap();
    let mut claimed = row("syn-level", 1, "2022-01-01", "2022-01-01", "s");
    claimed.recorded_by = "mallory".into();
    let id = w.record(&claimed, now()).unwrap();
    assert_eq!(w.entry(id).unwrap().recorded_by, writer);
    let mut raw_writer = client(&db.url_as(&writer));
    for sql in [
        "UPDATE observations SET note = 'x'",
        "DELETE FROM observations",
        "INSERT INTO schema_version (version) VALUES (99)",
    ] {
        let err = StorageError::from(raw_writer.batch_execute(sql).expect_err(sql));
        assert!(
            matches!(
                err,
                StorageError::ReadOnly {
                    why: ReadOnly::Role,
                    ..
                }
            ),
            "{sql}: {err}"
        );
    }
    // The writer cannot restore someone else's entries under their names.
    let mut foreign = w.entries(None).unwrap();
    foreign[0].recorded_by = "someone-else".into();
    foreign[0].source = "another source".into();
    let versions = w.target_versions(None).unwrap();
    let refused = w.restore(&versions, &foreign).unwrap_err();
    assert!(refused.to_string().contains("owner role"), "{refused}");

    // The reader reads, and is refused writing before any work.
    let r = Ledger::open(Location::Url(db.url_as(&reader)), Access::ReadOnly).unwrap();
    assert_eq!(r.entry_count().unwrap(), 1);
    let refused = Ledger::open(Location::Url(db.url_as(&reader)), Access::ReadWrite)
        .err()
        .expect("a reader cannot open for writing");
    assert!(
        matches!(
            refused,
            StorageError::ReadOnly {
                why: ReadOnly::Role,
                ..
            }
        ),
        "{refused}"
    );
    let mut raw_reader = client(&db.url_as(&reader));
    let err = raw_reader
        .batch_execute("INSERT INTO marks (marked_until, recorded_at) VALUES (now(), now())")
        .unwrap_err();
    assert!(matches!(
        StorageError::from(err),
        StorageError::ReadOnly { .. }
    ));

    // The owner restores with the original authors.
    let mut o = Ledger::open(Location::Url(db.url_as(&owner)), Access::ReadWrite).unwrap();
    let summary = o.restore(&versions, &foreign).unwrap();
    assert_eq!(summary.entries_added, 1);
    let authors: Vec<String> = o
        .entries(None)
        .unwrap()
        .into_iter()
        .map(|e| e.recorded_by)
        .collect();
    assert_eq!(authors, [writer.clone(), "someone-else".to_string()]);
    drop((w, r, o, raw_writer, raw_reader, admin));
    drop(db);
    drop(cleanup);
}

struct RoleCleanup {
    admin: String,
    db: String,
    roles: Vec<String>,
}

impl Drop for RoleCleanup {
    fn drop(&mut self) {
        if let Ok(mut c) = connect(&self.admin, &Location::Url(self.admin.clone())) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
            for role in &self.roles {
                let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
            }
        }
    }
}

/// Opening: an empty database is no ledger yet; a newer schema is refused
/// as a newer SQLite ledger is; a server that is not there, or a database
/// that does not exist, cannot be opened (exit 4), password unseen.
#[test]
fn opening_errors_by_kind() {
    let Some(db) = TestDb::new("open") else {
        return;
    };
    let url = Location::Url(db.url.clone());
    assert!(matches!(
        Ledger::open(url.clone(), Access::ReadOnly),
        Err(StorageError::NotFound { .. })
    ));
    drop(seeded(&db.url));
    assert!(matches!(
        Ledger::create(url.clone()),
        Err(StorageError::AlreadyExists { .. })
    ));
    client(&db.url)
        .batch_execute("INSERT INTO schema_version (version) VALUES (99)")
        .unwrap();
    match Ledger::open(url.clone(), Access::ReadOnly) {
        Err(StorageError::TooNew {
            found, supported, ..
        }) => {
            assert_eq!((found, supported), (99, migrate::current_version()));
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
    let missing = with_database(&db.url, "tracker_no_such_database");
    let err = Ledger::open(Location::Url(missing), Access::ReadOnly)
        .err()
        .unwrap();
    assert!(
        matches!(err, StorageError::CannotOpen { ref reason, .. } if reason.contains("createdb")),
        "{err}"
    );
    let err = Ledger::open(
        Location::Url("postgres://ann:s3cret@127.0.0.1:1/x?connect_timeout=2".into()),
        Access::ReadOnly,
    )
    .err()
    .unwrap();
    assert!(matches!(err, StorageError::CannotOpen { .. }), "{err}");
    assert!(!err.to_string().contains("s3cret"), "{err}");
}

/// Two writers on two connections can never both pass the overlap check:
/// one amount is recorded, the other refused.
#[test]
fn concurrent_writers_cannot_both_pass_a_check() {
    let Some(db) = TestDb::new("race") else {
        return;
    };
    drop(seeded(&db.url));
    let results: Vec<StorageResult<i64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let url = db.url.clone();
                s.spawn(move || {
                    let mut l = Ledger::open(Location::Url(url), Access::ReadWrite)?;
                    l.record(&row("syn-sum", i, "2024-01-01", "2024-12-31", "s"), now())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let ledger = Ledger::open(Location::Url(db.url.clone()), Access::ReadOnly).unwrap();
    assert_eq!(ledger.entry_count().unwrap(), 1);
    assert_eq!(
        ledger.target("syn-sum", None).unwrap().kind,
        Kind::Cumulative
    );
}

/// A writer that waits longer than its lock timeout for another is told
/// the ledger is busy, and writes nothing; a value the schema refuses is
/// invalid data, not a database failure.
#[test]
fn waiting_too_long_is_busy_and_bad_rows_are_invalid() {
    let Some(db) = TestDb::new("busy") else {
        return;
    };
    drop(seeded(&db.url));
    let mut holder = client(&db.url);
    let mut held = holder.transaction().unwrap();
    held.execute("SELECT pg_advisory_xact_lock($1)", &[&super::LEDGER_LOCK])
        .unwrap();
    let mut ledger = PgLedger::open(&db.url, Access::ReadWrite).unwrap();
    ledger
        .client
        .borrow_mut()
        .batch_execute("SET lock_timeout = 200")
        .unwrap();
    let err = ledger
        .record(&row("syn-level", 1, "2022-01-01", "2022-01-01", "s"), now())
        .unwrap_err();
    assert!(matches!(err, StorageError::Busy), "{err}");
    held.rollback().unwrap();
    assert_eq!(ledger.entry_count().unwrap(), 0);
    let err = client(&db.url)
        .batch_execute(
            "INSERT INTO observations (target_id, action, source, recorded_at)
             VALUES ('syn-level', 'bogus', 's', now())",
        )
        .unwrap_err();
    assert!(matches!(StorageError::from(err), StorageError::Invalid(_)));
}

/// `backup` writes a SQLite ledger holding the same targets and trail.
#[test]
fn backup_writes_a_sqlite_copy() {
    let Some(db) = TestDb::new("backup") else {
        return;
    };
    let mut pg = seeded(&db.url);
    pg.record(&row("syn-sum", 5, "2021-01-01", "2021-12-31", "s"), now())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("copy.db");
    pg.backup_to(&dest).unwrap();
    let copy = Ledger::open(&dest, Access::ReadOnly).unwrap();
    assert_eq!(state(&copy), state(&pg));
    assert!(matches!(
        pg.backup_to(&dest),
        Err(StorageError::AlreadyExists { .. })
    ));
}

/// `sslmode=require` encrypts when the server offers TLS, and fails to
/// connect (never silently in clear) when it does not.
#[test]
fn sslmode_require_is_honoured() {
    let Some(db) = TestDb::new("tls") else {
        return;
    };
    let ssl_on = client(&db.url)
        .query_one("SHOW ssl", &[])
        .unwrap()
        .get::<_, String>(0)
        == "on";
    let separator = if db.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}sslmode=require", db.url);
    match connect(&url, &Location::Url(url.clone())) {
        Ok(mut c) => {
            assert!(
                ssl_on,
                "connected with sslmode=require to a server without TLS"
            );
            let encrypted: bool = c
                .query_one(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    &[],
                )
                .unwrap()
                .get(0);
            assert!(encrypted);
        }
        Err(e) => {
            assert!(!ssl_on, "{e}");
            assert!(matches!(e, StorageError::CannotOpen { .. }), "{e}");
        }
    }
    let url = format!(
        "{}{separator}sslmode=verify-full&sslrootcert=/nonexistent",
        db.url
    );
    assert!(connect(&url, &Location::Url(url.clone())).is_err());
}

#[test]
fn database_urls_are_rewritten_for_a_test_database() {
    assert_eq!(
        with_database("postgres://u@h:1/postgres?sslmode=disable", "x"),
        "postgres://u@h:1/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    let _ = PgLedger::create;
}
