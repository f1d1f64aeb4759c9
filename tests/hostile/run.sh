#!/usr/bin/env bash
# tests/hostile/run.sh — runs the CLI on every hostile case (tests/hostile/cases/*.sh, one file per area)
# and asserts for each: the exit code, that the message names the problem, no temporary file left, every
# pre-existing output byte-identical, no device node replaced — with a 10 s limit per case.
#
# It runs inside a private mount namespace (unshare -m) with a tmpfs over /dev holding its own device
# nodes (made with mknod) and a tmpfs work directory, so a case that would replace /dev/null with a
# regular file (as root!) can only damage the copy. Exit: 0 all passed, 1 a case failed, 77 skipped
# (no unshare / not root: the reason is printed), 2 usage.
#   usage: tests/hostile/run.sh TRITBENCH MKCHECKPOINT MKHOSTILE WORKDIR [CASE-FILE...]
set -u
if [ $# -lt 4 ]; then
    echo "usage: $0 TRITBENCH MKCHECKPOINT MKHOSTILE WORKDIR [CASE-FILE...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${HOSTILE_IN_NAMESPACE:-}" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: the hostile suite needs root (a private mount namespace with its own /dev nodes); uid is $(id -u)"
        exit 77
    fi
    if ! command -v unshare >/dev/null 2>&1; then
        echo "SKIP: unshare (util-linux) is not installed"
        exit 77
    fi
    if ! why=$(unshare -m --propagation private true 2>&1); then
        echo "SKIP: unshare -m is not available here: $why"
        exit 77
    fi
    export HOSTILE_IN_NAMESPACE=1
    exec unshare -m --propagation private "$0" "$@"
fi

tb=$(realpath "$1") mkckpt=$(realpath "$2") mkhostile=$(realpath "$3") work=$4
shift 4
mkdir -p "$work"
work=$(realpath "$work")

# A private /dev: the nodes the CLI (and this script) use, made here. Anything a broken case does to
# them stays in this namespace.
mount -t tmpfs -o mode=755 hostile-dev /dev || { echo "SKIP: cannot mount a tmpfs on /dev"; exit 77; }
mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/full c 1 7 &&
    mknod -m 666 /dev/urandom c 1 9 && mknod -m 666 /dev/random c 1 8 ||
    { echo "SKIP: mknod is not permitted here"; exit 77; }
ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/0 /dev/stdin && ln -s /proc/self/fd/1 /dev/stdout &&
    ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /dev/shm && mount -t tmpfs hostile-shm /dev/shm
mount -t tmpfs -o size=1g hostile-work "$work"

export LC_ALL=C
. "$here/lib.sh"

cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=("$here"/cases/*.sh)
for f in "${cases[@]}"; do
    echo "== $(basename "$f")"
    . "$f"
done
hostile_summary
