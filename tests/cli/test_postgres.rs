//! What only a shared PostgreSQL ledger has: many processes on separate
//! connections writing at once, a client killed in the middle of an import
//! while the server lives on, roles with their own rights, and a recorder
//! the client cannot choose. These run on the postgres pass
//! (`TRACKER_TEST_BACKEND=postgres`) and say they are skipped on the SQLite
//! one. The targets and values here are synthetic test data.

use crate::backend;
use crate::common::TestEnv;
use chrono::{Days, NaiveDate};
use predicates::prelude::*;
use std::collections::HashMap;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const WRITERS: usize = 32;
const RECORDS_EACH: usize = 100;

/// A target file of `n` synthetic cumulative targets `pg-w00`, `pg-w01`, …
/// (window 2024-2027), so each writer has one of its own.
fn synthetic_targets(n: usize) -> String {
    let mut s = String::from(
        "# SYNTHETIC targets for tests; not real-world data.\nformat = 1\n\n\
         [source]\ntitle = \"Synthetic briefing (test data)\"\ndate = 2024-01-15\n",
    );
    for w in 0..n {
        s.push_str(&format!(
            "\n[[target]]\nid = \"pg-w{w:02}\"\ntitle = \"Synthetic writer target {w}\"\n\
             kind = \"cumulative\"\nmetric = \"Synthetic metric\"\nunit = \"CNY\"\n\
             direction = \"up\"\ntarget = \">= 500 billion\"\nwindow_start = 2024-01-01\n\
             deadline = 2027-12-31\nquote = \"Synthetic quote.\"\nspeaker = \"A. Speaker\"\n\
             speaker_role = \"Synthetic role\"\ninterpretation = \"Synthetic test data.\"\n"
        ));
    }
    s
}

fn with_synthetic_targets(env: &TestEnv, n: usize) {
    let file = env.path("writers.toml");
    std::fs::write(&file, synthetic_targets(n)).unwrap();
    env.tracker(&["target", "import", file.to_str().unwrap()])
        .assert()
        .success();
}

fn day(i: usize) -> String {
    (NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(i as u64)).to_string()
}

fn source(writer: usize, i: usize) -> String {
    format!("pg writer {writer} record {i}")
}

/// One writer: its records, one `tracker` process (one connection) each.
fn write_all(env: &TestEnv, w: usize) -> Vec<String> {
    let mut failures = Vec::new();
    for i in 0..RECORDS_EACH {
        let out = env
            .tracker(&[
                "record",
                &format!("pg-w{w:02}"),
                &format!("{}m", i + 1),
                "--date",
                &day(i),
                "--source",
                &source(w, i),
            ])
            .output()
            .unwrap();
        if !out.status.success() {
            failures.push(format!(
                "writer {w} record {i}: exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    failures
}

/// Reports while the writers run: each parses, has every target, and no
/// target's count of observations ever goes down from one report to the
/// next (each report reads one consistent snapshot). Returns how many ran
/// and what was wrong.
fn report_until(env: &TestEnv, done: &AtomicBool, targets: usize) -> (usize, Vec<String>) {
    let (mut count, mut failures) = (0, Vec::new());
    let mut last: HashMap<String, u64> = HashMap::new();
    while !done.load(Ordering::Relaxed) {
        let out = env.tracker(&["report", "--csv"]).output().unwrap();
        count += 1;
        if !out.status.success() {
            failures.push(format!("report: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        if rows.len() != targets {
            failures.push(format!("{} rows, expected {targets}", rows.len()));
        }
        let observations = crate::common::col("observations");
        for row in rows {
            let n: u64 = row[observations].parse().unwrap_or(0);
            let previous = last.insert(row[0].to_string(), n).unwrap_or(0);
            if n < previous {
                failures.push(format!("{}: {n} observations after {previous}", &row[0]));
            }
        }
    }
    (count, failures)
}

/// 32 writer processes x 100 records, each `record` on its own connection,
/// with reports running: every record lands exactly once, in order.
#[test]
fn thirty_two_writers_on_separate_connections_lose_and_duplicate_nothing() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    env.tracker(&["init"]).assert().success();
    with_synthetic_targets(&env, WRITERS);
    let before = env.query_i64("SELECT count(*) FROM observations");
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let (writer_failures, (reports, report_failures)) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let env = &env;
                s.spawn(move || write_all(env, w))
            })
            .collect();
        let reader = s.spawn(|| report_until(&env, &done, 32 + WRITERS));
        let failures: Vec<String> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, Ordering::Relaxed);
        (failures, reader.join().unwrap())
    });
    let elapsed = start.elapsed();
    assert!(writer_failures.is_empty(), "{}", writer_failures.join("\n"));
    assert!(report_failures.is_empty(), "{}", report_failures.join("\n"));
    assert!(reports > 0, "no report ran during the writes");

    let total = env.query_i64("SELECT count(*) FROM observations");
    assert_eq!(
        total,
        before + (WRITERS * RECORDS_EACH) as i64,
        "lost records"
    );
    let rows = env.query(
        "SELECT source, count(*), min(target_id), min(period_end)::text, min(id)
         FROM observations WHERE source LIKE 'pg writer %' GROUP BY source",
    );
    let by_source: HashMap<String, Vec<Option<String>>> = rows
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r))
        .collect();
    assert_eq!(by_source.len(), WRITERS * RECORDS_EACH);
    for w in 0..WRITERS {
        let mut last_id = 0;
        for i in 0..RECORDS_EACH {
            let s = source(w, i);
            let row = by_source.get(&s).unwrap_or_else(|| panic!("{s} lost"));
            assert_eq!(row[1].as_deref(), Some("1"), "{s} duplicated");
            assert_eq!(row[2].clone().unwrap(), format!("pg-w{w:02}"), "{s}");
            assert_eq!(row[3].clone().unwrap(), day(i), "{s}");
            // Ids grow in the order each writer recorded.
            let id: i64 = row[4].as_deref().unwrap().parse().unwrap();
            assert!(id > last_id, "{s}: id {id} after {last_id}");
            last_id = id;
        }
    }
    env.tracker(&["check"]).assert().success();
    eprintln!(
        "postgres concurrency: {WRITERS} writers x {RECORDS_EACH} records = {} records on \
         separate connections, 0 lost, 0 duplicated, {reports} concurrent reports, {:.1} s",
        WRITERS * RECORDS_EACH,
        elapsed.as_secs_f64()
    );
}

/// Runs `n` copies of `tracker ARGS` at once (each its own connection) and
/// returns their outputs.
fn all_at_once(env: &TestEnv, n: usize, args: &[&str]) -> Vec<std::process::Output> {
    let children: Vec<Child> = (0..n)
        .map(|_| {
            env.process(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// The checks a write makes (overlapping amounts, supersede once) hold
/// across connections: of many racing for the same thing, one wins.
#[test]
fn racing_writers_pass_the_ledger_checks_one_at_a_time() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    env.tracker(&["init"]).assert().success();
    with_synthetic_targets(&env, 1);
    let outs = all_at_once(
        &env,
        16,
        &[
            "record", "pg-w00", "5bn", "--period", "2024-Q1", "--source", "race",
        ],
    );
    let won: Vec<_> = outs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(
        won.len(),
        1,
        "{} writers recorded the same amount",
        won.len()
    );
    for lost in outs.iter().filter(|o| !o.status.success()) {
        let stderr = String::from_utf8_lossy(&lost.stderr);
        assert_eq!(lost.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("overlap"), "{stderr}");
    }
    let id = env.query_i64("SELECT max(id) FROM observations WHERE source = 'race'");
    let outs = all_at_once(
        &env,
        16,
        &["correct", &id.to_string(), "6bn", "--reason", "race"],
    );
    let won = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "{won} corrections of one entry");
    assert_eq!(
        env.query_i64(&format!(
            "SELECT count(*) FROM observations WHERE supersedes = {id}"
        )),
        1
    );
    env.tracker(&["check"]).assert().success();
}

/// 20,000 synthetic rows of level targets with sources unique to `run`, so
/// every run adds all of them or none.
fn big_csv(run: usize) -> String {
    let levels = [
        "opbudget-st-share",
        "equity-incentive-talents",
        "reorganised-groups",
        "reorganised-enterprises",
        "new-central-enterprises",
        "wanka-clusters",
    ];
    let mut out = String::from("target_id,value,date,source,note\n");
    for k in 0..CRASH_ROWS {
        out.push_str(&format!(
            "{},{},{},crash run {run} row {k},\"note, {k}\"\n",
            levels[k % levels.len()],
            10 + k % 50,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() - Days::new((k / levels.len()) as u64)
        ));
    }
    out
}

const CRASH_ROWS: usize = 20_000;
const CRASH_RUNS: usize = 20;
const CRASH_MIN_RUNS: usize = 10;
const CRASH_BUDGET: Duration = Duration::from_secs(90);

fn import(env: &TestEnv, run: usize) -> Child {
    let csv = env.path(&format!("big-{run}.csv"));
    std::fs::write(&csv, big_csv(run)).unwrap();
    env.process(&["import", csv.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// SIGKILL a client in the middle of its import, many times, on one
/// database: each import is there whole or not at all, the server releases
/// the dead client's lock, and the ledger passes `check` at the end (the
/// count after each run shows all or nothing; PostgreSQL's transactions,
/// not a file, are what a kill could break).
#[test]
fn sigkill_during_an_import_keeps_all_or_nothing() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    env.tracker(&["init"]).assert().success();
    let count = || env.query_i64("SELECT count(*) FROM observations");
    let started = Instant::now();
    assert!(import(&env, 0).wait().unwrap().success());
    let full_time = started.elapsed();
    let mut expected = count();

    let budget = Instant::now();
    let (mut absent, mut present, mut finished, mut runs) = (0, 0, 0, 0);
    while runs < CRASH_RUNS && budget.elapsed() < CRASH_BUDGET {
        runs += 1;
        // Spread over the whole run (parsing, checking, the COPY, the
        // commit) and past it, as a loaded machine may take longer.
        let delay = full_time.mul_f64(0.05 + 1.55 * (runs as f64 / CRASH_RUNS as f64));
        let mut child = import(&env, runs);
        std::thread::sleep(delay);
        let was_running = child.try_wait().unwrap().is_none();
        if was_running {
            child.kill().unwrap(); // SIGKILL
        }
        let status = child.wait().unwrap();
        let context = format!("run {runs} (delay {delay:?}, {status:?})");
        let now = count();
        match (was_running, now - expected) {
            (_, 0) if was_running => absent += 1,
            (false, added) => {
                assert!(status.success(), "{context}");
                assert_eq!(added, CRASH_ROWS as i64, "{context}");
                finished += 1;
            }
            (true, added) if added == CRASH_ROWS as i64 => present += 1,
            (_, added) => panic!("{context}: {added} rows kept: a partial import"),
        }
        expected = now;
        // The server ends a dead client's session (and frees its lock)
        // once it notices; the next run starts after that, as a fresh one.
        wait_for_sessions_to_end(&env);
    }
    assert!(runs >= CRASH_MIN_RUNS, "only {runs} runs fit the budget");
    assert!(absent > 0, "no kill landed before the commit");
    // The dead clients left no lock behind: a new import goes through.
    assert!(import(&env, 999).wait().unwrap().success());
    assert_eq!(count(), expected + CRASH_ROWS as i64);
    env.tracker(&["check"]).assert().success();
    eprintln!(
        "postgres crash: {runs} imports of {CRASH_ROWS} rows (full run {:.1} s): \
         {absent} killed before the commit (nothing kept), {present} after (all kept), \
         {finished} finished first; check passed at the end",
        full_time.as_secs_f64()
    );
}

/// Waits (at most 30 s) until no session but ours is connected to the
/// test's database.
fn wait_for_sessions_to_end(env: &TestEnv) {
    let sql = "SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let deadline = Instant::now() + Duration::from_secs(30);
    while env.query_i64(sql) > 0 {
        assert!(
            Instant::now() < deadline,
            "a killed client's session lives on"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A login role for this test that is a member of `group`; its URL.
fn member_of(env: &TestEnv, name: &str, group: &str) -> (String, String) {
    let db = env.database().unwrap();
    let (role, url) = db.role(name);
    backend::connect(db.admin_url())
        .batch_execute(&format!("GRANT {group} TO {role}"))
        .unwrap();
    (role, url)
}

/// A ledger set up the documented way: the roles SQL run by a superuser,
/// then `tracker init` by a member of the owner role.
fn ledger_with_roles(env: &TestEnv) -> HashMap<&'static str, (String, String)> {
    let db = env.database().unwrap();
    backend::connect(db.admin_url())
        .batch_execute(include_str!("../../src/storage/postgres/roles.sql"))
        .unwrap();
    let roles: HashMap<_, _> = [
        ("owner", member_of(env, "owner", "tracker_owner")),
        ("writer", member_of(env, "writer", "tracker_writer")),
        ("reader", member_of(env, "reader", "tracker_reader")),
    ]
    .into();
    env.tracker(&["init"])
        .env("TRACKER_DB", &roles["owner"].1)
        .assert()
        .success();
    roles
}

fn run_as(env: &TestEnv, url: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    env.tracker(args).env("TRACKER_DB", url).assert()
}

/// Via the database itself, bypassing tracker: the error, if refused.
fn sql_as(url: &str, sql: &str) -> Result<u64, String> {
    backend::connect(url)
        .execute(sql, &[])
        .map_err(|e| backend::describe(&e))
}

const RECORD: [&str; 8] = [
    "record",
    "equipment-renewal",
    "500bn",
    "--period",
    "2024",
    "--source",
    "synthetic",
    "--note=roles test",
];

#[test]
fn a_reader_reads_and_cannot_write_even_bypassing_tracker() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    let roles = ledger_with_roles(&env);
    let reader = &roles["reader"].1;
    for args in [
        &["report", "--csv"][..],
        &["list"],
        &["history"],
        &["export"],
        &["check"],
    ] {
        run_as(&env, reader, args).success();
    }
    let before = env.snapshot();
    run_as(&env, reader, &RECORD)
        .failure()
        .stderr(predicate::str::contains("reader-password").not());
    run_as(
        &env,
        reader,
        &["changes", "--since", "2025-01-01", "--mark"],
    )
    .failure();
    for sql in [
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, recorded_by, recorded_at)
         VALUES ('equipment-renewal', 'record', 1, 'exact', '2024-01-01', '2024-12-31',
            's', 'x', now())",
        "INSERT INTO targets (id, created_at) VALUES ('forged', now())",
        "DELETE FROM observations",
    ] {
        let err = sql_as(reader, sql).expect_err(sql);
        assert!(err.starts_with("42501"), "{sql}: {err}");
    }
    assert_eq!(env.snapshot(), before, "a reader changed the ledger");
}

#[test]
fn a_writer_appends_and_cannot_alter_the_trail_even_bypassing_tracker() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    let roles = ledger_with_roles(&env);
    let (writer_role, writer) = &roles["writer"];
    run_as(&env, writer, &RECORD).success();
    run_as(&env, writer, &["retract", "1", "--reason", "synthetic"]).success();
    let before = env.snapshot();
    for sql in [
        "UPDATE observations SET source = 'forged'",
        "DELETE FROM observations",
        "TRUNCATE observations",
        "UPDATE target_versions SET title = 'forged'",
        "DELETE FROM target_versions",
        "DELETE FROM targets",
    ] {
        let err = sql_as(writer, sql).expect_err(sql);
        assert!(err.starts_with("42501"), "{sql}: {err}");
    }
    // The owner role may, by its rights; the trail's triggers still refuse.
    let owner = &roles["owner"].1;
    for sql in [
        "UPDATE observations SET source = 'forged'",
        "DELETE FROM observations WHERE id = 1",
        "UPDATE target_versions SET title = 'forged'",
    ] {
        let err = sql_as(owner, sql).expect_err(sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(env.snapshot(), before, "the trail was altered");
    // A writer's own INSERT cannot name another author either.
    let mut client = backend::connect(writer);
    let mut tx = client.transaction().unwrap();
    tx.batch_execute("SET LOCAL tracker.keep_authors = 'on'")
        .unwrap();
    tx.execute(
        "INSERT INTO observations (target_id, action, value, qualifier, period_start,
            period_end, source, recorded_by, recorded_at)
         VALUES ('equipment-renewal', 'record', 1, 'exact', '2025-01-01', '2025-03-31',
            'forged author', 'mallory', now())",
        &[],
    )
    .unwrap();
    tx.commit().unwrap();
    let by = env.query("SELECT recorded_by FROM observations WHERE source = 'forged author'");
    assert_eq!(by[0][0].as_deref(), Some(writer_role.as_str()));
}

/// The trail names the role that authenticated, whatever the client says.
#[test]
fn recorded_by_is_the_authenticated_role_not_the_claimed_name() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    let roles = ledger_with_roles(&env);
    let (alice, url) = &roles["writer"];
    env.tracker(&RECORD)
        .env("TRACKER_DB", url)
        .env("TRACKER_USER", "mallory")
        .assert()
        .success();
    env.tracker(&[
        "record",
        "opbudget-st-share",
        "80%",
        "--date",
        "2024-12-31",
        "--source",
        "synthetic",
        "--by",
        "mallory",
    ])
    .env("TRACKER_DB", url)
    .assert()
    .success();
    let csv = "target_id,value,date,source,recorded_by\n\
         opbudget-st-share,81%,2024-12-30,synthetic csv,mallory\n";
    std::fs::write(env.path("claims.csv"), csv).unwrap();
    env.tracker(&["import", "claims.csv"])
        .env("TRACKER_DB", url)
        .assert()
        .success();
    let history = env
        .tracker(&["history", "--format", "json"])
        .env("TRACKER_DB", &roles["reader"].1)
        .output()
        .unwrap()
        .stdout;
    let history = String::from_utf8(history).unwrap();
    let entries: Vec<serde_json::Value> = serde_json::from_str(&history).unwrap();
    let mine: Vec<_> = entries
        .iter()
        .filter(|e| e["source"].as_str().unwrap().starts_with("synthetic"))
        .collect();
    assert_eq!(mine.len(), 3);
    for e in mine {
        assert_eq!(e["recorded_by"], alice.as_str(), "{e}");
    }
    assert!(
        !history.contains("\"recorded_by\": \"mallory\""),
        "{history}"
    );
}

/// The config file's `db` takes a URL as `--db` does.
#[test]
fn the_config_file_names_a_database() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    let config = env.path("home/.config/tracker/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let url = env.ledger().into_string().unwrap();
    std::fs::write(&config, format!("db = \"{url}\"\n")).unwrap();
    env.bare().arg("init").assert().success();
    env.bare()
        .args(["list", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("equipment-renewal"));
    assert!(!env.path("postgres:").exists());
    assert!(!env.path("home/.local/share/tracker/ledger.db").exists());
}

/// A wrong password or a server that is not there: exit 4, said plainly,
/// and never the password.
#[test]
fn a_server_that_refuses_or_is_not_there_is_named_without_the_password() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    env.tracker(&["init"]).assert().success();
    let url = env.ledger().into_string().unwrap();
    let wrong = url.replace("tester-password", "not-the-s3cret");
    let down = backend::with_database(&url.replace(&port_of(&url), &free_port().to_string()), "x");
    for bad in [wrong, down] {
        let out = env
            .tracker(&["report", "--csv"])
            .env("TRACKER_DB", &bad)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(!stderr.contains("s3cret"), "{stderr}");
        assert!(!stderr.contains("tester-password"), "{stderr}");
        assert!(stderr.contains("127.0.0.1"), "{stderr}");
    }
}

fn port_of(url: &str) -> String {
    let authority = url.split('/').nth(2).unwrap();
    authority.rsplit(':').next().unwrap().to_string()
}

/// A loopback port nothing listens on.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A role with no rights on a ledger set up with the roles SQL is told
/// so, and its `init` does not set up a second, empty ledger beside the
/// real one.
#[test]
fn a_role_without_rights_is_told_so_not_offered_a_new_ledger() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    ledger_with_roles(&env);
    let (_, stranger) = env.database().unwrap().role("stranger");
    let before = env.snapshot();
    for args in [&["report", "--csv"][..], &["init"]] {
        let out = env
            .tracker(args)
            .env("TRACKER_DB", &stranger)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded: {stderr}");
        assert!(!stderr.contains("create it with"), "{args:?}: {stderr}");
    }
    assert_eq!(env.snapshot(), before, "a second ledger was set up");
}

/// The URL's password never reaches stdout or stderr, whatever the
/// command says about its ledger.
#[test]
fn no_command_shows_the_password() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    let copy = env.path("copy.db");
    let copy = copy.to_str().unwrap();
    let ledger = env.ledger().into_string().unwrap();
    for args in [
        &["init"][..],
        &["init"],
        &["check"],
        &["list"],
        &["report", "--csv"],
        &[
            "record",
            "no-such-target",
            "1",
            "--period",
            "2024",
            "--source",
            "s",
        ],
        &["export", "-o", "export.json"],
        &["copy", &ledger, copy],
        &["copy", copy, &ledger],
    ] {
        let out = env.tracker(args).output().unwrap();
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("tester-password"),
                "{args:?} shows the password on {name}: {text}"
            );
        }
    }
}

/// A password that is badly written into the URL (a `/` or `?` not
/// percent-encoded) or given as `?password=` is still never shown, not
/// even a piece of it; a badly written one is refused saying how to
/// write it. Needs no server: every URL points at a port nothing
/// listens on, so this runs on both passes.
#[test]
fn a_password_written_anywhere_in_the_url_is_never_shown() {
    let env = TestEnv::new();
    let port = free_port();
    let badly_written = [
        format!("postgres://bob:XQZ1/XQZ2@127.0.0.1:{port}/ledger"),
        format!("postgres://bob:XQZ1@XQZ2:w/XQZ3@127.0.0.1:{port}/ledger"),
        format!("postgres://bob:XQZ1?XQZ2@127.0.0.1:{port}/ledger"),
    ];
    let well_written = [
        format!("postgres://bob@127.0.0.1:{port}/ledger?password=XQZ1"),
        format!("postgres://bob@127.0.0.1:{port}/ledger?sslmode=disable&password=XQZ1"),
        format!("postgresql://bob:XQZ1%2FXQZ2@127.0.0.1:{port}/ledger"),
        format!("postgres://bob:XQZ1@XQZ2@127.0.0.1:{port}/ledger"),
    ];
    for (url, badly) in badly_written
        .iter()
        .map(|u| (u, true))
        .chain(well_written.iter().map(|u| (u, false)))
    {
        let out = env.bare().args(["--db", url, "list"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{url}: {stderr}");
        assert!(
            !stderr.contains("XQZ"),
            "{url} shows its password: {stderr}"
        );
        if badly {
            assert!(stderr.contains("%2F"), "{url}: no way to fix: {stderr}");
        } else {
            assert!(stderr.contains("127.0.0.1"), "{url}: {stderr}");
        }
    }
}

/// The documented backup, `pg_dump`, run by the reader role a cron job
/// uses: it reads every table and every sequence's position (`SELECT
/// last_value FROM …_seq`, which is what pg_dump asks), so the reader
/// may read both.
#[test]
fn a_reader_may_read_all_that_pg_dump_reads() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    let roles = ledger_with_roles(&env);
    let mut reader = backend::connect(&roles["reader"].1);
    let relations: Vec<(String, String)> = reader
        .query(
            "SELECT format('%I.%I', n.nspname, c.relname), c.relkind::text
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'tracker' AND c.relkind IN ('r', 'S') ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert!(
        relations.iter().any(|(_, kind)| kind == "S"),
        "{relations:?}"
    );
    for (name, kind) in relations {
        let sql = match kind.as_str() {
            "S" => format!("SELECT last_value, is_called FROM {name}"),
            _ => format!("SELECT count(*) FROM {name}"),
        };
        if let Err(e) = reader.query(sql.as_str(), &[]) {
            panic!("the reader cannot run `{sql}`: {}", backend::describe(&e));
        }
    }
}

/// The server ends the session in the middle of a write (an administrator's
/// `pg_terminate_backend`, a restart): the command fails saying the
/// connection was lost and what was written, without a raw SQLSTATE, and
/// the ledger is unchanged. (The server's goodbye may or may not reach
/// the client first: both messages say so.)
#[test]
fn a_server_that_ends_the_session_mid_write_is_said_plainly() {
    let Some(env) = TestEnv::postgres_only() else {
        return;
    };
    env.tracker(&["init"]).assert().success();
    let before = env.snapshot();
    let mut admin = backend::connect(env.database().unwrap().admin_url());
    let mut lock = admin.transaction().unwrap();
    lock.batch_execute("LOCK TABLE observations IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let child = env
        .process(&RECORD)
        .env("TRACKER_BUSY_TIMEOUT_MS", "60000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut killer = backend::connect(env.database().unwrap().admin_url());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ended: i64 = killer
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'tracker'
                   AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if ended > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "tracker never waited on the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    lock.rollback().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("connection"), "{stderr}");
    assert!(stderr.contains("not written"), "{stderr}");
    assert!(!stderr.contains("SQLSTATE"), "{stderr}");
    assert_eq!(env.snapshot(), before);
}

/// A URL with its `//` mistyped (`postgres:/…`, `postgresql:…`) is a
/// mistaken URL, not a file path: refused saying how a URL is written,
/// its password hidden, and no folder named `postgres:` with a ledger in
/// it appears. Needs no server: runs on both passes.
#[test]
fn a_mistyped_url_is_refused_not_made_a_folder_named_postgres() {
    let env = TestEnv::new();
    for url in [
        "postgres:/alice:XQZ1@127.0.0.1:5432/ledger",
        "postgres:alice:XQZ1@127.0.0.1/ledger",
        "PostgreSQL:/alice@127.0.0.1/ledger",
    ] {
        for args in [&["init"][..], &["list"]] {
            let out = env.bare().arg("--db").arg(url).args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(4), "{url} {args:?}: {stderr}");
            assert!(stderr.contains("postgres://"), "{url}: {stderr}");
            assert!(
                !stderr.contains("XQZ"),
                "{url} shows its password: {stderr}"
            );
        }
    }
    let made: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| {
            name.to_string_lossy()
                .to_lowercase()
                .starts_with("postgres")
        })
        .collect();
    assert!(made.is_empty(), "made {made:?}");
}
