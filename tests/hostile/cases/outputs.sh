# tests/hostile/cases/outputs.sh — report outputs (harness/atomic_file.c) of `run` on special targets:
# written through, never replaced by a regular file. Sourced by run.sh: $tb, $work, hcase.
# (Flag and message cases of `run` belong to tests/hostile/cases/ files of their owners.)

o=$work/outputs
mkdir -p "$o"
quick=(run --benchmark_filter='^stream/read/16KiB/threads:1$' --benchmark_min_time=1x)
hcase "run/out-dev-null-written-through" 0 "" -- "$tb" "${quick[@]}" --benchmark_out=/dev/null
hcase "run/out-dev-full-write-error" nonzero "No space left on device" -- "$tb" "${quick[@]}" --benchmark_out=/dev/full
echo '{"old": true}' > "$o/real.json"
ln -s real.json "$o/link.json"
hcase "run/out-symlink-followed" 0 "" --special "$o/link.json" -- \
    bash -c "'$tb' ${quick[*]@Q} --benchmark_out='$o/link.json' >/dev/null && grep -q '\"benchmarks\"' '$o/real.json'"
mkfifo "$o/nobody-reads.fifo"
hcase "run/out-fifo-without-reader" nonzero "no process is reading" --special "$o/nobody-reads.fifo" -- \
    "$tb" "${quick[@]}" --benchmark_out="$o/nobody-reads.fifo"
# (A FIFO with a reader: cases/cli.sh run/out-fifo-with-reader — `run`'s early check no longer opens it.)
long=$(printf 'R%.0s' $(seq 1 250))
hcase "run/out-250-char-name" 0 "" -- "$tb" "${quick[@]}" --benchmark_out="$o/$long"
