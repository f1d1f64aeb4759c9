/* q8.c — Q8 rows (absmax int8 codes + FP32 scale per row): storage, quantization, the int8 embedding
 * lookup, the scalar oracle of the integer dot products, the variant table and the threaded GEMV. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lowp_isa.h"
#include "tritbench/cpu.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENMP
#include <omp.h>
#endif

static size_t q8_stride(size_t cols) { return (cols + TRIT_Q8_ROW_ALIGN - 1) / TRIT_Q8_ROW_ALIGN * TRIT_Q8_ROW_ALIGN; }
static size_t round_align(size_t b) { return (b + TRIT_ALIGN - 1) / TRIT_ALIGN * TRIT_ALIGN; }

size_t trit_q8_bytes(size_t rows, size_t cols)
{
    return round_align(rows * q8_stride(cols)) + 2 * round_align(rows * sizeof(float));
}

int trit_q8_alloc(trit_q8_rows *w, size_t rows, size_t cols)
{
    memset(w, 0, sizeof *w);
    if (rows == 0 || cols == 0 || cols > TRIT_Q8_MAX_K) {
        errno = EINVAL;
        return -1;
    }
    w->rows = rows;
    w->cols = cols;
    w->stride = q8_stride(cols);
    /* Streamed once per token (the 328 MB lm_head): on 2 MiB pages like every other weight (formats.h). */
    w->codes = trit_alloc_weights_zeroed(rows * w->stride);
    w->scale = trit_aligned_alloc(rows * sizeof(float));
    w->wsum = trit_aligned_alloc(rows * sizeof(int32_t));
    if (!w->codes || !w->scale || !w->wsum) {
        trit_q8_free(w);
        errno = ENOMEM;
        return -1;
    }
    /* Padding codes are zero (the _zeroed allocation) so a kernel reading whole 64-byte rows adds nothing. */
    memset(w->scale, 0, rows * sizeof(float));
    memset(w->wsum, 0, rows * sizeof(int32_t));
    return 0;
}

void trit_q8_free(trit_q8_rows *w)
{
    trit_free_weights(w->codes);
    free(w->scale);
    free(w->wsum);
    memset(w, 0, sizeof *w);
}

void trit_q8_update_sums(trit_q8_rows *w, size_t r0, size_t n)
{
    for (size_t r = r0; r < r0 + n && r < w->rows; r++) {
        const int8_t *c = w->codes + r * w->stride;
        int32_t s = 0;
        for (size_t k = 0; k < w->cols; k++)
            s += c[k];
        w->wsum[r] = s;
    }
}

int trit_q8_row_inv(const float *x, size_t K, float *inv, float *amax)
{
    float m = 0.0f;
    for (size_t k = 0; k < K; k++) {
        if (!isfinite(x[k]))
            return -1;
        const float a = fabsf(x[k]);
        m = a > m ? a : m;
    }
    *amax = m;
    *inv = m > 0.0f ? 127.0f / m : 0.0f;
    return 0;
}

int trit_q8_quantize_rows(trit_q8_rows *w, size_t r0, size_t n, const float *src)
{
    if (!w->codes || r0 > w->rows || n > w->rows - r0)
        return -1;
    const size_t K = w->cols;
    for (size_t i = 0; i < n; i++) {
        const float *x = src + i * K;
        float inv, amax;
        if (trit_q8_row_inv(x, K, &inv, &amax) != 0)
            return -1;
        int8_t *c = w->codes + (r0 + i) * w->stride;
        /* round-half-even(w · 127/amax) ∈ [−127, 127]; an all-zero row keeps codes 0 and scale 0. */
        for (size_t k = 0; k < K; k++) {
            float v = nearbyintf(x[k] * inv);
            v = v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v;
            c[k] = (int8_t)v;
        }
        w->scale[r0 + i] = amax / 127.0f;
    }
    trit_q8_update_sums(w, r0, n);
    return 0;
}

void trit_q8_dequantize_row(const trit_q8_rows *w, size_t r, float *out)
{
    const int8_t *c = w->codes + r * w->stride;
    const float s = w->scale[r];
    for (size_t k = 0; k < w->cols; k++)
        out[k] = (float)c[k] * s;
}

int trit_q8_act_alloc(trit_q8_act *a, size_t cols)
{
    memset(a, 0, sizeof *a);
    if (cols == 0) {
        errno = EINVAL;
        return -1;
    }
    a->cols = cols;
    a->q = trit_aligned_alloc(round_align(cols * sizeof(int16_t)));
    a->hi = trit_aligned_alloc(round_align(cols));
    a->lo = trit_aligned_alloc(round_align(cols));
    if (!a->q || !a->hi || !a->lo) {
        trit_q8_act_free(a);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void trit_q8_act_free(trit_q8_act *a)
{
    free(a->q);
    free(a->hi);
    free(a->lo);
    memset(a, 0, sizeof *a);
}

void trit_q8_act_split(trit_q8_act *a)
{
    for (size_t k = 0; k < a->cols; k++) {
        /* q = 256·hi + lo with lo in [0, 255]: hi is floor(q / 256), written without relying on >> of a
         * negative value (implementation-defined in C11). */
        const int32_t q = a->q[k], lo = q & 255;
        a->lo[k] = (uint8_t)lo;
        a->hi[k] = (int8_t)((q - lo) / 256);
    }
}

int trit_q8_quantize_act(const float *x, trit_q8_act *a)
{
    float amax = 0.0f;
    for (size_t k = 0; k < a->cols; k++) {
        if (!isfinite(x[k]))
            return -1;
        const float v = fabsf(x[k]);
        amax = v > amax ? v : amax;
    }
    const float s = 32767.0f / (amax > TRIT_ACT_MIN_ABSMAX ? amax : TRIT_ACT_MIN_ABSMAX);
    for (size_t k = 0; k < a->cols; k++) {
        float v = nearbyintf(x[k] * s);
        v = v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v;
        a->q[k] = (int16_t)v;
    }
    a->scale = s;
    trit_q8_act_split(a);
    return 0;
}

void trit_q8_dot_scalar(const trit_q8_rows *w, const trit_q8_act *x, int64_t *acc, size_t m_begin, size_t m_end)
{
    for (size_t m = m_begin; m < m_end; m++) {
        const int8_t *c = w->codes + m * w->stride;
        int64_t s = 0;
        for (size_t k = 0; k < w->cols; k++)
            s += (int64_t)c[k] * (int64_t)x->q[k];
        acc[m - m_begin] = s;
    }
}

static const trit_q8_kernel q8_table[] = {
    {"scalar", 0, 0, trit_q8_dot_scalar},
#if TRIT_HAVE_X86_64
    {"avx2", TRIT_CPU_AVX2, 10, trit_q8_dot_avx2},
    {"avx512_vnni", TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW | TRIT_CPU_AVX512_VNNI, 20, trit_q8_dot_avx512_vnni},
#endif
#if TRIT_HAVE_AARCH64
    {"neon", TRIT_CPU_NEON, 10, trit_q8_dot_neon},
#if TRIT_LOWP_DOTPROD
    {"neon_dotprod", TRIT_CPU_NEON | TRIT_CPU_NEON_DOTPROD, 20, trit_q8_dot_neon_dotprod},
#endif
#endif
};

const trit_q8_kernel *trit_q8_kernels(size_t *count)
{
    *count = sizeof q8_table / sizeof q8_table[0];
    return q8_table;
}

bool trit_q8_runnable(const trit_q8_kernel *k) { return k && (trit_cpu_features() & k->requires) == k->requires; }

const trit_q8_kernel *trit_q8_get(const char *name)
{
    for (size_t i = 0; name && i < sizeof q8_table / sizeof q8_table[0]; i++)
        if (strcmp(q8_table[i].name, name) == 0)
            return &q8_table[i];
    return NULL;
}

const trit_q8_kernel *trit_q8_select(void)
{
    const trit_q8_kernel *best = &q8_table[0];
    for (size_t i = 1; i < sizeof q8_table / sizeof q8_table[0]; i++)
        if (q8_table[i].priority > best->priority && trit_q8_runnable(&q8_table[i]))
            best = &q8_table[i];
    return best;
}

int trit_q8_gemv(const trit_q8_kernel *k, const trit_q8_rows *w, const float *x, trit_q8_act *a, int64_t *acc,
                 float *y, int threads)
{
    if (!k || !w || !w->codes || !x || !a || !a->q || a->cols != w->cols || !acc || !y)
        return -1;
    if (trit_q8_quantize_act(x, a) != 0)
        return -1;
    const size_t M = w->rows;
    const float s = a->scale;
    /* 64-row tiles: each thread streams its own part of the matrix. */
    const size_t tiles = (M + 63) / 64;
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
#endif
    for (size_t t = 0; t < tiles; t++) {
        const size_t b = t * 64, e = b + 64 < M ? b + 64 : M;
        k->dot(w, a, acc + b, b, e);
        for (size_t m = b; m < e; m++)
            y[m] = trit_q8_rescale(acc[m], w->scale[m], s);
    }
    (void)threads;
    return 0;
}
