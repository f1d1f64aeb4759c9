/* table.c — aarch64 variants for the registry: "neon" (baseline Advanced SIMD) and "neon_dotprod". */
#include "kernels/tables.h"

#include "kernels/arm/drive.h"
#include "tritbench/cpu.h"

/* TRIT_ARM_DOTPROD is set by kernels/arm/meson.build when the compiler accepts +dotprod. */
#ifndef TRIT_ARM_DOTPROD
#define TRIT_ARM_DOTPROD 0
#endif

TRIT_ROWS_ADAPTER(i2_gemv_neon, trit_matmul_i2_gemv_neon)
TRIT_ROWS_ADAPTER(i2_gemm_neon, trit_matmul_i2_gemm_neon)
TRIT_ROWS_ADAPTER(t5_gemv_neon, trit_matmul_t5_gemv_neon)
TRIT_ROWS_ADAPTER(t5_gemm_neon, trit_matmul_t5_gemm_neon)
#if TRIT_ARM_DOTPROD
TRIT_ROWS_ADAPTER(i2_gemv_dotprod, trit_matmul_i2_gemv_neon_dotprod)
TRIT_ROWS_ADAPTER(i2_gemm_dotprod, trit_matmul_i2_gemm_neon_dotprod)
TRIT_ROWS_ADAPTER(t5_gemv_dotprod, trit_matmul_t5_gemv_neon_dotprod)
TRIT_ROWS_ADAPTER(t5_gemm_dotprod, trit_matmul_t5_gemm_neon_dotprod)
#define REQ_DOTPROD (TRIT_CPU_NEON | TRIT_CPU_NEON_DOTPROD)
#endif

const trit_kernel trit_kernels_arm[] = {
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_I2, "neon", 20, TRIT_CPU_NEON, i2_gemv_neon),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_I2, "neon", 20, TRIT_CPU_NEON, i2_gemm_neon),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_T5, "neon", 20, TRIT_CPU_NEON, t5_gemv_neon),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_T5, "neon", 20, TRIT_CPU_NEON, t5_gemm_neon),
#if TRIT_ARM_DOTPROD
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_I2, "neon_dotprod", 25, REQ_DOTPROD, i2_gemv_dotprod),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_I2, "neon_dotprod", 25, REQ_DOTPROD, i2_gemm_dotprod),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_T5, "neon_dotprod", 25, REQ_DOTPROD, t5_gemv_dotprod),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_T5, "neon_dotprod", 25, REQ_DOTPROD, t5_gemm_dotprod),
#endif
};
const size_t trit_kernels_arm_count = sizeof trit_kernels_arm / sizeof trit_kernels_arm[0];
