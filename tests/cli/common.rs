//! The test environment: a temp folder, a cleared environment, a fixed
//! clock and width.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The clock every test runs at unless it says otherwise.
pub const NOW: &str = "2025-06-30T12:00:00Z";

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub now: String,
}

impl TestEnv {
    pub fn new() -> Self {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
            now: NOW.to_string(),
        }
    }

    /// A fresh env with an initialised, seeded ledger at [`Self::db`].
    pub fn seeded() -> Self {
        let env = TestEnv::new();
        env.tracker(&["init"]).assert().success();
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The ledger all commands use (via `TRACKER_DB`).
    pub fn db(&self) -> PathBuf {
        self.path("ledger.db")
    }

    /// `tracker ARGS` against [`Self::db`].
    pub fn tracker(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare();
        cmd.env("TRACKER_DB", self.db());
        cmd.args(args);
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
    pub fn in_terminal(&self, ledger: Option<&Path>, args: &[&str], cols: u16) -> (i32, String) {
        self.in_terminal_with(ledger, args, cols, &[("TRACKER_COLOR", "never")])
    }

    /// [`Self::in_terminal`] with `extra` environment variables and the
    /// colour left to them and the terminal.
    pub fn in_terminal_with(
        &self,
        ledger: Option<&Path>,
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

/// The bytes of a ledger file, to show a failed command changed nothing.
pub fn snapshot(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("ledger file")
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
