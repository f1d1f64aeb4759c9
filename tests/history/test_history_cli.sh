#!/bin/sh
# test_history_cli.sh — `tritbench history` end to end on SQLite: a 30-night demo history built from real
# samples (drift rescaled to 1 %, a 5 % step at night 21 in one family) ingested through the CLI night by
# night, then list/show/export/trend/detect/noise/report and their exit statuses; bad input exits 2 with a
# message naming the problem.
# Usage: test_history_cli.sh TRITBENCH MAKE_DEMO FIXTURE DATA_DIR
set -u
tb=$1 demo=$2 fixture=$3 data=$4
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if "$tb" history --db "$tmp/probe.sqlite" list 2>&1 | grep -q 'built without SQLite'; then
    echo "SKIP: tritbench built without SQLite (libsqlite3-dev)"; exit 77
fi
db="$tmp/h.sqlite"
h() { "$tb" history --db "$db" "$@"; }

family=$("$demo" "$fixture" "$tmp/nights" 30 20) || fail "make_demo_history"
mkdir "$tmp/first20" && mv "$tmp"/nights/night-0*.json "$tmp"/nights/night-1*.json "$tmp/first20/" || fail mv
h ingest "$tmp/first20" > "$tmp/ingest.out" || fail "ingest of a directory of 20 nights"
[ "$(grep -c ': run ' "$tmp/ingest.out")" -eq 20 ] || fail "20 runs expected: $(cat "$tmp/ingest.out")"
h ingest "$tmp"/first20/night-0[0-4].json | grep -q 'already stored' || fail "re-ingest must say already stored"
# Twenty files named on one command line (the positional limit was 15 once): all stored already, all read.
[ "$(h ingest "$tmp"/first20/night-*.json | grep -c 'already stored')" -eq 20 ] || fail "20 files in one call"
# Night by night from 21 (the step's first night): detect exits 1 exactly on the nights a regression is
# first found, and each NEW change point was not there the night before.
prev="$tmp/prev.json"
echo '{"change_points": []}' > "$prev"
new_nights=0
for k in 20 21 22 23 24 25 26 27 28 29; do
    h ingest "$tmp/nights/night-$k.json" >/dev/null || fail "ingest night $k"
    h detect --format json > "$tmp/detect.json"
    rc=$?
    python3 -c '
import json, sys
prev = {c["benchmark"] for c in json.load(open(sys.argv[1]))["change_points"]}
d = json.load(open(sys.argv[2])); rc = int(sys.argv[3])
new = [c for c in d["change_points"] if c["new"]]
assert all(c["benchmark"] not in prev for c in new), new
assert all(c["benchmark"] in prev for c in d["change_points"] if not c["new"])
assert (rc == 1) == (d["new_regressions"] > 0), (rc, d["new_regressions"])
' "$prev" "$tmp/detect.json" $rc || fail "night $((k + 1)): detect exit $rc inconsistent with its change points"
    [ $rc -eq 1 ] && new_nights=$((new_nights + 1))
    [ $k -le 22 ] && [ $rc -ne 0 ] && fail "night $((k + 1)): a change found with < 4 nights after it"
    cp "$tmp/detect.json" "$prev"
done
[ $new_nights -ge 1 ] || fail "the planted step was never reported as a new regression"
h ingest "$data/validate_small.json" --date 2026-10-30T03:00:00Z --tag smoke --tag ci >/dev/null || fail "ingest validate"
[ "$(h list | tail -n 1)" = "31 run(s)" ] || fail "list: $(h list | tail -n 1)"
h list --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==31 and d[-1]["tags"]=="smoke,ci" and d[-1]["failed"]==1' ||
    fail "list --format json"
h show 31 | grep -q 'FAIL  memory_reduction' || fail "show: the failed verdict"
fp=$("$tb" history fingerprint "$data/validate_small.json") || fail "fingerprint"
h list | grep -q "^ *31 .*$fp" || fail "fingerprint $fp is not the machine list shows for run 31"
h export 3 -o "$tmp/run3.json" || fail "export"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["context"]["date"]=="2026-10-03T02:00:00Z"; assert len(d["benchmarks"])>=9' "$tmp/run3.json" ||
    fail "export: not google/benchmark JSON of run 3"
h detect > "$tmp/detect.out"
grep -q "regression *$family/" "$tmp/detect.out" || fail "detect: no regression in $family: $(cat "$tmp/detect.out")"
grep -E "^(NEW )?(regression|improvement) " "$tmp/detect.out" | grep -v " $family/" | grep -q . && fail "detect: a change outside $family"
h detect --format json > "$tmp/detect.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); fam = sys.argv[2]
cps = d["change_points"]
assert cps and all(c["benchmark"].startswith(fam + "/") for c in cps), cps
assert all(c["night"] in (20, 21, 22) and c["kind"] == "regression" for c in cps), cps
assert all(c["change_ci_low"] < c["change"] < c["change_ci_high"] and 0.02 < c["change"] < 0.08 for c in cps), cps
' "$tmp/detect.json" "$family" || fail "detect --format json"
h noise --all-machines --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) >= 30 and all(x["rel_sd"] >= 0 and x["nights"] >= 30 for x in d)' ||
    fail "noise"
h trend "^$family/" --out "$tmp/trend" > "$tmp/trend.out" || fail "trend"
grep -q 'change point: slower' "$tmp/trend.out" || fail "trend: change point not marked in the table"
if command -v gnuplot >/dev/null; then
    [ -s "$tmp/trend/trend.png" ] && [ -s "$tmp/trend/trend.svg" ] || fail "trend: no plot"
fi

# report: exit 1 (a failed target), the page and the Markdown written.
h report --out "$tmp/report" > "$tmp/report.out"
[ $? -eq 1 ] || fail "report exit status"
[ -s "$tmp/report/index.html" ] && [ -s "$tmp/report/report.md" ] || fail "report files"

# Bad input: exit 2 and a message that names the problem.
expect2() {
    "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || fail "exit $rc (expected 2) from: $*"
    grep -q -- "$want" "$tmp/err" || fail "message for '$*' lacks '$want': $(cat "$tmp/err")"
}
want="--db DB is required" expect2 "$tb" history list
want="unknown command 'frob'" expect2 h frob
want="does not apply to 'list'" expect2 h list --tag x
want="'abc' is not a run id" expect2 h show abc
want="no run 999" expect2 h export 999
want="invalid JSON" expect2 sh -c "printf '{' > '$tmp/bad.json'; '$tb' history --db '$db' ingest '$tmp/bad.json'"
want="invalid benchmark regex" expect2 h trend '('
want="no stored benchmark matches" expect2 h trend zzz
want="--out DIR is required" expect2 h report
want="cannot connect to PostgreSQL" expect2 "$tb" history --db postgresql://nobody@127.0.0.1:1/x list
# compare --history: the learnt between-run noise reaches `compare` (issue 12): rows are judged against it
# instead of "no between-run noise is known".
"$tb" compare --history "$db" --threshold 2% "$tmp/nights/night-29.json" "$tmp/nights/night-28.json" \
    > "$tmp/cmp.out" 2> "$tmp/cmp.err"
[ $? -le 1 ] || fail "compare --history: $(cat "$tmp/cmp.err")"
grep -Eq 'between-run noise of [1-9][0-9]* benchmark' "$tmp/cmp.err" || fail "compare --history learnt no noise: $(cat "$tmp/cmp.err")"
for flag in "--history=$db" ""; do
    "$tb" compare $flag --format json --threshold 2% "$tmp/nights/night-29.json" "$tmp/nights/night-28.json" \
        2>/dev/null > "$tmp/cmp.json"
    python3 -c '
import json, math, sys
d = json.load(open(sys.argv[1])); want = sys.argv[2] == "yes"
assert d["between_run_noise_known"] == want, d["between_run_noise_known"]
bands = [c["noise_band"] for c in d["comparisons"]]
assert all((b is not None and b > 0) if want else (b is None or math.isnan(b)) for b in bands), bands
' "$tmp/cmp.json" "$([ -n "$flag" ] && echo yes || echo no)" || fail "compare ${flag:-without --history}: noise bands wrong"
done
want="--history" expect2 "$tb" compare --history "$tmp/none/x.sqlite" "$tmp/nights/night-29.json" "$tmp/nights/night-28.json"
echo "history CLI: all checks passed"
