/* matmul_avx512bw.c — I2 and T5 ternary matmul with AVX-512BW (vpmaddubsw + vpmaddwd), for CPUs without
 * VNNI. vpmaddubsw sums byte pairs into saturating int16: with codes ≤ 2 and |x| ≤ 128 one pair is ≤ 512,
 * and at most the 4 (I2) or 5 (T5) planes of one block (≤ 2560) are summed in int16 before vpmaddwd
 * widens them to int32 — never across blocks, so long rows cannot saturate.
 * Compiled with -mavx512f -mavx512bw only. */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/x86/reduce_avx512.h"
#include "kernels/x86/x86_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* 4 × 2: accumulators plus per-block int16 sums fill 16 of the 32 zmm registers (4 × 4 spilled). */
enum { ROW_TILE = 4, ACT_TILE = 2 };

ALWAYS_INLINE __m512i i2_plane(__m512i v, int i)
{
    return _mm512_and_si512(_mm512_srli_epi16(v, (unsigned)(2 * i)), _mm512_set1_epi8(3));
}

/* T5 decode state (see matmul_avx512_vnni.c): 3q of the even / odd bytes in 16-bit lanes; the high byte is
 * the digit, and vpmaddubsw (3, 0) on the lane gives the next digit's 3q. */
typedef struct t5_state {
    __m512i e, o;
} t5_state;

ALWAYS_INLINE t5_state t5_start(__m512i bytes)
{
    const t5_state s = {_mm512_maddubs_epi16(bytes, _mm512_set1_epi16(0x0003)),
                        _mm512_maddubs_epi16(bytes, _mm512_set1_epi16(0x0300))};
    return s;
}

ALWAYS_INLINE t5_state t5_next(t5_state s)
{
    const t5_state n = {_mm512_maddubs_epi16(s.e, _mm512_set1_epi16(0x0003)),
                        _mm512_maddubs_epi16(s.o, _mm512_set1_epi16(0x0003))};
    return n;
}

ALWAYS_INLINE __m512i t5_digits(t5_state s)
{
    return _mm512_ternarylogic_epi32(_mm512_srli_epi16(s.e, 8), s.o, _mm512_set1_epi16((short)0xFF00), 0xF8);
}

/* RM weight rows × RN activation rows. PLANES = 4 (I2) or 5 (T5) decoded vectors per 64-byte block. */
ALWAYS_INLINE void tile(const trit_packed *w, const trit_act *x, size_t m, size_t n, int32_t *acc, size_t ld,
                        const int RM, const int RN, const int PLANES)
{
    const size_t blocks = w->row_bytes / TRIT_BLOCK_BYTES;
    const size_t kblock = PLANES == 4 ? TRIT_I2_BLOCK : TRIT_T5_BLOCK;
    const __m512i ones = _mm512_set1_epi16(1);
    const uint8_t *wp[ROW_TILE];
    const int8_t *xp[ACT_TILE];
    __m512i a[ROW_TILE][ACT_TILE];
    for (int r = 0; r < RM; r++)
        wp[r] = w->codes + (m + (size_t)r) * w->row_bytes;
    for (int c = 0; c < RN; c++)
        xp[c] = x->q + (n + (size_t)c) * x->stride;
    for (int r = 0; r < RM; r++)
        for (int c = 0; c < RN; c++)
            a[r][c] = _mm512_setzero_si512();
    for (size_t b = 0; b < blocks; b++) {
        __m512i v[ROW_TILE];
        t5_state t5[ROW_TILE];
        __m512i s[ROW_TILE][ACT_TILE]; /* int16 sums of this block only */
        for (int r = 0; r < RM; r++)
            for (int c = 0; c < RN; c++)
                s[r][c] = _mm512_setzero_si512();
        if (RN == 1) /* GEMV streams the weights: rows eight ahead into L2 (see matmul_avx512_vnni.c) */
            for (int r = 0; r < RM; r++)
                _mm_prefetch((const char *)(wp[r] + b * TRIT_BLOCK_BYTES + 8 * w->row_bytes), _MM_HINT_T1);
        for (int r = 0; r < RM; r++) {
            v[r] = _mm512_loadu_si512((const void *)(wp[r] + b * TRIT_BLOCK_BYTES));
            if (PLANES == 5)
                t5[r] = t5_start(v[r]);
        }
        for (int i = 0; i < PLANES; i++) {
            __m512i xv[ACT_TILE];
            for (int c = 0; c < RN; c++)
                xv[c] = _mm512_loadu_si512((const void *)(xp[c] + b * kblock + 64 * (size_t)i));
            for (int r = 0; r < RM; r++) {
                __m512i code;
                if (PLANES == 4) {
                    code = i2_plane(v[r], i);
                } else {
                    code = t5_digits(t5[r]);
                    if (i < PLANES - 1)
                        t5[r] = t5_next(t5[r]);
                }
                for (int c = 0; c < RN; c++) {
                    const __m512i p = _mm512_maddubs_epi16(code, xv[c]);
                    s[r][c] = _mm512_add_epi16(s[r][c], p);
                }
            }
        }
        for (int r = 0; r < RM; r++)
            for (int c = 0; c < RN; c++)
                a[r][c] = _mm512_add_epi32(a[r][c], _mm512_madd_epi16(s[r][c], ones));
    }
    for (int c = 0; c < RN; c++)
        for (int r = 0; r < RM; r++)
            acc[(n + (size_t)c) * ld + m + (size_t)r] = trit_offset_sub(trit_reduce_add_epi32(a[r][c]), x->sum[n + (size_t)c]);
}

ALWAYS_INLINE void matmul(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                          size_t ld, const int PLANES)
{
    size_t m = m_begin;
    for (; m < m_end; m += (m + ROW_TILE <= m_end ? ROW_TILE : 1)) {
        const int whole = m + ROW_TILE <= m_end;
        for (size_t n = 0; n < x->rows; n += ACT_TILE) {
            const size_t rn = x->rows - n;
            if (whole) {
                if (rn >= ACT_TILE)
                    tile(w, x, m, n, acc, ld, ROW_TILE, ACT_TILE, PLANES);
                else
                    tile(w, x, m, n, acc, ld, ROW_TILE, 1, PLANES);
            } else {
                if (rn >= ACT_TILE)
                    tile(w, x, m, n, acc, ld, 1, ACT_TILE, PLANES);
                else
                    tile(w, x, m, n, acc, ld, 1, 1, PLANES);
            }
        }
    }
}

void trit_matmul_i2_avx512bw(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                             size_t ld_acc)
{
    matmul(w, x, m_begin, m_end, acc, ld_acc, 4);
}

void trit_matmul_t5_avx512bw(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                             size_t ld_acc)
{
    matmul(w, x, m_begin, m_end, acc, ld_acc, 5);
}
