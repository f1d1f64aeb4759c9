/* q8_avx512_vnni.c — Q8 row dot products with vpdpbusd (built with -mavx512f -mavx512bw -mavx512vnni).
 * vpdpbusd multiplies unsigned by signed bytes, so the activation is fed as x + 128 (x ^ 0x80) and the
 * row's stored Σ code removes the offset: Σ c·x = Σ c·(x + 128) − 128·Σ c. Each 4-byte group sums at
 * most 4 · 255 · 128 and K ≤ TRIT_Q8_MAX_K keeps the int32 lanes exact, so the result equals the
 * scalar oracle bit for bit. Tails use masked loads: masked lanes load 0 for the code, so they add 0. */
#include <immintrin.h>

#include "lowp_isa.h"

static inline __mmask64 tail_mask(size_t left) { return left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1); }

void trit_q8_dot_avx512_vnni(const trit_q8_rows *w, const int8_t *xq, int32_t *acc, size_t m_begin, size_t m_end)
{
    const size_t K = w->cols, S = w->stride;
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    size_t m = m_begin;
    /* Four rows share each activation load; two K steps per iteration give 8 independent chains. */
    for (; m + 4 <= m_end; m += 4) {
        const int8_t *r0 = w->codes + m * S, *r1 = r0 + S, *r2 = r1 + S, *r3 = r2 + S;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        size_t k = 0;
        for (; k + 128 <= K; k += 128) {
            const __m512i x0 = _mm512_xor_si512(_mm512_loadu_si512(xq + k), bias);
            const __m512i x1 = _mm512_xor_si512(_mm512_loadu_si512(xq + k + 64), bias);
            a0 = _mm512_dpbusd_epi32(a0, x0, _mm512_load_si512(r0 + k));
            a1 = _mm512_dpbusd_epi32(a1, x0, _mm512_load_si512(r1 + k));
            a2 = _mm512_dpbusd_epi32(a2, x0, _mm512_load_si512(r2 + k));
            a3 = _mm512_dpbusd_epi32(a3, x0, _mm512_load_si512(r3 + k));
            b0 = _mm512_dpbusd_epi32(b0, x1, _mm512_load_si512(r0 + k + 64));
            b1 = _mm512_dpbusd_epi32(b1, x1, _mm512_load_si512(r1 + k + 64));
            b2 = _mm512_dpbusd_epi32(b2, x1, _mm512_load_si512(r2 + k + 64));
            b3 = _mm512_dpbusd_epi32(b3, x1, _mm512_load_si512(r3 + k + 64));
        }
        for (; k < K; k += 64) {
            const __mmask64 mk = tail_mask(K - k);
            const __m512i x0 = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mk, xq + k), bias);
            a0 = _mm512_dpbusd_epi32(a0, x0, _mm512_maskz_loadu_epi8(mk, r0 + k));
            a1 = _mm512_dpbusd_epi32(a1, x0, _mm512_maskz_loadu_epi8(mk, r1 + k));
            a2 = _mm512_dpbusd_epi32(a2, x0, _mm512_maskz_loadu_epi8(mk, r2 + k));
            a3 = _mm512_dpbusd_epi32(a3, x0, _mm512_maskz_loadu_epi8(mk, r3 + k));
        }
        acc[m - m_begin + 0] = _mm512_reduce_add_epi32(_mm512_add_epi32(a0, b0)) - 128 * w->wsum[m + 0];
        acc[m - m_begin + 1] = _mm512_reduce_add_epi32(_mm512_add_epi32(a1, b1)) - 128 * w->wsum[m + 1];
        acc[m - m_begin + 2] = _mm512_reduce_add_epi32(_mm512_add_epi32(a2, b2)) - 128 * w->wsum[m + 2];
        acc[m - m_begin + 3] = _mm512_reduce_add_epi32(_mm512_add_epi32(a3, b3)) - 128 * w->wsum[m + 3];
    }
    for (; m < m_end; m++) {
        const int8_t *r0 = w->codes + m * S;
        __m512i a0 = _mm512_setzero_si512();
        for (size_t k = 0; k < K; k += 64) {
            const __mmask64 mk = tail_mask(K - k);
            const __m512i x0 = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mk, xq + k), bias);
            a0 = _mm512_dpbusd_epi32(a0, x0, _mm512_maskz_loadu_epi8(mk, r0 + k));
        }
        acc[m - m_begin] = _mm512_reduce_add_epi32(a0) - 128 * w->wsum[m];
    }
}
