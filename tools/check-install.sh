#!/usr/bin/env bash
# check-install.sh BUILD_DIR [SOURCE_DIR [B_SANITIZE]] — what a user of an installed tritbench does: `meson install`
# into a staging directory, then build both example plugins and the example benchmark program OUT OF
# TREE with `pkg-config --cflags --libs tritbench` only, and run them through the installed CLI
# (list/run/validate --plugin) from a directory outside the source tree, so the default profile must
# come from the installed datadir. Used by .ci/run and by meson test (test "install").
set -euo pipefail
if [ "${3:-none}" != none ]; then
    echo "check-install: skipped under b_sanitize=$3 (user programs are not built with the sanitizer runtime)"
    exit 77
fi
BUILD=$(cd "$1" && pwd)
SRC=$(cd "${2:-$(dirname "$0")/..}" && pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
meson install -C "$BUILD" --no-rebuild --quiet --destdir "$STAGE/root" >/dev/null

PC=$(find "$STAGE/root" -name tritbench.pc | head -1)
[ -n "$PC" ] || { echo "check-install: no tritbench.pc installed" >&2; exit 1; }
# The staged tree is the prefix now: the .pc's own paths are relative to its prefix= line.
PREFIX="$STAGE/root$(sed -n 's/^prefix=//p' "$PC")"
mkdir -p "$STAGE/pc"
sed "s|^prefix=.*|prefix=$PREFIX|" "$PC" >"$STAGE/pc/tritbench.pc"
export PKG_CONFIG_PATH="$STAGE/pc"
LIBDIR=$(pkg-config --variable=libdir tritbench)
TB="$PREFIX/bin/tritbench"
for f in "$TB" "$PREFIX/include/tritbench/plugin.h" "$PREFIX/include/tritbench/bench.h" \
         "$PREFIX/share/tritbench/profiles/bitnet-phase4.json" "$PREFIX/share/man/man1/tritbench.1" \
         "$LIBDIR/libtritbench.a" "$LIBDIR/libtritbench.so"; do
    [ -e "$f" ] || { echo "check-install: $f was not installed" >&2; exit 1; }
done
for internal in suites.h validate.h decoder.h; do
    [ ! -e "$PREFIX/include/tritbench/$internal" ] || { echo "check-install: internal header $internal installed" >&2; exit 1; }
done

OUT="$STAGE/user"
mkdir -p "$OUT"
cp "$SRC/examples/plugins/"*.c "$SRC/examples/bench_example.c" "$OUT/"
cd "$OUT" # outside the source tree from here on
CC=${CC:-cc}
CFLAGS="-O2 -std=c11 -Wall -Wextra -Werror"
# shellcheck disable=SC2046,SC2086 # word splitting of pkg-config output and CFLAGS is intended
$CC $CFLAGS -shared -fPIC -o i2_minimal.so i2_minimal.c $(pkg-config --cflags tritbench)
# shellcheck disable=SC2046,SC2086
$CC $CFLAGS -shared -fPIC -o tq2_0_blocks.so tq2_0_blocks.c $(pkg-config --cflags tritbench) -lm
# shellcheck disable=SC2046,SC2086
$CC $CFLAGS -o bench_example bench_example.c $(pkg-config --cflags --libs tritbench)
# The static library too: its own Libs.private, its Requires(.private) linked dynamically.
PRIV=$(sed -n 's/^Libs.private: //p' "$PC")
REQ=$(sed -n 's/^Requires.private: //p; s/^Requires: //p' "$PC" | tr ',\n' '  ')
# shellcheck disable=SC2046,SC2086
$CC $CFLAGS -o bench_example_static bench_example.c $(pkg-config --cflags tritbench) "$LIBDIR/libtritbench.a" \
    $PRIV $(pkg-config --libs $REQ)

P=(--plugin ./i2_minimal.so --plugin ./tq2_0_blocks.so)
"$TB" list --variants "${P[@]}" | grep -q "example_tq2:scalar"
"$TB" run "${P[@]}" --quick --threads=1 --benchmark_min_time=1x --benchmark_filter='example_' \
    --benchmark_format=json --benchmark_out=plugins.json >/dev/null
grep -q '"gemv/tq2_0/example_tq2:scalar/' plugins.json
rc=0
"$TB" validate --quick --suite cuda --out validate "${P[@]}" >validate.log 2>&1 || rc=$?
[ "$rc" -le 1 ] || { echo "check-install: installed validate could not run (exit $rc)" >&2; cat validate.log >&2; exit 1; }
[ -s validate/results.json ] || { echo "check-install: installed validate wrote no results.json" >&2; exit 1; }
LD_LIBRARY_PATH="$LIBDIR" ./bench_example --benchmark_min_time=10x --benchmark_format=json >bench.json
./bench_example_static --benchmark_filter=dot --benchmark_min_time=10x >/dev/null 2>&1
"$TB" compare bench.json bench.json >/dev/null
echo "check-install: installed library, headers, tritbench.pc, CLI, profile and man page work out of tree"
