#!/bin/sh
# Every benchmark instance `tritbench list` shows has a name of its own (google/benchmark's compare.py
# pairs rows by name; two instances of one name were 15 CUDA rows, from layers sharing a shape).
# usage: unique_names.sh TRITBENCH
set -eu
out=$("$1" list | sed '/^Kernel variants/,$d')
[ -n "$out" ] || { echo "FAIL: tritbench list printed no instances"; exit 1; }
dups=$(printf '%s\n' "$out" | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "FAIL: instance names listed more than once:"
    printf '%s\n' "$dups"
    exit 1
fi
echo "ok: $(printf '%s\n' "$out" | wc -l) instance names, all distinct"
