/* tables.h — the per-architecture kernel tables that registry.c concatenates. Each architecture
 * folder defines its own table in <arch>/table.c; registry.c never names a SIMD function itself. */
#ifndef TRITBENCH_KERNELS_TABLES_H
#define TRITBENCH_KERNELS_TABLES_H

#include <stddef.h>

#include "tritbench/baselines.h"
#include "tritbench/kernels.h"

extern const trit_kernel trit_kernels_ref[];
extern const size_t trit_kernels_ref_count;
extern const trit_kernel trit_kernels_x86[];   /* kernels/x86/table.c (x86-64 builds) */
extern const size_t trit_kernels_x86_count;
extern const trit_kernel trit_kernels_arm[];   /* kernels/arm/table.c (aarch64 builds) */
extern const size_t trit_kernels_arm_count;
extern const trit_kernel trit_kernels_cuda[];  /* kernels/cuda/table.c (CUDA builds) */
extern const size_t trit_kernels_cuda_count;

extern const trit_fp32_kernel trit_fp32_kernels_x86[]; /* own vectorized FP32 baselines */
extern const size_t trit_fp32_kernels_x86_count;

/* Scalar twins, the oracle (kernels/ref/matmul_ref.c). */
void trit_matmul_i2_scalar(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc);
void trit_matmul_t5_scalar(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc);
void trit_sgemm_scalar(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads);

/* T5 digit decode shared by scalar code: d_i of a packed byte (formats.h). */
static inline int trit_t5_digit(uint8_t byte, int i)
{
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    uint8_t q = (uint8_t)(byte * pow3[i]);
    return (int)(((unsigned)q * 3u) >> 8);
}

#endif
