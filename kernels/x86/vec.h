/* vec.h — width-generic integer vectors and the I2 / T5 decode shared by every x86 ternary kernel.
 * The including ISA file defines TRIT_X86_WIDTH (256: AVX2, 512: AVX-512) and is compiled with flags
 * that provide it. One 64-byte block (TRIT_BLOCK_BYTES) is TV_HALVES vectors; part h of plane i holds
 * the k = block·B + 64i + TV_BYTES·h … +TV_BYTES−1, so activation loads stay contiguous. */
#ifndef TRITBENCH_X86_VEC_H
#define TRITBENCH_X86_VEC_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

#if TRIT_X86_WIDTH == 512
typedef __m512i tv;
#define TV_BYTES 64
#define tv_load(p) _mm512_loadu_si512((const void *)(p))
#define tv_zero() _mm512_setzero_si512()
#define tv_and(a, b) _mm512_and_si512((a), (b))
#define tv_add16(a, b) _mm512_add_epi16((a), (b))
#define tv_add32(a, b) _mm512_add_epi32((a), (b))
#define tv_srli16(a, n) _mm512_srli_epi16((a), (unsigned)(n))
#define tv_srai32(a, n) _mm512_srai_epi32((a), (unsigned)(n))
#define tv_srai16(a, n) _mm512_srai_epi16((a), (unsigned)(n))
#define tv_set1_8(v) _mm512_set1_epi8((char)(v))
#define tv_set1_16(v) _mm512_set1_epi16((short)(v))
#define tv_maddubs(u8, s8) _mm512_maddubs_epi16((u8), (s8))
#define tv_madd16(a, b) _mm512_madd_epi16((a), (b))
#elif TRIT_X86_WIDTH == 256
typedef __m256i tv;
#define TV_BYTES 32
#define tv_load(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define tv_zero() _mm256_setzero_si256()
#define tv_and(a, b) _mm256_and_si256((a), (b))
#define tv_add16(a, b) _mm256_add_epi16((a), (b))
#define tv_add32(a, b) _mm256_add_epi32((a), (b))
#define tv_srli16(a, n) _mm256_srli_epi16((a), (int)(n))
#define tv_srai32(a, n) _mm256_srai_epi32((a), (int)(n))
#define tv_srai16(a, n) _mm256_srai_epi16((a), (int)(n))
#define tv_set1_8(v) _mm256_set1_epi8((char)(v))
#define tv_set1_16(v) _mm256_set1_epi16((short)(v))
#define tv_maddubs(u8, s8) _mm256_maddubs_epi16((u8), (s8))
#define tv_madd16(a, b) _mm256_madd_epi16((a), (b))
#else
#error "define TRIT_X86_WIDTH (256 or 512) before including kernels/x86/vec.h"
#endif

#define TV_HALVES (TRIT_BLOCK_BYTES / TV_BYTES) /* vectors per 64-byte block */

/* Horizontal int32 sum that wraps modulo 2^32 like the lanes did. (GCC's _mm512_reduce_add_epi32 ends
 * in scalar int arithmetic, where the expected wrap — Σ c·x may exceed INT32_MAX before Σx is
 * subtracted — is undefined behaviour.) */
ALWAYS_INLINE int32_t tv_hsum32(tv v)
{
#if TRIT_X86_WIDTH == 512
    __m256i s = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
#else
    __m256i s = v;
#endif
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(t);
}

/* [Σr0 Σr1 Σr2 Σr3] of four int32 vectors, wrapping modulo 2^32 like tv_hsum32: one transpose-and-add tree
 * (7 operations with ymm, 9 with zmm) instead of four separate reductions (7 or 9 each, plus 4 scalar
 * moves and stores) — at K = 2560 a row is only 20 ymm vectors, so the tail is a visible share. */
#if TRIT_X86_WIDTH == 512
/* tv_hsum4x32 one step short: each 128-bit lane holds partial sums [r0 r1 r2 r3] (the VNNI GEMV adds four
 * such results of 16 rows together before the cross-lane steps). */
ALWAYS_INLINE __m512i tv_hsum4x32_lanes(__m512i r0, __m512i r1, __m512i r2, __m512i r3)
{
    const __m512i t01 = _mm512_add_epi32(_mm512_unpacklo_epi32(r0, r1), _mm512_unpackhi_epi32(r0, r1));
    const __m512i t23 = _mm512_add_epi32(_mm512_unpacklo_epi32(r2, r3), _mm512_unpackhi_epi32(r2, r3));
    return _mm512_add_epi32(_mm512_unpacklo_epi64(t01, t23), _mm512_unpackhi_epi64(t01, t23));
}

/* The cross-lane steps of tv_hsum4x32: u's four 128-bit lanes added. */
ALWAYS_INLINE __m128i tv_lanes_sum(__m512i u)
{
    const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(u), _mm512_extracti64x4_epi64(u, 1));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}
#endif

ALWAYS_INLINE __m128i tv_hsum4x32(tv r0, tv r1, tv r2, tv r3)
{
#if TRIT_X86_WIDTH == 512
    return tv_lanes_sum(tv_hsum4x32_lanes(r0, r1, r2, r3));
#else
    const __m256i t01 = _mm256_add_epi32(_mm256_unpacklo_epi32(r0, r1), _mm256_unpackhi_epi32(r0, r1));
    const __m256i t23 = _mm256_add_epi32(_mm256_unpacklo_epi32(r2, r3), _mm256_unpackhi_epi32(r2, r3));
    const __m256i h = _mm256_add_epi32(_mm256_unpacklo_epi64(t01, t23), _mm256_unpackhi_epi64(t01, t23));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
#endif
}

/* [Σr0 Σr1 Σr2 Σr3] − Σx into acc[0 … 3] with one store (the drive's gemv_store). */
ALWAYS_INLINE void tv_store_rows4(__m128i s, int32_t sum_x, int32_t *acc)
{
    _mm_storeu_si128((__m128i *)(void *)acc, _mm_sub_epi32(s, _mm_set1_epi32(sum_x)));
}

/* I2: the codes of plane i (TV_BYTES consecutive k), as u8 in {0, 1, 2}. */
ALWAYS_INLINE tv i2_plane(tv v, int i) { return tv_and(tv_srli16(v, 2 * i), tv_set1_8(3)); }

/* T5 decode, digit by digit. formats.h: with q = byte·3^i mod 256, digit i = (3q) >> 8. vpmaddubsw with
 * word weights (3, 0) turns the even byte of each 16-bit lane into 3q; with (0, 3) the odd byte. Such a
 * lane holds the digit in its high byte and the next digit's q (= 3q mod 256) in its low byte, so
 * vpmaddubsw (3, 0) on the lane again yields the next 3q: the two products per digit both decode and
 * advance, with no separate ×3 step. e/o: lanes from the even/odd bytes. */
typedef struct t5_state {
    tv e, o;
} t5_state;

ALWAYS_INLINE t5_state t5_start(tv bytes)
{
    const t5_state s = {tv_maddubs(bytes, tv_set1_16(0x0003)), tv_maddubs(bytes, tv_set1_16(0x0300))};
    return s;
}

ALWAYS_INLINE t5_state t5_next(t5_state s)
{
    const t5_state n = {tv_maddubs(s.e, tv_set1_16(0x0003)), tv_maddubs(s.o, tv_set1_16(0x0003))};
    return n;
}

/* The digits as bytes: (e >> 8) | (o & 0xFF00). */
ALWAYS_INLINE tv t5_digits(t5_state s)
{
#if TRIT_X86_WIDTH == 512
    return _mm512_ternarylogic_epi32(_mm512_srli_epi16(s.e, 8), s.o, _mm512_set1_epi16((short)0xFF00), 0xF8);
#else
    return _mm256_or_si256(_mm256_srli_epi16(s.e, 8), _mm256_and_si256(s.o, _mm256_set1_epi16((short)0xFF00)));
#endif
}

#endif
