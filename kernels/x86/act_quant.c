/* act_quant.c — the activation quantizer of quant.h, vectorized (act_quant.h). Compiled twice by
 * x86/meson.build: TRIT_X86_WIDTH=256 (AVX2) and 512 (AVX-512F/BW), each with only its own -m flags.
 * It was a third of a whole BitLinear GEMM on kv_proj 640×2560×128 (the scalar loop calls libm's
 * nearbyintf per element): ~0.9 ms of 2.4 ms. Two passes per row (max|x| and the non-finite check,
 * then scale, round, clamp, narrow, Σq); a row of a BitNet layer (≤ 27 KiB of floats) stays in L1/L2. */
#include "kernels/x86/act_quant.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#ifndef TRIT_X86_WIDTH /* x86/meson.build always sets it; tools reading this file alone see the AVX2 form */
#define TRIT_X86_WIDTH 256
#endif

#define ACT_CAT2(a, b) a##b
#define ACT_CAT(a, b) ACT_CAT2(a, b)
#define ACT_QUANT_FN ACT_CAT(trit_act_quant_x86_, TRIT_X86_WIDTH)

/* Exponent bits of a float: |x| as bits ≥ this is ±Inf or NaN. */
#define EXP_ALL_ONES 0x7F800000

static float scale_of(float amax)
{
    return 127.0f / (amax > TRIT_ACT_MIN_ABSMAX ? amax : TRIT_ACT_MIN_ABSMAX);
}

#if TRIT_X86_WIDTH == 512

/* max|x| over a row, or −1 when an element is not finite. */
static float row_absmax(const float *x, size_t cols)
{
    const __m512i abs_bits = _mm512_set1_epi32(0x7FFFFFFF), exp_all = _mm512_set1_epi32(EXP_ALL_ONES);
    __m512 vmax = _mm512_setzero_ps();
    __mmask16 bad = 0;
    for (size_t k = 0; k < cols; k += 16) {
        const __mmask16 m = cols - k >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (cols - k)) - 1);
        const __m512i v = _mm512_and_si512(_mm512_castps_si512(_mm512_maskz_loadu_ps(m, x + k)), abs_bits);
        bad |= _mm512_cmpge_epi32_mask(v, exp_all);
        vmax = _mm512_max_ps(vmax, _mm512_castsi512_ps(v));
    }
    return bad ? -1.0f : _mm512_reduce_max_ps(vmax);
}

/* q = clamp(round(x·s), −128, 127) for the row; returns Σq (exact: |Σq| ≤ 128·cols). */
static int32_t row_quant(const float *x, size_t cols, float s, int8_t *q)
{
    const __m512 vs = _mm512_set1_ps(s);
    const __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
    __m512i sum = _mm512_setzero_si512();
    for (size_t k = 0; k < cols; k += 16) {
        const __mmask16 m = cols - k >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (cols - k)) - 1);
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + k), vs);
        const __m512i r = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(v), lo), hi);
        sum = _mm512_add_epi32(sum, r); /* masked-off lanes loaded 0 and round to 0 */
        _mm512_mask_cvtepi32_storeu_epi8(q + k, m, r);
    }
    const __m256i s8 = _mm256_add_epi32(_mm512_castsi512_si256(sum), _mm512_extracti64x4_epi64(sum, 1));
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s8), _mm256_extracti128_si256(s8, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(t);
}

#else /* 256 */

/* The scalar oracle's step for the < 32 elements of a row's tail (quant.c, same operations). */
static int8_t quant_one(float x, float s)
{
    float v = nearbyintf(x * s);
    v = v > 127.0f ? 127.0f : v < -128.0f ? -128.0f : v;
    return (int8_t)v;
}

static float row_absmax(const float *x, size_t cols)
{
    const __m256i abs_bits = _mm256_set1_epi32(0x7FFFFFFF), exp_max = _mm256_set1_epi32(EXP_ALL_ONES - 1);
    __m256 vmax = _mm256_setzero_ps();
    __m256i bad = _mm256_setzero_si256();
    size_t k = 0;
    for (; k + 8 <= cols; k += 8) {
        const __m256i v = _mm256_and_si256(_mm256_castps_si256(_mm256_loadu_ps(x + k)), abs_bits);
        bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(v, exp_max));
        vmax = _mm256_max_ps(vmax, _mm256_castsi256_ps(v));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    float amax = _mm_cvtss_f32(m4);
    for (; k < cols; k++) {
        if (!isfinite(x[k]))
            return -1.0f;
        const float v = fabsf(x[k]);
        amax = v > amax ? v : amax;
    }
    return _mm256_testz_si256(bad, bad) ? amax : -1.0f;
}

static int32_t row_quant(const float *x, size_t cols, float s, int8_t *q)
{
    const __m256 vs = _mm256_set1_ps(s);
    const __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
    /* packs interleaves 128-bit lanes: dwords 0,4,1,5,2,6,3,7 put the 32 bytes back in order */
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    __m256i sum = _mm256_setzero_si256();
    size_t k = 0;
    for (; k + 32 <= cols; k += 32) {
        __m256i r[4];
        for (int j = 0; j < 4; j++) {
            const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + k + 8 * (size_t)j), vs);
            r[j] = _mm256_min_epi32(_mm256_max_epi32(_mm256_cvtps_epi32(v), lo), hi);
            sum = _mm256_add_epi32(sum, r[j]);
        }
        const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
        _mm256_storeu_si256((__m256i *)(void *)(q + k), _mm256_permutevar8x32_epi32(b, order));
    }
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
    int32_t total = _mm_cvtsi128_si32(t);
    for (; k < cols; k++) {
        q[k] = quant_one(x[k], s);
        total += q[k];
    }
    return total;
}

#endif

int ACT_QUANT_FN(const float *X, size_t ld_x, trit_act *a)
{
    for (size_t n = 0; n < a->rows; n++) {
        const float *x = X + n * ld_x;
        const float amax = row_absmax(x, a->cols);
        if (amax < 0.0f)
            return -1;
        const float s = scale_of(amax);
        a->scale[n] = s;
        a->sum[n] = row_quant(x, a->cols, s, a->q + n * a->stride);
    }
    return 0;
}
