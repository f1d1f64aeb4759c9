#!/bin/sh
# test_ab.sh — `tritbench ab` from the outside, timing-free: fake_bench.py stands in for the two binaries
# (round-to-round drift of ±25 %, ±0.5 % noise per launch, and a 5 % slowdown of 20 "kernel_a" rows when
# called through a name containing "slow"). A/A: 0 regressions; planted: exactly the 20 kernel_a rows;
# failures exit 2 naming the problem. Usage: test_ab.sh TRITBENCH FAKE_BENCH
tb=$1 fake=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ln -s "$fake" "$dir/fake_bench_slow" || exit 1
export FAKE_BENCH_STATE="$dir"

# A/A: the same fake twice; drift between rounds is far larger than the noise, but it cancels in pairs.
"$tb" ab "$fake" "$fake" --rounds 10 --seed 1 --out "$dir/aa" >"$dir/aa.out" 2>"$dir/aa.err"
rc=$?
[ "$rc" -eq 0 ] || { fail "A/A exit $rc"; cat "$dir/aa.out" "$dir/aa.err"; }
[ "$(grep -c 'REGRESSION' "$dir/aa.out")" -eq 0 ] || fail "A/A flagged regressions"
[ "$(grep -c '^fake/kernel_[ab]/.* same$' "$dir/aa.out")" -eq 40 ] || fail "A/A: not 40 rows judged same"
grep -q "10 interleaved rounds, seed 1" "$dir/aa.out" || fail "A/A: rounds and seed not shown"
for f in baseline.json contender.json comparison.json rounds/baseline-00.json rounds/contender-09.json; do
    [ -s "$dir/aa/$f" ] || fail "A/A: no $f"
done
# The merged files are google/benchmark JSON with every round's repetition; the skipped row once.
grep -q '"repetition_index": 9' "$dir/aa/baseline.json" || fail "merged baseline lacks round 10"
[ "$(grep -c '"fake/skipped/threads:1"' "$dir/aa/baseline.json")" -eq 2 ] || fail "skipped row not written once"

# Planted 5 % on kernel_a only: flagged there (all 20 rows) and nowhere else; exit 1.
"$tb" ab "$fake" "$dir/fake_bench_slow" --rounds 10 --seed 2 --out "$dir/ab" >"$dir/ab.out" 2>"$dir/ab.err"
rc=$?
[ "$rc" -eq 1 ] || { fail "planted: exit $rc, expected 1"; cat "$dir/ab.out" "$dir/ab.err"; }
[ "$(grep -c '^fake/kernel_a/.*REGRESSION$' "$dir/ab.out")" -eq 20 ] || fail "planted: not all 20 kernel_a rows flagged"
[ "$(grep -c '^fake/kernel_b/.*REGRESSION$' "$dir/ab.out")" -eq 0 ] || fail "planted: kernel_b rows flagged"
grep -q "+5.0% \[+4" "$dir/ab.out" || fail "planted: estimate +5.0 % with its interval not shown"
grep -q "20 significant slowdown" "$dir/ab.err" || fail "planted: no summary line"
# Judged again from its files, without running: the same verdicts, by either clock.
"$tb" ab --from "$dir/ab" >"$dir/from.out" 2>&1
[ $? -eq 1 ] || fail "--from: exit not 1"
[ "$(grep -c '^fake/kernel_a/.*REGRESSION$' "$dir/from.out")" -eq 20 ] || fail "--from: not the 20 kernel_a rows"
grep -q "10 interleaved rounds in .*/ab judged again, CPU time" "$dir/from.out" || fail "--from: header"
# The load shown is the one recorded while the rounds ran, not this moment's.
rec=$(sed -n 's/.*"load_before": "\([^"]*\)".*/\1/p' "$dir/ab/comparison.json")
[ -n "$rec" ] && grep -qF "load average before: $rec;" "$dir/from.out" || fail "--from: recorded load not shown"
"$tb" ab --from "$dir/ab" --time=real >/dev/null 2>&1
[ $? -eq 1 ] || fail "--from --time=real: exit not 1"
# The same as JSON.
"$tb" ab "$fake" "$dir/fake_bench_slow" --rounds 10 --seed 2 --out "$dir/abj" --format json >"$dir/abj.out" 2>/dev/null
[ $? -eq 1 ] || fail "planted --format json: exit not 1"
grep -q '"regressions": 20' "$dir/abj.out" || fail "planted --format json: no \"regressions\": 20"
# Under a 10 % threshold the 5 % slowdown is not a regression.
"$tb" ab "$fake" "$dir/fake_bench_slow" --rounds 10 --seed 2 --out "$dir/ab10" --threshold 10% >/dev/null 2>&1
[ $? -eq 0 ] || fail "a 5 % slowdown flagged under --threshold 10%"
# Too few rounds to reach alpha: nothing flagged, and said so.
"$tb" ab "$fake" "$dir/fake_bench_slow" --rounds 4 --seed 2 --out "$dir/ab4" >"$dir/ab4.out" 2>"$dir/ab4.err"
[ $? -eq 0 ] || fail "4 rounds: exit not 0"
grep -q "wide intervals" "$dir/ab4.err" || fail "4 rounds: no warning"

# Run flags reach every launch as typed (both spellings); ab sets repetitions and the output file itself.
"$tb" ab "$fake" "$fake" --rounds 2 --benchmark_filter 'fake/.*' --benchmark_min_time=0.1s --benchmark_repetitions=3 \
    --out "$dir/fw" --quiet >/dev/null 2>&1
grep -q -- "^run --benchmark_filter fake/\.\* --benchmark_min_time=0.1s --benchmark_repetitions=3 --benchmark_out=$dir/fw/rounds/.*-01.json --benchmark_out_format=json$" "$dir/last_args" ||
    { fail "run flags not forwarded as typed"; cat "$dir/last_args"; }

# Could not run → 2, naming the launch and its log.
FAKE_BENCH_FAIL=1 "$tb" ab "$fake" "$fake" --rounds 3 --out "$dir/f" >/dev/null 2>"$dir/f.err"
rc=$?
[ "$rc" -eq 2 ] || fail "failing launch: exit $rc"
grep -q "could not run: round 1: .* exited with 3 (its messages: .*rounds/.*\.log)" "$dir/f.err" || { fail "failing launch message"; cat "$dir/f.err"; }
expect2() { # expect2 FRAGMENT ARGS...
    frag=$1; shift
    "$tb" ab "$@" >"$dir/o" 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || fail "ab $*: exit $rc, expected 2"
    grep -q -- "$frag" "$dir/o" || { fail "ab $*: no \"$frag\""; cat "$dir/o"; }
}
expect2 "not an executable file" "$dir" "$fake"
expect2 "No such file" /nonexistent/tritbench "$fake"
expect2 "a bare 10" "$fake" "$fake" --threshold 10
expect2 "writes the result files itself" "$fake" "$fake" --benchmark_out=x.json
expect2 "--rounds" "$fake" "$fake" --rounds 1
expect2 "missing BASELINE CONTENDER" "$fake"
expect2 "not an ab result directory" --from "$dir/nothing"
expect2 "--time" "$fake" "$fake" --time=wall
expect2 "unknown flag" "$fake" "$fake" --benchmark_fliter=x
expect2 "--threads" "$fake" "$fake" --threads=0
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
