#!/bin/sh
# test_nightly.sh — tools/nightly on a demo history (real samples): old night folders ingested once; a
# night whose results complete a planted 5 % step → exit 1 (new regression change point); the next quiet
# night → exit 0; a night with a failed validation target → exit 1; the dashboard written each time.
# Uses --results (tonight's results given) so no validation runs. Usage: test_nightly.sh SRC BUILD MAKE_DEMO FIXTURE DATA
set -u
src=$1 build=$2 demo=$3 fixture=$4 data=$5
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if "$build/tools/tritbench" history --db "$tmp/probe.sqlite" list 2>&1 | grep -q 'built without SQLite'; then
    echo "SKIP: tritbench built without SQLite (libsqlite3-dev)"; exit 77
fi
"$demo" "$fixture" "$tmp/nights" 30 20 > /dev/null || fail make_demo_history
hist="$tmp/history"
# Nights 1–20 as old-style folders (before the database existed).
for i in $(seq -w 0 19); do
    mkdir -p "$hist/202610${i}T020000Z-demo" && cp "$tmp/nights/night-$i.json" "$hist/202610${i}T020000Z-demo/results.json"
done
night() { "$src/tools/nightly" --build-dir "$build" --history "$hist" --results "$1" > "$tmp/out" 2>&1; }
night "$tmp/nights/night-20.json"; rc=$?
[ $rc -eq 0 ] || fail "night 21: exit $rc: $(cat "$tmp/out")"
[ "$(grep -c 'ingested old night' "$tmp/out")" -eq 20 ] || fail "old nights not ingested: $(cat "$tmp/out")"
night "$tmp/nights/night-21.json" || fail "night 22: $(cat "$tmp/out")"
grep -q 'ingested old night' "$tmp/out" && fail "old nights ingested twice"
night "$tmp/nights/night-22.json"; rc=$?
[ $rc -eq 1 ] || fail "night 23 completes the step: exit $rc, expected 1: $(cat "$tmp/out")"
grep -q 'NEW regression change point' "$tmp/out" || fail "night 23: no new regression reported"
night "$tmp/nights/night-23.json"; rc=$?
[ $rc -eq 0 ] || fail "night 24: the step is no longer new: exit $rc: $(cat "$tmp/out")"
night "$data/validate_small.json"; rc=$?
[ $rc -eq 1 ] || fail "a failed validation target: exit $rc"
grep -q 'validation target FAILED' "$tmp/out" || fail "failed target not reported"
[ -s "$hist/dashboard/index.html" ] && [ -s "$hist/dashboard/report.md" ] || fail "no dashboard"
[ -s "$hist/latest/detect.json" ] || fail "no detect.json for the night"
echo "nightly: all checks passed"
