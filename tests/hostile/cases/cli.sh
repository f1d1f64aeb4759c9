# tests/hostile/cases/cli.sh — the CLI's flags, environment and stdout (tools/, harness/args.c,
# harness/flags.c, harness/run_main.c, kernels/cpu.c): every failure an exit 2 naming the problem, before
# any benchmark runs where it can be. Sourced by run.sh: $tb, $work, hcase.

c=$work/cli
mkdir -p "$c"
quick=(run --benchmark_filter='^stream/read/16KiB/threads:1$' --benchmark_min_time=1x)
echo '{"old": true}' > "$c/existing.json"

# --- stdout that cannot be written: a non-zero exit and the reason, never a silent 0 ---
hcase "stdout-full/run" nonzero "error writing to standard output" -- bash -c "'$tb' ${quick[*]@Q} > /dev/full"
hcase "stdout-full/list" nonzero "No space left on device" -- bash -c "'$tb' list > /dev/full"
hcase "stdout-full/info" nonzero "No space left on device" -- bash -c "'$tb' info > /dev/full"

# --- TRIT_ISA naming no variant: an error (README), not "no benchmark matches" ---
hcase "env/TRIT_ISA-bogus-run" 2 "TRIT_ISA=bogus: no such kernel variant" --keep "$c/existing.json" -- \
    env TRIT_ISA=bogus "$tb" "${quick[@]}" --benchmark_out="$c/existing.json"
hcase "env/TRIT_ISA-bogus-info" 2 "TRIT_ISA=bogus: no such kernel variant" -- env TRIT_ISA=bogus "$tb" info

# --- flag values that select nothing or cannot be honoured: named, refused before running ---
hcase "run/variants-bogus" 2 "--variants: unknown variant 'bogus'" --keep "$c/existing.json" -- \
    "$tb" "${quick[@]}" --variants=bogus --benchmark_out="$c/existing.json"
hcase "run/formats-q9" 2 "--formats: unknown format 'q9'" --keep "$c/existing.json" -- \
    "$tb" "${quick[@]}" --formats=q9 --benchmark_out="$c/existing.json"
hcase "run/min-time-int64-max-iterations" 2 "--benchmark_min_time: '9223372036854775807x'" -- \
    "$tb" run --benchmark_filter='^stream/read/16KiB/threads:1$' --benchmark_min_time=9223372036854775807x
mkdir -p "$c/a-directory"
# Refused before running: the console table (printed as benchmarks finish) must not appear.
hcase "run/out-is-directory" 2 "is a directory (name a file)" --special "$c/a-directory" -- \
    bash -c "'$tb' ${quick[*]@Q} --benchmark_out='$c/a-directory' > '$c/out' 2>&1; rc=\$?
             cat '$c/out'; grep -q '^stream/read' '$c/out' && exit 99; exit \$rc"

# --- TRIT_CPU_MASK: an unknown name warns once per process, a long mask is read whole ---
hcase "env/TRIT_CPU_MASK-garbage-warns-once" 0 "" -- \
    bash -c "[ \"\$(TRIT_CPU_MASK=garbage '$tb' run --benchmark_list_tests 2>&1 | grep -c \"unknown feature 'garbage'\")\" = 1 ]"
# 300 characters of a real feature, then an unknown one: cut at 255, the last name would go unreported.
longmask=$(printf 'avx512_vbmi,%.0s' $(seq 1 25))notafeature
hcase "env/TRIT_CPU_MASK-300-chars-read-whole" 0 "unknown feature 'notafeature'" -- env TRIT_CPU_MASK="$longmask" "$tb" info

# --- validate: bad setups are exit 2 (could not be done), not a verdict ---
hcase "validate/cuda-model-missing" 2 "--model $c/MISSING: No such file or directory" -- \
    "$tb" validate --suite cuda --model "$c/MISSING" --out "$c/vout"
# OpenBLAS retries a failed malloc forever below this limit: refused up front, naming the memory needed.
# Not under AddressSanitizer: its shadow memory alone needs terabytes of address space, so the runtime aborts
# before main under any such limit.
if ldd "$tb" 2>/dev/null | grep -q libasan; then
    echo "skip validate/quick-ulimit-v-1GB: $tb is built with AddressSanitizer (needs an unlimited address space)"
else
    hcase "validate/quick-ulimit-v-1GB" 2 "not enough address space" -- \
        bash -c "ulimit -v 1000000 && exec '$tb' validate --quick --out '$c/vout-lowmem'"
fi
hcase "validate/profile-missing" 2 "$c/no-such-profile.json" -- \
    "$tb" validate --profile "$c/no-such-profile.json" --quick --out "$c/vout"
echo '{"profile_version": 1, "name": "x"}' > "$c/no-targets.json"
hcase "validate/profile-without-targets" 2 'missing key "targets"' -- \
    "$tb" validate --profile "$c/no-targets.json" --quick --out "$c/vout"
echo '{"profile_version": 1, "name": "x", "targets": {}}' > "$c/empty-targets.json"
hcase "validate/profile-empty-targets" 2 '"targets" must be a non-empty object' -- \
    "$tb" validate --profile "$c/empty-targets.json" --quick --out "$c/vout"

# --- run --benchmark_out=FIFO with a live reader: written through once, at the end ---
mkfifo "$c/live.fifo"
hcase "run/out-fifo-with-reader" 0 "" --special "$c/live.fifo" -- bash -c "
    cat '$c/live.fifo' > '$c/from-fifo.json' & reader=\$!
    '$tb' ${quick[*]@Q} --benchmark_out='$c/live.fifo' > /dev/null || exit \$?
    wait \$reader && grep -q '\"benchmarks\"' '$c/from-fifo.json'"

# --- convert --dry-run's listing to a full stdout ---
"$mkckpt" -o "$c/small.safetensors" --layers 1 --hidden 64 --ffn 96 --heads 2 --kv-heads 1 --vocab 32 >/dev/null
hcase "stdout-full/convert-dry-run" nonzero "No space left on device" -- \
    bash -c "'$tb' convert '$c/small.safetensors' --dry-run > /dev/full"
