#!/bin/sh
# compare_py.sh — google/benchmark's compare.py must read two of our JSON files and print its
# Mann-Whitney U-test rows. Usage: compare_py.sh PRODUCER PYTHON COMPARE_PY
# PRODUCER OUT.json writes a result file with >= 2 repetitions.
producer=$1 python=$2 compare=$3
if [ ! -f "$compare" ]; then echo "skip: $compare not installed"; exit 77; fi
if ! "$python" -c 'import scipy' 2>/dev/null; then echo "skip: $python has no scipy (compare.py needs it)"; exit 77; fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
"$producer" "$dir/a.json" || { echo "FAIL: producer failed (a)"; exit 1; }
"$producer" "$dir/b.json" || { echo "FAIL: producer failed (b)"; exit 1; }
"$python" "$compare" benchmarks "$dir/a.json" "$dir/b.json" > "$dir/out.txt" 2>&1 || {
    cat "$dir/out.txt"; echo "FAIL: compare.py exited non-zero"; exit 1; }
cat "$dir/out.txt"
grep -q "U Test, Repetitions: 3 vs 3" "$dir/out.txt" || { echo "FAIL: no U-test rows"; exit 1; }
grep -q "_pvalue" "$dir/out.txt" || { echo "FAIL: no pvalue rows"; exit 1; }
grep -q "_mean" "$dir/out.txt" || { echo "FAIL: no aggregate rows"; exit 1; }
echo "ok"
