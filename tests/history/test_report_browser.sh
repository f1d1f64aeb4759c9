#!/bin/sh
# test_report_browser.sh — the history dashboard in a real browser: a 30-night demo history (real samples,
# a 5 % step at night 21 in one family) → `tritbench history report`, rendered by headless Chromium. The page
# must load without console errors, the DOM must hold one trend plot (inline SVG) per family and the change
# table, and a screenshot must be taken (kept as $TMPDIR/tritbench-history-dashboard.png to look at).
# Skipped (77) without chromium or gnuplot. Usage: test_report_browser.sh TRITBENCH MAKE_DEMO FIXTURE DATA_DIR
set -u
tb=$1 demo=$2 fixture=$3 data=$4
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "SKIP: no chromium on PATH (Debian: apt-get install chromium)"; exit 77; }
command -v gnuplot >/dev/null || { echo "SKIP: no gnuplot: the dashboard has no plots to check"; exit 77; }
tmp=$(mktemp -d) || exit 1
profile=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp" "$profile"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if "$tb" history --db "$tmp/probe.sqlite" list 2>&1 | grep -q 'built without SQLite'; then
    echo "SKIP: tritbench built without SQLite (libsqlite3-dev)"; exit 77
fi

family=$("$demo" "$fixture" "$tmp/nights" 30 20) || fail "make_demo_history"
"$tb" history --db "$tmp/h.sqlite" ingest "$tmp/nights" >/dev/null || fail "ingest"
"$tb" history --db "$tmp/h.sqlite" ingest "$data/validate_small.json" --date 2026-10-30T03:00:00Z >/dev/null || fail "ingest validate"
"$tb" history --db "$tmp/h.sqlite" report --out "$tmp/report" > "$tmp/report.out"
rc=$?
[ $rc -eq 1 ] || fail "report exit $rc (expected 1: a failed validation target)"
families=$(grep -o '[0-9]* families' "$tmp/report.out" | cut -d' ' -f1)
[ -n "$families" ] && [ "$families" -ge 4 ] || fail "report: $(cat "$tmp/report.out")"

flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir=$profile --enable-logging=stderr --v=0"
url="file://$tmp/report/index.html"
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --dump-dom "$url" > "$tmp/dom.html" 2> "$tmp/chrome.log" || fail "chromium --dump-dom: $(tail -5 "$tmp/chrome.log")"
grep -q 'CONSOLE.*\(Uncaught\|Error\)' "$tmp/chrome.log" && fail "console errors: $(grep CONSOLE "$tmp/chrome.log")"
[ "$(grep -o '<figure class="trend"' "$tmp/dom.html" | wc -l)" -eq "$families" ] || fail "DOM: not one figure per family"
[ "$(grep -o '<svg' "$tmp/dom.html" | wc -l)" -eq "$families" ] || fail "DOM: not one inline SVG plot per family"
grep -q 'id="verdict"' "$tmp/dom.html" || fail "DOM: no verdict banner"
grep -q "<td>$family/" "$tmp/dom.html" || fail "DOM: the planted family's change points are not listed"
grep -q 'FP16 tied embedding' "$tmp/dom.html" || fail "DOM: the failed validation target is not shown"
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --window-size=1200,2600 --screenshot="$tmp/shot.png" "$url" 2>> "$tmp/chrome.log" ||
    fail "chromium --screenshot"
[ "$(wc -c < "$tmp/shot.png")" -gt 20000 ] || fail "screenshot too small (blank page?)"
cp "$tmp/shot.png" "${TMPDIR:-/tmp}/tritbench-history-dashboard.png"
echo "dashboard: $families families rendered; screenshot ${TMPDIR:-/tmp}/tritbench-history-dashboard.png"
