/* q8_neon_dotprod.c — Q8 row dot products against the int16 activation with sdot (built with
 * -march=armv8.2-a+dotprod): signed × signed bytes, 4 products per int32 lane, exact. Over the byte
 * planes q = 256·hi + lo (lowp.h), lo fed as lo − 128 (lo ^ 0x80) and corrected by 128·Σ code (stored,
 * trit_q8_rows.wsum); both sums ≤ 128·128·K < 2³¹, so the row's int64 equals the scalar oracle's. */
#include <arm_neon.h>

#include "lowp_isa.h"

void trit_q8_dot_neon_dotprod(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin,
                              size_t m_end)
{
    const size_t K = w->cols, K16 = K / 16 * 16;
    const uint8x16_t bias = vdupq_n_u8(0x80);
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *r = w->codes + m * w->stride;
        int32x4_t h0 = vdupq_n_s32(0), h1 = h0, l0 = h0, l1 = h0;
        size_t k = 0;
        for (; k + 32 <= K16; k += 32) {
            const int8x16_t c0 = vld1q_s8(r + k), c1 = vld1q_s8(r + k + 16);
            h0 = vdotq_s32(h0, c0, vld1q_s8(x->hi + k));
            h1 = vdotq_s32(h1, c1, vld1q_s8(x->hi + k + 16));
            l0 = vdotq_s32(l0, c0, vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x->lo + k), bias)));
            l1 = vdotq_s32(l1, c1, vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x->lo + k + 16), bias)));
        }
        for (; k < K16; k += 16) {
            const int8x16_t c0 = vld1q_s8(r + k);
            h0 = vdotq_s32(h0, c0, vld1q_s8(x->hi + k));
            l0 = vdotq_s32(l0, c0, vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x->lo + k), bias)));
        }
        int64_t s = 256 * (int64_t)vaddvq_s32(vaddq_s32(h0, h1)) + (int64_t)vaddvq_s32(vaddq_s32(l0, l1)) +
                    128 * (int64_t)w->wsum[m];
        for (; k < K; k++) /* the tail's lo − 128, as the vector part: the + 128·Σ c above covers it */
            s += (int64_t)r[k] * (256 * (int64_t)x->hi[k] + (int64_t)x->lo[k] - 128);
        acc[m - m_begin] = s;
    }
}
