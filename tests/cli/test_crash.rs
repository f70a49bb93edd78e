//! SIGKILL in the middle of a large import, many times: the ledger must
//! pass `tracker check` every time and hold either none or all of the
//! file's rows, never part of them.

use crate::common::TestEnv;
use chrono::{Days, NaiveDate};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: usize = 20_000;
const ITERATIONS: usize = 40;
/// Past this time budget the remaining iterations are skipped, but at
/// least this many must have run.
const MIN_ITERATIONS: usize = 20;
const TIME_BUDGET: Duration = Duration::from_secs(120);

/// 20,000 synthetic rows: single days of the cumulative target (never
/// overlapping) and dated figures of six level targets, quoted notes with
/// commas included.
fn big_csv() -> String {
    let levels = [
        "opbudget-st-share",
        "equity-incentive-talents",
        "reorganised-groups",
        "reorganised-enterprises",
        "new-central-enterprises",
        "wanka-clusters",
    ];
    let day0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut out = String::from("target_id,value,date,source,note\n");
    for k in 0..500 {
        out.push_str(&format!(
            "equipment-renewal,{}m,{},crash cumulative {k},\n",
            k + 1,
            day0 + Days::new(k as u64)
        ));
    }
    for k in 0..ROWS - 500 {
        out.push_str(&format!(
            "{},{},{},crash row {k},\"note, {k}\"\n",
            levels[k % levels.len()],
            10 + k % 50,
            day0 - Days::new((k / levels.len()) as u64)
        ));
    }
    out
}

fn tracker(env: &TestEnv, db: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tracker"));
    cmd.env_clear()
        .env("HOME", env.path("home"))
        .env("TRACKER_NOW", &env.now)
        .env("TRACKER_USER", "tester")
        .env("TRACKER_DB", db)
        .current_dir(env.dir.path())
        .args(args);
    cmd
}

fn observations(db: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
        .unwrap()
}

/// The size of the ledger's -wal file; None while there is none (the
/// import has not opened the ledger yet, or has closed it).
fn wal_len(db: &Path) -> Option<u64> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).ok().map(|m| m.len())
}

fn check(env: &TestEnv, db: &Path) -> Result<(), String> {
    let out = tracker(env, db, &["check"]).output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A small deterministic generator (xorshift64*), seed printed on failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn spawn_import(env: &TestEnv, db: &Path, csv: &Path) -> Child {
    tracker(env, db, &["import", csv.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_during_import_leaves_all_or_nothing_and_a_healthy_ledger() {
    let env = TestEnv::seeded_sqlite_only();
    let pristine = env.db();
    let before = observations(&pristine);
    let csv = env.path("big.csv");
    std::fs::write(&csv, big_csv()).unwrap();
    let all = before + ROWS as i64;

    // One full run, for the time the kills are spread over.
    let full_db = env.path("full.db");
    std::fs::copy(&pristine, &full_db).unwrap();
    let started = Instant::now();
    let status = spawn_import(&env, &full_db, &csv).wait().unwrap();
    let full_time = started.elapsed();
    assert!(status.success());
    assert_eq!(observations(&full_db), all);
    check(&env, &full_db).unwrap();

    let seed = std::env::var("TRACKER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_CAFE_F00D_u64);
    let mut rng = Rng(seed);
    let budget = Instant::now();
    let (mut killed_absent, mut killed_present, mut finished) = (0, 0, 0);
    let (mut ledger_open, mut wal_written) = (0, 0);
    let mut iterations = 0;
    let mut last_db = None;
    while iterations < ITERATIONS && budget.elapsed() < TIME_BUDGET {
        let db = env.path(&format!("kill-{iterations}.db"));
        std::fs::copy(&pristine, &db).unwrap();
        // Half the kills anywhere in the run (parsing, validation, the
        // insert transaction), half in its last stretch, where the commit
        // writes the WAL and the checkpoint on close copies it back.
        let share = if iterations % 2 == 0 {
            0.02 + 0.98 * rng.unit()
        } else {
            0.85 + 0.17 * rng.unit()
        };
        let delay = full_time.mul_f64(share);
        let mut child = spawn_import(&env, &db, &csv);
        std::thread::sleep(delay);
        let was_running = child.try_wait().unwrap().is_none();
        let wal = wal_len(&db);
        if was_running {
            child.kill().unwrap(); // SIGKILL on Unix
        }
        let status = child.wait().unwrap();
        let context =
            format!("iteration {iterations} (seed {seed:#x}, delay {delay:?}, status {status:?})");
        if let Err(problems) = check(&env, &db) {
            panic!("{context}: check failed after the kill:\n{problems}");
        }
        let count = observations(&db);
        assert!(
            count == before || count == all,
            "{context}: {count} observations: partial import (expected {before} or {all})"
        );
        match (was_running, count == all) {
            (false, _) => {
                assert!(status.success(), "{context}");
                assert_eq!(count, all, "{context}");
                finished += 1;
            }
            (true, false) => killed_absent += 1,
            (true, true) => killed_present += 1,
        }
        if was_running && wal.is_some() {
            ledger_open += 1;
        }
        if was_running && wal.is_some_and(|len| len > 0) {
            wal_written += 1;
        }
        if let Some(old) = last_db.replace(db) {
            let _ = std::fs::remove_file(&old);
            for suffix in ["-wal", "-shm"] {
                let mut side = old.clone().into_os_string();
                side.push(suffix);
                let _ = std::fs::remove_file(side);
            }
        }
        iterations += 1;
    }
    assert!(
        iterations >= MIN_ITERATIONS,
        "only {iterations} iterations fit in the time budget"
    );
    assert!(
        killed_absent > 0,
        "no kill landed before the commit: the kills are not testing anything"
    );

    // The last killed ledger still takes the import afterwards.
    let db = last_db.unwrap();
    let status = spawn_import(&env, &db, &csv).wait().unwrap();
    assert!(status.success());
    assert_eq!(observations(&db), all);
    check(&env, &db).unwrap();

    eprintln!(
        "crash: {iterations} runs of a {ROWS}-row import (full run {:.1} s), {} SIGKILLed mid-way: \
         {killed_absent} killed before the commit (nothing kept), \
         {killed_present} killed after it (all kept), {finished} finished first; \
         {ledger_open} kills with the ledger open (validating, in the transaction or \
         committing), {wal_written} of them with the WAL already written; \
         check passed every time; {:.1} s",
        full_time.as_secs_f64(),
        killed_absent + killed_present,
        budget.elapsed().as_secs_f64()
    );
}
