#!/bin/sh
# Regenerates the README's picture of the HTML page:
#   docs/img/status-page-synthetic.html  the page (checked by a test), and
#   docs/img/status-page-synthetic.png   a headless Chromium screenshot of it.
# The ledger is the seed plus SYNTHETIC figures (not real data), on a fixed
# clock, so the HTML is byte-for-byte reproducible; tests/cli/test_html.rs
# checks the committed HTML is what this makes. The PNG depends on the
# Chromium version and the fonts installed, so no test compares its bytes:
# rerun this script when the test says the HTML changed.
#
#   sh docs/img/html-example.sh            # with `tracker` and `chromium` on PATH
#   TRACKER="cargo run -q --" sh docs/img/html-example.sh
set -eu
cd "$(dirname "$0")/../.."
TRACKER=${TRACKER:-tracker}
CHROMIUM=${CHROMIUM:-chromium}
work=$(mktemp -d)
db=$work/example.db
export TRACKER_NOW=2026-03-31T12:00:00Z TRACKER_USER=example TRACKER_CONFIG=
synthetic="synthetic example, not a real figure"
$TRACKER --db "$db" init >/dev/null
$TRACKER --db "$db" record equipment-renewal 700bn --period 2024 --source "$synthetic" >/dev/null
$TRACKER --db "$db" record equipment-renewal '>750bn' --period 2025 --source "$synthetic" >/dev/null
$TRACKER --db "$db" record opbudget-st-share 78% --period 2025 --source "$synthetic" >/dev/null
$TRACKER --db "$db" record sei-revenue '~9.5万亿' --period 2025 --source "$synthetic" >/dev/null
$TRACKER --db "$db" --numbers western report equipment-renewal opbudget-st-share sei-revenue \
    --group-by source -o docs/img/status-page-synthetic.html
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/profile" \
    --screenshot="$PWD/docs/img/status-page-synthetic.png" --window-size=1000,1300 \
    "file://$PWD/docs/img/status-page-synthetic.html" 2>/dev/null
rm -r "$work"
