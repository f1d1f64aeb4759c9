/* q8_avx2.c — Q8 row dot products against the int16 activation on AVX2 (built with -mavx2 -mfma). The
 * codes are sign-extended to int16 and multiplied with the activation by vpmaddwd: each int32 lane adds
 * two products of at most 128 · 32768, ≤ 2²³, exact. An int32 lane takes 2 such sums per 32 columns, so
 * it is widened into int64 lanes every BLOCK = 2048 columns (≤ 64 · 2²⁴ = 2³⁰ in between): the row's sum
 * is the exact int64 of the scalar oracle, bit for bit. */
#include <immintrin.h>

#include "lowp_isa.h"

#define BLOCK 2048 /* columns per int32 stretch, a multiple of 32 */

static inline int64_t hsum_epi64(__m256i v)
{
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

static inline __m256i widen_add(__m256i acc64, __m256i acc32)
{
    acc64 = _mm256_add_epi64(acc64, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(acc32)));
    return _mm256_add_epi64(acc64, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(acc32, 1)));
}

/* Σ over 32 codes of one row against the activation's two 16-value halves. */
static inline __m256i madd32(__m256i acc, const int8_t *row, __m256i xlo, __m256i xhi)
{
    const __m256i wlo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)row));
    const __m256i whi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + 16)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wlo, xlo));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(whi, xhi));
}

static int64_t tail_dot(const int8_t *row, const int16_t *q, size_t k, size_t K)
{
    int64_t s = 0;
    for (; k < K; k++)
        s += (int64_t)row[k] * (int64_t)q[k];
    return s;
}

void trit_q8_dot_avx2(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin, size_t m_end)
{
    const size_t K = w->cols, S = w->stride, K32 = K / 32 * 32;
    const int16_t *q = x->q;
    size_t m = m_begin;
    /* Four rows share each activation load. */
    for (; m + 4 <= m_end; m += 4) {
        const int8_t *r0 = w->codes + m * S, *r1 = r0 + S, *r2 = r1 + S, *r3 = r2 + S;
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        for (size_t b = 0; b < K32; b += BLOCK) {
            const size_t e = b + BLOCK < K32 ? b + BLOCK : K32;
            __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
            for (size_t k = b; k < e; k += 32) {
                const __m256i xlo = _mm256_loadu_si256((const __m256i *)(q + k));
                const __m256i xhi = _mm256_loadu_si256((const __m256i *)(q + k + 16));
                a0 = madd32(a0, r0 + k, xlo, xhi);
                a1 = madd32(a1, r1 + k, xlo, xhi);
                a2 = madd32(a2, r2 + k, xlo, xhi);
                a3 = madd32(a3, r3 + k, xlo, xhi);
            }
            s0 = widen_add(s0, a0);
            s1 = widen_add(s1, a1);
            s2 = widen_add(s2, a2);
            s3 = widen_add(s3, a3);
        }
        acc[m - m_begin + 0] = hsum_epi64(s0) + tail_dot(r0, q, K32, K);
        acc[m - m_begin + 1] = hsum_epi64(s1) + tail_dot(r1, q, K32, K);
        acc[m - m_begin + 2] = hsum_epi64(s2) + tail_dot(r2, q, K32, K);
        acc[m - m_begin + 3] = hsum_epi64(s3) + tail_dot(r3, q, K32, K);
    }
    for (; m < m_end; m++) {
        const int8_t *r0 = w->codes + m * S;
        __m256i s0 = _mm256_setzero_si256();
        for (size_t b = 0; b < K32; b += BLOCK) {
            const size_t e = b + BLOCK < K32 ? b + BLOCK : K32;
            __m256i a0 = _mm256_setzero_si256();
            for (size_t k = b; k < e; k += 32)
                a0 = madd32(a0, r0 + k, _mm256_loadu_si256((const __m256i *)(q + k)),
                            _mm256_loadu_si256((const __m256i *)(q + k + 16)));
            s0 = widen_add(s0, a0);
        }
        acc[m - m_begin] = hsum_epi64(s0) + tail_dot(r0, q, K32, K);
    }
}
