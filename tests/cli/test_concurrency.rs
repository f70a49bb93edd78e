//! Many writers and readers on one ledger at once: WAL, BEGIN IMMEDIATE
//! and the busy timeout must make every `record` land exactly once, fail
//! none, and let every concurrent `report` read a consistent ledger.

use crate::common::{COLUMNS, TestEnv};
use chrono::{Days, NaiveDate};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const WRITERS: usize = 8;
const RECORDS_EACH: usize = 50;

/// One target per writer; the first is cumulative (single-day periods that
/// never overlap), the rest are levels.
const TARGETS: [&str; WRITERS] = [
    "equipment-renewal",
    "opbudget-st-share",
    "equity-incentive-talents",
    "reorganised-groups",
    "reorganised-enterprises",
    "new-central-enterprises",
    "wanka-clusters",
    "ai-scenarios",
];

fn source(writer: usize, i: usize) -> String {
    format!("concurrency writer {writer} record {i}")
}

#[test]
fn concurrent_records_all_land_once_while_reports_run() {
    let env = TestEnv::seeded_sqlite_only();
    let before: i64 = {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
            .unwrap()
    };
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();

    let (writer_failures, (reports, report_failures), backup_ok) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let env = &env;
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for i in 0..RECORDS_EACH {
                        let date = (first_day + Days::new(i as u64)).to_string();
                        let value = format!("{}", 10 + i);
                        let out = env
                            .tracker(&[
                                "record",
                                TARGETS[w],
                                &value,
                                "--date",
                                &date,
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
                })
            })
            .collect();
        let reader = s.spawn(|| {
            let mut count = 0;
            let mut failures = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let out = env.tracker(&["report", "--csv"]).output().unwrap();
                count += 1;
                if !out.status.success() {
                    failures.push(format!(
                        "report exit {:?}: {}",
                        out.status.code(),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                    continue;
                }
                let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
                let header: Vec<String> = match reader.headers() {
                    Ok(h) => h.iter().map(str::to_string).collect(),
                    Err(e) => {
                        failures.push(format!("unreadable header: {e}"));
                        continue;
                    }
                };
                if header != COLUMNS {
                    failures.push(format!("wrong header: {header:?}"));
                }
                let rows: Result<Vec<_>, _> = reader.records().collect();
                match rows {
                    Ok(rows)
                        if rows.len() == 32
                            && rows.iter().all(|r| r.len() == crate::common::COLUMNS.len()) => {}
                    Ok(rows) => failures.push(format!("{} rows", rows.len())),
                    Err(e) => failures.push(format!("unparsable report: {e}")),
                }
            }
            (count, failures)
        });
        // A backup taken mid-run is a consistent, healthy ledger.
        let backup = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(1500));
            let copy = env.path("mid-run-backup.db");
            let ok = env
                .tracker(&["backup", copy.to_str().unwrap()])
                .output()
                .unwrap()
                .status
                .success();
            ok && env
                .tracker(&["check"])
                .env("TRACKER_DB", &copy)
                .output()
                .unwrap()
                .status
                .success()
        });
        let failures: Vec<String> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, Ordering::Relaxed);
        (failures, reader.join().unwrap(), backup.join().unwrap())
    });
    let elapsed = start.elapsed();

    assert!(writer_failures.is_empty(), "{}", writer_failures.join("\n"));
    assert!(report_failures.is_empty(), "{}", report_failures.join("\n"));
    assert!(reports > 0, "no report ran during the writes");
    assert!(backup_ok, "the mid-run backup failed or is unhealthy");

    // Every record exactly once.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let total: i64 = conn
        .query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, before + (WRITERS * RECORDS_EACH) as i64);
    let mut stmt = conn
        .prepare(
            "SELECT source, count(*), min(target_id), min(period_end) FROM observations
             WHERE source LIKE 'concurrency writer %' GROUP BY source",
        )
        .unwrap();
    let rows: Vec<(String, i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), WRITERS * RECORDS_EACH);
    for (w, target) in TARGETS.iter().enumerate() {
        for i in 0..RECORDS_EACH {
            let s = source(w, i);
            let row = rows.iter().find(|r| r.0 == s).expect(&s);
            assert_eq!(row.1, 1, "{s} landed {} times", row.1);
            assert_eq!(&row.2, target);
            assert_eq!(row.3, (first_day + Days::new(i as u64)).to_string());
        }
    }
    drop(stmt);
    drop(conn);
    env.tracker(&["check"]).assert().success();
    eprintln!(
        "concurrency: {WRITERS} writers x {RECORDS_EACH} records = {} records, \
         {reports} concurrent reports parsed, mid-run backup healthy, {:.1} s",
        WRITERS * RECORDS_EACH,
        elapsed.as_secs_f64()
    );
}
