/* q8_avx512_vnni.c — Q8 row dot products against the int16 activation with vpdpbusd (built with -mavx512f
 * -mavx512bw -mavx512vnni). The activation comes as its byte planes q = 256·hi + lo (lowp.h); vpdpbusd
 * multiplies unsigned by signed bytes, so lo (0..255) is the unsigned side as it is and hi is fed as
 * hi + 128 (hi ^ 0x80), corrected by the row's stored Σ code: Σ c·hi = Σ c·(hi + 128) − 128·Σ c.
 * Each 4-byte group adds at most 4 · 255 · 128 and K ≤ TRIT_Q8_MAX_K keeps both int32 sums exact, so
 * 256·Σ c·hi + Σ c·lo equals the scalar oracle's int64 bit for bit. Tails use masked loads: masked lanes
 * load 0 for the code, so they add 0 whatever the activation bytes. */
#include <immintrin.h>

#include "lowp_isa.h"

static inline __mmask64 tail_mask(size_t left) { return left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1); }

/* 64 columns of one row: lo·c into al, (hi + 128)·c into ah. */
#define Q8_STEP(al, ah, c, lo, hi)                                                                           \
    do {                                                                                                     \
        al = _mm512_dpbusd_epi32(al, lo, c);                                                                 \
        ah = _mm512_dpbusd_epi32(ah, _mm512_xor_si512(hi, bias), c);                                         \
    } while (0)

/* One row at a time, two independent chains of 64 columns per plane: a single linear stream through the
 * matrix measured faster out of cache than four rows sharing each activation load (the int8-activation
 * version of this kernel, 128256 × 2560, 1 thread: ~19 vs ~24 ms). */
void trit_q8_dot_avx512_vnni(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin,
                             size_t m_end)
{
    const size_t K = w->cols, S = w->stride;
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    const uint8_t *lo = x->lo;
    const int8_t *hi = x->hi;
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *r = w->codes + m * S;
        __m512i l0 = _mm512_setzero_si512(), l1 = l0, h0 = l0, h1 = l0;
        size_t k = 0;
        for (; k + 128 <= K; k += 128) {
            const __m512i c0 = _mm512_load_si512(r + k), c1 = _mm512_load_si512(r + k + 64);
            Q8_STEP(l0, h0, c0, _mm512_loadu_si512(lo + k), _mm512_loadu_si512(hi + k));
            Q8_STEP(l1, h1, c1, _mm512_loadu_si512(lo + k + 64), _mm512_loadu_si512(hi + k + 64));
        }
        for (; k < K; k += 64) {
            const __mmask64 mk = tail_mask(K - k);
            Q8_STEP(l0, h0, _mm512_maskz_loadu_epi8(mk, r + k), _mm512_maskz_loadu_epi8(mk, lo + k),
                    _mm512_maskz_loadu_epi8(mk, hi + k));
        }
        const int64_t sum_hi = (int64_t)_mm512_reduce_add_epi32(_mm512_add_epi32(h0, h1)) - 128 * (int64_t)w->wsum[m];
        acc[m - m_begin] = 256 * sum_hi + (int64_t)_mm512_reduce_add_epi32(_mm512_add_epi32(l0, l1));
    }
}
