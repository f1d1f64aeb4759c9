/* table.c — the x86-64 variants the registry appends: ternary matmul per op × format × ISA level, and the
 * project's own vectorized FP32 baselines. Requirements list every ISA flag the file was compiled with. */
#include "kernels/tables.h"
#include "kernels/x86/x86_kernels.h"
#include "tritbench/cpu.h"

#define REQ_AVX2 (TRIT_CPU_AVX2)
#define REQ_AVX512BW (TRIT_CPU_AVX2 | TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW)
#define REQ_AVX512_VNNI (REQ_AVX512BW | TRIT_CPU_AVX512VL | TRIT_CPU_AVX512_VNNI)

/* "avx2_vnni" (256-bit VEX vpdpbusd) is deliberately absent: no CPU it could be tested on here. */
const trit_kernel trit_kernels_x86[] = {
    {TRIT_OP_GEMV, TRIT_FMT_I2, "avx2", REQ_AVX2, trit_matmul_i2_avx2, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_T5, "avx2", REQ_AVX2, trit_matmul_t5_avx2, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_I2, "avx2", REQ_AVX2, trit_matmul_i2_avx2, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_T5, "avx2", REQ_AVX2, trit_matmul_t5_avx2, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_I2, "avx512bw", REQ_AVX512BW, trit_matmul_i2_avx512bw, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_T5, "avx512bw", REQ_AVX512BW, trit_matmul_t5_avx512bw, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_I2, "avx512bw", REQ_AVX512BW, trit_matmul_i2_avx512bw, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_T5, "avx512bw", REQ_AVX512BW, trit_matmul_t5_avx512bw, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_I2, "avx512_vnni", REQ_AVX512_VNNI, trit_matmul_i2_avx512_vnni, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_T5, "avx512_vnni", REQ_AVX512_VNNI, trit_matmul_t5_avx512_vnni, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_I2, "avx512_vnni", REQ_AVX512_VNNI, trit_matmul_i2_avx512_vnni, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_T5, "avx512_vnni", REQ_AVX512_VNNI, trit_matmul_t5_avx512_vnni, NULL},
};
const size_t trit_kernels_x86_count = sizeof trit_kernels_x86 / sizeof trit_kernels_x86[0];

const trit_fp32_kernel trit_fp32_kernels_x86[] = {
    {"avx2", REQ_AVX2, trit_sgemm_avx2},
    {"avx512", TRIT_CPU_AVX2 | TRIT_CPU_AVX512F, trit_sgemm_avx512},
};
const size_t trit_fp32_kernels_x86_count = sizeof trit_fp32_kernels_x86 / sizeof trit_fp32_kernels_x86[0];
