#!/bin/sh
# fuzz-targets.sh — builds the libFuzzer targets of tests/fuzz (profile JSON, compare input, sharded index,
# packed descriptors, safetensors/GGUF writer round trip) outside meson with clang
# -fsanitize=fuzzer,address,undefined and fuzzes each for a bounded time, seeded with its checked-in
# corpus (tests/fuzz/corpus/TARGET). A crash leaves its reproducer in WORKDIR/TARGET/crash-*: copy it
# into the corpus once fixed, and `meson test` replays it from then on.
# Exit: 0 no crash, 1 a crash, 77 no clang with libFuzzer (skip), 2 usage.
#   usage: tools/fuzz-targets.sh [SECONDS-EACH (default 12)] [WORKDIR (default build-fuzz-targets)] [TARGET...]
set -eu

seconds=${1:-12}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$root/build-fuzz-targets}
[ $# -ge 2 ] && shift 2 || shift $#
case $seconds in
    ''|*[!0-9]*) echo "fuzz-targets.sh: SECONDS-EACH must be a whole number (got '$seconds')" >&2; exit 2 ;;
esac
targets=${*:-profile compare index packed roundtrip}

cc=${CLANG:-}
if [ -z "$cc" ]; then
    for c in clang-14 clang; do
        if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
    done
fi
if [ -z "$cc" ]; then
    echo "fuzz-targets.sh: SKIP: no clang found (set CLANG=...)" >&2
    exit 77
fi
mkdir -p "$work"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
    "$cc" -x c -fsanitize=fuzzer - -o "$work/probe" 2>/dev/null; then
    echo "fuzz-targets.sh: SKIP: $cc cannot link -fsanitize=fuzzer (libFuzzer missing)" >&2
    exit 77
fi

flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$root/include -I$root"
libs="-ljansson -lm"
st=""
for f in st_dtype st_guard st_parse st_model st_writer st_packed st_convert st_text st_layout st_q8head gguf_export; do
    st="$st $root/checkpoint/$f.c"
done
st="$st $root/harness/atomic_file.c $root/kernels/formats.c $root/kernels/quant.c $root/tests/fuzz/no_q8head.c"

status=0
for t in $targets; do
    case $t in
        profile) src="$root/validate/profile.c $root/tests/fuzz/profile_sections.c"; max_len=65536 ;;
        compare) src="$root/compare/rank_tests.c $root/compare/interval.c $root/compare/name_index.c $root/compare/reader.c $root/compare/compare.c $root/harness/read_file.c $root/harness/stats.c"; max_len=65536 ;;
        index) src=$st; max_len=8192 ;;
        packed) src=$st; max_len=32768 ;;
        roundtrip) src=$st; max_len=4096 ;;
        *) echo "fuzz-targets.sh: unknown target '$t'" >&2; exit 2 ;;
    esac
    mkdir -p "$work/$t/corpus" "$work/$t/tmp"
    # shellcheck disable=SC2086 # word splitting of the source and flag lists is intended
    "$cc" $flags "$root/tests/fuzz/fuzz_$t.c" $src $libs -o "$work/$t/fuzz_$t"
    echo "fuzz-targets.sh: fuzzing $t for ${seconds}s" >&2
    if (cd "$work/$t" && TMPDIR="$work/$t/tmp" ASAN_OPTIONS=detect_leaks=1 ./"fuzz_$t" -max_total_time="$seconds" \
        -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus "$root/tests/fuzz/corpus/$t" \
        >"$work/$t/log.txt" 2>&1); then
        echo "fuzz-targets.sh: $t: no crash in ${seconds}s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log.txt" | grep -o '[0-9]*$') runs)" >&2
    else
        echo "fuzz-targets.sh: $t: CRASH — reproducer(s): $(ls "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-* 2>/dev/null)" >&2
        tail -40 "$work/$t/log.txt" >&2
        status=1
    fi
done
exit $status
