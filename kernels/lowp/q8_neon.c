/* q8_neon.c — Q8 row dot products on Armv8 NEON: vmull_s8 (each int16 product ≤ 128·128, exact) and
 * vpadalq_s16 into int32 — the same integers as the scalar oracle. */
#include <arm_neon.h>

#include "lowp_isa.h"

void trit_q8_dot_neon(const trit_q8_rows *w, const int8_t *xq, int32_t *acc, size_t m_begin, size_t m_end)
{
    const size_t K = w->cols, K16 = K / 16 * 16;
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *r = w->codes + m * w->stride;
        int32x4_t a = vdupq_n_s32(0);
        for (size_t k = 0; k < K16; k += 16) {
            const int8x16_t c = vld1q_s8(r + k), x = vld1q_s8(xq + k);
            a = vpadalq_s16(a, vmull_s8(vget_low_s8(c), vget_low_s8(x)));
            a = vpadalq_s16(a, vmull_s8(vget_high_s8(c), vget_high_s8(x)));
        }
        int32_t s = vaddvq_s32(a);
        for (size_t k = K16; k < K; k++)
            s += (int32_t)r[k] * (int32_t)xq[k];
        acc[m - m_begin] = s;
    }
}
