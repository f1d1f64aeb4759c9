/* lm_train.c — training the language model (random windows of the byte stream, AdamW through train.h's
 * update, warmup + cosine learning rate, global-norm clipping, FP32 or QAT) and scoring held-out text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/catalog.h"
#include "tritbench/lm.h"

#define EVAL_BATCH 8

typedef struct param_list {
    float *data[3 + TB_LM_MAX_LAYERS * (TB_LM_N_LINEAR + TB_LM_N_NORM)];
    size_t len[3 + TB_LM_MAX_LAYERS * (TB_LM_N_LINEAR + TB_LM_N_NORM)];
    bool matrix[3 + TB_LM_MAX_LAYERS * (TB_LM_N_LINEAR + TB_LM_N_NORM)];
    size_t n;
} param_list;

static void list_param(void *user, const char *name, float *data, size_t rows, size_t cols)
{
    (void)name;
    param_list *p = user;
    p->data[p->n] = data;
    p->len[p->n] = rows * (cols ? cols : 1);
    p->matrix[p->n++] = cols != 0;
}

int tb_lm_evaluate(tb_lm *m, tb_lm_mode mode, const uint8_t *data, size_t n, size_t seq, size_t max_bytes,
                   int threads, tb_lm_eval *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (seq == 0 || seq > m->cfg.ctx || n < seq + 1) {
        snprintf(err, err_len, "evaluation: %zu bytes cannot fill one window of %zu", n, seq + 1);
        return -1;
    }
    const size_t limit = max_bytes && max_bytes < n ? max_bytes : n;
    const size_t windows = (limit - 1) / seq; /* window w: bytes [w·seq, w·seq + seq] */
    tb_lm_ws *ws = tb_lm_ws_new(m, EVAL_BATCH);
    uint8_t *tok = malloc(EVAL_BATCH * (seq + 1));
    if (!ws || !tok || windows == 0) {
        snprintf(err, err_len, "evaluation: out of memory");
        tb_lm_ws_free(ws);
        free(tok);
        return -1;
    }
    double sum = 0.0;
    size_t hits = 0;
    int rc = 0;
    for (size_t w0 = 0; w0 < windows && rc == 0; w0 += EVAL_BATCH) {
        const size_t B = windows - w0 < EVAL_BATCH ? windows - w0 : EVAL_BATCH;
        for (size_t b = 0; b < B; b++)
            memcpy(tok + b * (seq + 1), data + (w0 + b) * seq, seq + 1);
        size_t h = 0;
        const double loss = tb_lm_loss(m, mode, tok, B, seq, false, ws, threads, &h, NULL);
        if (isnan(loss)) {
            snprintf(err, err_len, "evaluation failed (%s forward: non-finite value or missing packed weights)",
                     mode == TB_LM_PACKED ? "packed" : mode == TB_LM_FAKEQUANT ? "fake-quantized" : "FP32");
            rc = -1;
        }
        sum += loss * (double)(B * seq);
        hits += h;
    }
    out->n_tokens = windows * seq;
    out->loss = sum / (double)out->n_tokens;
    out->bpb = out->loss / log(2.0);
    out->ppl = exp(out->loss);
    out->top1 = (double)hits / (double)out->n_tokens;
    tb_lm_ws_free(ws);
    free(tok);
    return rc;
}

static double lr_at(const tb_lm_train_opts *o, size_t step)
{
    const size_t warm = (size_t)(o->warmup_frac * (double)o->steps);
    if (step < warm)
        return o->lr * (double)(step + 1) / (double)warm;
    const double t = o->steps > warm + 1 ? (double)(step - warm) / (double)(o->steps - warm - 1) : 1.0;
    return o->lr_final + 0.5 * (o->lr - o->lr_final) * (1.0 + cos(M_PI * t));
}

int tb_lm_train(tb_lm *m, const uint8_t *data, size_t n, const tb_lm_train_opts *o, tb_lm_curve_point *curve,
                size_t max_curve, size_t *n_curve, char *err, size_t err_len)
{
    if (n_curve)
        *n_curve = 0;
    if (o->batch == 0 || o->seq == 0 || o->seq > m->cfg.ctx || n < o->seq + 2 || o->threads < 1) {
        snprintf(err, err_len, "training: bad options (batch %zu, seq %zu ≤ ctx %zu, %zu bytes of data)", o->batch,
                 o->seq, m->cfg.ctx, n);
        return -1;
    }
    param_list p = {.n = 0};
    tb_lm_params(m, list_param, &p);
    tb_adamw opt = {.beta1 = 0.9, .beta2 = 0.95, .eps = 1e-8, .weight_decay = o->weight_decay};
    float **mom = calloc(p.n, sizeof *mom), **vel = calloc(p.n, sizeof *vel);
    tb_lm_ws *ws = tb_lm_ws_new(m, o->batch);
    uint8_t *tok = malloc(o->batch * (o->seq + 1));
    bool ok = mom && vel && ws && tok;
    for (size_t i = 0; ok && i < p.n; i++)
        ok = (mom[i] = calloc(p.len[i], sizeof(float))) && (vel[i] = calloc(p.len[i], sizeof(float)));
    int rc = ok ? 0 : -1;
    if (!ok)
        snprintf(err, err_len, "training: out of memory");
    trit_rng rng;
    trit_rng_seed(&rng, o->seed);
    double since = 0.0;
    size_t since_n = 0;
    for (size_t step = 0; rc == 0 && step < o->steps; step++) {
        for (size_t b = 0; b < o->batch; b++)
            memcpy(tok + b * (o->seq + 1), data + trit_rng_below(&rng, n - o->seq - 1), o->seq + 1);
        const double loss = tb_lm_loss(m, o->quantize ? TB_LM_FAKEQUANT : TB_LM_FP32, tok, o->batch, o->seq, true, ws,
                                       o->threads, NULL, NULL);
        if (!isfinite(loss)) {
            snprintf(err, err_len, "training diverged at step %zu (loss %g)", step, loss);
            rc = -1;
            break;
        }
        since += loss;
        since_n++;
        double scale = 1.0;
        if (o->clip > 0.0) {
            double ss = 0.0; /* fixed order: tensor by tensor, element by element */
            for (size_t i = 0; i < p.n; i++) {
                const float *g = tb_lm_ws_grad(ws, i);
                for (size_t k = 0; k < p.len[i]; k++)
                    ss += (double)g[k] * (double)g[k];
            }
            const double norm = sqrt(ss);
            scale = norm > o->clip ? o->clip / norm : 1.0;
        }
        opt.t++;
        const double lr = lr_at(o, step);
        for (size_t i = 0; i < p.n; i++) {
            float *g = tb_lm_ws_grad(ws, i);
            if (scale != 1.0)
                for (size_t k = 0; k < p.len[i]; k++)
                    g[k] = (float)(g[k] * scale);
            /* Decay on the matrices only (as GPT-2/Llama training does), never on norm gains. */
            tb_adamw_update(p.data[i], g, mom[i], vel[i], p.len[i], &opt, lr, p.matrix[i] ? o->weight_decay : 0.0);
        }
        const bool point = o->curve_every && ((step + 1) % o->curve_every == 0 || step + 1 == o->steps);
        if (point && curve && n_curve && *n_curve < max_curve) {
            tb_lm_curve_point *c = &curve[(*n_curve)++];
            c->step = step + 1;
            c->train_bpb = since / (double)since_n / log(2.0);
            c->test_bpb = NAN;
            if (o->eval_data) {
                tb_lm_eval e;
                if (tb_lm_evaluate(m, o->quantize ? TB_LM_FAKEQUANT : TB_LM_FP32, o->eval_data, o->eval_n, o->seq,
                                   o->eval_bytes, o->threads, &e, err, err_len) != 0)
                    rc = -1;
                c->test_bpb = e.bpb;
            }
        }
        if (point) {
            since = 0.0;
            since_n = 0;
        }
    }
    for (size_t i = 0; mom && vel && i < p.n; i++) {
        free(mom[i]);
        free(vel[i]);
    }
    free(mom);
    free(vel);
    free(tok);
    tb_lm_ws_free(ws);
    return rc;
}
