//! Which backend the suite runs against, and a fresh PostgreSQL database
//! per test environment.
//!
//! `TRACKER_TEST_BACKEND=postgres` (with `TRACKER_TEST_POSTGRES`, an admin
//! URL such as the one `.ci/postgres.sh start` prints) runs every test
//! against its own database, created for it and dropped after it, so tests
//! stay independent and parallel exactly as with a temp-folder file. A
//! postgres backend without a server fails every test: it never skips.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable choosing the backend: `sqlite` (default) or `postgres`.
pub const BACKEND_ENV: &str = "TRACKER_TEST_BACKEND";
/// The admin URL of the server the postgres backend creates databases on.
pub const SERVER_ENV: &str = "TRACKER_TEST_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backend this run of the suite was asked for.
pub fn selected() -> Backend {
    match std::env::var(BACKEND_ENV).as_deref() {
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        Ok("sqlite") | Ok("") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("{BACKEND_ENV}={other}: expected `sqlite` or `postgres`"),
    }
}

/// The admin URL; a postgres run without one is a broken set-up, not a
/// reason to skip.
pub fn server_url() -> String {
    match std::env::var(SERVER_ENV) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{BACKEND_ENV}=postgres needs {SERVER_ENV}, the admin URL of a PostgreSQL server; \
             `eval \"$(bash .ci/postgres.sh start /tmp/tracker-pg)\"` starts a throwaway one"
        ),
    }
}

/// Whether tests that need a PostgreSQL server must run: always under
/// the postgres backend; under `CI=true` a missing server is an error
/// even on the SQLite pass (CI starts one, so it is never silently absent).
pub fn postgres_tests_run() -> bool {
    if selected() == Backend::Postgres {
        server_url();
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") && std::env::var(SERVER_ENV).is_err() {
        panic!("CI=true but {SERVER_ENV} is unset: .ci/run starts a PostgreSQL server first");
    }
    false
}

/// `url` with its database name replaced by `name` (query kept).
pub fn with_database(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[authority_start..];
    let path_start = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(path_start);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{}{authority}/{name}{query}", &url[..authority_start])
}

/// A PostgreSQL error with the server's own message.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

pub fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "cannot connect to the test server ({SERVER_ENV}): {}",
            describe(&e)
        )
    })
}

/// `url` with its user and password replaced.
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[authority_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    format!("{}{user}:{password}@{host}", &url[..authority_start])
}

/// The login role every test's ledger is owned by and `tracker` connects
/// as: named like the `TRACKER_USER` the tests set, so the trail's
/// "recorded by" (the authenticated role on PostgreSQL) reads the same
/// on both backends.
pub const OWNER: &str = "tester";
const OWNER_PASSWORD: &str = "tester-password";

/// Creates a login role unless it exists (tests run in parallel, so a
/// concurrent creation counts as success).
pub fn ensure_role(admin: &mut postgres::Client, role: &str, password: &str) {
    let exists = |admin: &mut postgres::Client| {
        admin
            .query_one("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[&role])
            .map(|row| row.get::<_, i64>(0) == 1)
            .expect("look up role")
    };
    if exists(admin) {
        return;
    }
    let sql = format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'");
    if let Err(e) = admin.batch_execute(&sql) {
        assert!(exists(admin), "{sql}: {e}");
    }
}

/// A database of its own on the test server, owned by [`OWNER`], dropped
/// with this value (and the roles a test made with [`Database::role`]).
pub struct Database {
    admin: String,
    pub name: String,
    /// The ledger's URL: this database, as [`OWNER`].
    pub url: String,
    roles: std::sync::Mutex<Vec<String>>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Database {
    pub fn create() -> Database {
        let admin_url = server_url();
        let name = format!(
            "tracker_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = connect(&admin_url);
        ensure_role(&mut admin, OWNER, OWNER_PASSWORD);
        admin
            .batch_execute(&format!("CREATE DATABASE {name} OWNER {OWNER}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = with_user(&with_database(&admin_url, &name), OWNER, OWNER_PASSWORD);
        Database {
            admin: with_database(&admin_url, &name),
            name,
            url,
            roles: Default::default(),
        }
    }

    /// The superuser's URL for this database.
    pub fn admin_url(&self) -> &str {
        &self.admin
    }

    /// A new login role for this test only (dropped after the database),
    /// and the URL connecting to this database as it.
    pub fn role(&self, suffix: &str) -> (String, String) {
        let role = format!("{}_{suffix}", self.name);
        let password = format!("{suffix}-password");
        ensure_role(&mut connect(&self.admin), &role, &password);
        self.roles.lock().unwrap().push(role.clone());
        let url = with_user(&self.url, &role, &password);
        (role, url)
    }

    /// Every row of every table, as text, table by table in a fixed order:
    /// equal before and after a command that must change nothing.
    pub fn dump(&self) -> Vec<u8> {
        let mut client = connect(&self.admin);
        let tables: Vec<String> = client
            .query(
                "SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
                 WHERE table_type = 'BASE TABLE'
                   AND table_schema NOT IN ('pg_catalog', 'information_schema')
                 ORDER BY 1",
                &[],
            )
            .expect("list tables")
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut out = Vec::new();
        for table in tables {
            out.extend_from_slice(format!("== {table}\n").as_bytes());
            let sql = format!("SELECT t::text FROM {table} t ORDER BY 1");
            for row in client.query(sql.as_str(), &[]).expect("dump table") {
                let text: String = row.get(0);
                out.extend_from_slice(text.as_bytes());
                out.push(b'\n');
            }
        }
        out
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if std::env::var("TRACKER_TEST_KEEP").is_ok() {
            eprintln!("kept test database {}", self.name);
            return;
        }
        // One statement at a time: DROP DATABASE refuses to run inside the
        // implicit transaction of a multi-statement batch.
        let mut statements = vec![format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )];
        for role in self.roles.lock().unwrap().iter() {
            statements.push(format!("DROP ROLE IF EXISTS {role}"));
        }
        let mut admin = connect(&server_url());
        for sql in statements {
            if let Err(e) = admin.batch_execute(&sql) {
                eprintln!("{sql}: {}", describe(&e));
            }
        }
    }
}

#[test]
fn database_names_replace_the_path_and_keep_the_query() {
    assert_eq!(
        with_database("postgres://u:p@127.0.0.1:5/postgres", "t1"),
        "postgres://u:p@127.0.0.1:5/t1"
    );
    assert_eq!(
        with_database("postgresql://u@h:5/x?sslmode=disable", "t2"),
        "postgresql://u@h:5/t2?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "t3"), "postgres://h/t3");
    assert_eq!(
        with_database("postgres://h?host=/tmp", "t4"),
        "postgres://h/t4?host=/tmp"
    );
    assert_eq!(
        with_user("postgres://a:b@h:5/d?x=1", "u", "p"),
        "postgres://u:p@h:5/d?x=1"
    );
    assert_eq!(with_user("postgres://h/d", "u", "p"), "postgres://u:p@h/d");
}

/// The plumbing itself: each database is new, empty, owned by the test
/// role `tracker` connects as, and gone after the test.
#[test]
fn each_test_gets_a_fresh_database_that_is_dropped_after_it() {
    if !postgres_tests_run() {
        return;
    }
    let (name, admin) = {
        let db = Database::create();
        let mut client = connect(&db.url);
        let row = client
            .query_one(
                "SELECT current_user::text, current_database()::text,
                        (SELECT count(*) FROM information_schema.tables
                         WHERE table_schema NOT IN ('pg_catalog', 'information_schema'))",
                &[],
            )
            .unwrap();
        assert_eq!(row.get::<_, String>(0), OWNER);
        assert_eq!(row.get::<_, String>(1), db.name);
        assert_eq!(row.get::<_, i64>(2), 0);
        let (role, url) = db.role("probe");
        assert_eq!(
            connect(&url)
                .query_one("SELECT session_user::text", &[])
                .unwrap()
                .get::<_, String>(0),
            role
        );
        (db.name.clone(), server_url())
    };
    let mut client = connect(&admin);
    let left: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM pg_database WHERE datname = $1)
                  + (SELECT count(*) FROM pg_roles WHERE rolname LIKE $1 || '%')",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "{name} or its roles outlived the test");
}
