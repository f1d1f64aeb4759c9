/* reduce_avx512.h — horizontal int32 sum of a zmm that wraps modulo 2^32 like the SIMD lanes did.
 * GCC's _mm512_reduce_add_epi32 finishes in scalar int arithmetic, where the wrap (expected: Σ c·x may
 * exceed INT32_MAX before the offset is subtracted) is undefined behaviour. Include only from files
 * compiled with -mavx512f. */
#ifndef TRITBENCH_X86_REDUCE_AVX512_H
#define TRITBENCH_X86_REDUCE_AVX512_H

#include <immintrin.h>
#include <stdint.h>

static inline __attribute__((always_inline)) int32_t trit_reduce_add_epi32(__m512i v)
{
    __m256i s = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(t);
}

#endif
