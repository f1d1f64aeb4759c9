/* ops.c — what callers run: threaded matmul over any registered kernel, the shared FP32 rescale, and the
 * BitLinear forward. Threads split output rows, so results never depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/kernels.h"
#include "tritbench_config.h"

#if TRIT_HAVE_OPENMP
#include <omp.h>
#endif

/* Rows per thread rounded to 16 so SIMD kernels that process several rows at once see few tails. */
static size_t chunk_rows(size_t rows, int threads)
{
    size_t c = (rows + (size_t)threads - 1) / (size_t)threads;
    return (c + 15) / 16 * 16;
}

int trit_matmul(const trit_kernel *k, const trit_packed *w, const trit_act *x, int threads, int32_t *acc)
{
    if (!k || !w || !x || !acc || w->cols != x->cols || w->format != k->format)
        return -1;
    if (k->op == TRIT_OP_GEMV && x->rows != 1)
        return -1;
    const size_t M = w->rows;
    /* A device kernel parallelises by itself. */
    if (threads <= 1 || M < 32 || strcmp(k->variant, "cuda") == 0) {
        k->fn(w, x, 0, M, acc, M);
        return 0;
    }
    const size_t chunk = chunk_rows(M, threads);
#if TRIT_HAVE_OPENMP
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; t++) {
        const size_t b = (size_t)t * chunk, e = b + chunk < M ? b + chunk : M;
        if (b < e)
            k->fn(w, x, b, e, acc, M);
    }
#else
    for (size_t b = 0; b < M; b += chunk)
        k->fn(w, x, b, b + chunk < M ? b + chunk : M, acc, M);
#endif
    return 0;
}

void trit_rescale(const trit_packed *w, const trit_act *x, const int32_t *acc, const float *bias, float *y)
{
    const size_t M = w->rows;
    for (size_t n = 0; n < x->rows; n++) {
        const float inv_s = 1.0f / x->scale[n];
        for (size_t m = 0; m < M; m++) {
            const float g = w->scales[w->granularity == TRIT_SCALE_ROW ? m : 0];
            float v = (float)acc[n * M + m] * g * inv_s;
            y[n * M + m] = bias ? v + bias[m] : v;
        }
    }
}

int trit_bitlinear_ws_alloc(trit_bitlinear_ws *ws, const trit_bitlinear *layer, size_t max_rows)
{
    memset(ws, 0, sizeof *ws);
    if (max_rows == 0 || trit_act_alloc(&ws->act, max_rows, layer->w.cols) != 0)
        return -1;
    ws->acc = trit_aligned_alloc(max_rows * layer->w.rows * sizeof(int32_t));
    ws->xnorm = layer->norm_weight ? trit_aligned_alloc(max_rows * layer->w.cols * sizeof(float)) : NULL;
    if (!ws->acc || (layer->norm_weight && !ws->xnorm)) {
        trit_bitlinear_ws_free(ws);
        return -1;
    }
    ws->max_rows = max_rows;
    return 0;
}

void trit_bitlinear_ws_free(trit_bitlinear_ws *ws)
{
    trit_act_free(&ws->act);
    free(ws->acc);
    free(ws->xnorm);
    memset(ws, 0, sizeof *ws);
}

static void rms_norm(const float *x, const float *g, float eps, size_t cols, float *out)
{
    double ss = 0;
    for (size_t k = 0; k < cols; k++)
        ss += (double)x[k] * x[k];
    const float r = (float)(1.0 / sqrt(ss / (double)cols + eps));
    for (size_t k = 0; k < cols; k++)
        out[k] = x[k] * r * g[k];
}

int trit_bitlinear_forward(const trit_kernel *k, const trit_bitlinear *layer, const float *X, size_t n, float *Y,
                           int threads, trit_bitlinear_ws *ws)
{
    if (!k || !layer || !X || !Y || !ws || n == 0 || n > ws->max_rows || k->format != layer->w.format)
        return -1;
    const size_t K = layer->w.cols;
    const float *in = X;
    if (layer->norm_weight) {
        for (size_t r = 0; r < n; r++)
            rms_norm(X + r * K, layer->norm_weight, layer->norm_eps, K, ws->xnorm + r * K);
        in = ws->xnorm;
    }
    trit_act act = ws->act; /* a view of the first n rows */
    act.rows = n;
    if (trit_quantize_activations(in, K, &act) != 0)
        return -1;
    if (trit_matmul(k, &layer->w, &act, threads, ws->acc) != 0)
        return -1;
    trit_rescale(&layer->w, &act, ws->acc, layer->bias, Y);
    return 0;
}
