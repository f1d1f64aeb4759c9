/* table.c — aarch64 variants for the registry: "neon" (baseline Advanced SIMD) and "neon_dotprod". */
#include "kernels/tables.h"

#include "kernels/arm/drive.h"
#include "tritbench/cpu.h"

/* TRIT_ARM_DOTPROD is set by kernels/arm/meson.build when the compiler accepts +dotprod. */
#ifndef TRIT_ARM_DOTPROD
#define TRIT_ARM_DOTPROD 0
#endif

const trit_kernel trit_kernels_arm[] = {
    {TRIT_OP_GEMV, TRIT_FMT_I2, "neon", TRIT_CPU_NEON, trit_matmul_i2_gemv_neon, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_I2, "neon", TRIT_CPU_NEON, trit_matmul_i2_gemm_neon, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_T5, "neon", TRIT_CPU_NEON, trit_matmul_t5_gemv_neon, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_T5, "neon", TRIT_CPU_NEON, trit_matmul_t5_gemm_neon, NULL},
#if TRIT_ARM_DOTPROD
    {TRIT_OP_GEMV, TRIT_FMT_I2, "neon_dotprod", TRIT_CPU_NEON | TRIT_CPU_NEON_DOTPROD,
     trit_matmul_i2_gemv_neon_dotprod, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_I2, "neon_dotprod", TRIT_CPU_NEON | TRIT_CPU_NEON_DOTPROD,
     trit_matmul_i2_gemm_neon_dotprod, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_T5, "neon_dotprod", TRIT_CPU_NEON | TRIT_CPU_NEON_DOTPROD,
     trit_matmul_t5_gemv_neon_dotprod, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_T5, "neon_dotprod", TRIT_CPU_NEON | TRIT_CPU_NEON_DOTPROD,
     trit_matmul_t5_gemm_neon_dotprod, NULL},
#endif
};
const size_t trit_kernels_arm_count = sizeof trit_kernels_arm / sizeof trit_kernels_arm[0];
