/* sgemm_x86.c — the project's own FP32 baseline, Y (N×M) = X (N×K) · Wᵀ, written once for any vector
 * width and compiled twice by x86/meson.build: TRIT_X86_WIDTH=256 (-mavx2 -mfma: variant "avx2") and
 * TRIT_X86_WIDTH=512 (-mavx512f: variant "avx512"). Register tiles of weight rows × activation rows over
 * K chunks that stay in L1/L2, FMA accumulators, one horizontal sum per output. Rows are split over
 * threads by trit_kernel_run. */
#include <immintrin.h>
#include <stddef.h>

#include "kernels/x86/drive.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

#if TRIT_X86_WIDTH == 512
typedef __m512 fv;
#define FV_FLOATS 16
#define fv_load(p) _mm512_loadu_ps(p)
#define fv_zero() _mm512_setzero_ps()
#define fv_fmadd(a, b, c) _mm512_fmadd_ps((a), (b), (c))
ALWAYS_INLINE float fv_hsum(fv v) { return _mm512_reduce_add_ps(v); }
/* 4 × 4 tile: 16 accumulators + 4 + 1 loads of the 32 zmm; KC floats of K per chunk (4-row tile 32 KiB) */
enum { ROWS = 4, ACTS = 4, KC = 2048 };
#define VARIANT "avx512"
#define PRIORITY 40
#define REQUIRES TRIT_X86_REQ_AVX512F
#else /* 256: x86/meson.build always sets the width; tools reading this file alone see the AVX2 unit */
typedef __m256 fv;
#define FV_FLOATS 8
#define fv_load(p) _mm256_loadu_ps(p)
#define fv_zero() _mm256_setzero_ps()
#define fv_fmadd(a, b, c) _mm256_fmadd_ps((a), (b), (c))
ALWAYS_INLINE float fv_hsum(fv v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
/* 4 × 2 tile: 8 accumulators + 4 + 2 loads of the 16 ymm */
enum { ROWS = 4, ACTS = 2, KC = 2048 };
#define VARIANT "avx2"
#define PRIORITY 30
#define REQUIRES TRIT_X86_REQ_AVX2
#endif

ALWAYS_INLINE void tile(const float *W, const float *X, float *Y, size_t M, size_t K, size_t m, size_t n,
                        size_t k0, size_t k1, const int RM, const int RN)
{
    fv a[ROWS][ACTS];
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = fv_zero();
    size_t k = k0;
    for (; k + FV_FLOATS <= k1; k += FV_FLOATS) {
        fv xv[ACTS];
        for (int c = 0; c < RN; c++)
            xv[c] = fv_load(X + (n + (size_t)c) * K + k);
        for (int r = 0; r < RM; r++) {
            const fv wv = fv_load(W + (m + (size_t)r) * K + k);
            for (int c = 0; c < RN; c++)
                a[r][c] = fv_fmadd(wv, xv[c], a[r][c]);
        }
    }
    for (int c = 0; c < RN; c++)
        for (int r = 0; r < RM; r++) {
            float s = fv_hsum(a[r][c]);
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

TRIT_SGEMM_ADAPTER(sgemm, rows_range)

const trit_kernel TRIT_X86_UNIT_TABLE[] = {
    TRIT_FP32_KERNEL(TRIT_OP_GEMV, VARIANT, PRIORITY, REQUIRES, sgemm),
    TRIT_FP32_KERNEL(TRIT_OP_GEMM, VARIANT, PRIORITY, REQUIRES, sgemm),
};
const size_t TRIT_X86_UNIT_COUNT = sizeof TRIT_X86_UNIT_TABLE / sizeof TRIT_X86_UNIT_TABLE[0];
