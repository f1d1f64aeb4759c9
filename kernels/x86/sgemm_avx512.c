/* sgemm_avx512.c — the project's own AVX-512 FP32 baseline, Y (N×M) = X (N×K) · Wᵀ: register tiles of
 * weight rows × activation rows over K chunks that stay in L1/L2, FMA accumulators, one horizontal sum
 * per output. Compiled with -mavx2 -mfma -mavx512f only. */
#include <immintrin.h>
#include <stddef.h>

#include "kernels/x86/x86_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

enum { ROWS = 4, ACTS = 4, KC = 2048 /* floats of K per chunk: a 4-row weight tile is 32 KiB */ };

ALWAYS_INLINE void tile(const float *W, const float *X, float *Y, size_t M, size_t K, size_t m, size_t n,
                        size_t k0, size_t k1, const int RM, const int RN)
{
    __m512 a[ROWS][ACTS];
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = _mm512_setzero_ps();
    size_t k = k0;
    for (; k + 16 <= k1; k += 16) {
        __m512 xv[ACTS];
        for (int c = 0; c < RN; c++)
            xv[c] = _mm512_loadu_ps(X + (n + (size_t)c) * K + k);
        for (int r = 0; r < RM; r++) {
            const __m512 wv = _mm512_loadu_ps(W + (m + (size_t)r) * K + k);
            for (int c = 0; c < RN; c++)
                a[r][c] = _mm512_fmadd_ps(wv, xv[c], a[r][c]);
        }
    }
    for (int c = 0; c < RN; c++)
        for (int r = 0; r < RM; r++) {
            float s = _mm512_reduce_add_ps(a[r][c]);
            for (size_t t = k; t < k1; t++)
                s += W[(m + (size_t)r) * K + t] * X[(n + (size_t)c) * K + t];
            float *y = Y + (n + (size_t)c) * M + m + (size_t)r;
            *y = k0 == 0 ? s : *y + s;
        }
}

static void rows_range(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, size_t m_begin,
                       size_t m_end)
{
    for (size_t k0 = 0; k0 < K || k0 == 0; k0 += KC) {
        const size_t k1 = K - k0 < KC ? K : k0 + KC;
        size_t m = m_begin;
        for (; m + ROWS <= m_end; m += ROWS) {
            size_t n = 0;
            for (; n + ACTS <= N; n += ACTS)
                tile(W, X, Y, M, K, m, n, k0, k1, ROWS, ACTS);
            for (; n < N; n++)
                tile(W, X, Y, M, K, m, n, k0, k1, ROWS, 1);
        }
        for (; m < m_end; m++) {
            size_t n = 0;
            for (; n + ACTS <= N; n += ACTS)
                tile(W, X, Y, M, K, m, n, k0, k1, 1, ACTS);
            for (; n < N; n++)
                tile(W, X, Y, M, K, m, n, k0, k1, 1, 1);
        }
        if (K == 0)
            break;
    }
}

void trit_sgemm_avx512(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads)
{
    if (threads < 1)
        threads = 1;
    /* Whole row tiles per thread, so tails stay at the end of the matrix. */
    const size_t per = ((M + (size_t)threads - 1) / (size_t)threads + ROWS - 1) / ROWS * ROWS;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static, 1)
#endif
    for (int t = 0; t < threads; t++) {
        const size_t b = (size_t)t * per, e = b + per < M ? b + per : M;
        if (b < e)
            rows_range(W, X, Y, M, K, N, b, e);
    }
}
