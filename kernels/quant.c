/* quant.c — BitNet b1.58 weight (absmean / threshold) and per-token activation quantizers: the scalar
 * oracle (quant.h). Self-contained on purpose (the standalone fuzz builds link it alone); the choice of the
 * vectorized activation quantizer that equals it is act_quant_select.c. Accumulations are in double so γ does
 * not depend on summation order. */
#include "tritbench/quant.h"

#include "tritbench/kernels.h" /* trit_aligned_alloc */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static double mean_abs(const float *w, size_t n, size_t stride, size_t count)
{
    double s = 0;
    for (size_t i = 0; i < count; i++)
        s += fabs((double)w[i * stride]);
    (void)n;
    return count ? s / (double)count : 0.0;
}

static int8_t round_clip(float w, float gamma, const trit_wquant_opts *o)
{
    if (o->method == TRIT_WQ_THRESHOLD) {
        if (fabsf(w) < o->threshold * gamma)
            return 0;
        return w > 0 ? 1 : -1;
    }
    float v = nearbyintf(w / (gamma + TRIT_WEIGHT_EPS));
    return (int8_t)(v > 1.0f ? 1 : v < -1.0f ? -1 : (int)v);
}

int trit_quantize_weights(const float *W, size_t rows, size_t cols, const trit_wquant_opts *o, int8_t *wq,
                          float *gamma)
{
    if (!W || !wq || !gamma || !o || rows == 0 || cols == 0 || rows > SIZE_MAX / cols)
        return -1;
    const size_t n = rows * cols;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(W[i]))
            return -1;
    if (o->granularity == TRIT_SCALE_TENSOR) {
        const float g = (float)mean_abs(W, n, 1, n);
        gamma[0] = g;
        for (size_t i = 0; i < n; i++)
            wq[i] = round_clip(W[i], g, o);
    } else {
        for (size_t m = 0; m < rows; m++) {
            const float g = (float)mean_abs(W + m * cols, cols, 1, cols);
            gamma[m] = g;
            for (size_t k = 0; k < cols; k++)
                wq[m * cols + k] = round_clip(W[m * cols + k], g, o);
        }
    }
    return 0;
}

int trit_act_alloc(trit_act *a, size_t rows, size_t cols)
{
    memset(a, 0, sizeof *a);
    if (rows == 0 || cols == 0) {
        errno = EINVAL;
        return -1;
    }
    const size_t stride = (cols + TRIT_ACT_K_ALIGN - 1) / TRIT_ACT_K_ALIGN * TRIT_ACT_K_ALIGN;
    if (stride < cols || rows > SIZE_MAX / stride) {
        errno = EOVERFLOW;
        return -1;
    }
    a->rows = rows;
    a->cols = cols;
    a->stride = stride;
    a->q = trit_aligned_alloc(rows * stride);
    a->scale = trit_aligned_alloc(rows * sizeof(float));
    a->sum = trit_aligned_alloc(rows * sizeof(int32_t));
    if (!a->q || !a->scale || !a->sum) {
        trit_act_free(a);
        errno = ENOMEM;
        return -1;
    }
    /* The padding must read as zero activations for every kernel (formats.h). */
    memset(a->q, 0, rows * stride);
    a->alloc_bytes = rows * stride + rows * (sizeof(float) + sizeof(int32_t));
    return 0;
}

void trit_act_free(trit_act *a)
{
    free(a->q);
    free(a->scale);
    free(a->sum);
    a->q = NULL;
    a->scale = NULL;
    a->sum = NULL;
}

int trit_quantize_activations_ref(const float *X, size_t ld_x, trit_act *a)
{
    if (!X || !a || !a->q || ld_x < a->cols)
        return -1;
    for (size_t n = 0; n < a->rows; n++) {
        const float *x = X + n * ld_x;
        float amax = 0.0f;
        for (size_t k = 0; k < a->cols; k++) {
            if (!isfinite(x[k]))
                return -1;
            float v = fabsf(x[k]);
            amax = v > amax ? v : amax;
        }
        const float s = 127.0f / (amax > TRIT_ACT_MIN_ABSMAX ? amax : TRIT_ACT_MIN_ABSMAX);
        int8_t *q = a->q + n * a->stride;
        int32_t sum = 0;
        for (size_t k = 0; k < a->cols; k++) {
            float v = nearbyintf(x[k] * s);
            v = v > 127.0f ? 127.0f : v < -128.0f ? -128.0f : v;
            q[k] = (int8_t)v;
            sum += q[k];
        }
        a->scale[n] = s;
        a->sum[n] = sum;
    }
    return 0;
}
