#!/bin/sh
# fuzz-safetensors.sh — builds the safetensors header/offset parser's libFuzzer target outside meson
# (clang -fsanitize=fuzzer,address,undefined) and fuzzes it for a bounded time, seeded with checkpoints
# from the project's own generator and every hostile case. Exit: 0 no crash, 1 a crash (the reproducer
# is left in WORKDIR/crash-*), 77 when clang with libFuzzer is not available (skip), 2 usage.
#   usage: tools/fuzz-safetensors.sh [SECONDS (default 30)] [WORKDIR (default build-fuzz-safetensors)]
set -eu

seconds=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$root/build-fuzz-safetensors}
case $seconds in
    ''|*[!0-9]*) echo "fuzz-safetensors.sh: SECONDS must be a whole number (got '$seconds')" >&2; exit 2 ;;
esac

cc=${CLANG:-}
if [ -z "$cc" ]; then
    for c in clang-14 clang; do
        if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
    done
fi
if [ -z "$cc" ]; then
    echo "fuzz-safetensors.sh: SKIP: no clang found (set CLANG=...)" >&2
    exit 77
fi
mkdir -p "$work/corpus" "$work/seeds"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
    "$cc" -x c -fsanitize=fuzzer - -o "$work/probe" 2>/dev/null; then
    echo "fuzz-safetensors.sh: SKIP: $cc cannot link -fsanitize=fuzzer (libFuzzer missing)" >&2
    exit 77
fi

inc="-I$root/include -I$root"
jansson="-ljansson -lm"
common="-std=c11 -D_GNU_SOURCE -g -O1"
st="$root/checkpoint"

# The target: the parser and the dtype conversions, nothing else (no kernels, no harness).
"$cc" $common -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $inc \
    "$root/tests/safetensors/fuzz_st_parse.c" "$st/st_parse.c" "$st/st_dtype.c" "$st/st_guard.c" "$st/st_text.c" \
    $jansson -o "$work/fuzz_st_parse"

# Seeds: the generator (F32/F16/BF16, tiny shapes so mutations reach the header) and the hostile cases.
"$cc" $common $inc "$st/mkcheckpoint.c" "$st/st_dtype.c" "$st/st_writer.c" "$st/st_parse.c" "$st/st_guard.c" \
    "$st/st_text.c" "$root/harness/atomic_file.c" "$root/harness/args.c" \
    "$root/catalog/generators.c" $jansson -o "$work/mkcheckpoint"
"$cc" $common $inc "$root/tests/safetensors/mkhostile.c" "$root/tests/safetensors/hostile_cases.c" -o "$work/mkhostile"
for dt in f32 f16 bf16; do
    "$work/mkcheckpoint" -o "$work/seeds/tiny_$dt.safetensors" --dtype "$dt" --layers 1 --hidden 16 --ffn 24 \
        --heads 2 --kv-heads 1 --vocab 8
done
"$work/mkhostile" "$work/seeds"
rm -f "$work/seeds/manifest.tsv"

echo "fuzz-safetensors.sh: fuzzing st_parse for ${seconds}s (corpus $work/corpus)" >&2
cd "$work"
if ./fuzz_st_parse -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 corpus seeds; then
    echo "fuzz-safetensors.sh: no crash in ${seconds}s" >&2
    exit 0
fi
echo "fuzz-safetensors.sh: CRASH — reproducer(s): $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null)" >&2
exit 1
