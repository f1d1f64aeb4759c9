#!/bin/sh
# test_compare_cli.sh — `tritbench compare` from the outside: two separate runs with a planted 10 % change
# are INCONCLUSIVE (never REGRESSION) without between-run noise, and say why; same distribution → same;
# bad input exits 2 naming the problem (ambiguous threshold, nothing in common, FIFO, missing file).
# Usage: test_compare_cli.sh TRITBENCH FIXTURES_DIR
tb=$1 fixtures=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_exit() { # expect_exit CODE REGEX ARGS...: exit code and a line of stdout+stderr matching REGEX
    code=$1 re=$2; shift 2
    "$tb" "$@" >"$dir/all" 2>&1
    rc=$?
    [ "$rc" -eq "$code" ] || { fail "tritbench $*: exit $rc, expected $code"; cat "$dir/all"; return; }
    grep -Eq -- "$re" "$dir/all" || { fail "tritbench $*: no line matching '$re'"; cat "$dir/all"; }
}
gen() { # gen FILE FACTOR NAME2: a google/benchmark JSON file, 9 repetitions of "slow" and of NAME2
    awk -v f="$2" -v n2="$3" 'BEGIN {
        printf "{\"context\": {\"host_name\": \"h\"}, \"benchmarks\": [";
        split("100.0 101.5 99.2 100.8 98.9 100.3 101.1 99.6 100.1", t, " ");
        split("0.3 -0.4 0.1 0.2 -0.2 0.4 -0.1 0.0 -0.3", jit, " ");
        sep = "";
        for (i = 1; i <= 9; i++) {
            printf "%s{\"name\": \"slow\", \"run_name\": \"slow\", \"run_type\": \"iteration\", \"real_time\": %.3f, \"cpu_time\": 1, \"time_unit\": \"us\"}", sep, (t[i] + jit[i]) * f; sep = ", ";
            printf ", {\"name\": \"%s\", \"run_name\": \"%s\", \"run_type\": \"iteration\", \"real_time\": %.3f, \"cpu_time\": 1, \"time_unit\": \"ms\"}", n2, n2, t[10 - i] - jit[i];
        }
        printf ", {\"name\": \"gone\", \"run_type\": \"iteration\", \"real_time\": 5, \"cpu_time\": 5, \"time_unit\": \"ns\"}";
        printf "]}\n" }' > "$1"
}
gen "$dir/a.json" 1.0 steady
gen "$dir/b.json" 1.1 steady
gen "$dir/c.json" 1.0 other
sed 's/"gone"/"new"/' "$dir/a.json" > "$dir/d.json"

# Separate runs, no history: the 10 % change is significant, but INCONCLUSIVE, exit 0, and says why.
expect_exit 0 "^slow .*\+10\.[0-9]% \[\+[0-9.]+, \+[0-9.]+\] .* inconclusive$" compare "$dir/a.json" "$dir/b.json"
grep -Eq "^steady .* same$" "$dir/all" || fail "steady benchmark not reported as same"
grep -q "cannot resolve changes below the observed run-to-run spread" "$dir/all" || fail "no explanation of inconclusive"
grep -q "tritbench ab" "$dir/all" || fail "inconclusive does not point to tritbench ab"
grep -q "REGRESSION" "$dir/all" && fail "REGRESSION without between-run noise"
grep -q "Geometric mean" "$dir/all" || fail "no geometric mean"
expect_exit 0 '"inconclusive": 1' compare --format=json "$dir/a.json" "$dir/b.json"
grep -q '"regressions": 0' "$dir/all" || fail "json: regressions not 0"
grep -q '"ratio_lo":' "$dir/all" || fail "json: no interval"
expect_exit 0 '^\| `slow` \|.*inconclusive' compare --format md "$dir/a.json" "$dir/b.json"
expect_exit 0 "^slow .* same$" compare --threshold 15% "$dir/a.json" "$dir/b.json"
expect_exit 0 "^slow .* same$" compare --threshold 0.15 "$dir/a.json" "$dir/b.json"
# --time=cpu reads cpu_time, which these files keep constant: nothing moved.
expect_exit 0 "^slow .* same$" compare --time=cpu "$dir/a.json" "$dir/b.json"
expect_exit 2 "--time" compare --time=wall "$dir/a.json" "$dir/b.json"
expect_exit 0 "only in .*d.json: new" compare "$dir/a.json" "$dir/d.json"
grep -q "only in .*a.json: gone" "$dir/all" || fail "unpaired base name not reported"

# Bad input: exit 2 with the reason.
expect_exit 2 "a bare 10 could mean 10 % or 1000 %" compare --threshold 10 "$dir/a.json" "$dir/b.json"
expect_exit 2 "--threshold" compare --threshold=abc "$dir/a.json" "$dir/b.json"
echo '{"benchmarks": [{"name": "x", "real_time": 1, "time_unit": "ns"}]}' > "$dir/x.json"
expect_exit 2 "no benchmark in common" compare "$dir/a.json" "$dir/x.json"
expect_exit 2 "/nonexistent/a.json: cannot open" compare /nonexistent/a.json "$dir/a.json"
mkfifo "$dir/pipe"
# A FIFO with no writer must not hang: refused at once (timeout guards the test itself).
timeout 10 "$tb" compare "$dir/pipe" "$dir/a.json" >"$dir/all" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "FIFO: exit $rc (124 = it hung)"
grep -q "not a regular file" "$dir/all" || fail "FIFO: no message"
expect_exit 2 "missing BASE.json NEW.json" compare "$dir/a.json"

# google/benchmark's own edge cases: zero/NaN base times have their own state; escapes are escaped.
expect_exit 0 "^BM_Zero .* invalid-base-time$" compare "$fixtures/google_edge_cases.json" "$fixtures/google_edge_cases.json"
grep -q "BigO/RMS rows" "$dir/all" || fail "BigO/RMS rows not mentioned"
grep -q 'BM_\\x1b]0;pwned\\x07\\x1b\[2J' "$dir/all" || fail "escape bytes not escaped on output"
if grep -q "$(printf '\033')" "$dir/all"; then fail "a raw ESC byte reached the output"; fi
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
