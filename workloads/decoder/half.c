/* half.c — IEEE binary16 storage for the ternary model's embedding and lm_head (bitnet.cpp keeps them in
 * FP16): portable conversions and the lm_head GEMV, dispatched to F16C/FMA code where the CPU has it. */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decoder_internal.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

#if TRIT_HAVE_X86_64
#include <cpuid.h>
#endif

uint16_t dec_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* Inf / NaN */
        return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
    if (ax >= 0x477ff000u) /* rounds to ≥ 65520: overflow to Inf */
        return (uint16_t)(sign | 0x7c00u);
    if (ax < 0x38800000u) { /* below the smallest normal half: subnormal or zero, round half to even */
        if (ax < 0x33000000u)
            return (uint16_t)sign;
        const uint32_t e = ax >> 23, m = (ax & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126u - e; /* 14..24 */
        uint32_t h = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
        if (rem > halfway || (rem == halfway && (h & 1u)))
            h++;
        return (uint16_t)(sign | h);
    }
    /* Normal: rebias the exponent, round the mantissa to 10 bits half to even (a carry rolls into the
     * exponent, which is what rounding up to the next binade means). */
    uint32_t h = ((ax - 0x38000000u) >> 13);
    const uint32_t rem = ax & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
        h++;
    return (uint16_t)(sign | h);
}

float dec_f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    uint32_t x;
    if (e == 0) {
        if (m == 0) {
            x = sign;
        } else { /* subnormal: value m · 2^-24, exact in float */
            float v = (float)m * 0x1p-24f;
            return sign ? -v : v;
        }
    } else if (e == 31) {
        x = sign | 0x7f800000u | (m << 13);
    } else {
        x = sign | ((e + 112u) << 23) | (m << 13);
    }
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

void dec_f16_row_to_f32(const uint16_t *src, size_t n, float *dst)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = dec_f16_to_f32(src[i]);
}

static void gemv_f16_rows_portable(const uint16_t *W, const float *x, float *y, size_t m_begin, size_t m_end,
                                   size_t K)
{
    for (size_t m = m_begin; m < m_end; m++) {
        const uint16_t *row = W + m * K;
        float s = 0.0f;
        for (size_t k = 0; k < K; k++)
            s += dec_f16_to_f32(row[k]) * x[k];
        y[m] = s;
    }
}

static bool f16c_present;
static pthread_once_t f16c_once = PTHREAD_ONCE_INIT;

static void detect_f16c(void)
{
#if TRIT_HAVE_X86_64
    /* Every CPU with AVX2+FMA (the TRIT_CPU_AVX2 bit, OS-enabled YMM) also has F16C; CPUID.1:ECX[29]
     * makes sure (clang's __builtin_cpu_supports does not know "f16c"). */
    unsigned a, b, c, d;
    f16c_present = (trit_cpu_features() & TRIT_CPU_AVX2) && __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
#endif
}

/* Detected once: CPUID traps to the hypervisor in a VM (microseconds), far too slow per row. */
static bool have_f16c(void)
{
    pthread_once(&f16c_once, detect_f16c);
    return f16c_present;
}

void dec_f32_row_to_f16(const float *src, size_t n, uint16_t *dst)
{
#if TRIT_HAVE_X86_64
    if (have_f16c()) {
        dec_f32_row_to_f16_f16c(src, n, dst);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        dst[i] = dec_f32_to_f16(src[i]);
}

typedef void (*rows_fn)(const uint16_t *, const float *, float *, size_t, size_t, size_t);

static rows_fn pick(void)
{
#if TRIT_HAVE_X86_64
    if (have_f16c())
        return dec_gemv_f16_rows_f16c;
#endif
    return gemv_f16_rows_portable;
}

void dec_gemv_f16(const uint16_t *W, const float *x, float *y, size_t M, size_t K, int threads)
{
    const rows_fn fn = pick();
    if (threads <= 1) {
        fn(W, x, y, 0, M, K);
        return;
    }
    /* Rows split in 64-row tiles so each thread streams its own part of the matrix. */
    const size_t tiles = (M + 63) / 64;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
    for (size_t t = 0; t < tiles; t++) {
        const size_t b = t * 64, e = b + 64 < M ? b + 64 : M;
        fn(W, x, y, b, e, K);
    }
}
