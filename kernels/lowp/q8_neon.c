/* q8_neon.c — Q8 row dot products against the int16 activation on Armv8 NEON, over its byte planes
 * q = 256·hi + lo (lowp.h): lo is fed as the signed byte lo − 128 (lo ^ 0x80) and corrected by
 * 128·Σ code (stored, trit_q8_rows.wsum). vmull_s8 (each int16 product ≤ 128·128, exact) and vpadalq_s16
 * into int32, two sums each ≤ 128·128·K < 2³¹: 256·Σ c·hi + Σ c·(lo − 128) + 128·Σ c is the scalar
 * oracle's int64, bit for bit. */
#include <arm_neon.h>

#include "lowp_isa.h"

void trit_q8_dot_neon(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin, size_t m_end)
{
    const size_t K = w->cols, K16 = K / 16 * 16;
    const uint8x16_t bias = vdupq_n_u8(0x80);
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *r = w->codes + m * w->stride;
        int32x4_t ah = vdupq_n_s32(0), al = vdupq_n_s32(0);
        for (size_t k = 0; k < K16; k += 16) {
            const int8x16_t c = vld1q_s8(r + k), h = vld1q_s8(x->hi + k);
            const int8x16_t l = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x->lo + k), bias));
            ah = vpadalq_s16(ah, vmull_s8(vget_low_s8(c), vget_low_s8(h)));
            ah = vpadalq_s16(ah, vmull_s8(vget_high_s8(c), vget_high_s8(h)));
            al = vpadalq_s16(al, vmull_s8(vget_low_s8(c), vget_low_s8(l)));
            al = vpadalq_s16(al, vmull_s8(vget_high_s8(c), vget_high_s8(l)));
        }
        int64_t s = 256 * (int64_t)vaddvq_s32(ah) + (int64_t)vaddvq_s32(al) + 128 * (int64_t)w->wsum[m];
        for (size_t k = K16; k < K; k++) {
            const int64_t tail_lo = (int64_t)x->lo[k] - 128; /* as the vector part: corrected below */
            s += (int64_t)r[k] * (256 * (int64_t)x->hi[k] + tail_lo);
        }
        acc[m - m_begin] = s;
    }
}
