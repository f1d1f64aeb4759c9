#!/bin/sh
# test_cli.sh — `tritbench run/list/info` from the outside: usage errors exit 2 naming the problem,
# list/info print what they promise, run writes google-compatible JSON/CSV that compare.py reads.
# Usage: test_cli.sh MODE TRITBENCH PYTHON COMPARE_PY   (MODE: errors | list_info | run_json | compare)
mode=$1 tb=$2 python=$3 compare=$4
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

# Quick, exact-count runs: no test here depends on timing.
QUICK="--quick --threads=1 --benchmark_min_time=2x"

case $mode in
errors)
    expect_exit 2 "--bogus" run --bogus
    expect_exit 2 "bad regular expression '\(stream'.*(Unmatched|parenthes)" run --benchmark_filter='(stream'
    expect_exit 2 "/nonexistent-dir/out.json" run $QUICK --benchmark_filter=stream/read --benchmark_out=/nonexistent-dir/out.json
    [ -s "$dir/out" ] && fail "unwritable --benchmark_out: something ran before the error"
    expect_exit 2 "--benchmark_repetitions" run --benchmark_repetitions=0
    expect_exit 2 "--benchmark_min_time" run --benchmark_min_time=soon
    expect_exit 2 "--benchmark_format" run --benchmark_format=xml
    expect_exit 2 "--threads" run --threads=0
    expect_exit 2 "no benchmark matches" run $QUICK --benchmark_filter=no-such-benchmark-anywhere
    expect_exit 2 "--bogus" list --bogus
    expect_exit 2 "bad regular expression" list --benchmark_filter='[a-'
    expect_exit 2 "extra" info extra
    expect_exit 0 "--benchmark_filter" run --help
    expect_exit 0 "--variants" list --help
    expect_exit 0 "usage: tritbench info" info --help
    ;;
list_info)
    expect_exit 0 "^stream/triad/[0-9]+KiB/threads:1$" list --quick --threads=1
    grep -q "^stream/read/" "$dir/out" || fail "list: no stream/read instances"
    grep -q "threads:2" "$dir/out" && fail "list --threads=1 shows threads:2"
    grep -Eq "^  gemv +i2 +scalar +yes" "$dir/out" || fail "list: the variants table lacks the scalar i2 GEMV"
    grep -q "FP32 baselines" "$dir/out" || fail "list: no FP32 baselines table"
    expect_exit 0 "Kernel variants" list --variants
    grep -q "^stream/" "$dir/out" && fail "list --variants printed benchmark names"
    expect_exit 0 "^stream/copy/" list --quick --threads=1 --benchmark_filter=copy
    grep -q "^stream/read/" "$dir/out" && fail "list --benchmark_filter=copy shows read"
    expect_exit 0 "ISA features:" info
    for key in "topology:" "caches:" "PAPI:" "OpenBLAS:" "CUDA:" "missing:"; do
        grep -q "$key" "$dir/out" || fail "info lacks '$key'"
    done
    ;;
run_json)
    expect_exit 0 "stream/read/" run $QUICK --benchmark_filter='stream/(read|triad)/' --benchmark_repetitions=2 \
        --benchmark_out="$dir/r.json" --benchmark_enable_random_interleaving
    grep -q "stream/triad/[0-9]*KiB/threads:1_median" "$dir/out" || fail "console: no median rows"
    grep -q "Run on (" "$dir/err" || fail "console: no context header on stderr"
    "$python" - "$dir/r.json" <<'PY' || fail "JSON check"
import json, sys
d = json.load(open(sys.argv[1]))
ctx, b = d["context"], d["benchmarks"]
for k in ["date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled", "caches",
          "load_avg", "library_build_type", "json_schema_version", "perf_counters", "isa_features", "kernel_variants"]:
    assert k in ctx, "context lacks " + k
assert ctx["json_schema_version"] == 1
runs = [x for x in b if x["run_type"] == "iteration"]
aggs = [x for x in b if x["run_type"] == "aggregate"]
names = sorted({x["run_name"] for x in runs})
assert len(names) == 4, names                       # read, triad × L1, L2 sizes
assert len(runs) == 8 and len(aggs) == 4 * 5, (len(runs), len(aggs))
for x in runs:
    assert x["iterations"] == 2 and x["repetitions"] == 2 and x["threads"] == 1, x
    assert x["real_time"] > 0 and x["cpu_time"] > 0 and x["time_unit"] == "us", x
    assert x["GB/s"] > 0 and x["bytes_per_second"] > 0 and not x.get("error_occurred"), x
    assert x["label"] in ("L1", "L2"), x
assert {x["aggregate_name"] for x in aggs} == {"mean", "median", "stddev", "cv", "min"}
assert all(x["aggregate_unit"] == ("percentage" if x["aggregate_name"] == "cv" else "time") for x in aggs)
print("json ok")
PY
    expect_exit 0 "^name,iterations,real_time,cpu_time,time_unit,bytes_per_second" run $QUICK \
        --benchmark_filter=stream/copy/ --benchmark_format=csv
    [ "$(grep -c '^"stream/copy/' "$dir/out")" -eq 2 ] || fail "csv: wanted 2 stream/copy rows"
    expect_exit 0 '"benchmarks"' run $QUICK --benchmark_filter=stream/scale/ --benchmark_format=json \
        --benchmark_out="$dir/s.csv" --benchmark_out_format=csv
    "$python" -c "import json,sys; json.load(open('$dir/out'))" || fail "--benchmark_format=json: stdout is not JSON"
    # Counters PAPI cannot start (VMs) leave the run going and say why; where they work, they appear.
    expect_exit 0 "unavailable|PAPI_TOT_CYC=" run $QUICK --benchmark_filter=stream/read/ --perf_counters=PAPI_TOT_CYC
    if "$tb" info | grep -q "built without hwloc"; then
        expect_exit 2 "--pin needs hwloc" run $QUICK --benchmark_filter=stream/read/ --pin
    else
        expect_exit 0 "stream/read/[0-9]+KiB/threads:1 " run $QUICK --benchmark_filter=stream/read/ --pin
    fi
    grep -q '^"stream/scale/' "$dir/s.csv" || fail "--benchmark_out_format=csv: no rows in the file"
    ;;
compare)
    [ -f "$compare" ] || { echo "skip: $compare not installed"; exit 77; }
    "$python" -c 'import scipy' 2>/dev/null || { echo "skip: $python lacks scipy"; exit 77; }
    for f in a b; do
        "$tb" run $QUICK --benchmark_filter=stream/read/ --benchmark_repetitions=3 --benchmark_format=json \
            --benchmark_out="$dir/$f.json" >/dev/null || fail "run ($f) failed"
    done
    "$python" "$compare" benchmarks "$dir/a.json" "$dir/b.json" > "$dir/cmp" 2>&1 || fail "compare.py failed"
    cat "$dir/cmp"
    grep -q "U Test, Repetitions: 3 vs 3" "$dir/cmp" || fail "compare.py printed no U-test rows"
    ;;
*)
    echo "unknown mode $mode"; exit 2 ;;
esac
[ "$fails" -eq 0 ] && echo "ok ($mode)"
[ "$fails" -eq 0 ]
