//! Synthetic ledger generator for the benchmark (`bench/run.sh`).
//!
//! ```text
//! cargo run --release --example generate -- \
//!     --targets 10000 --observations-per-target 100 --seed 1 --out DIR
//! ```
//!
//! writes
//!
//! * `DIR/targets.toml`: N SYNTHETIC targets in the target-file format
//!   (docs/target-file.md), for `tracker target import`;
//! * `DIR/observations.csv`: N × M observations in the import layout
//!   (`target_id,value,qualifier,period,date,source,url,note,recorded_by`),
//!   for `tracker import`;
//! * `DIR/bench.env`: facts the benchmark script needs (counts, the clock,
//!   a target and a free range of days that `record` can write into).
//!
//! Nothing here is real: every id starts with `syn-`, every title, quote
//! and source says "SYNTHETIC", and the numbers are noise around a trend.
//! The same arguments give the same bytes on every machine (a fixed
//! SplitMix64 generator, no floating point in the output, no clock: the
//! "today" the data must not pass is `TRACKER_NOW`, or a fixed default).
//!
//! What the data looks like, so that the status method has realistic work:
//!
//! * kinds: 40 % cumulative, 45 % level, 15 % direction; units CNY, %,
//!   people, enterprises, tonnes; a few growth-rate metrics (may go
//!   negative); cadences mostly monthly, some quarterly and yearly;
//! * each target has M consecutive monthly observations (`period =
//!   "YYYY-MM"`), the last one 0–3 months before today (some 6–18 months:
//!   those targets come out stale); so periods never overlap and cumulative
//!   ones lie inside the window;
//! * rows are written month by month across all targets, the order in which
//!   a ledger fills up over the years, so observations of one target are
//!   spread over the whole file (and the table), not stored together;
//! * about 10 % of values are hedged (`about`, `more-than`, `at-least`).
//!
//! The output is checked with the library's own parsers (`--no-check`
//! skips that, for speed), so a bad generator fails here, not half-way
//! through a benchmark.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use clap::Parser;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use tracker::model::{Cadence, Kind};

/// The clock when `TRACKER_NOW` is not set: fixed, so the output is
/// reproducible.
const DEFAULT_NOW: &str = "2026-01-15T12:00:00Z";

/// Months before the first observation month that the record-benchmark
/// target's window starts: free days `record` can fill without overlap.
const RECORD_GAP_MONTHS: u32 = 24;

#[derive(Parser)]
#[command(about = "Writes a reproducible SYNTHETIC ledger (targets.toml, observations.csv)")]
struct Args {
    /// Number of targets.
    #[arg(long)]
    targets: usize,
    /// Observations per target (consecutive months).
    #[arg(long = "observations-per-target")]
    observations_per_target: usize,
    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Skip re-parsing the output with tracker's own parsers (target file
    /// and CSV), which takes longer than writing it.
    #[arg(long)]
    no_check: bool,
}

/// SplitMix64: tiny, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }

    /// True with probability `pct` %.
    fn pct(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

/// One synthetic target and how its series is drawn. Values are integers in
/// hundredths (two decimals), so the output is exact.
struct Target {
    id: String,
    kind: Kind,
    unit: &'static str,
    cadence: Cadence,
    rate: bool,
    /// Month index (months since year 0) of the first observation.
    first_month: i64,
    /// Level of the first observation, in hundredths.
    start: i64,
    /// Trend per month, in hundredths.
    step: i64,
    /// Noise amplitude, in hundredths.
    noise: i64,
    /// The level may not leave 0..=limit (percentages).
    limit: Option<i64>,
}

fn month_start(index: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt((index / 12) as i32, (index % 12) as u32 + 1, 1).expect("valid month")
}

fn month_end(index: i64) -> NaiveDate {
    month_start(index + 1).pred_opt().expect("valid day")
}

fn month_index(date: NaiveDate) -> i64 {
    date.year() as i64 * 12 + date.month0() as i64
}

/// Hundredths as a plain decimal: 12345 -> "123.45", -5 -> "-0.05".
fn cents(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    format!("{sign}{}.{:02}", v / 100, v % 100)
}

/// TOML basic string.
fn q(s: &str) -> String {
    format!("{s:?}")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.targets == 0 || args.observations_per_target == 0 {
        return Err("--targets and --observations-per-target must be at least 1".into());
    }
    let now_text = std::env::var("TRACKER_NOW")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_NOW.to_string());
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(&now_text)
        .map_err(|e| format!("TRACKER_NOW=`{now_text}`: {e}"))?
        .with_timezone(&Utc);
    let today = now.date_naive();
    let m = args.observations_per_target as i64;
    // The latest month whose last day is before today.
    let last_full_month = month_index(today) - 1;
    // The earliest first month (lag 18) must stay in the 20th century or
    // later; 100 observations over a decade is the intended scale.
    if m > 12 * 200 {
        return Err("--observations-per-target: at most 2400 (200 years of months)".into());
    }

    let mut rng = Rng(args.seed ^ 0x0074_7261_636b_6572);
    let width = (args.targets - 1).to_string().len().max(5);
    let mut targets = Vec::with_capacity(args.targets);
    for i in 0..args.targets {
        // Target 0 is the record-benchmark target: cumulative, fresh.
        let roll = if i == 0 { 0 } else { rng.range(0, 99) };
        let kind = match roll {
            0..=39 => Kind::Cumulative,
            40..=84 => Kind::Level,
            _ => Kind::Direction,
        };
        let lag = if i != 0 && rng.pct(10) {
            rng.range(6, 18)
        } else {
            rng.range(0, 3)
        };
        let first_month = last_full_month - lag - (m - 1);
        let cadence = match rng.range(0, 9) {
            0 => Cadence::Yearly,
            1 | 2 => Cadence::Quarterly,
            _ => Cadence::Monthly,
        };
        let (unit, rate, start, step, noise, limit) = match kind {
            Kind::Cumulative => {
                let unit =
                    ["CNY", "CNY", "people", "enterprises", "tonnes"][rng.range(0, 4) as usize];
                // Monthly amount around `start`, noise ±30 %.
                let amount = rng.range(1_000, 5_000_000) * 100;
                (unit, false, amount, 0, amount * 3 / 10, None)
            }
            _ => {
                if rng.pct(15) {
                    // A growth rate in %, may be negative.
                    let start = rng.range(-300, 1200);
                    let step = rng.range(-8, 8);
                    ("%", true, start, step, 150, None)
                } else if rng.pct(45) {
                    // A share in %: 0..=100.
                    let start = rng.range(500, 6000);
                    let step = rng.range(-10, 40);
                    ("%", false, start, step, 80, Some(10_000))
                } else {
                    let unit = ["people", "enterprises", "CNY", "tonnes"][rng.range(0, 3) as usize];
                    let start = rng.range(10_000, 100_000_000) * 100;
                    let step = start / 1000 * rng.range(-5, 20);
                    (unit, false, start, step, start / 50, None)
                }
            }
        };
        targets.push(Target {
            id: format!("syn-t{i:0width$}"),
            kind,
            unit,
            cadence,
            rate,
            first_month,
            start,
            step,
            noise,
            limit,
        });
    }

    std::fs::create_dir_all(&args.out)?;

    // ---- targets.toml
    let mut toml = String::with_capacity(args.targets * 1400);
    let _ = writeln!(
        toml,
        "# SYNTHETIC benchmark targets written by examples/generate.rs\n\
         # (--targets {} --observations-per-target {} --seed {}, TRACKER_NOW {now_text}).\n\
         # None of these is a real pledge; do not import them into a real ledger.\n\n\
         format = 1\n\n[source]\n\
         title = \"SYNTHETIC benchmark source (examples/generate.rs); not a real statement\"\n\
         date = 2015-01-01\n",
        args.targets, args.observations_per_target, args.seed
    );
    for (i, t) in targets.iter().enumerate() {
        let first = month_start(t.first_month);
        let last = month_end(t.first_month + m - 1);
        // Target 0's window opens two years before its first figure.
        let opens = if i == 0 {
            month_start(t.first_month - RECORD_GAP_MONTHS as i64)
        } else {
            first
        };
        let statement = opens - chrono::Days::new(rng.range(1, 120) as u64);
        let _ = writeln!(toml, "[[target]]");
        let _ = writeln!(toml, "id = {}", q(&t.id));
        let _ = writeln!(
            toml,
            "title = {}",
            q(&format!("SYNTHETIC target {i} ({}, {})", t.kind, t.unit))
        );
        let _ = writeln!(toml, "kind = {}", q(t.kind.as_str()));
        let _ = writeln!(
            toml,
            "metric = {}",
            q(&format!(
                "SYNTHETIC metric {i}: a made-up {} series for benchmarking",
                t.kind
            ))
        );
        let _ = writeln!(toml, "unit = {}", q(t.unit));
        let up = t.kind == Kind::Cumulative || t.step >= 0 || rng.pct(20);
        let _ = writeln!(toml, "direction = {}", q(if up { "up" } else { "down" }));
        match t.kind {
            Kind::Cumulative => {
                // Window: from the first observation month (target 0: two
                // years earlier, leaving days free for `record`) to 6–60
                // months after the last one. Target: the months of the
                // window times the mean amount, times 0.6–1.6.
                let window_start = opens;
                let extra = rng.range(6, 60);
                let deadline = month_end(t.first_month + m - 1 + extra);
                let months = m + extra;
                let factor = rng.range(60, 160);
                let target = t.start / 100 * months * factor / 100;
                let cmp = if rng.pct(50) { ">=" } else { ">" };
                let _ = writeln!(toml, "target = \"{cmp} {target}\"");
                let _ = writeln!(toml, "window_start = {window_start}");
                let _ = writeln!(toml, "deadline = {deadline}");
            }
            Kind::Level => {
                // Where the trend would be 0–48 months after the last
                // observation, give or take: some are reached, some not.
                let horizon = rng.range(0, 48);
                let mut goal = t.start + t.step * (m + horizon) + rng.range(-3, 3) * t.noise;
                if let Some(limit) = t.limit {
                    goal = goal.clamp(0, limit);
                }
                if !t.rate {
                    goal = goal.max(0);
                }
                let cmp = if up { ">=" } else { "<=" };
                let _ = writeln!(toml, "target = \"{cmp} {}\"", cents(goal));
                let deadline = last
                    .checked_add_months(Months::new(horizon as u32))
                    .expect("valid deadline");
                let _ = writeln!(toml, "deadline = {deadline}");
            }
            Kind::Direction => {}
        }
        let _ = writeln!(toml, "cadence = {}", q(t.cadence.as_str()));
        if t.limit.is_some() {
            let _ = writeln!(toml, "limit = 100");
        }
        if t.rate {
            let _ = writeln!(toml, "rate = true");
        }
        let _ = writeln!(
            toml,
            "quote = {}",
            q(&format!(
                "SYNTHETIC quote {i}: this sentence was generated for a benchmark and was never said by anyone."
            ))
        );
        let _ = writeln!(toml, "speaker = \"SYNTHETIC speaker\"");
        let _ = writeln!(toml, "speaker_role = \"SYNTHETIC role\"");
        let _ = writeln!(toml, "statement_date = {statement}");
        let _ = writeln!(
            toml,
            "interpretation = {}\n",
            q(
                "SYNTHETIC: generated by examples/generate.rs for bench/run.sh; no reading of any source."
            )
        );
    }
    // The target file must be one `tracker target import` accepts.
    if !args.no_check {
        let parsed = tracker::targets_file::parse_target_file(&toml, "targets.toml")
            .map_err(|e| format!("generated targets.toml does not parse: {e}"))?;
        assert_eq!(parsed.targets.len(), args.targets);
    }
    std::fs::write(args.out.join("targets.toml"), &toml)?;

    // ---- observations.csv: month by month, every target in each month.
    let csv_path = args.out.join("observations.csv");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv_path)?);
    writeln!(out, "{}", tracker::interchange::csv::CSV_COLUMNS.join(","))?;
    let mut levels: Vec<i64> = targets.iter().map(|t| t.start).collect();
    let first_month = targets.iter().map(|t| t.first_month).min().unwrap_or(0);
    let last_month = targets
        .iter()
        .map(|t| t.first_month + m - 1)
        .max()
        .unwrap_or(0);
    let mut rows = 0usize;
    let mut line = String::with_capacity(256);
    for month in first_month..=last_month {
        let period = month_start(month).format("%Y-%m").to_string();
        for (t, level) in targets.iter().zip(levels.iter_mut()) {
            let k = month - t.first_month;
            if !(0..m).contains(&k) {
                continue;
            }
            let noise = if t.noise > 0 {
                rng.range(-t.noise, t.noise)
            } else {
                0
            };
            let mut value = match t.kind {
                Kind::Cumulative => t.start + noise,
                _ => {
                    *level += t.step;
                    *level + noise
                }
            };
            if let Some(limit) = t.limit {
                value = value.clamp(0, limit);
            }
            if !t.rate {
                value = value.max(0);
            }
            let qualifier = match rng.range(0, 99) {
                0..=4 => "about",
                5..=7 => "more-than",
                8..=9 => "at-least",
                _ => "",
            };
            let url = if rng.pct(30) {
                format!("https://example.org/synthetic/{period}/{}", t.id)
            } else {
                String::new()
            };
            let note = if rng.pct(5) {
                "SYNTHETIC preliminary figure"
            } else {
                ""
            };
            line.clear();
            let _ = writeln!(
                line,
                "{},{},{qualifier},{period},,SYNTHETIC statistical bulletin {period},{url},{note},bench-generator",
                t.id,
                cents(value)
            );
            out.write_all(line.as_bytes())?;
            rows += 1;
        }
    }
    out.flush()?;
    drop(out);
    assert_eq!(rows, args.targets * args.observations_per_target);
    if !args.no_check {
        let bytes = std::fs::read(&csv_path)?;
        let parsed =
            tracker::interchange::csv::parse_observation_csv(&bytes).map_err(|errors| {
                format!(
                    "generated observations.csv does not parse: {}",
                    errors
                        .iter()
                        .take(3)
                        .map(|e| format!("line {}: {}", e.line, e.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
        assert_eq!(parsed.len(), rows);
        if let Some(late) = parsed.iter().find(|r| r.period.end > today) {
            return Err(format!("line {}: period after today {today}", late.line).into());
        }
    }

    // ---- bench.env: what bench/run.sh needs to know.
    let record = &targets[0];
    let free_from = month_start(record.first_month - RECORD_GAP_MONTHS as i64);
    let free_days = (month_start(record.first_month) - free_from).num_days();
    std::fs::write(
        args.out.join("bench.env"),
        format!(
            "# written by examples/generate.rs\n\
             GEN_TARGETS={}\nGEN_OBSERVATIONS_PER_TARGET={m}\nGEN_ROWS={rows}\nGEN_SEED={}\n\
             GEN_NOW={now_text}\n\
             # a cumulative target with free days (no observation) from RECORD_FROM\n\
             RECORD_TARGET={}\nRECORD_FROM={free_from}\nRECORD_DAYS={free_days}\n",
            args.targets, args.seed, record.id
        ),
    )?;
    eprintln!(
        "wrote {} targets and {rows} observations to {} (seed {}, today {today})",
        args.targets,
        args.out.display(),
        args.seed
    );
    Ok(())
}
