/* q8r.c — the 4-bit residual plane of a q8r table (lowp.h, "Q8 rows + 4-bit residual"): storage, the
 * residual quantization, the 12-bit embedding lookup and the exact 12-bit row dot product stage 2 uses.
 * Scalar on purpose: stage 2 touches a handful of rows per token, the embedding one row. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "lowp_isa.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench/lowp.h"

size_t trit_q8r_bytes(size_t rows, size_t cols)
{
    return (rows * ((cols + 1) / 2) + TRIT_ALIGN - 1) / TRIT_ALIGN * TRIT_ALIGN;
}

int trit_q8r_alloc(trit_q8_resid *r, size_t rows, size_t cols)
{
    memset(r, 0, sizeof *r);
    if (rows == 0 || cols == 0 || cols > TRIT_Q8_MAX_K) {
        errno = EINVAL;
        return -1;
    }
    r->rows = rows;
    r->cols = cols;
    r->row_bytes = (cols + 1) / 2;
    /* 164 MB for BitNet-2B: the same huge-page allocator as every weight (read a few rows per token, but
     * 2 MiB pages keep those reads to one TLB entry each). Zeroed: an odd cols' last high nibble is 0. */
    r->nib = trit_alloc_weights_zeroed(rows * r->row_bytes);
    if (!r->nib) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void trit_q8r_free(trit_q8_resid *r)
{
    trit_free_weights(r->nib);
    memset(r, 0, sizeof *r);
}

int trit_q8r_quantize_rows(const trit_q8_rows *w, trit_q8_resid *r, size_t r0, size_t n, const float *src)
{
    if (!w->codes || !r->nib || w->rows != r->rows || w->cols != r->cols || r0 > w->rows || n > w->rows - r0)
        return -1;
    const size_t K = w->cols;
    for (size_t i = 0; i < n; i++) {
        const float *x = src + i * K;
        float inv, amax;
        /* The same float t = w · inv (trit_q8_row_inv) that trit_q8_quantize_rows rounded to q, so t − q is the
         * code's exact rounding error (a difference of two nearby floats, exact), in [−1/2, 1/2]; ·16 is exact. */
        if (trit_q8_row_inv(x, K, &inv, &amax) != 0)
            return -1;
        const int8_t *c = w->codes + (r0 + i) * w->stride;
        for (size_t k = 0; k < K; k++) {
            float v = nearbyintf((x[k] * inv - (float)c[k]) * 16.0f);
            v = v > 7.0f ? 7.0f : v < -8.0f ? -8.0f : v; /* +8 (t − q ≥ 15/32) is one step short: error ≤ 1/16 */
            trit_q8r_set(r, r0 + i, k, (int)v);
        }
    }
    return 0;
}

void trit_q8r_dequantize_row(const trit_q8_rows *w, const trit_q8_resid *r, size_t row, float *out)
{
    const int8_t *c = w->codes + row * w->stride;
    const float s = w->scale[row];
    /* 16·q + r is an integer below 2¹¹ (exact in float); one rounding in the product, ·1/16 is exact. */
    for (size_t k = 0; k < w->cols; k++)
        out[k] = (float)(16 * (int)c[k] + trit_q8r_get(r, row, k)) * s * 0.0625f;
}

int64_t trit_q8r_dot_row(const trit_q8_rows *w, const trit_q8_resid *r, const trit_q8_act *x, size_t row)
{
    const int8_t *c = w->codes + row * w->stride;
    int64_t s = 0;
    for (size_t k = 0; k < w->cols; k++)
        s += (int64_t)(16 * (int)c[k] + trit_q8r_get(r, row, k)) * (int64_t)x->q[k];
    return s;
}
