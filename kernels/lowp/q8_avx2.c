/* q8_avx2.c — Q8 row dot products on AVX2 (built with -mavx2 -mfma). vpmaddubsw would saturate its int16
 * pair sums (255·127·2 > 32767), so both operands are sign-extended to int16 and multiplied with
 * vpmaddwd: each int32 lane adds two products of at most 128·128, exact, equal to the scalar oracle. */
#include <immintrin.h>

#include "lowp_isa.h"

static inline int32_t hsum_epi32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/* Σ over 32 bytes of one row against the widened activation halves. */
static inline __m256i madd32(__m256i acc, const int8_t *row, __m256i xlo, __m256i xhi)
{
    const __m256i wlo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)row));
    const __m256i whi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + 16)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wlo, xlo));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(whi, xhi));
}

static int32_t tail_dot(const int8_t *row, const int8_t *xq, size_t k, size_t K)
{
    int32_t s = 0;
    for (; k < K; k++)
        s += (int32_t)row[k] * (int32_t)xq[k];
    return s;
}

void trit_q8_dot_avx2(const trit_q8_rows *w, const int8_t *xq, int32_t *acc, size_t m_begin, size_t m_end)
{
    const size_t K = w->cols, S = w->stride, K32 = K / 32 * 32;
    size_t m = m_begin;
    for (; m + 4 <= m_end; m += 4) {
        const int8_t *r0 = w->codes + m * S, *r1 = r0 + S, *r2 = r1 + S, *r3 = r2 + S;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t k = 0; k < K32; k += 32) {
            const __m256i xlo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(xq + k)));
            const __m256i xhi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(xq + k + 16)));
            a0 = madd32(a0, r0 + k, xlo, xhi);
            a1 = madd32(a1, r1 + k, xlo, xhi);
            a2 = madd32(a2, r2 + k, xlo, xhi);
            a3 = madd32(a3, r3 + k, xlo, xhi);
        }
        acc[m - m_begin + 0] = hsum_epi32(a0) + tail_dot(r0, xq, K32, K);
        acc[m - m_begin + 1] = hsum_epi32(a1) + tail_dot(r1, xq, K32, K);
        acc[m - m_begin + 2] = hsum_epi32(a2) + tail_dot(r2, xq, K32, K);
        acc[m - m_begin + 3] = hsum_epi32(a3) + tail_dot(r3, xq, K32, K);
    }
    for (; m < m_end; m++) {
        const int8_t *r0 = w->codes + m * S;
        __m256i a0 = _mm256_setzero_si256();
        for (size_t k = 0; k < K32; k += 32) {
            const __m256i xlo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(xq + k)));
            const __m256i xhi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(xq + k + 16)));
            a0 = madd32(a0, r0 + k, xlo, xhi);
        }
        acc[m - m_begin] = hsum_epi32(a0) + tail_dot(r0, xq, K32, K);
    }
}
