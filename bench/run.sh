#!/usr/bin/env bash
# The benchmark: builds tracker, generates synthetic ledgers with
# examples/generate.rs, builds them with the real commands (init, target
# import, import) and measures report, list, record and import beside raw
# SQLite (the sqlite3 CLI: an aggregate query for report; .import, and a load
# into the ledger's own schema, for import). Writes a markdown table to
# bench/out/ (git-ignored) and prints it.
#
#   bench/run.sh            full run: 10,000 targets x 1, 10 and 100
#                           observations (10k, 100k, 1M); ~3 minutes plus
#                           the release build
#   bench/run.sh --smoke    tiny ledger, each command once or twice; asserts
#                           that every command succeeds, that the report has
#                           one row per target and that `check` passes;
#                           seconds after `cargo test` (for CI)
#
# Options: --targets N (default 10000), --per-target "1 10 100",
# --seed S (default 1), --profile release|dev (default release; --smoke
# defaults to dev, which `cargo test` has already built), --no-postgres.
#
# PostgreSQL: the same ledgers are also built in PostgreSQL databases and
# report, list, import and record measured there, beside the SQLite file.
# The full run starts its own durable server (.ci/postgres.sh start
# --durable: fsync on, PostgreSQL's defaults) unless TRACKER_BENCH_POSTGRES
# names one (an admin URL); the smoke run uses TRACKER_TEST_POSTGRES (CI
# starts it), and with CI=true fails without it. psql (Debian's
# postgresql-client) makes and drops the databases.
#
# Every measurement is warm-cache, output through a pipe, with the clock fixed
# (TRACKER_NOW). Medians come from hyperfine, peak memory from
# /usr/bin/time -v. See docs/performance.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
SMOKE=0
TARGETS=10000
PER_TARGET="1 10 100"
SEED=1
PROFILE=""
POSTGRES=1
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --targets) TARGETS=$2; shift ;;
        --per-target) PER_TARGET=$2; shift ;;
        --seed) SEED=$2; shift ;;
        --profile) PROFILE=$2; shift ;;
        --no-postgres) POSTGRES=0 ;;
        -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
        *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$SMOKE" = 1 ]; then
    TARGETS=40
    PER_TARGET="3"
    PROFILE=${PROFILE:-dev}
    OUT="$ROOT/bench/out/smoke"
fi
PROFILE=${PROFILE:-release}

# The same clock, user and terminal-free environment for every run.
export TRACKER_NOW=2026-01-15T12:00:00Z
export USER=bench TRACKER_USER=bench
export NO_COLOR=1
# No config file (an empty TRACKER_CONFIG means none), no default ledger.
export TRACKER_CONFIG=
unset TRACKER_DB TRACKER_BUSY_TIMEOUT_MS
export LC_ALL=C

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Tools: hyperfine, sqlite3, GNU time. The full run installs what is missing;
# the smoke run never installs anything and measures without what is absent.
HAVE_HYPERFINE=1 HAVE_SQLITE3=1 HAVE_TIME=1
command -v hyperfine >/dev/null || HAVE_HYPERFINE=0
command -v sqlite3 >/dev/null || HAVE_SQLITE3=0
[ -x /usr/bin/time ] || HAVE_TIME=0
if [ "$SMOKE" = 0 ] && [ "$HAVE_HYPERFINE$HAVE_SQLITE3$HAVE_TIME" != 111 ]; then
    missing=()
    [ "$HAVE_HYPERFINE" = 1 ] || missing+=(hyperfine)
    [ "$HAVE_SQLITE3" = 1 ] || missing+=(sqlite3)
    [ "$HAVE_TIME" = 1 ] || missing+=(time)
    say "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get install -y "${missing[@]}" >/dev/null ||
        { $sudo apt-get update >/dev/null && $sudo apt-get install -y "${missing[@]}" >/dev/null; }
    HAVE_HYPERFINE=1 HAVE_SQLITE3=1 HAVE_TIME=1
fi

# ---------------------------------------------------------------------------
# Build.
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$PROFILE" in
    release) BIN_DIR="$TARGET_DIR/release" ;;
    dev) BIN_DIR="$TARGET_DIR/debug" ;;
    *) die "--profile: release or dev" ;;
esac
say "cargo build --profile $PROFILE --bin tracker --example generate"
(cd "$ROOT" && cargo build --quiet --locked --profile "$PROFILE" --bin tracker --example generate)
TRACKER="$BIN_DIR/tracker"
GENERATE="$BIN_DIR/examples/generate"

mkdir -p "$OUT"
WORK="$OUT/data"
mkdir -p "$WORK"

# ---------------------------------------------------------------------------
# PostgreSQL: an admin URL (PG_ADMIN) to make one database per ledger on.
PG_ADMIN=""
PG_DIR=""
if [ "$POSTGRES" = 1 ]; then
    if [ "$SMOKE" = 1 ]; then
        PG_ADMIN=${TRACKER_TEST_POSTGRES:-}
        if [ -z "$PG_ADMIN" ]; then
            [ "${CI:-}" != true ] || die "CI=true but TRACKER_TEST_POSTGRES is unset (.ci/run starts PostgreSQL)"
            say "no TRACKER_TEST_POSTGRES: the PostgreSQL part of the smoke run is left out"
        fi
    elif [ -n "${TRACKER_BENCH_POSTGRES:-}" ]; then
        PG_ADMIN=$TRACKER_BENCH_POSTGRES
    else
        PG_DIR=$(mktemp -d /tmp/tracker-bench-pg.XXXXXX)
        trap 'bash "$ROOT/.ci/postgres.sh" stop "$PG_DIR"' EXIT
        pg_env=$(bash "$ROOT/.ci/postgres.sh" start "$PG_DIR" 55440 --durable)
        PG_ADMIN=$(printf '%s\n' "$pg_env" | sed -n 's/^export TRACKER_TEST_POSTGRES=//p')
    fi
    if [ -n "$PG_ADMIN" ] && ! command -v psql >/dev/null; then
        [ "$SMOKE" = 0 ] || die "psql is missing (Debian's postgresql-client)"
        sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get install -y postgresql-client >/dev/null
    fi
fi
# The URL of database $1 on that server; psql on the admin database.
pg_url() { printf '%s/%s' "${PG_ADMIN%/*}" "$1"; }
pg_sql() { PGOPTIONS='-c client_min_messages=warning' psql "$PG_ADMIN" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
# A fresh database $1, optionally a copy of database $2.
pg_fresh() {
    pg_sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
    pg_sql "CREATE DATABASE $1${2:+ TEMPLATE $2}" >/dev/null
}

# ---------------------------------------------------------------------------
# Measuring. `hf NAME [hyperfine options] -- CMD_NAME CMD [CMD_NAME CMD ...]`
# runs hyperfine and leaves NAME.csv (name,median_ms,mean_ms,min_ms,max_ms).
# Without hyperfine (smoke), each command runs once, timed by the shell.
RESULTS="$OUT/hf"
mkdir -p "$RESULTS"
hf() {
    local name=$1; shift
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    local cmds=() names=()
    while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
    local csv="$RESULTS/$name.csv"
    echo "name,median_ms,mean_ms,min_ms,max_ms,cpu_ms" >"$csv"
    if [ "$HAVE_HYPERFINE" = 1 ]; then
        local args=()
        for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
        hyperfine --style basic --output=pipe --export-csv "$RESULTS/$name.raw.csv" \
            "${opts[@]}" "${args[@]}" >&2
        # command,mean,stddev,median,user,system,min,max (seconds); cpu is
        # mean user + system, which contention on a shared machine inflates
        # far less than wall time.
        tail -n +2 "$RESULTS/$name.raw.csv" |
            awk -F, '{ printf "%s,%.3f,%.3f,%.3f,%.3f,%.3f\n", $1, $4*1000, $2*1000, $7*1000, $8*1000, ($5+$6)*1000 }' >>"$csv"
    else
        # Once each: honour --prepare (one for all, or one per command, as
        # hyperfine does) and --shell=bash; ignore the rest.
        local prepares=() shell=sh
        for i in "${!opts[@]}"; do
            case "${opts[$i]}" in
                --prepare) prepares+=("${opts[$((i + 1))]}") ;;
                --shell=bash) shell=bash ;;
            esac
        done
        for i in "${!cmds[@]}"; do
            local prepare=""
            if [ "${#prepares[@]}" = 1 ]; then
                prepare=${prepares[0]}
            elif [ "${#prepares[@]}" -gt "$i" ]; then
                prepare=${prepares[$i]}
            fi
            [ -z "$prepare" ] || "$shell" -c "$prepare" >/dev/null
            local t0 t1
            t0=$(date +%s%N)
            "$shell" -c "${cmds[$i]}" >/dev/null
            t1=$(date +%s%N)
            local ms
            ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
            echo "${names[$i]},$ms,$ms,$ms,$ms,$ms" >>"$csv"
        done
    fi
}
# median NAME CMD_NAME -> milliseconds; cpu NAME CMD_NAME -> mean CPU ms
median() { awk -F, -v n="$2" '$1 == n { print $2 }' "$RESULTS/$1.csv"; }
cpu() { awk -F, -v n="$2" '$1 == n { print $6 }' "$RESULTS/$1.csv"; }
# Peak resident memory of a command, in KiB (stdout discarded).
peak_kib() {
    if [ "$HAVE_TIME" = 1 ]; then
        /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ { print $2 }'
    else
        "$@" >/dev/null
        echo 0
    fi
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
bytes_mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
fmt_ms() { awk -v m="$1" 'BEGIN { if (m >= 1000) printf "%.2f s", m / 1000; else if (m >= 100) printf "%.0f ms", m; else printf "%.1f ms", m }'; }
size_of() { stat -c %s "$1"; }

# The floor: what SQLite itself needs to produce what the report needs from
# the observations: per target, the number of current observations, their
# sum, and the first and latest (by period end, with value), in target order.
# "Current" as the report reads it: not a retraction (the schema gives every
# other entry a value) and not superseded, left out by the same anti-join.
FLOOR_SQL="SELECT o.target_id, count(*), sum(o.value),\
 min(o.period_end || ' ' || o.value), max(o.period_end || ' ' || o.value)\
 FROM observations o LEFT JOIN observations s ON s.supersedes = o.id\
 WHERE o.value IS NOT NULL AND s.id IS NULL\
 GROUP BY o.target_id ORDER BY o.target_id;"

# Latency of one durable 4 KiB write here (dd with O_DSYNC), in ms: the
# floor under any durable commit, and on shared disks the figure that moves.
fsync_ms() {
    local f="$OUT/.fsync-probe" t0 t1
    t0=$(date +%s%N)
    dd if=/dev/zero of="$f" bs=4k count=50 oflag=dsync 2>/dev/null
    t1=$(date +%s%N)
    rm -f "$f"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e6 / 50 }'
}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
FSYNC_START=$(fsync_ms)

if [ "$SMOKE" = 1 ]; then
    WARM=(--warmup 1 --runs 2)
    SLOW=(--runs 1)
    RECORD_RUNS=(--warmup 1 --runs 2)
else
    WARM=(--warmup 3 --min-runs 10)
    SLOW=(--runs 3)
    RECORD_RUNS=(--warmup 3 --runs 30)
fi

# ---------------------------------------------------------------------------
# The seeded ledger: what a new user has.
SEEDED="$WORK/seeded.db"
rm -f "$SEEDED" "$SEEDED"-wal "$SEEDED"-shm
"$TRACKER" --db "$SEEDED" init >/dev/null
SEED_TARGETS=$("$TRACKER" --db "$SEEDED" report --csv | tail -n +2 | wc -l)
if [ "$HAVE_SQLITE3" = 1 ]; then
    SEED_WITH_OBS=$(sqlite3 "$SEEDED" "SELECT count(DISTINCT target_id) FROM observations")
    SEED_OBS=$(sqlite3 "$SEEDED" "SELECT count(*) FROM observations")
fi
hf list-seeded "${WARM[@]}" -N -- list "$TRACKER --db $SEEDED list"
LIST_SEEDED=$(median list-seeded list)

declare -A R
LABELS=()

# The ledger $1 (data in $2) in PostgreSQL: base (seed + targets, made by
# copying base.db, the file ledger), import into copies of it, then
# report, list and record on the imported ledger, as for the file.
pg_bench() {
    local L=$1 D=$2 tag=${1/x/_}
    local base="bench_base_$tag" work="bench_import_$tag" full="bench_ledger_$tag"
    say "$L: PostgreSQL"
    pg_fresh "$base"
    "$TRACKER" copy "$D/base.db" "$(pg_url "$base")" >/dev/null
    # Each import run starts from its own copy of the base database.
    local psql="PGOPTIONS='-c client_min_messages=warning' psql '$PG_ADMIN' -qAtX -v ON_ERROR_STOP=1 -c"
    hf "pg-import-$L" "${SLOW[@]}" \
        --prepare "$psql 'DROP DATABASE IF EXISTS $work WITH (FORCE)' && $psql 'CREATE DATABASE $work TEMPLATE $base'" -- \
        pg-import "$TRACKER --db $(pg_url "$work") import $D/observations.csv"
    R[$L,pg_import]=$(median "pg-import-$L" pg-import)
    R[$L,pg_import_cpu]=$(cpu "pg-import-$L" pg-import)
    pg_fresh "$full" "$base"
    R[$L,pg_import_rss]=$(peak_kib "$TRACKER" --db "$(pg_url "$full")" import "$D/observations.csv")
    R[$L,pg_size]=$(pg_sql "SELECT pg_database_size('$full')")
    local rows
    rows=$("$TRACKER" --db "$(pg_url "$full")" report --csv | tail -n +2 | wc -l)
    [ "$rows" = $((TARGETS + SEED_TARGETS)) ] || die "$L: the PostgreSQL report has $rows rows"
    # The same report, byte for byte, as the file ledger's after the same
    # import (before the record runs added to it).
    [ "$("$TRACKER" --db "$(pg_url "$full")" report --csv | sha256sum)" = "${R[$L,report_sha]}" ] ||
        die "$L: report --csv differs between PostgreSQL and SQLite"
    hf "pg-report-$L" "${WARM[@]}" -N -- pg-report "$TRACKER --db $(pg_url "$full") report --csv"
    R[$L,pg_report]=$(median "pg-report-$L" pg-report)
    R[$L,pg_report_cpu]=$(cpu "pg-report-$L" pg-report)
    R[$L,pg_report_rss]=$(peak_kib "$TRACKER" --db "$(pg_url "$full")" report --csv)
    hf "pg-list-$L" "${WARM[@]}" -N -- pg-list "$TRACKER --db $(pg_url "$full") list"
    R[$L,pg_list]=$(median "pg-list-$L" pg-list)
    local ctr="$D/pg-record.counter" args="$D/pg-record.args"
    echo 0 >"$ctr"
    local next="n=\$(cat $ctr); echo \$((n + 1)) > $ctr; \
d=\$(date -u -d \"$RECORD_FROM + \$n days\" +%F); echo \"\$d \$((1000 + n))\" > $args"
    hf "pg-record-$L" "${RECORD_RUNS[@]}" --shell=bash --prepare "$next" -- \
        pg-record "read d v < $args; exec $TRACKER --db $(pg_url "$full") record $RECORD_TARGET \$v --date \$d --source 'SYNTHETIC bench record'"
    R[$L,pg_record]=$(median "pg-record-$L" pg-record)
    [ "$(cat "$ctr")" -le "$RECORD_DAYS" ] || die "PostgreSQL record ran out of free days"
    if [ "$SMOKE" = 1 ]; then
        "$TRACKER" --db "$(pg_url "$full")" check >/dev/null || die "$L: check failed on PostgreSQL"
    fi
    pg_sql "DROP DATABASE IF EXISTS $work WITH (FORCE)" >/dev/null
    [ "$SMOKE" = 0 ] || pg_sql "DROP DATABASE IF EXISTS $full WITH (FORCE)" >/dev/null
    pg_sql "DROP DATABASE IF EXISTS $base WITH (FORCE)" >/dev/null
}
for M in $PER_TARGET; do
    ROWS=$((TARGETS * M))
    L="${TARGETS}x${M}"
    LABELS+=("$L")
    D="$WORK/$L"
    mkdir -p "$D"
    say "$L: generating $TARGETS targets x $M observations ($ROWS rows)"
    # The generator re-parses its output with tracker's own parsers; the
    # smoke run keeps that check, the full run skips it for time.
    check=(--no-check)
    [ "$SMOKE" = 0 ] || check=()
    "$GENERATE" --targets "$TARGETS" --observations-per-target "$M" --seed "$SEED" \
        --out "$D" "${check[@]}" 2>/dev/null
    # shellcheck disable=SC1091
    . "$D/bench.env"
    [ "$GEN_ROWS" = "$ROWS" ] || die "generator wrote $GEN_ROWS rows, expected $ROWS"

    # Base ledger: seed + synthetic targets (the import benchmarks start here).
    BASE="$D/base.db"
    rm -f "$BASE" "$BASE"-wal "$BASE"-shm
    "$TRACKER" --db "$BASE" init >/dev/null
    t0=$(date +%s%N)
    "$TRACKER" --db "$BASE" target import "$D/targets.toml" >/dev/null
    t1=$(date +%s%N)
    R[$L,target_import]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')

    # Import: tracker import vs sqlite3 .import of the same CSV.
    say "$L: import"
    WORKDB="$D/import.db"
    FLOORDB="$D/floor.db"
    SCHEMADB="$D/schema-floor.db"
    # One --prepare per command (hyperfine pairs them in order): each starts
    # from its own fresh copy.
    import_cmds=(tracker-import "$TRACKER --db $WORKDB import $D/observations.csv")
    import_prep=(--prepare "cp $BASE $WORKDB && rm -f $WORKDB-wal $WORKDB-shm")
    if [ "$HAVE_SQLITE3" = 1 ]; then
        import_cmds+=(sqlite3-import "sqlite3 $FLOORDB '.import --csv $D/observations.csv observations'")
        import_prep+=(--prepare "rm -f $FLOORDB")
        # A second floor: sqlite3 storing the same rows in the ledger's own
        # schema (its CHECKs, trigger, foreign keys and indexes), in one
        # transaction, with the index rebuilt rather than grown, and the
        # page cache tracker's import uses. No parsing of values, no checks
        # for duplicates or overlaps. Periods are the generator's YYYY-MM.
        index_sql=$(sqlite3 "$BASE" "SELECT sql FROM sqlite_schema
            WHERE type = 'index' AND name LIKE 'observations_by_target%'")
        index_name=$(sqlite3 "$BASE" "SELECT name FROM sqlite_schema
            WHERE type = 'index' AND name LIKE 'observations_by_target%'")
        cat >"$D/schema-floor.sql" <<SQL
PRAGMA foreign_keys = ON;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;
.mode csv
.import $D/observations.csv temp_raw
BEGIN IMMEDIATE;
DROP INDEX $index_name;
INSERT INTO observations (target_id, action, value, qualifier, period_start, period_end,
    source, url, note, recorded_by, recorded_at)
  SELECT target_id, 'record', value, coalesce(nullif(qualifier, ''), 'exact'),
         period || '-01', date(period || '-01', '+1 month', '-1 day'), source,
         nullif(url, ''), nullif(note, ''), recorded_by, '2026-01-15T12:00:00.000Z'
  FROM temp_raw;
$index_sql;
DROP TABLE temp_raw;
COMMIT;
SQL
        import_cmds+=(sqlite3-schema "sqlite3 $SCHEMADB < $D/schema-floor.sql")
        import_prep+=(--prepare "cp $BASE $SCHEMADB && rm -f $SCHEMADB-wal $SCHEMADB-shm")
    fi
    hf "import-$L" "${SLOW[@]}" "${import_prep[@]}" -- "${import_cmds[@]}"
    R[$L,import]=$(median "import-$L" tracker-import)
    R[$L,import_floor]=$(median "import-$L" sqlite3-import)
    R[$L,import_schema]=$(median "import-$L" sqlite3-schema)
    R[$L,import_cpu]=$(cpu "import-$L" tracker-import)
    R[$L,import_floor_cpu]=$(cpu "import-$L" sqlite3-import)
    R[$L,import_schema_cpu]=$(cpu "import-$L" sqlite3-schema)
    if [ "$HAVE_SQLITE3" = 1 ]; then
        n=$(sqlite3 "$SCHEMADB" "SELECT count(*) FROM observations")
        [ "$n" = $((ROWS + SEED_OBS)) ] || die "$L: the schema floor stored $n rows, expected $((ROWS + SEED_OBS))"
    fi
    [ "$HAVE_SQLITE3" = 0 ] || R[$L,floor_db]=$(size_of "$FLOORDB")

    # The ledger every read benchmark uses: base + import, built once more
    # under /usr/bin/time for the import's peak memory.
    FULL="$D/ledger.db"
    rm -f "$FULL" "$FULL"-wal "$FULL"-shm
    cp "$BASE" "$FULL"
    R[$L,import_rss]=$(peak_kib "$TRACKER" --db "$FULL" import "$D/observations.csv")
    R[$L,ledger]=$(size_of "$FULL")
    R[$L,csv]=$(size_of "$D/observations.csv")
    [ ! -e "$FULL-wal" ] || die "a WAL file was left behind by import"

    # Report: every target once, one row each.
    say "$L: report --csv"
    REPORT_ROWS=$("$TRACKER" --db "$FULL" report --csv | tail -n +2 | wc -l)
    R[$L,report_sha]=$("$TRACKER" --db "$FULL" report --csv | sha256sum)
    WANT=$((TARGETS + SEED_TARGETS))
    [ "$REPORT_ROWS" = "$WANT" ] || die "$L: report has $REPORT_ROWS rows, expected $WANT"
    report_cmds=(report "$TRACKER --db $FULL report --csv")
    if [ "$HAVE_SQLITE3" = 1 ]; then
        FLOOR_ROWS=$(sqlite3 -csv "$FULL" "$FLOOR_SQL" | wc -l)
        report_cmds+=(sqlite3-floor "sqlite3 -csv $FULL \"$FLOOR_SQL\"")
    fi
    hf "report-$L" "${WARM[@]}" -N -- "${report_cmds[@]}"
    R[$L,report]=$(median "report-$L" report)
    R[$L,floor]=$(median "report-$L" sqlite3-floor)
    R[$L,report_cpu]=$(cpu "report-$L" report)
    R[$L,floor_cpu]=$(cpu "report-$L" sqlite3-floor)
    R[$L,report_rss]=$(peak_kib "$TRACKER" --db "$FULL" report --csv)

    # List.
    say "$L: list"
    hf "list-$L" "${WARM[@]}" -N -- list "$TRACKER --db $FULL list"
    R[$L,list]=$(median "list-$L" list)

    # Record: one new observation per run (a fresh day in the record target's
    # free range, so periods never overlap), durable commit included.
    say "$L: record"
    CTR="$D/record.counter"
    ARGS_FILE="$D/record.args"
    echo 0 >"$CTR"
    NEXT="n=\$(cat $CTR); echo \$((n + 1)) > $CTR; \
d=\$(date -u -d \"$RECORD_FROM + \$n days\" +%F); echo \"\$d \$((1000 + n))\" > $ARGS_FILE"
    hf "record-$L" "${RECORD_RUNS[@]}" --shell=bash --prepare "$NEXT" -- \
        record "read d v < $ARGS_FILE; exec $TRACKER --db $FULL record $RECORD_TARGET \$v --date \$d --source 'SYNTHETIC bench record'"
    R[$L,record]=$(median "record-$L" record)
    RECORDED=$(cat "$CTR")
    [ "$RECORDED" -le "$RECORD_DAYS" ] || die "record ran $RECORDED times; only $RECORD_DAYS free days"

    [ -z "$PG_ADMIN" ] || pg_bench "$L" "$D"

    if [ "$SMOKE" = 1 ]; then
        "$TRACKER" --db "$FULL" check >/dev/null || die "$L: tracker check found problems"
        [ "$HAVE_SQLITE3" = 0 ] || [ "$FLOOR_ROWS" = $((TARGETS + SEED_WITH_OBS)) ] ||
            die "$L: the floor query returned $FLOOR_ROWS rows, expected $((TARGETS + SEED_WITH_OBS))"
    fi
done

# ---------------------------------------------------------------------------
# The table.
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
FSYNC_END=$(fsync_ms)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT="$OUT/results-$STAMP.md"
LAST=${LABELS[-1]}
LAST_N=$((${LAST#*x} * TARGETS))
yes_no() { if awk "BEGIN { exit !($1) }"; then echo yes; else echo "**no**"; fi; }
cpu_ratio() { # "tracker cpu / floor cpu" when both are known
    if [ -n "$2" ] && [ "$2" != 0 ]; then echo " (CPU $(ratio "$1" "$2"))"; fi
}
{
    echo "# tracker benchmark, $STAMP"
    echo
    echo "- machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
        "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
        "kernel $(uname -r); ledger on $(df -T "$WORK" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
    echo "- load average (1, 5, 15 min) at start $LOAD_START, at end $LOAD_END;" \
        "durable 4 KiB write (dd oflag=dsync) $FSYNC_START ms at start, $FSYNC_END ms at end"
    echo "- tracker $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')" \
        "$(cd "$ROOT" && [ -n "$(git status --porcelain 2>/dev/null | grep -v '^??')" ] && echo '(with local changes)')," \
        "profile $PROFILE, bundled SQLite; sqlite3 CLI $( [ "$HAVE_SQLITE3" = 1 ] && sqlite3 --version | cut -d' ' -f1 || echo absent);" \
        "$( [ "$HAVE_HYPERFINE" = 1 ] && hyperfine --version || echo 'no hyperfine: single runs')"
    echo "- TRACKER_NOW=$TRACKER_NOW, seed $SEED, $TARGETS synthetic targets + $SEED_TARGETS seed targets;" \
        "warm cache; wall-clock medians (CPU = mean user + system)"
    echo
    if [ "$SMOKE" = 1 ]; then
        echo "**Smoke run**: a tiny ledger and a $PROFILE build, to show every command"
        echo "works; the figures below are not measurements."
        echo
    fi
    echo "## Goals (at $LAST_N observations)"
    echo
    echo "| measure | tracker | floor | ratio | goal | met |"
    echo "|---|---:|---:|---:|---|---|"
    r=${R[$LAST,report]} f=${R[$LAST,floor]:-0}
    echo "| \`report --csv\` | $(fmt_ms "$r") | $(fmt_ms "$f") (\`sqlite3 -csv\` aggregate) | $(ratio "$r" "$f")$(cpu_ratio "${R[$LAST,report_cpu]}" "${R[$LAST,floor_cpu]:-}") | ≤ 2× floor and < 1 s | $(yes_no "$r <= 2 * $f && $r < 1000") |"
    echo "| \`report --csv\` peak RSS | $(mib "${R[$LAST,report_rss]}") MiB | | | < 64 MiB, flat | $(yes_no "${R[$LAST,report_rss]} < 65536") |"
    echo "| \`list\`, seeded ledger | $(fmt_ms "$LIST_SEEDED") | | | < 10 ms | $(yes_no "$LIST_SEEDED < 10") |"
    echo "| \`list\`, $LAST_N-observation ledger | $(fmt_ms "${R[$LAST,list]}") | | | – | |"
    echo "| \`record\`, $LAST_N-observation ledger | $(fmt_ms "${R[$LAST,record]}") | | | < 15 ms | $(yes_no "${R[$LAST,record]} < 15") |"
    i=${R[$LAST,import]} fi=${R[$LAST,import_floor]:-0}
    echo "| \`import\` of $LAST_N rows | $(fmt_ms "$i") | $(fmt_ms "$fi") (\`sqlite3 .import\`) | $(ratio "$i" "$fi")$(cpu_ratio "${R[$LAST,import_cpu]}" "${R[$LAST,import_floor_cpu]:-}") | < 10 s and ≤ 3× floor | $(yes_no "$i < 10000 && $i <= 3 * $fi") |"
    s=${R[$LAST,import_schema]:-0}
    echo "| \`import\` of $LAST_N rows, against the ledger's schema | $(fmt_ms "$i") | $(fmt_ms "$s") (\`sqlite3\` into the same schema) | $(ratio "$i" "$s")$(cpu_ratio "${R[$LAST,import_cpu]}" "${R[$LAST,import_schema_cpu]:-}") | (proposed) ≤ 1.5× this floor | $(yes_no "$s > 0 && $i <= 1.5 * $s") |"
    echo "| ledger size on disk | $(bytes_mib "${R[$LAST,ledger]}") MiB | $(bytes_mib "${R[$LAST,csv]}") MiB (the CSV) | $(ratio "${R[$LAST,ledger]}" "${R[$LAST,csv]}") | – | |"
    echo
    echo "## Growth"
    echo
    echo "| ledger | observations | report | floor | report/floor | report CPU | floor CPU | report µs/obs | report peak RSS | list | record | import | sqlite3 .import | import/floor | sqlite3, same schema | import/schema floor | import peak RSS | target import | ledger MiB | CSV MiB | sqlite3 .import MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for L in "${LABELS[@]}"; do
        n=$((${L#*x} * TARGETS))
        echo "| $L | $n | $(fmt_ms "${R[$L,report]}") | $(fmt_ms "${R[$L,floor]:-0}") | $(ratio "${R[$L,report]}" "${R[$L,floor]:-0}") | $(fmt_ms "${R[$L,report_cpu]}") | $(fmt_ms "${R[$L,floor_cpu]:-0}") | $(awk -v m="${R[$L,report]}" -v n="$n" 'BEGIN { printf "%.2f", m * 1000 / n }') | $(mib "${R[$L,report_rss]}") MiB | $(fmt_ms "${R[$L,list]}") | $(fmt_ms "${R[$L,record]}") | $(fmt_ms "${R[$L,import]}") | $(fmt_ms "${R[$L,import_floor]:-0}") | $(ratio "${R[$L,import]}" "${R[$L,import_floor]:-0}") | $(fmt_ms "${R[$L,import_schema]:-0}") | $(ratio "${R[$L,import]}" "${R[$L,import_schema]:-0}") | $(mib "${R[$L,import_rss]}") MiB | $(fmt_ms "${R[$L,target_import]}") | $(bytes_mib "${R[$L,ledger]}") | $(bytes_mib "${R[$L,csv]}") | $(bytes_mib "${R[$L,floor_db]:-0}") |"
    done
    if [ -n "$PG_ADMIN" ]; then
        echo
        echo "## PostgreSQL"
        echo
        echo "Server: $(pg_sql "SELECT version()" | cut -d' ' -f1-2)," \
            "fsync $(pg_sql "SHOW fsync"), synchronous_commit $(pg_sql "SHOW synchronous_commit")," \
            "shared_buffers $(pg_sql "SHOW shared_buffers"); on 127.0.0.1 (TCP, SCRAM). The same ledgers; the floor for \`report\` is the SQLite file ledger's \`report --csv\` above." \
            "CPU columns are tracker's own (the client); the server's work is in the wall time only."
        echo
        echo "| measure at $LAST_N observations | PostgreSQL | SQLite file | ratio | goal | met |"
        echo "|---|---:|---:|---:|---|---|"
        p=${R[$LAST,pg_report]} r=${R[$LAST,report]}
        echo "| \`report --csv\` | $(fmt_ms "$p") | $(fmt_ms "$r") | $(ratio "$p" "$r") (client CPU $(fmt_ms "${R[$LAST,pg_report_cpu]}")) | ≤ 2× SQLite | $(yes_no "$p <= 2 * $r") |"
        i=${R[$LAST,pg_import]}
        rps=$(awk -v n="$LAST_N" -v m="$i" 'BEGIN { printf "%.0f", n / (m / 1000) }')
        echo "| \`import\` of $LAST_N rows | $(fmt_ms "$i") ($rps rows/s) | $(fmt_ms "${R[$LAST,import]}") | $(ratio "$i" "${R[$LAST,import]}") | ≥ 100,000 rows/s | $(yes_no "$rps >= 100000") |"
        echo "| \`record\` | $(fmt_ms "${R[$LAST,pg_record]}") | $(fmt_ms "${R[$LAST,record]}") | $(ratio "${R[$LAST,pg_record]}" "${R[$LAST,record]}") | < 15 ms | $(yes_no "${R[$LAST,pg_record]} < 15") |"
        echo
        echo "| ledger | observations | report | report/SQLite | report client CPU | report peak RSS | list | record | import | rows/s | import client CPU | import peak RSS | database MiB |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for L in "${LABELS[@]}"; do
            n=$((${L#*x} * TARGETS))
            echo "| $L | $n | $(fmt_ms "${R[$L,pg_report]}") | $(ratio "${R[$L,pg_report]}" "${R[$L,report]}") | $(fmt_ms "${R[$L,pg_report_cpu]}") | $(mib "${R[$L,pg_report_rss]}") MiB | $(fmt_ms "${R[$L,pg_list]}") | $(fmt_ms "${R[$L,pg_record]}") | $(fmt_ms "${R[$L,pg_import]}") | $(awk -v n="$n" -v m="${R[$L,pg_import]}" 'BEGIN { printf "%.0f", n / (m / 1000) }') | $(fmt_ms "${R[$L,pg_import_cpu]}") | $(mib "${R[$L,pg_import_rss]}") MiB | $(bytes_mib "${R[$L,pg_size]}") |"
        done
    fi
    echo
    echo "Raw hyperfine exports: bench/out/hf/. Floor query:"
    echo
    echo '```sql'
    echo "$FLOOR_SQL"
    echo '```'
} >"$REPORT"
cp "$REPORT" "$OUT/results.md"
cat "$REPORT"
if [ "$SMOKE" = 1 ]; then
    say "smoke OK: every command succeeded; report rows = targets ($((TARGETS + SEED_TARGETS)))$([ -z "$PG_ADMIN" ] || echo ", on SQLite and on PostgreSQL")"
fi
