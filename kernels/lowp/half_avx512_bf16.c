/* half_avx512_bf16.c — BF16 blocks with vdpbf16ps (built with -mavx512f -mavx512bw -mavx512bf16): each
 * instruction multiplies 32 bf16 pairs into 16 FP32 lanes. X arrives already rounded to bfloat16 (Xb).
 * Tails use masked 16-bit loads (masked pairs are 0 · 0). */
#include <immintrin.h>

#include "lowp_isa.h"

static inline __mmask32 tail_mask(size_t left) { return left >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << left) - 1); }

static inline __m512bh ld(const uint16_t *p) { return (__m512bh)_mm512_loadu_si512(p); }
static inline __m512bh ldm(__mmask32 m, const uint16_t *p) { return (__m512bh)_mm512_maskz_loadu_epi16(m, p); }

/* One row, four chains of 32 pairs: one linear stream through W (four rows sharing each activation load
 * measured slower out of cache, as for the Q8 head). */
static float dot1(const uint16_t *w, const uint16_t *x, size_t K)
{
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    size_t k = 0;
    for (; k + 128 <= K; k += 128) {
        a0 = _mm512_dpbf16_ps(a0, ld(w + k), ld(x + k));
        a1 = _mm512_dpbf16_ps(a1, ld(w + k + 32), ld(x + k + 32));
        a2 = _mm512_dpbf16_ps(a2, ld(w + k + 64), ld(x + k + 64));
        a3 = _mm512_dpbf16_ps(a3, ld(w + k + 96), ld(x + k + 96));
    }
    for (; k < K; k += 32) {
        const __mmask32 mk = tail_mask(K - k);
        a0 = _mm512_dpbf16_ps(a0, ldm(mk, w + k), ldm(mk, x + k));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

/* One row against four tokens (GEMM). */
static void dot4tokens(const uint16_t *w, const uint16_t *x, size_t K, float *y, size_t ldy)
{
    const uint16_t *x0 = x, *x1 = x + K, *x2 = x + 2 * K, *x3 = x + 3 * K;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t k = 0; k < K; k += 32) {
        const __mmask32 mk = tail_mask(K - k);
        const __m512bh wv = ldm(mk, w + k);
        a0 = _mm512_dpbf16_ps(a0, wv, ldm(mk, x0 + k));
        a1 = _mm512_dpbf16_ps(a1, wv, ldm(mk, x1 + k));
        a2 = _mm512_dpbf16_ps(a2, wv, ldm(mk, x2 + k));
        a3 = _mm512_dpbf16_ps(a3, wv, ldm(mk, x3 + k));
    }
    y[0] = _mm512_reduce_add_ps(a0);
    y[ldy] = _mm512_reduce_add_ps(a1);
    y[2 * ldy] = _mm512_reduce_add_ps(a2);
    y[3 * ldy] = _mm512_reduce_add_ps(a3);
}

void trit_half_block_bf16_avx512(const trit_half_block *b)
{
    const size_t K = b->K, M = b->M;
    /* Token groups outside, the tile's rows inside: the W tile stays in L2 (as in half_avx2.c). */
    size_t n = b->n0;
    for (; n + 4 <= b->n1; n += 4)
        for (size_t m = b->m0; m < b->m1; m++)
            dot4tokens(b->W + m * K, b->Xb + n * K, K, b->Y + n * M + m, M);
    for (; n < b->n1; n++)
        for (size_t m = b->m0; m < b->m1; m++)
            b->Y[n * M + m] = dot1(b->W + m * K, b->Xb + n * K, K);
}
