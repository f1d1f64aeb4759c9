#!/bin/sh
# compare_py.sh — google/benchmark's compare.py must read two of our JSON files and print its
# Mann-Whitney U-test rows, and a skipped benchmark must not turn into zero-time rows or U-tests.
# Usage: compare_py.sh PRODUCER PYTHON COMPARE_PY
# PRODUCER OUT.json writes a result file with >= 2 repetitions and a skipped benchmark "demo/skipped".
producer=$1 python=$2 compare=$3
if [ ! -f "$compare" ]; then echo "skip: $compare not installed"; exit 77; fi
if ! "$python" -c 'import scipy' 2>/dev/null; then echo "skip: $python has no scipy (compare.py needs it)"; exit 77; fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
"$producer" "$dir/a.json" || { echo "FAIL: producer failed (a)"; exit 1; }
"$producer" "$dir/b.json" || { echo "FAIL: producer failed (b)"; exit 1; }
grep -q '"demo/skipped' "$dir/a.json" || { echo "FAIL: the producer wrote no skipped row"; exit 1; }
"$python" "$compare" --no-color benchmarks "$dir/a.json" "$dir/b.json" > "$dir/out.txt" 2>&1 || {
    cat "$dir/out.txt"; echo "FAIL: compare.py exited non-zero"; exit 1; }
cat "$dir/out.txt"
grep -q "U Test, Repetitions: 3 vs 3" "$dir/out.txt" || { echo "FAIL: no U-test rows"; exit 1; }
grep -q "_pvalue" "$dir/out.txt" || { echo "FAIL: no pvalue rows"; exit 1; }
grep -q "_mean" "$dir/out.txt" || { echo "FAIL: no aggregate rows"; exit 1; }
if grep -q "demo/skipped" "$dir/out.txt"; then echo "FAIL: compare.py shows the skipped benchmark as a measurement"; exit 1; fi
# No repetition row with both times zero (aggregates such as _cv are fractions that print as 0).
zero_rows=$(awk '$1 ~ /threads:[0-9]+$/ && NF >= 7 && $4 == 0 && $5 == 0' "$dir/out.txt" | wc -l)
[ "$zero_rows" -eq 0 ] || { echo "FAIL: $zero_rows zero-time row(s)"; exit 1; }
echo "ok"
