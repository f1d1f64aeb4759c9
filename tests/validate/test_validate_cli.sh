#!/bin/sh
# test_validate_cli.sh — `tritbench validate` and `tritbench compare` from the outside: bad flags and bad
# profiles exit 2 naming the problem, compare gates a planted regression (exit 1) and not noise (exit 0),
# and `validate --quick` writes a complete report whose sign-off matches results.json.
# Usage: test_validate_cli.sh MODE TRITBENCH SOURCE_ROOT   (MODE: errors | compare | quick | planted)
mode=$1 tb=$2 src=$3
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_exit CODE PATTERN ARGS...: exit status CODE and PATTERN (grep -E) in stdout+stderr.
expect_exit() {
    want=$1 pattern=$2
    shift 2
    "$tb" "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "tritbench $*: exit $got, wanted $want"
    cat "$dir/out" "$dir/err" > "$dir/all"
    grep -Eq -- "$pattern" "$dir/all" || { fail "tritbench $*: output lacks /$pattern/"; head -c 2000 "$dir/all"; }
}

profile() { # profile NAME TARGETS-JSON-BODY → a profile file
    printf '{"profile_version": 1, "name": "t", "targets": {%s}}\n' "$2" > "$dir/$1"
}

case $mode in
errors)
    expect_exit 0 "usage: tritbench validate" validate --help
    expect_exit 2 "unknown flag '--bogus'" validate --bogus
    expect_exit 2 "--threads" validate --threads=0
    expect_exit 2 "--threads" validate --threads abc
    expect_exit 2 "--seed" validate --seed=-3
    expect_exit 2 "--suite: \"nosuch\"" validate --suite nosuch
    expect_exit 2 "--variants: unknown variant 'avx9000'" validate --variants avx2,avx9000
    expect_exit 2 "--formats: unknown format 'q4'" validate --formats q4
    expect_exit 2 "--profile needs a value" validate --profile
    expect_exit 2 "--suite model needs --model" validate --suite model
    expect_exit 2 "/nonexistent/p.json: cannot open" validate --profile /nonexistent/p.json --out "$dir/o"
    profile missing.json '"nmse": {"unit": "x"}'
    expect_exit 2 "missing key \"min\" or \"max\"" validate --profile "$dir/missing.json" --out "$dir/o"
    profile type.json '"nmse": {"max": "small"}'
    expect_exit 2 "\"max\" must be a number" validate --profile "$dir/type.json" --out "$dir/o"
    profile unknown.json '"speedup_gemv": {"min": 2}, "speed_gemv": {"min": 2}'
    expect_exit 2 "unknown target \"speed_gemv\"" validate --profile "$dir/unknown.json" --out "$dir/o"
    printf '{"profile_version": 1, "name": "t"}' > "$dir/notargets.json"
    expect_exit 2 "missing key \"targets\"" validate --profile "$dir/notargets.json" --out "$dir/o"
    # A profile without a target a selected section judges is a profile error, not FAIL rows.
    profile partial.json '"speedup_gemv": {"min": 2}'
    expect_exit 2 "no target \"memory_reduction\" \(section kernels" validate --suite kernels --profile "$dir/partial.json" --out "$dir/o"
    expect_exit 2 "no target \"accuracy_degradation\" \(section accuracy" validate --suite accuracy --profile "$dir/partial.json" --out "$dir/o"
    # --model is checked before any section runs, whichever sections were asked for.
    expect_exit 2 "--model /nonexistent/m.safetensors: No such file" validate --suite cuda --model /nonexistent/m.safetensors --out "$dir/o"
    [ -e "$dir/o/report.md" ] && fail "a bad profile still produced a report"
    # A --model that does not load stops the run before any section runs: exit 2, no report.
    echo "not a checkpoint" > "$dir/garbage.safetensors"
    expect_exit 2 "could not be loaded \(above\); nothing was run" validate --model "$dir/garbage.safetensors" --out "$dir/o"
    grep -q "section kernels" "$dir/err" && fail "a --model that does not load still ran sections"
    [ -e "$dir/o/results.json" ] && fail "a --model that does not load still produced a report"
    expect_exit 2 "--max-time" validate --max-time=-1 --out "$dir/o"
    expect_exit 2 "--max-time" validate --max-time soon --out "$dir/o"
    touch "$dir/afile"
    expect_exit 2 "afile" validate --profile "$src/catalog/profiles/bitnet-phase4.json" --out "$dir/afile/sub"
    expect_exit 0 "usage: tritbench compare" compare --help
    expect_exit 2 "missing BASE.json NEW.json" compare onlyone.json
    expect_exit 2 "/nonexistent/a.json: cannot open" compare /nonexistent/a.json /nonexistent/b.json
    expect_exit 2 "--threshold" compare --threshold=abc a.json b.json
    expect_exit 2 "--alpha" compare --alpha=2 a.json b.json
    expect_exit 2 "--format" compare --format=xml a.json b.json
    echo '{"benchmarks": 3}' > "$dir/bad.json"
    expect_exit 2 "no \"benchmarks\" array" compare "$dir/bad.json" "$dir/bad.json"
    ;;
compare)
    # Planted: 9 repetitions each; A→B is 10 % slower on "slow" only, A→C is the same distribution.
    gen() { # gen FILE FACTOR: a google/benchmark JSON file
        awk -v f="$2" 'BEGIN {
            printf "{\"context\": {\"host_name\": \"h\"}, \"benchmarks\": [";
            split("100.0 101.5 99.2 100.8 98.9 100.3 101.1 99.6 100.1", t, " ");
            split("0.3 -0.4 0.1 0.2 -0.2 0.4 -0.1 0.0 -0.3", jit, " ");
            sep = "";
            for (i = 1; i <= 9; i++) {
                printf "%s{\"name\": \"slow\", \"run_name\": \"slow\", \"run_type\": \"iteration\", \"real_time\": %.3f, \"cpu_time\": 1, \"time_unit\": \"us\"}", sep, (t[i] + jit[i]) * f; sep = ", ";
                printf ", {\"name\": \"steady\", \"run_name\": \"steady\", \"run_type\": \"iteration\", \"real_time\": %.3f, \"cpu_time\": 1, \"time_unit\": \"ms\"}", t[10 - i] - jit[i];
            }
            printf ", {\"name\": \"gone\", \"run_type\": \"iteration\", \"real_time\": 5, \"time_unit\": \"ns\"}";
            printf "]}\n" }' > "$1"
    }
    gen "$dir/a.json" 1.0
    gen "$dir/b.json" 1.1
    sed 's/"gone"/"new"/' "$dir/a.json" > "$dir/c.json"
    expect_exit 1 "slow .*REGRESSION" compare "$dir/a.json" "$dir/b.json"
    grep -Eq "steady .*same" "$dir/all" || fail "steady benchmark not reported as same"
    grep -q "Geometric mean" "$dir/all" || fail "no geometric mean"
    expect_exit 0 "only in .*c.json: new" compare "$dir/a.json" "$dir/c.json"
    grep -q "only in .*a.json: gone" "$dir/all" || fail "unpaired base name not reported"
    expect_exit 0 "slow" compare --threshold 15% "$dir/a.json" "$dir/b.json"
    expect_exit 1 "\"regressions\": 1" compare --format=json "$dir/a.json" "$dir/b.json"
    expect_exit 1 "\\| slow \\|.*REGRESSION" compare --format md "$dir/a.json" "$dir/b.json"
    ;;
quick)
    "$tb" validate --quick --out "$dir/r" --seed 3 >"$dir/out" 2>"$dir/err"
    rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { fail "validate --quick exit $rc"; tail -20 "$dir/err"; }
    for f in report.md results.json report.html; do
        [ -s "$dir/r/$f" ] || fail "validate --quick wrote no $f"
    done
    head -5 "$dir/r/report.md" | grep -q "Verdict: " || fail "report.md does not open with the verdict"
    grep -q "^## Sign-off" "$dir/r/report.md" || fail "no sign-off table"
    grep -q "^## Machine" "$dir/r/report.md" || fail "no machine context"
    grep -q "tritbench validate --quick --out .* --seed 3" "$dir/r/report.md" || fail "no reproduce command"
    for s in kernels accuracy lm e2e cuda; do
        grep -q "^### $s" "$dir/r/report.md" || fail "section $s missing from report.md"
    done
    # The sign-off rows of report.md and the checks of results.json agree in number and verdicts.
    md_rows=$(sed -n '/^## Sign-off/,/^## Sections/p' "$dir/r/report.md" | grep -c '^| [a-z]')
    json_rows=$(grep -c '"threshold":' "$dir/r/results.json")
    [ "$md_rows" -eq "$json_rows" ] && [ "$md_rows" -gt 0 ] || fail "sign-off rows: md $md_rows, json $json_rows"
    md_fail=$(sed -n '/^## Sign-off/,/^## Sections/p' "$dir/r/report.md" | grep -c '\*\*FAIL\*\*')
    json_fail=$(grep -c '^      "verdict": "FAIL"' "$dir/r/results.json")
    [ "$md_fail" -eq "$json_fail" ] || fail "FAIL rows: md $md_fail, json $json_fail"
    if [ "$md_fail" -gt 0 ]; then [ "$rc" -eq 1 ] || fail "FAIL rows but exit $rc"; else [ "$rc" -eq 0 ] || fail "no FAIL rows but exit $rc"; fi
    # Every check carries its interval (or null), more_reps and why; the run was complete.
    for k in interval more_reps why; do
        n=$(grep -c "^      \"$k\":" "$dir/r/results.json")
        [ "$n" -eq "$json_rows" ] || fail "results.json: $n checks of $json_rows carry \"$k\""
    done
    grep -q '^  "incomplete": false' "$dir/r/results.json" || fail "results.json does not say \"incomplete\": false"
    # The e2e speed rows are judged on their interval (5 + 5 repetitions give a bounded one).
    grep -A16 '"target": "e2e_decode_speedup"' "$dir/r/results.json" | grep -q '^        "lo": [0-9]' ||
        fail "e2e speed rows carry no 95 % interval"
    grep -q "passed, [0-9]* failed, [0-9]* inconclusive, [0-9]* N/A" "$dir/out" || fail "console verdict line"
    grep -q '"benchmarks": \[' "$dir/r/results.json" || fail "results.json lacks benchmarks"
    grep -q '"real_time":' "$dir/r/results.json" || fail "results.json benchmarks carry no real_time"
    # compare reads our own results.json
    "$tb" compare "$dir/r/results.json" "$dir/r/results.json" >"$dir/cmp" 2>&1
    [ $? -eq 0 ] || { fail "compare of a file with itself did not exit 0"; cat "$dir/cmp"; }
    ;;
planted)
    # A planted failure: a profile asking 500x of the whole-model memory. Exit 1, the row FAILs with a reason
    # that names what the figure depends on, and it is the first thing "What failed and why" lists.
    printf '{"profile_version": 1, "name": "planted", "head": "q8", "targets": {%s}}\n' \
        '"model_memory_reduction": {"min": 500, "unit": "x"}, "e2e_decode_speedup": {"min": 2, "unit": "x"}' \
        > "$dir/planted.json"
    "$tb" validate --quick --suite e2e --profile "$dir/planted.json" --out "$dir/p" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ "$rc" -eq 1 ] || { fail "planted 500x memory target: exit $rc, wanted 1"; tail -20 "$dir/err"; }
    grep -A12 '"target": "model_memory_reduction"' "$dir/p/results.json" > "$dir/mem"
    grep -q '"verdict": "FAIL"' "$dir/mem" || fail "the planted memory row is not FAIL"
    grep -q '"why": "measured [0-9.]*×, 9[0-9].[0-9] % below the threshold ≥ 500.00×; tied int8-per-row embedding/lm_head = 0.33 GB of the model.s [0-9.]* GB; with the fp16 head [0-9.]*×"' "$dir/mem" ||
        { fail "the planted memory row's why"; cat "$dir/mem"; }
    sed -n '/^What failed and why:/{n;p;q}' "$dir/out" | grep -q "^  FAIL e2e / bitnet-2b i2-q8head whole model" ||
        { fail "the planted failure is not the first reason listed"; cat "$dir/out"; }
    grep -q '"incomplete": false' "$dir/p/results.json" || fail "planted run said incomplete"
    ;;
*)
    echo "unknown mode $mode"; exit 2 ;;
esac
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
