# tests/hostile/cases/compare.sh — `compare` (compare/, tools/cmd_compare.c) on hostile inputs and
# outputs: never waits on a FIFO, exit 2 for input it cannot compare, names escaped on the terminal.
# Sourced by run.sh: $tb, $work, hcase.

k=$work/compare
mkdir -p "$k"
"$tb" run --benchmark_filter='^stream/read/16KiB/threads:1$' --benchmark_min_time=1x \
    --benchmark_out="$k/base.json" > /dev/null 2>&1
python3 - "$k" <<'PY'
import json, sys
k = sys.argv[1]
d = json.load(open(f"{k}/base.json"))
def renamed(name):
    return dict(d, benchmarks=[dict(b, name=name, run_name=name) for b in d["benchmarks"]])
json.dump(renamed("other/benchmark"), open(f"{k}/disjoint.json", "w"))
json.dump(renamed("evil\x1b]0;pwned\x07/x"), open(f"{k}/escape.json", "w"))
PY

hcase "stdout-full/json" nonzero "error writing to standard output" -- \
    bash -c "'$tb' compare --format json '$k/base.json' '$k/base.json' > /dev/full"
mkfifo "$k/in.fifo"
hcase "input/fifo-base" 2 "not a regular file" --special "$k/in.fifo" -- "$tb" compare "$k/in.fifo" "$k/base.json"
hcase "input/fifo-new" 2 "not a regular file" --special "$k/in.fifo" -- "$tb" compare "$k/base.json" "$k/in.fifo"
hcase "input/history-ingest-fifo" 2 "not a regular file" --special "$k/in.fifo" -- "$tb" history --db "$k/h.sqlite" ingest "$k/in.fifo"
hcase "input/no-benchmark-in-common" 2 "no benchmark in common" -- "$tb" compare "$k/base.json" "$k/disjoint.json"
hcase "flag/threshold-bare-10" 2 "--threshold: '10'" -- "$tb" compare --threshold 10 "$k/base.json" "$k/base.json"
# The name carries ESC ] 0 ; … BEL (sets the terminal title): printed escaped, the raw bytes never.
for fmt in console md; do
    hcase "output/terminal-escape-in-name-$fmt" 0 'evil\x1b]0;pwned\x07/x' -- \
        bash -c "'$tb' compare --format $fmt '$k/escape.json' '$k/escape.json' > '$k/out' 2>&1; rc=\$?
                 cat '$k/out'; ! grep -q \$'\\x1b' '$k/out' && exit \$rc"
done
hcase "output/terminal-escape-in-name-json" 0 'evil\u001B]0;pwned\u0007/x' -- \
    bash -c "'$tb' compare --format json '$k/escape.json' '$k/escape.json' > '$k/out' 2>&1; rc=\$?
             cat '$k/out'; ! grep -q \$'\\x1b' '$k/out' && exit \$rc"
