/* x86_kernels.h — the x86-64 kernel entry points table.c registers; each is defined in a file compiled
 * with only its own ISA flags (see meson.build), so callers must check the registry's requirements. */
#ifndef TRITBENCH_X86_KERNELS_H
#define TRITBENCH_X86_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "tritbench/kernels.h"

/* Ternary matmul, signature trit_matmul_fn. One function serves GEMV (x->rows == 1) and GEMM: GEMM
 * decodes each weight block once and reuses it for a tile of activation rows. */
void trit_matmul_i2_avx2(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                         size_t ld_acc);
void trit_matmul_t5_avx2(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                         size_t ld_acc);
void trit_matmul_i2_avx512bw(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                             size_t ld_acc);
void trit_matmul_t5_avx512bw(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                             size_t ld_acc);
void trit_matmul_i2_avx512_vnni(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                int32_t *acc, size_t ld_acc);
void trit_matmul_t5_avx512_vnni(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                int32_t *acc, size_t ld_acc);

/* FP32 baselines, signature trit_sgemm_fn (baselines.h). */
void trit_sgemm_avx2(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads);
void trit_sgemm_avx512(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads);

/* Σ w·x = Σ c·x − Σ x. Σ c·x can exceed INT32_MAX (c ≤ 2) while the result fits, and the SIMD sums
 * already wrapped modulo 2^32: subtract modulo 2^32 too, since signed overflow in C is undefined. */
static inline int32_t trit_offset_sub(int32_t sum_cx, int32_t sum_x)
{
    return (int32_t)((uint32_t)sum_cx - (uint32_t)sum_x);
}

#endif
