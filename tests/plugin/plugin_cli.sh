#!/usr/bin/env bash
# plugin_cli.sh — the plugin ABI end to end: example plugins listed, gated and run beside our kernels
# with their origin in the JSON; a wrong kernel refused before timing with its row named; ABI mismatch,
# missing entry point and a crashing plugin → exit 2 with a message; TRITBENCH_PLUGIN_PATH; tb_main.
set -u
TB=$1 TESTS=$2 EX=$3 BENCH=$4
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect STATUS NAME CMD...: runs CMD, output in $W/out, checks the exit status
expect() {
    local want=$1 name=$2
    shift 2
    "$@" >"$W/out" 2>"$W/err"
    local got=$?
    [ "$got" -eq "$want" ] || { fail "$name: exit $got, expected $want"; tail -n 15 "$W/out" "$W/err"; }
}
# has NAME TEXT: stdout or stderr of the last command holds TEXT
has() { cat "$W/out" "$W/err" | grep -qF -- "$2" || { fail "$1: output lacks '$2'"; tail -n 15 "$W/out" "$W/err"; }; }

I2=$EX/i2_minimal.so TQ2=$EX/tq2_0_blocks.so
QUICK=(--quick --threads=1 --benchmark_min_time=1x)

expect 0 "list" "$TB" list --variants --plugin "$I2" --plugin "$TQ2"
has list "example_i2:scalar"
has list "plugin example_tq2 1.0"
has list "fp32 tol 0.001"
expect 0 "list instances" "$TB" list --quick --benchmark_filter=example_tq2 --plugin "$TQ2"
has "list instances" "gemv/tq2_0/example_tq2:scalar/"
# plugin kernels are rows of the one kernel table: layout and origin in list's table
expect 0 "list table" "$TB" list --variants --plugin "$TQ2"
grep -qE "^  gemm +tq2_0 +example_tq2:scalar_f32 .*plugin example_tq2 1.0 +fp32-tol" "$W/out" ||
    fail "list: no gemm/tq2_0/example_tq2:scalar_f32 row in the kernel table"
# --formats names a plugin's layout, --variants a plugin (its kernels' origin); no bitlinear rows for them
expect 0 "formats" "$TB" list --quick --formats=tq2_0 --plugin "$I2" --plugin "$TQ2"
has formats "gemm/tq2_0/example_tq2:scalar_f32/"
grep -q "^gemv/i2/\|^bitlinear/" "$W/out" && fail "formats: --formats=tq2_0 listed other layouts"
expect 0 "variants" "$TB" list --quick --variants=example_i2 --plugin "$I2" --plugin "$TQ2"
has variants "gemv/i2/example_i2:scalar/"
grep -q "^gem[mv]/tq2_0/\|^gemv/i2/scalar/\|^bitlinear/" "$W/out" && fail "variants: --variants=example_i2 listed other kernels"
expect 0 "info" "$TB" info --plugin "$I2"
has info "example_i2 1.0, ABI 1.0"

expect 0 "run" "$TB" run "${QUICK[@]}" --plugin "$I2" --plugin "$TQ2" --benchmark_filter='example_|gemv/i2/scalar/' \
    --benchmark_format=json
python3 - "$W/out" <<'PY' || fail "run JSON"
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
names = [b["name"] for b in d["benchmarks"]]
assert any(n.startswith("gemv/i2/example_i2:scalar/") for n in names), names
assert any(n.startswith("gemm/tq2_0/example_tq2:scalar/") for n in names), names
assert any(n.startswith("gemv/i2/scalar/") for n in names), names   # ours beside theirs
for b in d["benchmarks"]:
    assert not b.get("error_occurred"), b
    if "example_tq2" in b["name"]:
        assert "tolerance 0.001" in b["label"], b["label"]
        M, K = map(int, b["name"].split("/")[3].split("x")[:2])
        # 66 bytes per block of 256 weights (K padded to the block) plus the plugin's 32-byte header
        assert b["weight_bytes"] == 32 + M * ((K + 255) // 256) * 66, b
        assert abs(b["bits_per_weight"] - b["weight_bytes"] * 8 / (M * K)) < 1e-9, b
    if "example_i2" in b["name"]:
        assert "int32 exact" in b["label"], b["label"]
assert "i2_minimal.so" in d["context"]["plugin.example_i2"], d["context"]
PY

# the same through the environment
TRITBENCH_PLUGIN_PATH="$I2::$TQ2" expect 0 "env" "$TB" list --variants --plugin "$I2"   # named twice: once
has env "example_tq2:scalar"
has env "Plugin kernels (3 loaded)"

# a wrong kernel: refused before timing, the row named; run exits 1
expect 1 "wrong sign" "$TB" run "${QUICK[@]}" --plugin "$TESTS/test_wrong_sign.so" --benchmark_filter=test_wrong \
    --benchmark_format=json
has "wrong sign" "incorrect: max |Δ| "
has "wrong sign" "first bad row 5 col"
python3 - "$W/out" <<'PY' || fail "wrong sign rows"
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
rows = [b for b in d["benchmarks"] if "test_wrong_sign" in b["name"]]
assert rows and all(b["error_occurred"] and b["iterations"] == 0 for b in rows), rows
assert all("incorrect" in b["error_message"] for b in rows)
PY

expect 2 "abi mismatch" "$TB" run --plugin "$TESTS/test_abi_mismatch.so"
has "abi mismatch" "ABI mismatch: built for plugin ABI 2.0, this tritbench speaks 1.0"
expect 2 "ab abi mismatch" "$TB" ab "$TB" "$TB" --plugin "$TESTS/test_abi_mismatch.so" --out "$W/ab"
has "ab abi mismatch" "ABI mismatch: built for plugin ABI 2.0"
has "ab abi mismatch" "tritbench ab: plugin "
expect 2 "no entry" "$TB" list --plugin "$TESTS/test_no_entry.so"
has "no entry" "missing symbol tritbench_plugin_entry"
expect 2 "crash" "$TB" run "${QUICK[@]}" --plugin "$TESTS/test_crash.so" --benchmark_filter=test_crash
has crash "kernel test_crash:scalar "   # "crashed (signal 11 ...)"; under UBSan "exited with status 1"
has crash "during the correctness gate"
TRITBENCH_PLUGIN_TIMEOUT=2 expect 2 "hang" "$TB" list --plugin "$TESTS/test_hang.so"
has hang "hung (killed after the time limit) while loading"
expect 2 "missing file" "$TB" info --plugin "$W/nope.so"
has "missing file" "No such file"
expect 2 "not an object" "$TB" info --plugin "$0"
has "not an object" "cannot load"
expect 2 "validate crash" "$TB" validate --quick --out "$W/v" --plugin "$TESTS/test_crash.so"
has "validate crash" "during the correctness gate"
expect 1 "validate wrong" "$TB" validate --quick --suite cuda --out "$W/v" --plugin "$TESTS/test_wrong_sign.so"
has "validate wrong" "test_wrong_sign:scalar"
has "validate wrong" "FAIL"

# a user's benchmark program (tb_main): run's flags and JSON
expect 0 "tb_main" "$BENCH" --benchmark_filter=dot_i8/1024 --benchmark_min_time=10x --benchmark_format=json
python3 -c 'import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t); assert [b["name"] for b in d["benchmarks"]]==["example/dot_i8/1024/threads:1"], d["benchmarks"]' "$W/out" \
    || fail "tb_main JSON"
expect 2 "tb_main bad flag" "$BENCH" --benchmark_repetitions=zero
has "tb_main bad flag" "bench_example: --benchmark_repetitions"

[ "$fails" -eq 0 ] && echo "plugin_cli: all passed"
exit $((fails > 0))
