/* packed_eval.c — evaluates a trained model with its BitLinear layers on the real packed ternary kernels
 * (trit_pack + trit_bitlinear_forward via the registry), the way a deployment would run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_common.h"
#include "tritbench/kernels.h"
#include "tritbench/train.h"

typedef struct packed_layer {
    bool ternary;
    trit_bitlinear bl;
    trit_bitlinear_ws ws;
    tb_linear_cache fp32_cache; /* FP32 layers run as in training */
} packed_layer;

static void packed_free(packed_layer *p, size_t n)
{
    for (size_t l = 0; l < n; l++) {
        if (p[l].ternary) {
            trit_bitlinear_ws_free(&p[l].ws);
            trit_packed_free(&p[l].bl.w);
            free(p[l].bl.bias);
        } else {
            tb_linear_cache_free(&p[l].fp32_cache);
        }
    }
}

static int pack_layer(const tb_linear *L, trit_format format, packed_layer *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    p->ternary = L->kind == TB_LAYER_BITLINEAR;
    if (!p->ternary) {
        if (tb_linear_cache_alloc(&p->fp32_cache, L, TB_EVAL_BATCH) != 0) {
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        return 0;
    }
    const trit_wquant_opts wo = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    int8_t *wq = malloc(L->in * L->out);
    float gamma = 0.0f;
    int rc = -1;
    if (!wq || trit_packed_alloc(&p->bl.w, format, TRIT_SCALE_TENSOR, L->out, L->in) != 0)
        snprintf(err, err_len, "out of memory packing a %zux%zu layer", L->out, L->in);
    else if (trit_quantize_weights(L->W, L->out, L->in, &wo, wq, &gamma) != 0)
        snprintf(err, err_len, "weights of a %zux%zu layer are not finite", L->out, L->in);
    else if (trit_pack(&p->bl.w, wq, &gamma) != 0)
        snprintf(err, err_len, "trit_pack rejected a %zux%zu layer", L->out, L->in);
    else if (!(p->bl.bias = malloc(L->out * sizeof(float))))
        snprintf(err, err_len, "out of memory");
    else {
        memcpy(p->bl.bias, L->b, L->out * sizeof(float));
        rc = trit_bitlinear_ws_alloc(&p->ws, &p->bl, TB_EVAL_BATCH);
        if (rc != 0)
            snprintf(err, err_len, "out of memory for the BitLinear workspace");
    }
    free(wq);
    return rc;
}

static int forward_packed(const tb_mlp *m, packed_layer *p, const trit_kernel *k, float *bufs[2], const float *x,
                          size_t nb, int threads, float **out)
{
    const float *in = x;
    for (size_t l = 0; l < m->n_layers; l++) {
        const tb_linear *L = &m->layer[l];
        float *Y = bufs[l % 2];
        const int rc = p[l].ternary ? trit_bitlinear_forward(k, &p[l].bl, in, nb, Y, threads, &p[l].ws)
                                    : tb_linear_forward(L, false, in, nb, Y, &p[l].fp32_cache, threads);
        if (rc != 0)
            return -1;
        if (l + 1 < m->n_layers)
            for (size_t i = 0; i < nb * L->out; i++)
                Y[i] = Y[i] > 0.0f ? Y[i] : 0.0f;
        in = Y;
    }
    *out = bufs[(m->n_layers - 1) % 2];
    return 0;
}

int tb_evaluate_packed(const tb_mlp *m, const tb_dataset *d, size_t n, trit_format format, int threads,
                       double *acc, double *loss, float *logits, char *kernel_name, size_t kernel_name_len,
                       char *err, size_t err_len)
{
    if (!m || !d || m->n_layers == 0 || d->dim != m->layer[0].in || d->n == 0) {
        snprintf(err, err_len, "tb_evaluate_packed: model and data do not match");
        return -1;
    }
    n = n == 0 || n > d->n ? d->n : n;
    const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMM, format, err, err_len);
    if (!k)
        return -1;
    if (kernel_name)
        trit_kernel_name(k, kernel_name, kernel_name_len);
    packed_layer p[TB_MLP_MAX_LAYERS];
    memset(p, 0, sizeof p);
    size_t built = 0;
    int rc = 0;
    for (; built < m->n_layers && rc == 0; built++)
        rc = pack_layer(&m->layer[built], format, &p[built], err, err_len);
    const size_t W = tb_mlp_max_width(m), C = m->layer[m->n_layers - 1].out;
    float *bufs[2] = {malloc(TB_EVAL_BATCH * W * sizeof(float)), malloc(TB_EVAL_BATCH * W * sizeof(float))};
    float *x = malloc(TB_EVAL_BATCH * d->dim * sizeof(float));
    size_t *idx = malloc(TB_EVAL_BATCH * sizeof *idx);
    if (rc == 0 && (!bufs[0] || !bufs[1] || !x || !idx)) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    }
    size_t correct = 0;
    double total = 0.0;
    for (size_t b = 0; b < n && rc == 0; b += TB_EVAL_BATCH) {
        const size_t nb = n - b < TB_EVAL_BATCH ? n - b : TB_EVAL_BATCH;
        for (size_t i = 0; i < nb; i++)
            idx[i] = b + i;
        tb_dataset_batch(d, idx, nb, x);
        float *out = NULL;
        if (forward_packed(m, p, k, bufs, x, nb, threads, &out) != 0) {
            snprintf(err, err_len, "packed forward failed (non-finite activations?)");
            rc = -1;
            break;
        }
        total += tb_ce_sum(out, d->labels + b, nb, C, &correct);
        if (logits)
            memcpy(logits + b * C, out, nb * C * sizeof(float));
    }
    packed_free(p, built);
    free(bufs[0]);
    free(bufs[1]);
    free(x);
    free(idx);
    if (rc == 0) {
        *acc = (double)correct / (double)n;
        *loss = total / (double)n;
    }
    return rc;
}
