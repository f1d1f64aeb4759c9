/* lm_forward.c — the language model's forward over a batch of sequences (saving what the backward needs)
 * and its exact backward: cross-entropy, lm_head, RMSNorm/SubLN, the ReLU²-gated FFN, causal multi-head
 * attention with RoPE, embeddings. The projections are train.h's tb_linear (FP32, or fake quantization
 * with the straight-through backward under QAT) or, for evaluation only, the packed kernels.
 *
 * Determinism: products go through train.h's fixed-block GEMMs; threads otherwise take whole rows or whole
 * (sequence, head) pairs, and every sum across rows (norm gains, embedding rows) runs in one fixed order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "tritbench/kernels.h"
#include "tritbench/lm.h"
#include "tritbench/quant.h"

#define MAX_PARAMS (3 + TB_LM_MAX_LAYERS * (TB_LM_N_LINEAR + TB_LM_N_NORM))

typedef struct lm_layer_acts {
    float *h_in, *n1, *r1;  /* residual in, RMSNorm out, 1/rms per row */
    float *q, *k, *v;       /* after RoPE (q, k) */
    float *P;               /* batch × heads × T × T attention probabilities */
    float *att, *ra, *a;    /* attention out, 1/rms, SubLN out (o's input) */
    float *h_mid, *n2, *r2; /* residual after attention, RMSNorm out */
    float *g, *u, *z, *rz, *zn; /* gate, up (pre-activation), relu(g)²·u, 1/rms, SubLN out (down's input) */
    tb_linear_cache cache[TB_LM_N_LINEAR];
} lm_layer_acts;

struct tb_lm_ws {
    size_t max_batch, max_rows, n_params;
    lm_layer_acts L[TB_LM_MAX_LAYERS];
    float *h_out, *nf, *rf, *logits;
    float *cos_t, *sin_t; /* ctx × head_dim/2 */
    /* backward scratch */
    float *dh, *dx, *dq, *dk, *dv, *datt, *dg, *du, *tmp, *dlog, *db;
    /* packed evaluation */
    trit_act act_dim, act_ffn;
    int32_t *acc;
    /* gradients, in tb_lm_params order */
    const float *param[MAX_PARAMS];
    float *grad[MAX_PARAMS];
};

/* ---------------- workspace ---------------- */

typedef struct collect_ctx {
    tb_lm_ws *ws;
    bool ok;
} collect_ctx;

static void collect_param(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    (void)name;
    collect_ctx *c = user;
    if (!c->ok || c->ws->n_params >= MAX_PARAMS) {
        c->ok = false;
        return;
    }
    c->ws->param[c->ws->n_params] = data;
    c->ok = (c->ws->grad[c->ws->n_params++] = calloc(rows * (cols ? cols : 1), sizeof(float))) != NULL;
}

static float *grad_of(tb_lm_ws *ws, const float *param)
{
    for (size_t i = 0; i < ws->n_params; i++)
        if (ws->param[i] == param)
            return ws->grad[i];
    return NULL; /* unreachable: every tensor was collected */
}

float *tb_lm_ws_grad(tb_lm_ws *ws, size_t i) { return i < ws->n_params ? ws->grad[i] : NULL; }

static float *alloc_f(size_t n, bool *ok)
{
    float *p = *ok ? malloc((n ? n : 1) * sizeof(float)) : NULL;
    *ok = *ok && p;
    return p;
}

tb_lm_ws *tb_lm_ws_new(const tb_lm *m, size_t max_batch)
{
    const tb_lm_config *c = &m->cfg;
    tb_lm_ws *ws = calloc(1, sizeof *ws);
    if (!ws || max_batch == 0)
        return ws ? (free(ws), NULL) : NULL;
    const size_t N = max_batch * c->ctx, D = c->dim, F = c->ffn, hd = D / c->n_heads;
    ws->max_batch = max_batch;
    ws->max_rows = N;
    bool ok = true;
    for (size_t l = 0; l < c->n_layers; l++) {
        lm_layer_acts *A = &ws->L[l];
        A->h_in = alloc_f(N * D, &ok), A->n1 = alloc_f(N * D, &ok), A->r1 = alloc_f(N, &ok);
        A->q = alloc_f(N * D, &ok), A->k = alloc_f(N * D, &ok), A->v = alloc_f(N * D, &ok);
        A->P = alloc_f(max_batch * c->n_heads * c->ctx * c->ctx, &ok);
        A->att = alloc_f(N * D, &ok), A->ra = alloc_f(N, &ok), A->a = alloc_f(N * D, &ok);
        A->h_mid = alloc_f(N * D, &ok), A->n2 = alloc_f(N * D, &ok), A->r2 = alloc_f(N, &ok);
        A->g = alloc_f(N * F, &ok), A->u = alloc_f(N * F, &ok), A->z = alloc_f(N * F, &ok);
        A->rz = alloc_f(N, &ok), A->zn = alloc_f(N * F, &ok);
        for (int i = 0; ok && i < TB_LM_N_LINEAR; i++)
            ok = tb_linear_cache_alloc(&A->cache[i], &m->layer[l].lin[i], N) == 0;
    }
    const size_t W = D > F ? D : F;
    ws->h_out = alloc_f(N * D, &ok), ws->nf = alloc_f(N * D, &ok), ws->rf = alloc_f(N, &ok);
    ws->logits = alloc_f(N * TB_LM_VOCAB, &ok), ws->dlog = alloc_f(N * TB_LM_VOCAB, &ok);
    ws->cos_t = alloc_f(c->ctx * hd / 2, &ok), ws->sin_t = alloc_f(c->ctx * hd / 2, &ok);
    ws->dh = alloc_f(N * D, &ok), ws->dx = alloc_f(N * W, &ok), ws->tmp = alloc_f(N * W, &ok);
    ws->dq = alloc_f(N * D, &ok), ws->dk = alloc_f(N * D, &ok), ws->dv = alloc_f(N * D, &ok);
    ws->datt = alloc_f(N * D, &ok), ws->dg = alloc_f(N * F, &ok), ws->du = alloc_f(N * F, &ok);
    ws->db = alloc_f(W > TB_LM_VOCAB ? W : TB_LM_VOCAB, &ok);
    ok = ok && trit_act_alloc(&ws->act_dim, N, D) == 0;
    ok = ok && trit_act_alloc(&ws->act_ffn, N, F) == 0;
    ok = ok && (ws->acc = trit_aligned_alloc(N * W * sizeof(int32_t))) != NULL;
    collect_ctx cc = {ws, ok};
    if (ok)
        tb_lm_params((tb_lm *)m, collect_param, &cc);
    if (!cc.ok) {
        tb_lm_ws_free(ws);
        return NULL;
    }
    /* RoPE tables in double, as the decoder's (ops.c): "rotate half", element i pairs with i + hd/2. */
    for (size_t p = 0; p < c->ctx; p++)
        for (size_t i = 0; i < hd / 2; i++) {
            const double freq = pow((double)c->rope_theta, -2.0 * (double)i / (double)hd);
            ws->cos_t[p * hd / 2 + i] = (float)cos((double)p * freq);
            ws->sin_t[p * hd / 2 + i] = (float)sin((double)p * freq);
        }
    return ws;
}

void tb_lm_ws_free(tb_lm_ws *ws)
{
    if (!ws)
        return;
    for (size_t l = 0; l < TB_LM_MAX_LAYERS; l++) {
        lm_layer_acts *A = &ws->L[l];
        float *bufs[] = {A->h_in, A->n1, A->r1, A->q, A->k, A->v, A->P, A->att, A->ra, A->a,
                         A->h_mid, A->n2, A->r2, A->g, A->u, A->z, A->rz, A->zn};
        for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
            free(bufs[i]);
        for (int i = 0; i < TB_LM_N_LINEAR; i++)
            tb_linear_cache_free(&A->cache[i]);
    }
    float *bufs[] = {ws->h_out, ws->nf, ws->rf, ws->logits, ws->dlog, ws->cos_t, ws->sin_t, ws->dh, ws->dx, ws->tmp,
                     ws->dq, ws->dk, ws->dv, ws->datt, ws->dg, ws->du, ws->db};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    if (ws->act_dim.q)
        trit_act_free(&ws->act_dim);
    if (ws->act_ffn.q)
        trit_act_free(&ws->act_ffn);
    free(ws->acc);
    for (size_t i = 0; i < ws->n_params; i++)
        free(ws->grad[i]);
    free(ws);
}

/* ---------------- pieces ---------------- */

/* Y = RMSNorm(X) ⊙ g per row; r gets 1/rms. */
static void rms_rows(const float *X, const float *g, float eps, size_t n, size_t cols, float *Y, float *r, int threads)
{
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * cols;
        float ss = 0.0f;
        for (size_t k = 0; k < cols; k++)
            ss += x[k] * x[k];
        const float ri = 1.0f / sqrtf(ss / (float)cols + eps);
        r[i] = ri;
        for (size_t k = 0; k < cols; k++)
            Y[i * cols + k] = x[k] * ri * g[k];
    }
}

/* dX = ∂/∂X of RMSNorm given dY (overwritten, not accumulated); dg += Σ_rows dY ⊙ X·r (fixed row order). */
static void rms_rows_backward(const float *X, const float *g, const float *r, const float *dY, size_t n, size_t cols,
                              float *dX, float *dg, int threads)
{
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * cols, *dy = dY + i * cols;
        float dot = 0.0f;
        for (size_t k = 0; k < cols; k++)
            dot += g[k] * dy[k] * x[k];
        const float ri = r[i], c = ri * ri * ri * dot / (float)cols;
        for (size_t k = 0; k < cols; k++)
            dX[i * cols + k] = ri * g[k] * dy[k] - x[k] * c;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < cols; k++)
            dg[k] += dY[i * cols + k] * X[i * cols + k] * r[i];
}

/* Rotates every head of every row by its position (row % T); inverse: the transpose rotation. */
static void rope_rows(float *X, size_t n, size_t T, size_t D, size_t hd, const float *cos_t, const float *sin_t,
                      bool inverse)
{
    const size_t half = hd / 2;
    for (size_t i = 0; i < n; i++) {
        const float *cs = cos_t + (i % T) * half, *sn = sin_t + (i % T) * half;
        for (size_t h = 0; h < D / hd; h++) {
            float *v = X + i * D + h * hd;
            for (size_t j = 0; j < half; j++) {
                const float x0 = v[j], x1 = v[j + half], s = inverse ? -sn[j] : sn[j];
                v[j] = x0 * cs[j] - x1 * s;
                v[j + half] = x0 * s + x1 * cs[j];
            }
        }
    }
}

/* Causal attention of every (sequence, head): out = softmax(q kᵀ/√hd) v; P kept. */
static void attention_forward(const tb_lm_config *c, const lm_layer_acts *A, size_t B, size_t T, float *out,
                              int threads)
{
    const size_t D = c->dim, H = c->n_heads, hd = D / H;
    const float scale = 1.0f / sqrtf((float)hd);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (size_t bh = 0; bh < B * H; bh++) {
        const size_t b = bh / H, h = bh % H;
        float *P = A->P + bh * T * T;
        for (size_t i = 0; i < T; i++) {
            const float *q = A->q + (b * T + i) * D + h * hd;
            float *p = P + i * T, mx = -INFINITY;
            for (size_t j = 0; j <= i; j++) {
                const float *k = A->k + (b * T + j) * D + h * hd;
                float s = 0.0f;
                for (size_t d = 0; d < hd; d++)
                    s += q[d] * k[d];
                p[j] = s * scale;
                mx = p[j] > mx ? p[j] : mx;
            }
            float sum = 0.0f;
            for (size_t j = 0; j <= i; j++) {
                p[j] = expf(p[j] - mx);
                sum += p[j];
            }
            for (size_t j = 0; j <= i; j++)
                p[j] /= sum;
            for (size_t j = i + 1; j < T; j++)
                p[j] = 0.0f;
            float *o = out + (b * T + i) * D + h * hd;
            for (size_t d = 0; d < hd; d++)
                o[d] = 0.0f;
            for (size_t j = 0; j <= i; j++) {
                const float *v = A->v + (b * T + j) * D + h * hd;
                for (size_t d = 0; d < hd; d++)
                    o[d] += p[j] * v[d];
            }
        }
    }
}

/* dq, dk, dv (overwritten) from d(out); each (sequence, head) owns its slices. */
static void attention_backward(const tb_lm_config *c, const lm_layer_acts *A, size_t B, size_t T, const float *dout,
                               float *dq, float *dk, float *dv, int threads)
{
    const size_t D = c->dim, H = c->n_heads, hd = D / H;
    const float scale = 1.0f / sqrtf((float)hd);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (size_t bh = 0; bh < B * H; bh++) {
        const size_t b = bh / H, h = bh % H;
        const float *P = A->P + bh * T * T;
        for (size_t i = 0; i < T; i++) {
            float *zq = dq + (b * T + i) * D + h * hd, *zk = dk + (b * T + i) * D + h * hd,
                  *zv = dv + (b * T + i) * D + h * hd;
            for (size_t d = 0; d < hd; d++)
                zq[d] = zk[d] = zv[d] = 0.0f;
        }
        for (size_t i = 0; i < T; i++) {
            const float *p = P + i * T, *go = dout + (b * T + i) * D + h * hd;
            const float *q = A->q + (b * T + i) * D + h * hd;
            float *gq = dq + (b * T + i) * D + h * hd;
            /* dP_ij = go · v_j; Σ_j P_ij dP_ij for the softmax backward. */
            float dP[4096];
            float pdp = 0.0f;
            for (size_t j = 0; j <= i; j++) {
                const float *v = A->v + (b * T + j) * D + h * hd;
                float s = 0.0f;
                for (size_t d = 0; d < hd; d++)
                    s += go[d] * v[d];
                dP[j] = s;
                pdp += p[j] * s;
            }
            for (size_t j = 0; j <= i; j++) {
                const float *k = A->k + (b * T + j) * D + h * hd;
                float *gk = dk + (b * T + j) * D + h * hd, *gv = dv + (b * T + j) * D + h * hd;
                const float dS = p[j] * (dP[j] - pdp) * scale;
                for (size_t d = 0; d < hd; d++) {
                    gv[d] += p[j] * go[d];
                    gq[d] += dS * k[d];
                    gk[d] += dS * q[d];
                }
            }
        }
    }
}

/* Y_i = L_i(X) for the projections idx[0..count) of layer l, which share the input X (n × in). */
static int project(tb_lm *m, tb_lm_mode mode, tb_lm_ws *ws, size_t l, const int *idx, int count, const float *X,
                   size_t n, float *const *Y, int threads)
{
    tb_lm_layer *L = &m->layer[l];
    if (mode != TB_LM_PACKED) {
        for (int i = 0; i < count; i++)
            if (tb_linear_forward(&L->lin[idx[i]], mode == TB_LM_FAKEQUANT, X, n, Y[i], &ws->L[l].cache[idx[i]],
                                  threads) != 0)
                return -1;
        return 0;
    }
    const trit_packed *p0 = &L->packed[idx[0]];
    trit_act a = p0->cols == m->cfg.dim ? ws->act_dim : ws->act_ffn; /* a view of its first n rows */
    a.rows = n;
    if (trit_quantize_activations(X, p0->cols, &a) != 0)
        return -1;
    for (int i = 0; i < count; i++) {
        const trit_packed *p = &L->packed[idx[i]];
        char err[256];
        const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMM, p->format, err, sizeof err);
        if (!k || trit_matmul(k, p, &a, threads, ws->acc) != 0)
            return -1;
        trit_rescale(p, &a, ws->acc, NULL, Y[i]);
    }
    return 0;
}

/* ---------------- forward, loss, backward ---------------- */

static int forward(tb_lm *m, tb_lm_mode mode, const uint8_t *tokens, size_t B, size_t T, tb_lm_ws *ws, int threads)
{
    const tb_lm_config *c = &m->cfg;
    const size_t D = c->dim, F = c->ffn, N = B * T, hd = D / c->n_heads;
    float *h = c->n_layers ? ws->L[0].h_in : ws->h_out;
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++)
            memcpy(h + (b * T + t) * D, m->embed + (size_t)tokens[b * (T + 1) + t] * D, D * sizeof(float));
    for (size_t l = 0; l < c->n_layers; l++) {
        lm_layer_acts *A = &ws->L[l];
        tb_lm_layer *L = &m->layer[l];
        rms_rows(A->h_in, L->norm[TB_LM_ATTN_NORM], c->norm_eps, N, D, A->n1, A->r1, threads);
        static const int qkv[3] = {TB_LM_Q, TB_LM_K, TB_LM_V};
        float *const qkv_out[3] = {A->q, A->k, A->v};
        if (project(m, mode, ws, l, qkv, 3, A->n1, N, qkv_out, threads) != 0)
            return -1;
        rope_rows(A->q, N, T, D, hd, ws->cos_t, ws->sin_t, false);
        rope_rows(A->k, N, T, D, hd, ws->cos_t, ws->sin_t, false);
        attention_forward(c, A, B, T, A->att, threads);
        rms_rows(A->att, L->norm[TB_LM_ATTN_SUBNORM], c->norm_eps, N, D, A->a, A->ra, threads);
        static const int o[1] = {TB_LM_O};
        float *const o_out[1] = {ws->tmp};
        if (project(m, mode, ws, l, o, 1, A->a, N, o_out, threads) != 0)
            return -1;
        for (size_t i = 0; i < N * D; i++)
            A->h_mid[i] = A->h_in[i] + ws->tmp[i];
        rms_rows(A->h_mid, L->norm[TB_LM_FFN_NORM], c->norm_eps, N, D, A->n2, A->r2, threads);
        static const int gu[2] = {TB_LM_GATE, TB_LM_UP};
        float *const gu_out[2] = {A->g, A->u};
        if (project(m, mode, ws, l, gu, 2, A->n2, N, gu_out, threads) != 0)
            return -1;
        for (size_t i = 0; i < N * F; i++) {
            const float r = A->g[i] > 0.0f ? A->g[i] : 0.0f;
            A->z[i] = r * r * A->u[i];
        }
        rms_rows(A->z, L->norm[TB_LM_FFN_SUBNORM], c->norm_eps, N, F, A->zn, A->rz, threads);
        static const int dn[1] = {TB_LM_DOWN};
        if (project(m, mode, ws, l, dn, 1, A->zn, N, o_out, threads) != 0)
            return -1;
        float *next = l + 1 < c->n_layers ? ws->L[l + 1].h_in : ws->h_out;
        for (size_t i = 0; i < N * D; i++)
            next[i] = A->h_mid[i] + ws->tmp[i];
    }
    rms_rows(ws->h_out, m->final_norm, c->norm_eps, N, D, ws->nf, ws->rf, threads);
    tb_gemm_nt(ws->nf, m->head, ws->logits, N, TB_LM_VOCAB, D, threads);
    return 0;
}

static void backward(tb_lm *m, tb_lm_mode mode, const uint8_t *tokens, size_t B, size_t T, tb_lm_ws *ws, int threads)
{
    const tb_lm_config *c = &m->cfg;
    const size_t D = c->dim, F = c->ffn, N = B * T, hd = D / c->n_heads;
    const bool q = mode == TB_LM_FAKEQUANT;
    /* The embedding gradient is a scatter-add; every other gradient is overwritten (GEMMs) or cleared below. */
    memset(grad_of(ws, m->embed), 0, TB_LM_VOCAB * D * sizeof(float));
    /* lm_head and the final norm; ws->dlog holds dL/dlogits. */
    tb_gemm_tn(ws->dlog, ws->nf, grad_of(ws, m->head), TB_LM_VOCAB, D, N, threads);
    tb_gemm_nn(ws->dlog, m->head, ws->tmp, N, D, TB_LM_VOCAB, threads);
    float *dgf = grad_of(ws, m->final_norm);
    memset(dgf, 0, D * sizeof(float));
    rms_rows_backward(ws->h_out, m->final_norm, ws->rf, ws->tmp, N, D, ws->dh, dgf, threads);
    for (size_t l = c->n_layers; l-- > 0;) {
        lm_layer_acts *A = &ws->L[l];
        tb_lm_layer *L = &m->layer[l];
        float *gn[TB_LM_N_NORM];
        for (int n = 0; n < TB_LM_N_NORM; n++) {
            gn[n] = grad_of(ws, L->norm[n]);
            memset(gn[n], 0, (n == TB_LM_FFN_SUBNORM ? F : D) * sizeof(float));
        }
        /* FFN: h_out = h_mid + down(SubLN(relu(g)²·u)), g, u = gate/up(RMSNorm(h_mid)). */
        tb_linear_backward(&L->lin[TB_LM_DOWN], q, &A->cache[TB_LM_DOWN], A->zn, ws->dh, N, ws->tmp,
                           grad_of(ws, L->lin[TB_LM_DOWN].W), ws->db, threads);
        rms_rows_backward(A->z, L->norm[TB_LM_FFN_SUBNORM], A->rz, ws->tmp, N, F, ws->dx, gn[TB_LM_FFN_SUBNORM],
                          threads);
        for (size_t i = 0; i < N * F; i++) {
            const float r = A->g[i] > 0.0f ? A->g[i] : 0.0f;
            ws->dg[i] = ws->dx[i] * 2.0f * r * A->u[i];
            ws->du[i] = ws->dx[i] * r * r;
        }
        tb_linear_backward(&L->lin[TB_LM_GATE], q, &A->cache[TB_LM_GATE], A->n2, ws->dg, N, ws->tmp,
                           grad_of(ws, L->lin[TB_LM_GATE].W), ws->db, threads);
        tb_linear_backward(&L->lin[TB_LM_UP], q, &A->cache[TB_LM_UP], A->n2, ws->du, N, ws->dx,
                           grad_of(ws, L->lin[TB_LM_UP].W), ws->db, threads);
        for (size_t i = 0; i < N * D; i++)
            ws->tmp[i] += ws->dx[i];
        rms_rows_backward(A->h_mid, L->norm[TB_LM_FFN_NORM], A->r2, ws->tmp, N, D, ws->dx, gn[TB_LM_FFN_NORM], threads);
        for (size_t i = 0; i < N * D; i++)
            ws->dh[i] += ws->dx[i]; /* now dL/dh_mid */
        /* Attention: h_mid = h_in + o(SubLN(attn(RoPE q, RoPE k, v))), q, k, v = proj(RMSNorm(h_in)). */
        tb_linear_backward(&L->lin[TB_LM_O], q, &A->cache[TB_LM_O], A->a, ws->dh, N, ws->tmp,
                           grad_of(ws, L->lin[TB_LM_O].W), ws->db, threads);
        rms_rows_backward(A->att, L->norm[TB_LM_ATTN_SUBNORM], A->ra, ws->tmp, N, D, ws->datt, gn[TB_LM_ATTN_SUBNORM],
                          threads);
        attention_backward(c, A, B, T, ws->datt, ws->dq, ws->dk, ws->dv, threads);
        rope_rows(ws->dq, N, T, D, hd, ws->cos_t, ws->sin_t, true);
        rope_rows(ws->dk, N, T, D, hd, ws->cos_t, ws->sin_t, true);
        float *const dqkv[3] = {ws->dq, ws->dk, ws->dv};
        for (int i = 0; i < 3; i++) {
            tb_linear_backward(&L->lin[TB_LM_Q + i], q, &A->cache[TB_LM_Q + i], A->n1, dqkv[i], N, ws->dx,
                               grad_of(ws, L->lin[TB_LM_Q + i].W), ws->db, threads);
            if (i == 0)
                memcpy(ws->tmp, ws->dx, N * D * sizeof(float));
            else
                for (size_t k = 0; k < N * D; k++)
                    ws->tmp[k] += ws->dx[k];
        }
        rms_rows_backward(A->h_in, L->norm[TB_LM_ATTN_NORM], A->r1, ws->tmp, N, D, ws->dx, gn[TB_LM_ATTN_NORM],
                          threads);
        for (size_t i = 0; i < N * D; i++)
            ws->dh[i] += ws->dx[i]; /* now dL/dh_in */
    }
    float *dE = grad_of(ws, m->embed);
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++) {
            float *row = dE + (size_t)tokens[b * (T + 1) + t] * D;
            const float *g = ws->dh + (b * T + t) * D;
            for (size_t k = 0; k < D; k++)
                row[k] += g[k];
        }
}

double tb_lm_loss(tb_lm *m, tb_lm_mode mode, const uint8_t *tokens, size_t B, size_t T, bool want_backward,
                  tb_lm_ws *ws, int threads, size_t *correct, float *logits)
{
    if (!m || !tokens || !ws || B == 0 || T == 0 || T > m->cfg.ctx || B * T > ws->max_rows ||
        (mode == TB_LM_PACKED && (!m->has_packed || want_backward)) || threads < 1)
        return NAN;
    if (forward(m, mode, tokens, B, T, ws, threads) != 0)
        return NAN;
    const size_t N = B * T, V = TB_LM_VOCAB;
    if (logits)
        memcpy(logits, ws->logits, N * V * sizeof(float));
    double loss = 0.0;
    size_t hits = 0;
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++) {
            const size_t row = b * T + t, target = tokens[b * (T + 1) + t + 1];
            const float *z = ws->logits + row * V;
            size_t arg = 0;
            for (size_t v = 1; v < V; v++)
                arg = z[v] > z[arg] ? v : arg;
            hits += arg == target;
            double sum = 0.0;
            for (size_t v = 0; v < V; v++)
                sum += exp((double)z[v] - (double)z[arg]);
            loss += log(sum) - ((double)z[target] - (double)z[arg]);
            if (want_backward)
                for (size_t v = 0; v < V; v++)
                    ws->dlog[row * V + v] =
                        (float)((exp((double)z[v] - (double)z[arg]) / sum - (v == target ? 1.0 : 0.0)) / (double)N);
        }
    if (correct)
        *correct = hits;
    if (want_backward)
        backward(m, mode, tokens, B, T, ws, threads);
    return loss / (double)N;
}
