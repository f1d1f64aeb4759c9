/* matmul_avx2.c — I2 and T5 ternary matmul with AVX2 (vpmaddubsw + vpmaddwd). A 64-byte block is two
 * 32-byte halves; half h of plane i holds k = block·B + 64i + 32h .. +31, so activation loads stay
 * contiguous. vpmaddubsw pairs are ≤ 512 in magnitude (codes ≤ 2, |x| ≤ 128); only the planes of one
 * block (≤ 10 × 512) are summed in int16 before vpmaddwd widens to int32 — never across blocks.
 * Compiled with -mavx2 -mfma only. */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/x86/x86_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* 16 ymm registers: GEMV keeps 4 rows in flight; GEMM tiles 2 weight rows × 2 activation rows. */
enum { GEMV_ROWS = 4, GEMM_ROWS = 2, GEMM_ACTS = 2, MAX_TILE = 4 };

ALWAYS_INLINE __m256i i2_plane(__m256i v, int i)
{
    return _mm256_and_si256(_mm256_srli_epi16(v, 2 * i), _mm256_set1_epi8(3));
}

/* T5 decode state: 3q of the even / odd bytes in 16-bit lanes (q = byte·3^i mod 256 for digit i). The
 * high byte of a lane is digit i ((3q) >> 8, formats.h); its low byte is the next q, so vpmaddubsw with
 * word weights (3, 0) on the lane advances to digit i+1 with no separate ×3 step. */
typedef struct t5_state {
    __m256i e, o;
} t5_state;

ALWAYS_INLINE t5_state t5_start(__m256i bytes)
{
    const t5_state s = {_mm256_maddubs_epi16(bytes, _mm256_set1_epi16(0x0003)),
                        _mm256_maddubs_epi16(bytes, _mm256_set1_epi16(0x0300))};
    return s;
}

ALWAYS_INLINE t5_state t5_next(t5_state s)
{
    const t5_state n = {_mm256_maddubs_epi16(s.e, _mm256_set1_epi16(0x0003)),
                        _mm256_maddubs_epi16(s.o, _mm256_set1_epi16(0x0003))};
    return n;
}

/* The 32 digits as bytes: (e >> 8) | (o & 0xFF00). */
ALWAYS_INLINE __m256i t5_digits(t5_state s)
{
    return _mm256_or_si256(_mm256_srli_epi16(s.e, 8), _mm256_and_si256(s.o, _mm256_set1_epi16((short)0xFF00)));
}

ALWAYS_INLINE int32_t hsum(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

/* RM weight rows × RN activation rows; PLANES = 4 (I2) or 5 (T5). */
ALWAYS_INLINE void tile(const trit_packed *w, const trit_act *x, size_t m, size_t n, int32_t *acc, size_t ld,
                        const int RM, const int RN, const int PLANES)
{
    const size_t blocks = w->row_bytes / TRIT_BLOCK_BYTES;
    const size_t kblock = PLANES == 4 ? TRIT_I2_BLOCK : TRIT_T5_BLOCK;
    const __m256i ones = _mm256_set1_epi16(1);
    const uint8_t *wp[MAX_TILE];
    const int8_t *xp[MAX_TILE];
    __m256i a[MAX_TILE][MAX_TILE];
    for (int r = 0; r < RM; r++)
        wp[r] = w->codes + (m + (size_t)r) * w->row_bytes;
    for (int c = 0; c < RN; c++)
        xp[c] = x->q + (n + (size_t)c) * x->stride;
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = _mm256_setzero_si256();
    for (size_t b = 0; b < blocks; b++) {
        __m256i s[MAX_TILE][MAX_TILE]; /* int16 sums of this block only */
        if (RN == 1) /* GEMV streams the weights: rows eight ahead into L2 (see matmul_avx512_vnni.c) */
            for (int r = 0; r < RM; r++)
                _mm_prefetch((const char *)(wp[r] + b * TRIT_BLOCK_BYTES + 8 * w->row_bytes), _MM_HINT_T1);
        for (int r = 0; r < RM; r++)
            for (int c = 0; c < RN; c++)
                s[r][c] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            __m256i v[MAX_TILE];
            t5_state t5[MAX_TILE];
            for (int r = 0; r < RM; r++) {
                v[r] = _mm256_loadu_si256((const __m256i *)(wp[r] + b * TRIT_BLOCK_BYTES + 32 * (size_t)h));
                if (PLANES == 5)
                    t5[r] = t5_start(v[r]);
            }
            for (int i = 0; i < PLANES; i++) {
                __m256i xv[MAX_TILE];
                for (int c = 0; c < RN; c++)
                    xv[c] = _mm256_loadu_si256(
                        (const __m256i *)(xp[c] + b * kblock + 64 * (size_t)i + 32 * (size_t)h));
                for (int r = 0; r < RM; r++) {
                    __m256i code;
                    if (PLANES == 4) {
                        code = i2_plane(v[r], i);
                    } else {
                        code = t5_digits(t5[r]);
                        if (i < PLANES - 1)
                            t5[r] = t5_next(t5[r]);
                    }
                    for (int c = 0; c < RN; c++) {
                        const __m256i p = _mm256_maddubs_epi16(code, xv[c]);
                        s[r][c] = _mm256_add_epi16(s[r][c], p);
                    }
                }
            }
        }
        for (int r = 0; r < RM; r++)
            for (int c = 0; c < RN; c++)
                a[r][c] = _mm256_add_epi32(a[r][c], _mm256_madd_epi16(s[r][c], ones));
    }
    for (int c = 0; c < RN; c++)
        for (int r = 0; r < RM; r++)
            acc[(n + (size_t)c) * ld + m + (size_t)r] = trit_offset_sub(hsum(a[r][c]), x->sum[n + (size_t)c]);
}

/* GEMV I2, four rows at a time, written out so GCC keeps everything in the 16 ymm registers (the
 * generic tile spills here). Per 32-byte half of a block: 4 planes × vpmaddubsw summed in int16 (≤ 2048),
 * then one vpmaddwd into the row's int32 accumulator. */
#define I2_HALF_ROW(acc, vp)                                                                                  \
    do {                                                                                                      \
        const __m256i v_ = _mm256_loadu_si256((const __m256i *)(vp));                                         \
        __m256i s_ = _mm256_maddubs_epi16(_mm256_and_si256(v_, m3), x0);                                      \
        s_ = _mm256_add_epi16(s_, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v_, 2), m3), x1));  \
        s_ = _mm256_add_epi16(s_, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v_, 4), m3), x2));  \
        s_ = _mm256_add_epi16(s_, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v_, 6), m3), x3));  \
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(s_, ones));                                             \
    } while (0)

static void i2_gemv4(const uint8_t *w, size_t rb, const int8_t *xq, size_t blocks, int32_t out[4])
{
    const __m256i m3 = _mm256_set1_epi8(3), ones = _mm256_set1_epi16(1);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t b = 0; b < blocks; b++) {
        /* Rows eight ahead into L2: see i2_gemv4_chunk in matmul_avx512_vnni.c. */
        for (size_t r = 8; r < 12; r++)
            _mm_prefetch((const char *)(w + b * TRIT_BLOCK_BYTES + r * rb), _MM_HINT_T1);
        for (size_t h = 0; h < 2; h++) {
            const int8_t *xb = xq + b * TRIT_I2_BLOCK + 32 * h;
            const uint8_t *wb = w + b * TRIT_BLOCK_BYTES + 32 * h;
            const __m256i x0 = _mm256_loadu_si256((const __m256i *)xb);
            const __m256i x1 = _mm256_loadu_si256((const __m256i *)(xb + 64));
            const __m256i x2 = _mm256_loadu_si256((const __m256i *)(xb + 128));
            const __m256i x3 = _mm256_loadu_si256((const __m256i *)(xb + 192));
            I2_HALF_ROW(a0, wb);
            I2_HALF_ROW(a1, wb + rb);
            I2_HALF_ROW(a2, wb + 2 * rb);
            I2_HALF_ROW(a3, wb + 3 * rb);
        }
    }
    out[0] = hsum(a0);
    out[1] = hsum(a1);
    out[2] = hsum(a2);
    out[3] = hsum(a3);
}

ALWAYS_INLINE void matmul(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                          size_t ld, const int PLANES)
{
    size_t m = m_begin;
    if (x->rows == 1) {
        for (; m + GEMV_ROWS <= m_end; m += GEMV_ROWS) {
            if (PLANES == 4) {
                int32_t out[4];
                i2_gemv4(w->codes + m * w->row_bytes, w->row_bytes, x->q, w->row_bytes / TRIT_BLOCK_BYTES, out);
                for (int r = 0; r < 4; r++)
                    acc[m + (size_t)r] = trit_offset_sub(out[r], x->sum[0]);
            } else {
                tile(w, x, m, 0, acc, ld, GEMV_ROWS, 1, PLANES);
            }
        }
        for (; m < m_end; m++)
            tile(w, x, m, 0, acc, ld, 1, 1, PLANES);
        return;
    }
    for (; m < m_end; m += (m + GEMM_ROWS <= m_end ? GEMM_ROWS : 1)) {
        const int whole = m + GEMM_ROWS <= m_end;
        size_t n = 0;
        for (; n + GEMM_ACTS <= x->rows; n += GEMM_ACTS) {
            if (whole)
                tile(w, x, m, n, acc, ld, GEMM_ROWS, GEMM_ACTS, PLANES);
            else
                tile(w, x, m, n, acc, ld, 1, GEMM_ACTS, PLANES);
        }
        for (; n < x->rows; n++) {
            if (whole)
                tile(w, x, m, n, acc, ld, GEMM_ROWS, 1, PLANES);
            else
                tile(w, x, m, n, acc, ld, 1, 1, PLANES);
        }
    }
}

void trit_matmul_i2_avx2(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                         size_t ld_acc)
{
    matmul(w, x, m_begin, m_end, acc, ld_acc, 4);
}

void trit_matmul_t5_avx2(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                         size_t ld_acc)
{
    matmul(w, x, m_begin, m_end, acc, ld_acc, 5);
}
