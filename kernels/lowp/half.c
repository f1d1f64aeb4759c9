/* half.c — FP16 / BF16 dense baselines: conversions, the scalar twins (8 interleaved FP32 partial sums,
 * so their rounding error obeys the same bound as the vector variants, lowp.h), the variant table and
 * the threaded driver shared by every variant. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lowp_isa.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

#if TRIT_HAVE_X86_64
#include <cpuid.h>
#endif
#if TRIT_HAVE_OPENMP
#include <omp.h>
#endif

const char *trit_half_type_name(trit_half_type t) { return t == TRIT_HALF_BF16 ? "bf16" : "fp16"; }

uint16_t trit_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    const uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* Inf / NaN (quiet) */
        return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
    if (ax >= 0x477ff000u) /* rounds to ≥ 65520: Inf */
        return (uint16_t)(sign | 0x7c00u);
    if (ax < 0x38800000u) { /* subnormal half or zero, round half to even */
        if (ax < 0x33000000u)
            return (uint16_t)sign;
        const uint32_t e = ax >> 23, m = (ax & 0x7fffffu) | 0x800000u, shift = 126u - e;
        uint32_t h = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
        if (rem > halfway || (rem == halfway && (h & 1u)))
            h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = (ax - 0x38000000u) >> 13; /* rebias; a mantissa carry rolls into the exponent */
    const uint32_t rem = ax & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
        h++;
    return (uint16_t)(sign | h);
}

float trit_f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    uint32_t x;
    if (e == 0) {
        if (m != 0) {
            const float v = (float)m * 0x1p-24f;
            return sign ? -v : v;
        }
        x = sign;
    } else if (e == 31) {
        x = sign | 0x7f800000u | (m << 13);
    } else {
        x = sign | ((e + 112u) << 23) | (m << 13);
    }
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

uint16_t trit_f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

float trit_bf16_to_f32(uint16_t h)
{
    const uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

static bool f16c_present, bf16_present;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

static void detect(void)
{
#if TRIT_HAVE_X86_64
    const uint32_t f = trit_cpu_features();
    unsigned a, b, c, d;
    f16c_present = (f & TRIT_CPU_AVX2) && __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
    bf16_present = (f & TRIT_CPU_AVX512F) && (f & TRIT_CPU_AVX512BW) && __get_cpuid_count(7, 1, &a, &b, &c, &d) &&
                   (a & (1u << 5));
#endif
}

/* Detected once (CPUID traps to the hypervisor in a VM). TRIT_CPU_MASK hides these with the bits they
 * build on (avx2 / avx512f). */
bool trit_cpu_has_f16c(void)
{
    pthread_once(&detect_once, detect);
    return f16c_present;
}

bool trit_cpu_has_avx512_bf16(void)
{
    pthread_once(&detect_once, detect);
    return bf16_present;
}

void trit_f32_to_half_row(trit_half_type t, const float *src, size_t n, uint16_t *dst)
{
#if TRIT_HAVE_X86_64
    if (t == TRIT_HALF_FP16 && trit_cpu_has_f16c()) {
        trit_f32_to_f16_row_f16c(src, n, dst);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        dst[i] = t == TRIT_HALF_BF16 ? trit_f32_to_bf16(src[i]) : trit_f32_to_f16(src[i]);
}

void trit_half_to_f32_row(trit_half_type t, const uint16_t *src, size_t n, float *dst)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = t == TRIT_HALF_BF16 ? trit_bf16_to_f32(src[i]) : trit_f16_to_f32(src[i]);
}

/* Eight interleaved partial sums, as an 8-lane vector would keep them. */
static float dot8(const uint16_t *w, const float *x, size_t K, trit_half_type t)
{
    float s[8] = {0};
    for (size_t k = 0; k < K; k++)
        s[k % 8] += (t == TRIT_HALF_BF16 ? trit_bf16_to_f32(w[k]) : trit_f16_to_f32(w[k])) * x[k];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

void trit_half_block_f16_scalar(const trit_half_block *b)
{
    for (size_t n = b->n0; n < b->n1; n++)
        for (size_t m = b->m0; m < b->m1; m++)
            b->Y[n * b->M + m] = dot8(b->W + m * b->K, b->X + n * b->K, b->K, TRIT_HALF_FP16);
}

void trit_half_block_bf16_scalar(const trit_half_block *b)
{
    for (size_t n = b->n0; n < b->n1; n++)
        for (size_t m = b->m0; m < b->m1; m++)
            b->Y[n * b->M + m] = dot8(b->W + m * b->K, b->X + n * b->K, b->K, TRIT_HALF_BF16);
}

typedef void (*block_fn)(const trit_half_block *);

/* Splits Y into 64-row tiles (all tokens each) among threads. BF16 rounds X to bfloat16 once, as bits
 * (for vdpbf16ps) and as floats (for the widening variants), so every BF16 variant sees the same X. */
static void drive(block_fn fn, trit_half_type t, const uint16_t *W, const float *X, float *Y, size_t M, size_t K,
                  size_t N, int threads)
{
    trit_half_block base = {W, X, NULL, Y, M, K, 0, 0, 0, N};
    uint16_t *xb = NULL;
    float *xr = NULL;
    if (t == TRIT_HALF_BF16) {
        xb = malloc(N * K * sizeof *xb);
        xr = malloc(N * K * sizeof *xr);
        if (!xb || !xr) { /* no memory for the rounded copy: NaN out rather than a silently other product */
            for (size_t i = 0; i < N * M; i++)
                Y[i] = NAN;
            free(xb);
            free(xr);
            return;
        }
        for (size_t i = 0; i < N * K; i++) {
            xb[i] = trit_f32_to_bf16(X[i]);
            xr[i] = trit_bf16_to_f32(xb[i]);
        }
        base.Xb = xb;
        base.X = xr;
    }
    const size_t tiles = (M + 63) / 64;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1 && tiles > 1)
#endif
    for (size_t i = 0; i < tiles; i++) {
        trit_half_block b = base;
        b.m0 = i * 64;
        b.m1 = b.m0 + 64 < M ? b.m0 + 64 : M;
        fn(&b);
    }
    (void)threads;
    free(xb);
    free(xr);
}

#define HALF_VARIANT(fname, block, type)                                                                     \
    static void fname(const uint16_t *W, const float *X, float *Y, size_t M, size_t K, size_t N, int threads) \
    {                                                                                                        \
        drive(block, type, W, X, Y, M, K, N, threads);                                                       \
    }

HALF_VARIANT(hgemm_f16_scalar, trit_half_block_f16_scalar, TRIT_HALF_FP16)
HALF_VARIANT(hgemm_bf16_scalar, trit_half_block_bf16_scalar, TRIT_HALF_BF16)
#if TRIT_HAVE_X86_64
HALF_VARIANT(hgemm_f16c, trit_half_block_f16c, TRIT_HALF_FP16)
HALF_VARIANT(hgemm_bf16_avx2, trit_half_block_bf16_avx2, TRIT_HALF_BF16)
#if TRIT_LOWP_BF16
HALF_VARIANT(hgemm_bf16_avx512, trit_half_block_bf16_avx512, TRIT_HALF_BF16)
#endif
#endif

/* requires = 0 beyond the TRIT_CPU bits for the scalar twins; the x86 ones also check F16C / BF16 below. */
static const trit_half_kernel half_table[] = {
    {"scalar", TRIT_HALF_FP16, 0, 0, 0, hgemm_f16_scalar},
    {"scalar", TRIT_HALF_BF16, 0, 0, 0, hgemm_bf16_scalar},
#if TRIT_HAVE_X86_64
    {"f16c", TRIT_HALF_FP16, TRIT_CPU_AVX2, 10, 10, hgemm_f16c},
    /* A baseline must be the fastest path of its type, measured (1 thread, thread CPU time, loaded VM):
     * GEMV 128256 × 2560 — widen + FMA ~31–33 ms, vdpbf16ps ~38–43 ms (a memory stream: the cheaper loop
     * wins); GEMM 6912 × 2560 × 128 — vdpbf16ps 97 GFLOP/s, widen + FMA 44 (compute: 2 products per lane
     * per instruction win). So each op prefers its own. */
    {"bf16_convert", TRIT_HALF_BF16, TRIT_CPU_AVX2, 20, 10, hgemm_bf16_avx2},
#if TRIT_LOWP_BF16
    {"avx512_bf16", TRIT_HALF_BF16, TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW, 10, 20, hgemm_bf16_avx512},
#endif
#endif
};

const trit_half_kernel *trit_half_kernels(size_t *count)
{
    *count = sizeof half_table / sizeof half_table[0];
    return half_table;
}

bool trit_half_runnable(const trit_half_kernel *k)
{
    if (!k || (trit_cpu_features() & k->requires) != k->requires)
        return false;
    if (strcmp(k->name, "f16c") == 0)
        return trit_cpu_has_f16c();
    if (strcmp(k->name, "avx512_bf16") == 0)
        return trit_cpu_has_avx512_bf16();
    return true;
}

const trit_half_kernel *trit_half_get(trit_half_type t, const char *name)
{
    for (size_t i = 0; name && i < sizeof half_table / sizeof half_table[0]; i++)
        if (half_table[i].type == t && strcmp(half_table[i].name, name) == 0)
            return &half_table[i];
    return NULL;
}

const trit_half_kernel *trit_half_select(trit_half_type t, bool gemm)
{
    const trit_half_kernel *best = NULL;
    for (size_t i = 0; i < sizeof half_table / sizeof half_table[0]; i++) {
        const trit_half_kernel *k = &half_table[i];
        const int p = gemm ? k->priority_gemm : k->priority, bp = !best ? 0 : gemm ? best->priority_gemm : best->priority;
        if (k->type == t && trit_half_runnable(k) && (!best || p > bp))
            best = k;
    }
    return best;
}
