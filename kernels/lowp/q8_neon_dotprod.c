/* q8_neon_dotprod.c — Q8 row dot products with sdot (built with -march=armv8.2-a+dotprod): signed × signed
 * bytes, 4 products per int32 lane, exact — the same integers as the scalar oracle. */
#include <arm_neon.h>

#include "lowp_isa.h"

void trit_q8_dot_neon_dotprod(const trit_q8_rows *w, const int8_t *xq, int32_t *acc, size_t m_begin,
                              size_t m_end)
{
    const size_t K = w->cols, K16 = K / 16 * 16;
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *r = w->codes + m * w->stride;
        int32x4_t a0 = vdupq_n_s32(0), a1 = vdupq_n_s32(0);
        size_t k = 0;
        for (; k + 32 <= K16; k += 32) {
            a0 = vdotq_s32(a0, vld1q_s8(r + k), vld1q_s8(xq + k));
            a1 = vdotq_s32(a1, vld1q_s8(r + k + 16), vld1q_s8(xq + k + 16));
        }
        for (; k < K16; k += 16)
            a0 = vdotq_s32(a0, vld1q_s8(r + k), vld1q_s8(xq + k));
        int32_t s = vaddvq_s32(vaddq_s32(a0, a1));
        for (; k < K; k++)
            s += (int32_t)r[k] * (int32_t)xq[k];
        acc[m - m_begin] = s;
    }
}
