/* half_x86.c — FP16 lm_head GEMV rows with F16C conversion and FMA (built with -mavx2 -mfma -mf16c;
 * half.c calls it only when the CPU has them). */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder_internal.h"

static float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

void dec_gemv_f16_rows_f16c(const uint16_t *W, const float *x, float *y, size_t m_begin, size_t m_end, size_t K)
{
    for (size_t m = m_begin; m < m_end; m++) {
        const uint16_t *row = W + m * K;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
               a3 = _mm256_setzero_ps();
        size_t k = 0;
        for (; k + 32 <= K; k += 32) {
            a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + k))),
                                 _mm256_loadu_ps(x + k), a0);
            a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + k + 8))),
                                 _mm256_loadu_ps(x + k + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + k + 16))),
                                 _mm256_loadu_ps(x + k + 16), a2);
            a3 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + k + 24))),
                                 _mm256_loadu_ps(x + k + 24), a3);
        }
        for (; k + 8 <= K; k += 8)
            a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + k))),
                                 _mm256_loadu_ps(x + k), a0);
        float s = hsum256(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; k < K; k++)
            s += _cvtsh_ss(row[k]) * x[k];
        y[m] = s;
    }
}

void dec_f32_row_to_f16_f16c(const float *src, size_t n, uint16_t *dst)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++)
        dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}
