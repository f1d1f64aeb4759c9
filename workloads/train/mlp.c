/* mlp.c — the MLP classifier: layers with ReLU between them, softmax cross-entropy, forward/backward over
 * a batch, and the model's bookkeeping (init, copy, sparsity). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/catalog.h"
#include "tritbench/train.h"

void tb_mlp_kinds(size_t n_layers, bool fp32_input, bool fp32_output, tb_layer_kind *kinds)
{
    for (size_t l = 0; l < n_layers; l++)
        kinds[l] = TB_LAYER_BITLINEAR;
    if (n_layers > 0 && fp32_input)
        kinds[0] = TB_LAYER_FP32;
    if (n_layers > 0 && fp32_output)
        kinds[n_layers - 1] = TB_LAYER_FP32;
}

int tb_mlp_init(tb_mlp *m, const size_t *sizes, size_t n_layers, const tb_layer_kind *kinds, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    if (!sizes || !kinds || n_layers == 0 || n_layers > TB_MLP_MAX_LAYERS)
        return -1;
    trit_rng rng;
    trit_rng_seed(&rng, seed);
    for (size_t l = 0; l < n_layers; l++) {
        tb_linear *L = &m->layer[l];
        L->kind = kinds[l];
        L->in = sizes[l];
        L->out = sizes[l + 1];
        /* in ≤ 2^17 keeps every quantized sum (|Σ| ≤ 128·in) exact in FP32 (train.h). */
        if (L->in == 0 || L->out == 0 || L->in > ((size_t)1 << 17) || L->out > ((size_t)1 << 20)) {
            tb_mlp_free(m);
            return -1;
        }
        L->W = malloc(L->in * L->out * sizeof(float));
        L->b = calloc(L->out, sizeof(float));
        m->n_layers = l + 1;
        if (!L->W || !L->b) {
            tb_mlp_free(m);
            return -1;
        }
        /* He initialisation: keeps the ReLU activations' scale from layer to layer. */
        const double sd = sqrt(2.0 / (double)L->in);
        for (size_t i = 0; i < L->in * L->out; i++)
            L->W[i] = (float)(sd * trit_rng_normal(&rng));
    }
    return 0;
}

int tb_mlp_copy(tb_mlp *dst, const tb_mlp *src)
{
    memset(dst, 0, sizeof *dst);
    for (size_t l = 0; l < src->n_layers; l++) {
        const tb_linear *S = &src->layer[l];
        tb_linear *D = &dst->layer[l];
        *D = *S;
        D->W = malloc(S->in * S->out * sizeof(float));
        D->b = malloc(S->out * sizeof(float));
        dst->n_layers = l + 1;
        if (!D->W || !D->b) {
            tb_mlp_free(dst);
            return -1;
        }
        memcpy(D->W, S->W, S->in * S->out * sizeof(float));
        memcpy(D->b, S->b, S->out * sizeof(float));
    }
    return 0;
}

void tb_mlp_free(tb_mlp *m)
{
    for (size_t l = 0; l < m->n_layers; l++) {
        free(m->layer[l].W);
        free(m->layer[l].b);
    }
    memset(m, 0, sizeof *m);
}

size_t tb_mlp_max_width(const tb_mlp *m)
{
    size_t w = 0;
    for (size_t l = 0; l < m->n_layers; l++) {
        w = m->layer[l].in > w ? m->layer[l].in : w;
        w = m->layer[l].out > w ? m->layer[l].out : w;
    }
    return w;
}

double tb_mlp_layer_sparsity(const tb_mlp *m, size_t layer)
{
    if (layer >= m->n_layers || m->layer[layer].kind != TB_LAYER_BITLINEAR)
        return -1.0;
    const tb_linear *L = &m->layer[layer];
    const size_t n = L->in * L->out;
    int8_t *wq = malloc(n);
    float gamma;
    const trit_wquant_opts wo = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    if (!wq || trit_quantize_weights(L->W, L->out, L->in, &wo, wq, &gamma) != 0) {
        free(wq);
        return -1.0;
    }
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++)
        zeros += wq[i] == 0;
    free(wq);
    return (double)zeros / (double)n;
}

int tb_mlp_ws_alloc(tb_mlp_ws *ws, const tb_mlp *m, size_t max_rows)
{
    memset(ws, 0, sizeof *ws);
    if (max_rows == 0 || m->n_layers == 0)
        return -1;
    ws->max_rows = max_rows;
    int bad = 0;
    for (size_t l = 0; l <= m->n_layers; l++) {
        const size_t w = l < m->n_layers ? m->layer[l].in : m->layer[l - 1].out;
        ws->act[l] = malloc(max_rows * w * sizeof(float));
        ws->grad[l] = malloc(max_rows * w * sizeof(float));
        bad |= !ws->act[l] || !ws->grad[l];
    }
    for (size_t l = 0; l < m->n_layers; l++) {
        const tb_linear *L = &m->layer[l];
        bad |= tb_linear_cache_alloc(&ws->cache[l], L, max_rows) != 0;
        ws->gW[l] = malloc(L->in * L->out * sizeof(float));
        ws->gb[l] = malloc(L->out * sizeof(float));
        bad |= !ws->gW[l] || !ws->gb[l];
    }
    if (bad) {
        tb_mlp_ws_free(ws);
        return -1;
    }
    return 0;
}

void tb_mlp_ws_free(tb_mlp_ws *ws)
{
    for (size_t l = 0; l <= TB_MLP_MAX_LAYERS; l++) {
        free(ws->act[l]);
        free(ws->grad[l]);
    }
    for (size_t l = 0; l < TB_MLP_MAX_LAYERS; l++) {
        tb_linear_cache_free(&ws->cache[l]);
        free(ws->gW[l]);
        free(ws->gb[l]);
    }
    memset(ws, 0, sizeof *ws);
}

int tb_mlp_forward(const tb_mlp *m, bool quantize, const float *X, size_t n, tb_mlp_ws *ws, int threads)
{
    if (!m || !X || !ws || n == 0 || n > ws->max_rows)
        return -1;
    memcpy(ws->act[0], X, n * m->layer[0].in * sizeof(float));
    for (size_t l = 0; l < m->n_layers; l++) {
        const tb_linear *L = &m->layer[l];
        float *Y = ws->act[l + 1];
        if (tb_linear_forward(L, quantize, ws->act[l], n, Y, &ws->cache[l], threads) != 0)
            return -1;
        if (l + 1 < m->n_layers)
            for (size_t i = 0; i < n * L->out; i++)
                Y[i] = Y[i] > 0.0f ? Y[i] : 0.0f;
    }
    return 0;
}

double tb_mlp_backward(const tb_mlp *m, bool quantize, const uint8_t *labels, size_t n, tb_mlp_ws *ws,
                       int threads)
{
    const size_t L = m->n_layers, C = m->layer[L - 1].out;
    const float *logits = ws->act[L];
    float *dlogits = ws->grad[L];
    double loss = 0.0;
    for (size_t r = 0; r < n; r++) {
        if (labels[r] >= C)
            return NAN;
        const float *z = logits + r * C;
        float zmax = z[0];
        for (size_t j = 1; j < C; j++)
            zmax = z[j] > zmax ? z[j] : zmax;
        double sum = exp((double)(z[0] - zmax)); /* ≥ 1 once the maximum is summed */
        for (size_t j = 1; j < C; j++)
            sum += exp((double)(z[j] - zmax));
        loss += log(sum) - (double)(z[labels[r]] - zmax);
        for (size_t j = 0; j < C; j++) {
            const double p = exp((double)(z[j] - zmax)) / sum;
            dlogits[r * C + j] = (float)((p - (j == labels[r] ? 1.0 : 0.0)) / (double)n);
        }
    }
    for (size_t l = L; l-- > 0;) {
        const tb_linear *Ly = &m->layer[l];
        float *dX = l > 0 ? ws->grad[l] : NULL;
        tb_linear_backward(Ly, quantize, &ws->cache[l], ws->act[l], ws->grad[l + 1], n, dX, ws->gW[l], ws->gb[l],
                           threads);
        if (dX) /* ReLU: the post-activation is positive exactly where the pre-activation was */
            for (size_t i = 0; i < n * Ly->in; i++)
                dX[i] = ws->act[l][i] > 0.0f ? dX[i] : 0.0f;
    }
    return loss / (double)n;
}
