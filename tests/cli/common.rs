//! The test environment: a temp folder, a cleared environment, a fixed
//! clock and width, and a ledger on the backend the run selects
//! (`TRACKER_TEST_BACKEND`, see `backend.rs`): a file in the temp folder, or
//! a fresh PostgreSQL database of its own.
//!
//! Tests that are inherently about files (read-only files and folders,
//! side files, backups, the default location, sniffing a file's kind) say
//! so with [`TestEnv::sqlite_only`]: they run on a file ledger on every
//! pass. Tests that need a server use [`TestEnv::postgres_only`].

use crate::backend::{self, Backend, Database};
use assert_cmd::Command;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The clock every test runs at unless it says otherwise.
pub const NOW: &str = "2025-06-30T12:00:00Z";

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub now: String,
    /// The test's own database under the postgres backend.
    pg: Option<Database>,
}

impl TestEnv {
    /// An environment on the selected backend, with no ledger yet.
    pub fn new() -> Self {
        let pg = (backend::selected() == Backend::Postgres).then(Database::create);
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
            now: NOW.to_string(),
            pg,
        }
    }

    /// A fresh env with an initialised, seeded ledger.
    pub fn seeded() -> Self {
        let env = TestEnv::new();
        env.tracker(&["init"]).assert().success();
        env
    }

    /// An env whose ledger is a SQLite file whatever the selected backend:
    /// for tests about files themselves (permissions, side files, backups,
    /// the default location, file kinds), which have no PostgreSQL meaning.
    pub fn sqlite_only() -> Self {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
            now: NOW.to_string(),
            pg: None,
        }
    }

    /// [`Self::sqlite_only`], initialised and seeded.
    pub fn seeded_sqlite_only() -> Self {
        let env = TestEnv::sqlite_only();
        env.tracker(&["init"]).assert().success();
        env
    }

    /// An env on PostgreSQL, for tests of what only a server has (roles,
    /// many machines' connections); `None` on the SQLite pass, which says
    /// so on stderr. Under `CI=true` a missing server fails the test.
    pub fn postgres_only() -> Option<Self> {
        if backend::postgres_tests_run() {
            return Some(TestEnv::new());
        }
        eprintln!(
            "PostgreSQL-only test: runs with {}=postgres",
            backend::BACKEND_ENV
        );
        None
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The test's database on the server (postgres backend only).
    pub fn database(&self) -> Option<&Database> {
        self.pg.as_ref()
    }

    /// Whether the ledger is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Who the trail says recorded an entry whose author was given as
    /// `claimed` (`--by`, `TRACKER_USER`, a CSV's `recorded_by`, the config
    /// file): that name in a file ledger; on PostgreSQL the role the
    /// client authenticated as, whatever it claims.
    pub fn recorded_by<'a>(&self, claimed: &'a str) -> &'a str {
        match self.pg {
            Some(_) => backend::OWNER,
            None => claimed,
        }
    }

    /// The ledger file of a SQLite env. A test that reads or changes the
    /// file itself is about files: it must be [`Self::sqlite_only`].
    pub fn db(&self) -> PathBuf {
        assert!(
            self.pg.is_none(),
            "this test uses the ledger file: make it TestEnv::sqlite_only(), \
             or use env.ledger() / env.snapshot() / env.query()"
        );
        self.path("ledger.db")
    }

    /// Where the ledger lives, as `--db`/`TRACKER_DB` takes it: the file,
    /// or the database URL.
    pub fn ledger(&self) -> OsString {
        match &self.pg {
            Some(db) => db.url.clone().into(),
            None => self.path("ledger.db").into_os_string(),
        }
    }

    /// The ledger's whole content, to show that a failed command changed
    /// nothing: the file's bytes, or every row of the database.
    pub fn snapshot(&self) -> Vec<u8> {
        match &self.pg {
            Some(db) => db.dump(),
            None => snapshot(&self.db()),
        }
    }

    /// Rows of a read-only SQL query (portable SQL) against the ledger,
    /// each value as text (`None` for NULL); on PostgreSQL as the
    /// superuser, who sees every schema.
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.pg {
            Some(db) => query_postgres(db.admin_url(), sql),
            None => query_sqlite(&self.db(), sql),
        }
    }

    /// The single integer a query such as `SELECT count(*) ...` returns.
    pub fn query_i64(&self, sql: &str) -> i64 {
        let rows = self.query(sql);
        let text = rows
            .first()
            .and_then(|r| r.first())
            .cloned()
            .flatten()
            .unwrap_or_else(|| panic!("{sql}: no value"));
        text.parse().unwrap_or_else(|_| panic!("{sql}: {text}"))
    }

    /// Runs one SQL statement on the ledger behind `tracker`'s back (as
    /// the ledger's owner role on PostgreSQL): what a client bypassing
    /// `tracker` can and cannot do. Rows changed, or the refusal.
    pub fn execute(&self, sql: &str) -> Result<u64, String> {
        self.session().execute(sql)
    }

    /// SQL written for SQLite in the spelling of the env's backend (the
    /// tests' hand-made rows use `char(n)`, which PostgreSQL spells
    /// `chr(n)`).
    pub fn dialect(&self, sql: &str) -> String {
        match &self.pg {
            Some(_) => sql.replace("char(", "chr("),
            None => sql.to_string(),
        }
    }

    /// A connection of its own to the ledger, bypassing `tracker`, for
    /// several statements (a transaction, say).
    pub fn session(&self) -> SqlSession {
        match &self.pg {
            Some(db) => SqlSession::Postgres(Box::new(backend::connect(&db.url))),
            None => SqlSession::Sqlite(rusqlite::Connection::open(self.db()).expect("open ledger")),
        }
    }

    /// `tracker ARGS` against the env's ledger.
    pub fn tracker(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare();
        cmd.env("TRACKER_DB", self.ledger());
        cmd.args(args);
        cmd
    }

    /// [`Self::tracker`] as a plain process, for tests that spawn and
    /// kill it or run many at once.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tracker"));
        cmd.env_clear()
            .env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("home/.local/share"))
            .env("TRACKER_NOW", &self.now)
            .env("TRACKER_USER", "tester")
            .env("COLUMNS", "100")
            .env("TRACKER_DB", self.ledger())
            .current_dir(self.dir.path())
            .args(args);
        cmd
    }

    /// `tracker` with the cleared environment but no ledger chosen: the
    /// default location lives under this env's fake home.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("tracker").expect("binary");
        cmd.env_clear()
            .env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("home/.local/share"))
            .env("TRACKER_NOW", &self.now)
            .env("TRACKER_USER", "tester")
            .env("COLUMNS", "100")
            .current_dir(self.dir.path());
        cmd
    }

    /// `tracker ARGS` run the way a person at a terminal runs it: stdin,
    /// stdout and stderr are a pseudo-terminal (made by util-linux
    /// `script`) of `cols` columns, and `COLUMNS` is unset so the width
    /// comes from the terminal itself; no colour, so widths can be
    /// measured. `ledger` chooses `--db` (via `TRACKER_DB`) or, with `None`,
    /// the default location. Returns the exit code and what the terminal
    /// showed (stdout and stderr, `\r\n` as `\n`).
    pub fn in_terminal(&self, ledger: Option<&OsStr>, args: &[&str], cols: u16) -> (i32, String) {
        self.in_terminal_with(ledger, args, cols, &[("TRACKER_COLOR", "never")])
    }

    /// [`Self::in_terminal`] with `extra` environment variables and the
    /// colour left to them and the terminal.
    pub fn in_terminal_with(
        &self,
        ledger: Option<&OsStr>,
        args: &[&str],
        cols: u16,
        extra: &[(&str, &str)],
    ) -> (i32, String) {
        let binary = assert_cmd::cargo::cargo_bin("tracker");
        let mut words = vec![binary.to_string_lossy().into_owned()];
        words.extend(args.iter().map(|a| a.to_string()));
        let line = format!(
            "stty cols {cols} rows 50 && exec {}",
            shell_words::join(&words)
        );
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .env_clear()
            .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
            .env("TERM", "xterm")
            .env("HOME", self.path("home"))
            .env("XDG_DATA_HOME", self.path("home/.local/share"))
            .env("TRACKER_NOW", &self.now)
            .env("TRACKER_USER", "tester")
            .stdin(std::process::Stdio::null())
            .current_dir(self.dir.path());
        if let Some(ledger) = ledger {
            cmd.env("TRACKER_DB", ledger);
        }
        for (key, value) in extra {
            cmd.env(key, value);
        }
        let output = cmd.output().expect("util-linux `script` runs");
        let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
        (output.status.code().unwrap_or(-1), text)
    }

    /// Runs and returns stdout, asserting success.
    pub fn stdout(&self, args: &[&str]) -> String {
        let output = self.tracker(args).output().expect("run");
        assert!(
            output.status.success(),
            "tracker {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// The report as CSV records (header checked), for assertions by column.
    pub fn report_csv(&self, args: &[&str]) -> Vec<csv::StringRecord> {
        let mut full = vec!["report", "--csv"];
        full.extend_from_slice(args);
        let out = self.stdout(&full);
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        assert_eq!(reader.headers().expect("header").get(0), Some("id"));
        reader.records().map(|r| r.expect("record")).collect()
    }
}

/// A direct connection to a test's ledger.
pub enum SqlSession {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl SqlSession {
    /// Runs statements (several, separated by `;`, for the SQLite
    /// `execute_batch` / PostgreSQL simple-query protocol); rows changed by
    /// a single statement, or the database's refusal as text.
    pub fn execute(&mut self, sql: &str) -> Result<u64, String> {
        match self {
            SqlSession::Sqlite(conn) => conn
                .execute(sql, [])
                .map(|n| n as u64)
                .map_err(|e| e.to_string()),
            SqlSession::Postgres(client) => {
                client.execute(sql, &[]).map_err(|e| backend::describe(&e))
            }
        }
    }

    /// Runs several statements separated by `;`.
    pub fn batch(&mut self, sql: &str) -> Result<(), String> {
        match self {
            SqlSession::Sqlite(conn) => conn.execute_batch(sql).map_err(|e| e.to_string()),
            SqlSession::Postgres(client) => {
                client.batch_execute(sql).map_err(|e| backend::describe(&e))
            }
        }
    }
}

/// The bytes of a ledger file, to show a failed command changed nothing.
pub fn snapshot(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("ledger file")
}

fn query_sqlite(path: &Path, sql: &str) -> Vec<Vec<Option<String>>> {
    use rusqlite::types::ValueRef;
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the ledger file");
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let width = stmt.column_count();
    stmt.query_map([], |row| {
        (0..width)
            .map(|i| {
                Ok(match row.get_ref(i)? {
                    ValueRef::Null => None,
                    ValueRef::Integer(n) => Some(n.to_string()),
                    ValueRef::Real(x) => Some(x.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Some(String::from_utf8_lossy(t).into_owned())
                    }
                })
            })
            .collect()
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
    .collect::<Result<_, _>>()
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn query_postgres(url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    backend::connect(url)
        .simple_query(sql)
        .unwrap_or_else(|e| panic!("{sql}: {}", backend::describe(&e)))
        .into_iter()
        .filter_map(|message| match message {
            postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// Column index in the documented report columns.
pub fn col(name: &str) -> usize {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

pub const COLUMNS: [&str; 22] = [
    "id",
    "title",
    "kind",
    "unit",
    "comparator",
    "target",
    "window_start",
    "deadline",
    "base_value",
    "base_date",
    "latest_value",
    "latest_qualifier",
    "latest_date",
    "observations",
    "progress_pct",
    "expected_pct",
    "ratio",
    "status",
    "stale",
    "explanation",
    "as_of",
    "reached_late",
];
