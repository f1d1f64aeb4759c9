/* q8_avx512_vnni.c — Q8 row dot products with vpdpbusd (built with -mavx512f -mavx512bw -mavx512vnni).
 * vpdpbusd multiplies unsigned by signed bytes, so the activation is fed as x + 128 (x ^ 0x80) and the
 * row's stored Σ code removes the offset: Σ c·x = Σ c·(x + 128) − 128·Σ c. Each 4-byte group sums at
 * most 4 · 255 · 128 and K ≤ TRIT_Q8_MAX_K keeps the int32 lanes exact, so the result equals the
 * scalar oracle bit for bit. Tails use masked loads: masked lanes load 0 for the code, so they add 0. */
#include <immintrin.h>

#include "lowp_isa.h"

static inline __mmask64 tail_mask(size_t left) { return left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1); }

/* One row at a time, four independent chains of 64 bytes: a single linear stream through the matrix
 * measured faster out of cache than four rows sharing each activation load (128256 × 2560, 1 thread:
 * ~19 vs ~24 ms, thread CPU time on a loaded 2-core VM). */
void trit_q8_dot_avx512_vnni(const trit_q8_rows *w, const int8_t *xq, int32_t *acc, size_t m_begin, size_t m_end)
{
    const size_t K = w->cols, S = w->stride;
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *r = w->codes + m * S;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        size_t k = 0;
        for (; k + 256 <= K; k += 256) {
            a0 = _mm512_dpbusd_epi32(a0, _mm512_xor_si512(_mm512_loadu_si512(xq + k), bias), _mm512_load_si512(r + k));
            a1 = _mm512_dpbusd_epi32(a1, _mm512_xor_si512(_mm512_loadu_si512(xq + k + 64), bias),
                                     _mm512_load_si512(r + k + 64));
            a2 = _mm512_dpbusd_epi32(a2, _mm512_xor_si512(_mm512_loadu_si512(xq + k + 128), bias),
                                     _mm512_load_si512(r + k + 128));
            a3 = _mm512_dpbusd_epi32(a3, _mm512_xor_si512(_mm512_loadu_si512(xq + k + 192), bias),
                                     _mm512_load_si512(r + k + 192));
        }
        for (; k < K; k += 64) {
            const __mmask64 mk = tail_mask(K - k);
            a0 = _mm512_dpbusd_epi32(a0, _mm512_xor_si512(_mm512_maskz_loadu_epi8(mk, xq + k), bias),
                                     _mm512_maskz_loadu_epi8(mk, r + k));
        }
        const __m512i s = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
        acc[m - m_begin] = _mm512_reduce_add_epi32(s) - 128 * w->wsum[m];
    }
}
