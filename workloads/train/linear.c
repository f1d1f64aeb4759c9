/* linear.c — one layer's forward and backward: FP32, or BitLinear with fake quantization that equals the
 * packed kernels bit for bit, and the straight-through backward (train.h states the surrogate). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "tritbench/kernels.h"
#include "tritbench/train.h"

int tb_linear_cache_alloc(tb_linear_cache *c, const tb_linear *L, size_t max_rows)
{
    memset(c, 0, sizeof *c);
    if (!L || max_rows == 0 || L->in == 0 || L->out == 0)
        return -1;
    c->max_rows = max_rows;
    c->in = L->in;
    c->out = L->out;
    if (L->kind != TB_LAYER_BITLINEAR)
        return 0;
    const size_t nw = L->in * L->out;
    c->wq8 = malloc(nw);
    c->wq = malloc(nw * sizeof(float));
    c->wdq = malloc(nw * sizeof(float));
    c->xq = malloc(max_rows * L->in * sizeof(float));
    c->inv_s = malloc(max_rows * sizeof(float));
    if (!c->wq8 || !c->wq || !c->wdq || !c->xq || !c->inv_s || trit_act_alloc(&c->act, max_rows, L->in) != 0) {
        tb_linear_cache_free(c);
        return -1;
    }
    return 0;
}

void tb_linear_cache_free(tb_linear_cache *c)
{
    free(c->wq8);
    free(c->wq);
    free(c->wdq);
    free(c->xq);
    free(c->inv_s);
    if (c->act.q)
        trit_act_free(&c->act);
    memset(c, 0, sizeof *c);
}

static void add_bias(float *Y, const float *b, size_t n, size_t out)
{
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < out; j++)
            Y[r * out + j] += b[j];
}

/* Quantizes W (absmean, per tensor, as the packed path does) and X (per token) into the cache. */
static int quantize_inputs(const tb_linear *L, const float *X, size_t n, tb_linear_cache *c)
{
    const trit_wquant_opts wo = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    if (trit_quantize_weights(L->W, L->out, L->in, &wo, c->wq8, &c->gamma) != 0)
        return -1;
    const size_t nw = L->in * L->out;
    for (size_t i = 0; i < nw; i++) {
        c->wq[i] = (float)c->wq8[i];
        c->wdq[i] = c->wq[i] * c->gamma;
    }
    trit_act act = c->act; /* a view of the first n rows, as trit_bitlinear_forward takes one */
    act.rows = n;
    if (trit_quantize_activations(X, L->in, &act) != 0)
        return -1;
    for (size_t r = 0; r < n; r++) {
        const int8_t *q = act.q + r * act.stride;
        for (size_t k = 0; k < L->in; k++)
            c->xq[r * L->in + k] = (float)q[k];
        c->inv_s[r] = 1.0f / act.scale[r];
    }
    return 0;
}

int tb_linear_forward(const tb_linear *L, bool quantize, const float *X, size_t n, float *Y, tb_linear_cache *c,
                      int threads)
{
    if (!L || !X || !Y || !c || n == 0 || n > c->max_rows)
        return -1;
    if (L->kind != TB_LAYER_BITLINEAR || !quantize) {
        tb_gemm_nt(X, L->W, Y, n, L->out, L->in, threads);
        add_bias(Y, L->b, n, L->out);
        return 0;
    }
    if (quantize_inputs(L, X, n, c) != 0)
        return -1;
    /* Integer-valued operands: every partial sum is an integer below 128·in < 2^24, so exact in FP32 in
     * any order, which makes this equal to the int32 accumulators of the packed kernels. */
    tb_gemm_nt(c->xq, c->wq, Y, n, L->out, L->in, threads);
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < L->out; j++) {
            /* Same expression and order as trit_rescale. */
            const float v = Y[r * L->out + j] * c->gamma * c->inv_s[r];
            Y[r * L->out + j] = v + L->b[j];
        }
    return 0;
}

void tb_linear_backward(const tb_linear *L, bool quantize, const tb_linear_cache *c, const float *X,
                        const float *dY, size_t n, float *dX, float *dW, float *db, int threads)
{
    const bool ste = quantize && L->kind == TB_LAYER_BITLINEAR;
    if (dX)
        tb_gemm_nn(dY, ste ? c->wdq : L->W, dX, n, L->in, L->out, threads);
    tb_gemm_tn(dY, X, dW, L->out, L->in, n, threads);
    for (size_t j = 0; j < L->out; j++)
        db[j] = 0.0f;
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < L->out; j++)
            db[j] += dY[r * L->out + j];
}
