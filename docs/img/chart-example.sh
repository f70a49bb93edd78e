#!/bin/sh
# Regenerates docs/img/equipment-renewal-synthetic.svg, the chart shown in
# the README: the seeded ledger plus two SYNTHETIC figures (not real data),
# on a fixed clock so the picture is byte-for-byte reproducible.
# tests/cli/test_chart.rs checks the committed file is what this makes.
#
#   sh docs/img/chart-example.sh            # with `tracker` on PATH
#   TRACKER="cargo run -q --" sh docs/img/chart-example.sh
set -eu
cd "$(dirname "$0")/../.."
TRACKER=${TRACKER:-tracker}
db=$(mktemp -d)/example.db
export TRACKER_NOW=2026-03-31T12:00:00Z TRACKER_USER=example TRACKER_CONFIG=
$TRACKER --db "$db" init >/dev/null
$TRACKER --db "$db" record equipment-renewal 700bn --period 2024 \
    --source "synthetic example, not a real figure" >/dev/null
$TRACKER --db "$db" record equipment-renewal '>750bn' --period 2025 \
    --source "synthetic example, not a real figure" >/dev/null
$TRACKER --db "$db" --numbers western chart equipment-renewal \
    -o docs/img/equipment-renewal-synthetic.svg
rm -r "$(dirname "$db")"
