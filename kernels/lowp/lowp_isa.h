/* lowp_isa.h — the per-ISA pieces of the low-precision kernels (each file built with its own -m flags;
 * q8.c / half.c call them only after checking the CPU). */
#ifndef TRITBENCH_LOWP_ISA_H
#define TRITBENCH_LOWP_ISA_H

#include "tritbench/lowp.h"

void trit_q8_dot_scalar(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin, size_t m_end);
void trit_q8_dot_avx2(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin, size_t m_end);
void trit_q8_dot_avx512_vnni(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin,
                             size_t m_end);
void trit_q8_dot_neon(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin, size_t m_end);
void trit_q8_dot_neon_dotprod(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin,
                              size_t m_end);

/* The multiplier trit_q8_quantize_rows rounds a row with, 127 / max|x| (0 for an all-zero row), into *inv;
 * −1 on a non-finite element. q8r's residuals round against the very same float, so they share it. */
int trit_q8_row_inv(const float *x, size_t K, float *inv, float *amax);

/* Single-threaded FP16/BF16 block: Y rows [n0, n1) × columns [m0, m1) of the product (ldy = M). For BF16
 * variants X is already rounded to bfloat16 (Xb, N × K bits); FP16 variants read X. */
typedef struct trit_half_block {
    const uint16_t *W;
    const float *X;
    const uint16_t *Xb;
    float *Y;
    size_t M, K, m0, m1, n0, n1;
} trit_half_block;

void trit_half_block_f16_scalar(const trit_half_block *b);
void trit_half_block_bf16_scalar(const trit_half_block *b);
void trit_half_block_f16c(const trit_half_block *b);
void trit_half_block_bf16_avx2(const trit_half_block *b);
void trit_half_block_bf16_avx512(const trit_half_block *b);
void trit_f32_to_f16_row_f16c(const float *src, size_t n, uint16_t *dst);

#endif
