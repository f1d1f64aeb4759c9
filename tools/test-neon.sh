#!/bin/sh
# test-neon.sh — cross-builds the kernel library for aarch64 and runs its meson tests under qemu-user.
# Installs nothing: fails with a clear message when the cross compiler or qemu-aarch64 is missing.
# Usage: tools/test-neon.sh [extra `meson test` arguments]   (build dir: $TRIT_AARCH64_BUILD or build-aarch64)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cross="$root/tools/cross/aarch64-linux-gnu.ini"
build="${TRIT_AARCH64_BUILD:-build-aarch64}"
sysroot=/usr/aarch64-linux-gnu

missing=""
for tool in aarch64-linux-gnu-gcc aarch64-linux-gnu-ar qemu-aarch64 meson ninja; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "test-neon.sh: missing:$missing" >&2
    echo "  (Debian: apt-get install gcc-aarch64-linux-gnu qemu-user meson ninja-build)" >&2
    exit 1
fi
if [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
    echo "test-neon.sh: no aarch64 C library under $sysroot (Debian: libc6-arm64-cross, comes with" \
         "gcc-aarch64-linux-gnu); qemu-aarch64 -L $sysroot could not run the tests" >&2
    exit 1
fi

cd "$root"
if [ -f "$build/build.ninja" ]; then
    if ! grep -q 'cross_file' "$build/meson-private/cmd_line.txt" 2>/dev/null; then
        echo "test-neon.sh: $build exists but is not a cross build; remove it or set TRIT_AARCH64_BUILD" >&2
        exit 1
    fi
    meson setup --reconfigure "$build" --cross-file "$cross" -Dkernels_only=true
else
    meson setup "$build" --cross-file "$cross" -Dkernels_only=true
fi
ninja -C "$build"

# The cross file runs qemu with -cpu max (dotprod present); QEMU_CPU covers a wrapper without it.
# TRIT_EXPECT_DOTPROD makes arm_hwcaps fail if dotprod is absent, so the neon_dotprod variants
# cannot be skipped silently by the registry-wide tests.
QEMU_CPU=max TRIT_EXPECT_DOTPROD=1 meson test -C "$build" --print-errorlogs "$@"
