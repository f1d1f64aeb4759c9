/* half_avx2.c — FP16 (F16C convert + FMA) and BF16 (widen by a 16-bit shift + FMA) blocks, built with
 * -mavx2 -mfma -mf16c; half.c calls them only where the CPU has them. One row of W is converted once per
 * 8 columns and multiplied into up to four tokens (GEMM) or four interleaved accumulators (GEMV). */
#include <immintrin.h>

#include "lowp_isa.h"

static inline __m256 widen8(const uint16_t *p, int bf16)
{
    const __m128i h = _mm_loadu_si128((const __m128i *)p);
    if (bf16)
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    return _mm256_cvtph_ps(h);
}

static inline float widen1(uint16_t h, int bf16) { return bf16 ? trit_bf16_to_f32(h) : trit_f16_to_f32(h); }

static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

static inline float dot1(const uint16_t *w, const float *x, size_t K, int bf16)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    size_t k = 0;
    for (; k + 32 <= K; k += 32) {
        a0 = _mm256_fmadd_ps(widen8(w + k, bf16), _mm256_loadu_ps(x + k), a0);
        a1 = _mm256_fmadd_ps(widen8(w + k + 8, bf16), _mm256_loadu_ps(x + k + 8), a1);
        a2 = _mm256_fmadd_ps(widen8(w + k + 16, bf16), _mm256_loadu_ps(x + k + 16), a2);
        a3 = _mm256_fmadd_ps(widen8(w + k + 24, bf16), _mm256_loadu_ps(x + k + 24), a3);
    }
    for (; k + 8 <= K; k += 8)
        a0 = _mm256_fmadd_ps(widen8(w + k, bf16), _mm256_loadu_ps(x + k), a0);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; k < K; k++)
        s += widen1(w[k], bf16) * x[k];
    return s;
}

static inline void dot4(const uint16_t *w, const float *x, size_t K, float *y, size_t ldy, int bf16)
{
    const float *x0 = x, *x1 = x + K, *x2 = x + 2 * K, *x3 = x + 3 * K;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    size_t k = 0;
    for (; k + 8 <= K; k += 8) {
        const __m256 wv = widen8(w + k, bf16);
        a0 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x0 + k), a0);
        a1 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x1 + k), a1);
        a2 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x2 + k), a2);
        a3 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x3 + k), a3);
    }
    float s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
    for (; k < K; k++) {
        const float wk = widen1(w[k], bf16);
        s0 += wk * x0[k];
        s1 += wk * x1[k];
        s2 += wk * x2[k];
        s3 += wk * x3[k];
    }
    y[0] = s0;
    y[ldy] = s1;
    y[2 * ldy] = s2;
    y[3 * ldy] = s3;
}

/* Tokens in groups of four outside, the tile's rows inside: the 64-row tile of W (≤ 64·K·2 bytes) stays in
 * L2 while every token group passes over it, so W is read from memory once per call. */
static inline void block(const trit_half_block *b, int bf16)
{
    const size_t K = b->K, M = b->M;
    size_t n = b->n0;
    for (; n + 4 <= b->n1; n += 4)
        for (size_t m = b->m0; m < b->m1; m++)
            dot4(b->W + m * K, b->X + n * K, K, b->Y + n * M + m, M, bf16);
    for (; n < b->n1; n++)
        for (size_t m = b->m0; m < b->m1; m++)
            b->Y[n * M + m] = dot1(b->W + m * K, b->X + n * K, K, bf16);
}

void trit_half_block_f16c(const trit_half_block *b) { block(b, 0); }
void trit_half_block_bf16_avx2(const trit_half_block *b) { block(b, 1); }

void trit_f32_to_f16_row_f16c(const float *src, size_t n, uint16_t *dst)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++)
        dst[i] = trit_f32_to_f16(src[i]);
}
