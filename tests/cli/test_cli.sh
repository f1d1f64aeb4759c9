#!/bin/sh
# test_cli.sh — `tritbench run/list/info` from the outside: usage errors exit 2 naming the problem,
# list/info print what they promise, run writes google-compatible JSON/CSV that compare.py reads.
# Usage: test_cli.sh MODE TRITBENCH PYTHON COMPARE_PY MKCHECKPOINT
#        (MODE: errors | flags | list_info | run_json | run_console | compare)
mode=$1 tb=$2 python=$3 compare=$4 mkckpt=$5
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_exit CODE PATTERN ARGS...: exit status CODE and PATTERN (grep -E) in stdout+stderr.
# ENVSET=VAR=VALUE runs it with that variable set.
ENVSET=
expect_exit() {
    want=$1 pattern=$2
    shift 2
    env $ENVSET "$tb" "$@" >"$dir/out" 2>"$dir/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "tritbench $*: exit $got, wanted $want"
    cat "$dir/out" "$dir/err" > "$dir/all"
    grep -Eq -- "$pattern" "$dir/all" || { fail "tritbench $*: output lacks /$pattern/"; head -c 2000 "$dir/all"; }
}

# expect_full ARGS...: with stdout on /dev/full, exit 2 and a message saying so.
expect_full() {
    "$tb" "$@" >/dev/full 2>"$dir/err"
    got=$?
    [ "$got" -eq 2 ] || fail "tritbench $* >/dev/full: exit $got, wanted 2"
    grep -q "error writing to standard output" "$dir/err" ||
        { fail "tritbench $* >/dev/full: no message"; cat "$dir/err"; }
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
    # Names the user gets wrong are named, before anything runs.
    expect_exit 2 "--variants: unknown variant 'bogus' \(this build has: scalar" run $QUICK --variants=bogus
    expect_exit 2 "--formats: unknown format 'q9'" run $QUICK --formats=q9
    expect_exit 2 "--variants: unknown variant 'bogus'" list --variants=bogus
    expect_exit 2 "--benchmark_min_time: '9223372036854775807x' is more than 1000000000x" \
        run --benchmark_min_time=9223372036854775807x
    mkdir "$dir/adir"
    expect_exit 2 "--benchmark_out: '$dir/adir' is a directory" run $QUICK --benchmark_filter=stream/read/ \
        --benchmark_out="$dir/adir"
    grep -q "Run on" "$dir/all" && fail "--benchmark_out=DIR: something ran before the error"
    ENVSET=TRIT_ISA=bogus
    expect_exit 2 "TRIT_ISA=bogus: no such kernel variant.*scalar" run $QUICK --benchmark_filter=stream/read/
    expect_exit 2 "TRIT_ISA=bogus: no such kernel variant.*scalar" info
    ENVSET=TRIT_ISA=scalar
    expect_exit 0 "ISA features:" info
    ENVSET=
    # Output lost to a full device is an error, with a message (checked once, at exit, for every command).
    if [ -w /dev/full ]; then
        expect_full run $QUICK --benchmark_filter=stream/read/16KiB
        expect_full run $QUICK --benchmark_filter=stream/read/16KiB --benchmark_format=json
        expect_full run $QUICK --benchmark_filter=stream/read/16KiB --benchmark_list_tests
        expect_full list --quick
        expect_full info
        expect_full run --help
        "$mkckpt" -o "$dir/tiny.safetensors" --layers 1 --hidden 64 --ffn 64 --vocab 64 || fail "mkcheckpoint"
        expect_full convert "$dir/tiny.safetensors" --dry-run
    fi
    ;;
flags)
    # One parser for every command: --flag=v and --flag v, exact names, errors name the flag, exit 2.
    expect_exit 0 "^stream/read/16KiB/threads:2$" run --quick --threads 2 --benchmark_filter stream/read/16 \
        --benchmark_list_tests
    expect_exit 0 "^stream/read/16KiB/threads:2$" run --quick --threads=2 --benchmark_filter=stream/read/16 \
        --benchmark_list_tests=true
    expect_exit 0 "^stream/copy/" list --quick --threads 1 --benchmark_filter copy
    grep -q "^stream/read/" "$dir/out" && fail "list --benchmark_filter copy (separate value) shows read"
    expect_exit 0 "^  gemv +i2 +scalar +yes" list --variants
    grep -q "^stream/" "$dir/out" && fail "list --variants alone printed benchmark names"
    expect_exit 0 "^stream/" list --quick --variants scalar
    expect_exit 2 "--benchmark_repetitions: 'three'" run --benchmark_repetitions three
    expect_exit 2 "--benchmark_repetitions needs a value" run --benchmark_repetitions
    expect_exit 2 "did you mean --benchmark_repetitions" run --benchmark_repet=3
    expect_exit 2 "--benchmark_enable_random_interleaving: 'maybe'" run --benchmark_enable_random_interleaving=maybe
    expect_exit 2 "--benchmark_out needs a value, got the flag '--benchmark_format=json'" run --benchmark_out \
        --benchmark_format=json
    expect_exit 2 "--threads: 'x'" list --threads x
    expect_exit 2 "unknown flag '--bogus'" info --bogus
    expect_exit 2 "--threads: 'abc'" validate --threads abc
    expect_exit 2 "--seed: 'x'" validate --seed=x
    expect_exit 2 "--format: unknown format 'q4'" convert IN -o OUT --format q4
    expect_exit 2 "--format: unknown format 'q4'" convert IN -o OUT --format=q4
    expect_exit 2 "-o needs a value" convert IN -o
    tb_saved=$tb tb=$mkckpt
    expect_exit 2 "--layers: '0'" -o "$dir/never" --layers=0
    expect_exit 2 "--dtype: 'f8'" -o "$dir/never" --dtype f8
    expect_exit 0 "usage: tritbench-mkcheckpoint" --help
    tb=$tb_saved
    for c in run list info validate convert; do
        expect_exit 0 "usage: tritbench $c" $c --help
        grep -q -- "-h, --help" "$dir/out" || fail "$c --help lacks -h, --help"
    done
    ;;
run_console)
    # google/benchmark's console flags: list_tests, display_aggregates_only, counters_tabular, color, v, progress.
    expect_exit 0 "^stream/read/16KiB/threads:1$" run $QUICK --benchmark_filter=stream/read/ --benchmark_list_tests
    grep -q "Run on" "$dir/all" && fail "--benchmark_list_tests ran the benchmarks"
    [ "$(wc -l < "$dir/out")" -eq 2 ] || fail "--benchmark_list_tests: wanted 2 names"
    expect_exit 0 "stream/read/16KiB/threads:1_median" run $QUICK --benchmark_filter=stream/read/16KiB \
        --benchmark_repetitions=2 --benchmark_display_aggregates_only --benchmark_out="$dir/d.json"
    grep -q "^stream/read/16KiB/threads:1 " "$dir/out" && fail "display_aggregates_only: a repetition row on stdout"
    "$python" -c "import json,sys; b=json.load(open(sys.argv[1]))['benchmarks']; \
assert sum(x['run_type']=='iteration' for x in b)==2, b" "$dir/d.json" || fail "display_aggregates_only: file lacks rows"
    expect_exit 0 " +GB/s" run $QUICK --benchmark_filter=stream/read/16KiB --benchmark_counters_tabular
    grep -q "GB/s=" "$dir/out" && fail "--benchmark_counters_tabular: counters still as name=value"
    expect_exit 0 "stream/read" run $QUICK --benchmark_filter=stream/read/16KiB --benchmark_color=true
    grep -q "$(printf '\033')\[32m" "$dir/out" || fail "--benchmark_color=true: no colour"
    expect_exit 0 "stream/read" run $QUICK --benchmark_filter=stream/read/16KiB
    grep -q "$(printf '\033')" "$dir/all" && fail "colour or progress escapes on a pipe by default"
    grep -q "elapsed" "$dir/err" && fail "a progress line on a non-terminal stderr without --progress"
    expect_exit 0 "running stream/read/16KiB/threads:1 \(repetition 1\)" run $QUICK \
        --benchmark_filter=stream/read/16KiB --v=1
    expect_exit 0 "^\[2/2\] [0-9]+:[0-9]{2} elapsed" run $QUICK --benchmark_filter=stream/read/ --progress
    # Rows appear as each instance finishes, also with a JSON --benchmark_out: in one stream, the first row
    # comes before the second instance starts.
    "$tb" run $QUICK --benchmark_filter=stream/read/ --v=1 --benchmark_out="$dir/o.json" >"$dir/both" 2>&1 ||
        fail "run --v=1 --benchmark_out: exit $?"
    first_row=$(grep -n "^stream/read/16KiB/threads:1 " "$dir/both" | cut -d: -f1)
    second_start=$(grep -n "running stream/read/512KiB/threads:1" "$dir/both" | cut -d: -f1)
    [ -n "$first_row" ] && [ -n "$second_start" ] && [ "$first_row" -lt "$second_start" ] ||
        { fail "console rows are not printed as instances finish"; cat "$dir/both"; }
    expect_exit 0 "stream/read" run $QUICK --benchmark_filter=stream/read/16KiB --benchmark_perf_counters=PAPI_TOT_CYC
    grep -Eq "unavailable|PAPI_TOT_CYC=" "$dir/all" || fail "--benchmark_perf_counters is not --perf_counters"
    expect_exit 2 "--benchmark_context: 'date' is already in the context" run $QUICK \
        --benchmark_filter=stream/read/16KiB --benchmark_context=date=x
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
    expect_exit 0 "stream/read/" run $QUICK --benchmark_filter='stream/(read|triad)/' --benchmark_repetitions 2 \
        --benchmark_out "$dir/r.json" --benchmark_enable_random_interleaving --benchmark_context=build=nightly-7 \
        --benchmark_context commit=abc=1
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
assert ctx["build"] == "nightly-7" and ctx["commit"] == "abc=1", ctx   # --benchmark_context=k=v
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
