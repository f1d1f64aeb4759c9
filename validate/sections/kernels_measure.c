/* kernels_measure.c — memory from real packed buffers, FP64 oracles, error and sparsity statistics. */
#include "validate/sections/kernels_measure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tritbench/catalog.h"
#include "tritbench/models.h"

double vk_memory_reduction(const trit_packed *p)
{
    if (!p || p->alloc_bytes == 0)
        return 0.0;
    return (double)p->rows * (double)p->cols * 4.0 / (double)p->alloc_bytes;
}

int vk_model_memory_get(const char *model, trit_format f, vk_model_memory *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    const trit_model_config *c = trit_model_config_get(model);
    size_t n_shapes;
    const trit_shape *shapes = trit_shapes(model, &n_shapes);
    if (!c || !shapes) {
        snprintf(why, why_len, "no model configuration and shape set named \"%s\"", model ? model : "");
        return -1;
    }
    size_t shape_params = 0;
    double bytes = 0;
    for (size_t i = 0; i < n_shapes; i++) {
        trit_packed p;
        /* Allocation only: the bytes a packed layer takes do not depend on its values. */
        if (trit_packed_alloc(&p, f, TRIT_SCALE_TENSOR, shapes[i].rows, shapes[i].cols) != 0) {
            snprintf(why, why_len, "cannot allocate a %zux%zu %s buffer", shapes[i].rows, shapes[i].cols,
                     trit_format_name(f));
            return -1;
        }
        const double per_model = (double)shapes[i].per_block * (double)c->n_layers;
        bytes += (double)p.alloc_bytes * per_model;
        shape_params += shapes[i].rows * shapes[i].cols * (size_t)shapes[i].per_block * (size_t)c->n_layers;
        trit_packed_free(&p);
    }
    out->linear_params = trit_model_linear_params(c);
    if (shape_params == 0) {
        snprintf(why, why_len, "the %s shape set is empty", model);
        return -1;
    }
    if (shape_params != out->linear_params) {
        /* The shape set leaves some layers out (e.g. 100b has no kv_proj): scale the measured bytes per
         * weight to the whole model and say so. */
        snprintf(why, why_len,
                 "the %s shape set holds %zu of the model's %zu linear parameters; packed bytes scaled from its "
                 "measured bytes per weight",
                 model, shape_params, out->linear_params);
        bytes = bytes / (double)shape_params * (double)out->linear_params;
        out->extrapolated = true;
    }
    out->other_params = trit_model_other_params(c);
    out->embedding_params = (size_t)c->vocab * (size_t)c->hidden * (c->tied_embeddings ? 1u : 2u);
    out->norm_params = out->other_params - out->embedding_params;
    out->fp32_bytes = 4.0 * ((double)out->linear_params + (double)out->other_params);
    out->ternary_linear_bytes = bytes;
    out->model_bytes_emb_fp16 = bytes + 2.0 * (double)out->embedding_params + 4.0 * (double)out->norm_params;
    out->model_bytes_emb_fp32 = bytes + 4.0 * (double)out->embedding_params + 4.0 * (double)out->norm_params;
    out->weight_only = 4.0 * (double)out->linear_params / bytes;
    out->whole_emb_fp16 = out->fp32_bytes / out->model_bytes_emb_fp16;
    out->whole_emb_fp32 = out->fp32_bytes / out->model_bytes_emb_fp32;
    return 0;
}

void vk_ref_fp32(const float *W, const float *X, size_t M, size_t K, size_t N, double *y)
{
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < M; m++) {
            const float *w = W + m * K, *x = X + n * K;
            double s = 0;
            for (size_t k = 0; k < K; k++)
                s += (double)w[k] * (double)x[k];
            y[n * M + m] = s;
        }
}

void vk_ref_quant(const int8_t *wq, const float *gamma, trit_granularity g, const trit_act *a, size_t M, double *y)
{
    const size_t K = a->cols;
    for (size_t n = 0; n < a->rows; n++) {
        const int8_t *x = a->q + n * a->stride;
        for (size_t m = 0; m < M; m++) {
            const int8_t *w = wq + m * K;
            int64_t s = 0;
            for (size_t k = 0; k < K; k++)
                s += (int64_t)w[k] * (int64_t)x[k];
            const double gm = (double)gamma[g == TRIT_SCALE_ROW ? m : 0];
            y[n * M + m] = (double)s * gm / (double)a->scale[n];
        }
    }
}

void vk_error_stats(const float *y, const double *ref, size_t n, vk_error *e)
{
    double se = 0, sr = 0, sy = 0, dot = 0, mx = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)y[i] - ref[i];
        se += d * d;
        sr += ref[i] * ref[i];
        sy += (double)y[i] * (double)y[i];
        dot += (double)y[i] * ref[i];
        if (fabs(d) > mx || isnan(d))
            mx = fabs(d);
    }
    e->mse = n ? se / (double)n : NAN;
    e->nmse = sr > 0 ? se / sr : (se > 0 ? INFINITY : 0.0);
    e->max_abs = mx;
    e->cosine = (sr > 0 && sy > 0) ? dot / sqrt(sr * sy) : (sr == 0 && sy == 0 ? 1.0 : 0.0);
}

void vk_sparsity_of(const int8_t *wq, size_t n, vk_sparsity *s)
{
    size_t c[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        if (wq[i] >= -1 && wq[i] <= 1)
            c[wq[i] + 1]++;
    const double d = n ? (double)n : 1.0;
    s->neg = (double)c[0] / d;
    s->zero = (double)c[1] / d;
    s->pos = (double)c[2] / d;
}
