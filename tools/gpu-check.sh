#!/usr/bin/env bash
# gpu-check.sh — builds and runs everything GPU-related in one call on a GPU machine: the CUDA kernels
# and their tests (exactness against the CPU oracle, also under compute-sanitizer), the compiler's
# resource report and SASS checks, then tests/cuda/gpu_bench (the figures for kernels/cuda/NOTES.md).
# Builds with nvcc + gcc directly (the GPU image may lack meson's other dependencies); logs go to $OUT
# (default /tmp/gpu-check), a short summary is printed last.
# Usage: tools/gpu-check.sh [--quick] [--profile]
#   --quick    gpu_bench on the issue's shapes only
#   --profile  also Nsight Compute (ncu) sections of the GEMM and GEMV kernels, one launch each
#   TRITBENCH_BIN=path/to/tritbench (a CUDA build, e.g. carried): also `run` the cuda suite and
#   `validate --suite cuda`, both --quick; its shared libraries may sit beside it.
# Exit: 0 all passed, 1 a step failed, 2 usage, 77 no GPU.
set -u
QUICK=""
PROFILE=0
for arg in "$@"; do
    case "$arg" in
    --quick) QUICK=--quick ;;
    --profile) PROFILE=1 ;;
    *) echo "usage: tools/gpu-check.sh [--quick] [--profile]" >&2; exit 2 ;;
    esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT" || exit 1
B=$(mktemp -d /tmp/tb-gpu-build.XXXXXX) || exit 1
NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
CUDA_HOME=$(dirname "$(dirname "$NVCC")")
CUOBJDUMP=$(command -v cuobjdump || echo "$CUDA_HOME/bin/cuobjdump")
LOG=$OUT/gpu-check.log
: >"$LOG"
SUMMARY=()
FAILED=0
note() { SUMMARY+=("$1"); echo "== $1" | tee -a "$LOG"; }
run() { # run NAME CMD...: logs output, records pass/fail
    local name=$1; shift
    echo "---- $name: $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1
    local rc=$?
    if [ $rc -eq 0 ]; then note "PASS $name"; else note "FAIL $name (rc $rc)"; FAILED=1; fi
    return $rc
}

{
    echo "# machine"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem,clocks.max.sm,temperature.gpu,power.draw,power.limit --format=csv
    "$NVCC" --version | tail -2
    gcc --version | head -1
    (meson --version && ninja --version) 2>&1 | head -2
    nproc; uname -r
} >"$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
if ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu-check: no GPU here (nvidia-smi -L failed)"
    exit 77
fi

# --- build: the kernel library without the harness (kernels_only's sources) + the CUDA tests ---
cat >"$B/tritbench_config.h" <<'CFG'
#pragma once
#define TRIT_HAVE_AARCH64 0
#define TRIT_HAVE_X86_64 0
#define TRIT_HAVE_CUDA 1
#define TRIT_HAVE_OPENBLAS 0
#define TRIT_HAVE_OPENMP 0
CFG
ARCH="-gencode=arch=compute_80,code=sm_80 -gencode=arch=compute_90,code=sm_90 -gencode=arch=compute_90,code=compute_90"
build() {
    local o
    for cu in kernels/cuda/*.cu; do
        o=$B/$(basename "$cu" .cu).cu.o
        # shellcheck disable=SC2086
        "$NVCC" -c "$cu" -o "$o" -O3 -std=c++17 -Xcompiler -fPIC,-Wall,-Wextra -Xptxas -v,-warn-spills \
            -I. -Iinclude $ARCH 2>>"$OUT/ptxas.txt" || return 1
    done
    for c in kernels/*.c kernels/ref/*.c kernels/cuda/*.c; do
        o=$B/$(echo "$c" | tr / _).o
        gcc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -I. -Iinclude -I"$B" -isystem "$CUDA_HOME/include" \
            -c "$c" -o "$o" || return 1
    done
    ar rcs "$B/libtk.a" "$B"/*.o || return 1
    LIBDIRS=""
    for d in "$CUDA_HOME/lib64" "$CUDA_HOME/targets/x86_64-linux/lib"; do
        [ -d "$d" ] && LIBDIRS="$LIBDIRS -L$d -Wl,-rpath,$d"
    done
    for t in test_cuda_i2 test_cuda_quant gpu_bench; do
        # shellcheck disable=SC2086
        gcc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -I. -Iinclude -I"$B" -isystem "$CUDA_HOME/include" \
            "tests/cuda/$t.c" -o "$B/$t" "$B/libtk.a" $LIBDIRS -lcublas -lcudart -lstdc++ -lm -lpthread || return 1
    done
}
: >"$OUT/ptxas.txt"
if ! run build build; then
    printf '%s\n' "${SUMMARY[@]}"
    exit 1
fi
grep -E "Function properties for|registers|spill" "$OUT/ptxas.txt" >"$OUT/ptxas-summary.txt" || true

# --- SASS: the tensor-core and wide-load instructions meant to be there (sm_90 code) ---
{
    for o in i2_gemm i2_gemv; do
        echo "$o: $("$CUOBJDUMP" --dump-sass -arch sm_90 "$B/$o.cu.o" 2>/dev/null | grep -c IMMA) IMMA," \
            "$("$CUOBJDUMP" --dump-sass -arch sm_90 "$B/$o.cu.o" 2>/dev/null | grep -c IDP) IDP," \
            "$("$CUOBJDUMP" --dump-sass -arch sm_90 "$B/$o.cu.o" 2>/dev/null | grep -cE 'LD[GS].*128') 128-bit loads," \
            "$("$CUOBJDUMP" --dump-sass -arch sm_90 "$B/$o.cu.o" 2>/dev/null | grep -cE 'LDL|STL') local-memory ops"
    done
} >"$OUT/sass.txt" 2>&1
cat "$OUT/sass.txt" | tee -a "$LOG"

# --- tests ---
run test_cuda_i2 "$B/test_cuda_i2"
run test_cuda_quant "$B/test_cuda_quant"
if command -v compute-sanitizer >/dev/null; then
    run memcheck_i2 env TRIT_TEST_QUICK=1 compute-sanitizer --error-exitcode 3 --tool memcheck "$B/test_cuda_i2"
    run racecheck_i2 env TRIT_TEST_QUICK=1 compute-sanitizer --error-exitcode 3 --tool racecheck "$B/test_cuda_i2"
    run memcheck_quant compute-sanitizer --error-exitcode 3 --tool memcheck "$B/test_cuda_quant"
else
    note "SKIP compute-sanitizer (not installed)"
fi
run test_cuda_i2_seed2 env TRIT_TEST_SEED=0x1234567 "$B/test_cuda_i2"

# --- figures ---
"$B/gpu_bench" $QUICK 2>&1 | tee "$OUT/bench.txt"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ]; then note "PASS gpu_bench"; else note "FAIL gpu_bench (rc $rc)"; FAILED=1; fi
nvidia-smi --query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv >>"$OUT/machine.txt" 2>&1

if [ "$PROFILE" = 1 ]; then
    NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
    if [ -n "$NCU" ]; then
        for k in gemm_i2_mma gemv_i2; do
            "$NCU" --clock-control none -k "regex:$k" --launch-skip 3 --launch-count 1 --section SpeedOfLight \
                --section MemoryWorkloadAnalysis --section ComputeWorkloadAnalysis --section WarpStateStats \
                --section Occupancy "$B/gpu_bench" --quick --reps 3 >"$OUT/ncu-$k.txt" 2>&1
            note "ncu $k: rc $? ($OUT/ncu-$k.txt)"
        done
    else
        note "SKIP ncu (not installed)"
    fi
fi

if [ -n "${TRITBENCH_BIN:-}" ]; then
    export LD_LIBRARY_PATH="$(dirname "$TRITBENCH_BIN"):$CUDA_HOME/lib64:${LD_LIBRARY_PATH:-}"
    run tritbench_run_cuda "$TRITBENCH_BIN" run --benchmark_filter='^cuda/' --quick --benchmark_min_time=0.2 \
        --benchmark_out="$OUT/run-cuda.json"
    "$TRITBENCH_BIN" validate --suite cuda --quick --profile catalog/profiles/bitnet-phase4.json \
        --out "$OUT/validate" >"$OUT/validate.txt" 2>&1
    note "tritbench validate --suite cuda: rc $? ($OUT/validate)"
    grep -A3 "^cuda " "$OUT/validate.txt" | head -20
fi

echo
echo "==== summary ($OUT)"
cat "$OUT/sass.txt"
grep -E "^(device|gemv|gemm|sweep)" "$OUT/bench.txt" | cut -c1-250 || true
printf '%s\n' "${SUMMARY[@]}"
rm -rf "$B"
exit $FAILED
