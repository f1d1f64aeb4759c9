#!/bin/sh
# test_nightly.sh — tools/nightly on a demo history (real samples, drift rescaled to 1 %): old night folders
# ingested once; nights after a planted 5 % step: exit 0 until the step is found, exit 1 on the night(s) a
# regression change point is new; a night with a failed validation target → exit 1; the dashboard written.
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
flagged=0
for k in 22 23 24 25 26 27 28 29; do
    night "$tmp/nights/night-$k.json"; rc=$?
    case $rc in
    0) ;;
    1) grep -q 'NEW regression change point' "$tmp/out" || fail "night $((k + 1)): exit 1 without a reason"
       flagged=$((flagged + 1)) ;;
    *) fail "night $((k + 1)): exit $rc: $(cat "$tmp/out")" ;;
    esac
    [ $k -eq 22 ] && [ $rc -ne 0 ] && fail "night 23: a change found with 3 nights after it"
done
[ $flagged -ge 1 ] || fail "the planted step never made the nightly exit 1"
night "$data/validate_small.json"; rc=$?
[ $rc -eq 1 ] || fail "a failed validation target: exit $rc"
grep -q 'validation target FAILED' "$tmp/out" || fail "failed target not reported"
[ -s "$hist/dashboard/index.html" ] && [ -s "$hist/dashboard/report.md" ] || fail "no dashboard"
[ -s "$hist/latest/detect.json" ] || fail "no detect.json for the night"
echo "nightly: all checks passed"
