/* trainer.c — mini-batch training (seeded shuffles, cosine learning rate, AdamW) and evaluation with FP32
 * or fake-quantized BitLinear layers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval_common.h"
#include "tritbench/fixtures.h"
#include "tritbench/train.h"
#include "tritbench/bench.h"

static double now_s(void) { return tb_clock_seconds(); }

double tb_ce_sum(const float *logits, const uint8_t *labels, size_t n, size_t C, size_t *correct)
{
    double loss = 0.0;
    for (size_t r = 0; r < n; r++) {
        const float *z = logits + r * C;
        size_t arg = 0;
        for (size_t j = 1; j < C; j++)
            arg = z[j] > z[arg] ? j : arg;
        double sum = exp((double)(z[0] - z[arg])); /* ≥ 1 once the maximum is summed */
        for (size_t j = 1; j < C; j++)
            sum += exp((double)(z[j] - z[arg]));
        loss += log(sum) - (double)(z[labels[r]] - z[arg]);
        *correct += arg == labels[r];
    }
    return loss;
}

int tb_evaluate(const tb_mlp *m, const tb_dataset *d, size_t n, bool quantize, int threads, double *acc,
                double *loss, float *logits)
{
    if (!m || !d || m->n_layers == 0 || d->dim != m->layer[0].in || d->n == 0)
        return -1;
    n = n == 0 || n > d->n ? d->n : n;
    const size_t C = m->layer[m->n_layers - 1].out;
    tb_mlp_ws ws;
    size_t *idx = malloc(TB_EVAL_BATCH * sizeof *idx);
    float *x = malloc(TB_EVAL_BATCH * d->dim * sizeof *x);
    if (!idx || !x || tb_mlp_ws_alloc(&ws, m, TB_EVAL_BATCH) != 0) {
        free(idx);
        free(x);
        return -1;
    }
    size_t correct = 0;
    double total = 0.0;
    int rc = 0;
    for (size_t b = 0; b < n && rc == 0; b += TB_EVAL_BATCH) {
        const size_t nb = n - b < TB_EVAL_BATCH ? n - b : TB_EVAL_BATCH;
        for (size_t i = 0; i < nb; i++)
            idx[i] = b + i;
        tb_dataset_batch(d, idx, nb, x);
        rc = tb_mlp_forward(m, quantize, x, nb, &ws, threads);
        if (rc == 0) {
            total += tb_ce_sum(ws.act[m->n_layers], d->labels + b, nb, C, &correct);
            if (logits)
                memcpy(logits + b * C, ws.act[m->n_layers], nb * C * sizeof(float));
        }
    }
    tb_mlp_ws_free(&ws);
    free(idx);
    free(x);
    if (rc == 0) {
        *acc = (double)correct / (double)n;
        *loss = total / (double)n;
    }
    return rc;
}

static void shuffle(size_t *perm, size_t n, trit_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        const size_t j = (size_t)trit_rng_below(rng, i);
        const size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

static double cosine_lr(const tb_train_opts *o, size_t step, size_t total)
{
    const double pi = 3.14159265358979323846;
    const double f = total > 1 ? (double)step / (double)(total - 1) : 1.0;
    return o->lr_final + 0.5 * (o->lr - o->lr_final) * (1.0 + cos(pi * f));
}

typedef struct train_bufs {
    tb_mlp_ws ws;
    tb_adamw opt;
    size_t *perm;
    float *x;
    uint8_t *y;
} train_bufs;

static void bufs_free(train_bufs *b)
{
    tb_mlp_ws_free(&b->ws);
    tb_adamw_free(&b->opt);
    free(b->perm);
    free(b->x);
    free(b->y);
}

int tb_train(tb_mlp *m, const tb_dataset *train, const tb_dataset *test, const tb_train_opts *o,
             tb_epoch_stat *curve, char *err, size_t err_len)
{
    if (!m || !train || !o || m->n_layers == 0 || o->batch == 0 || train->n == 0 || train->dim != m->layer[0].in ||
        train->n_classes != m->layer[m->n_layers - 1].out || !(o->lr > 0)) {
        snprintf(err, err_len, "tb_train: bad arguments (model/data shapes or options)");
        return -1;
    }
    const size_t n = o->max_train && o->max_train < train->n ? o->max_train : train->n;
    const size_t batch = o->batch < n ? o->batch : n;
    const size_t steps_per_epoch = (n + batch - 1) / batch, total = steps_per_epoch * o->epochs;
    train_bufs b;
    memset(&b, 0, sizeof b);
    b.perm = malloc(n * sizeof *b.perm);
    b.x = malloc(batch * train->dim * sizeof *b.x);
    b.y = malloc(batch);
    if (!b.perm || !b.x || !b.y || tb_mlp_ws_alloc(&b.ws, m, batch) != 0 ||
        tb_adamw_init(&b.opt, m, o->weight_decay) != 0) {
        bufs_free(&b);
        snprintf(err, err_len, "tb_train: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        b.perm[i] = i;
    trit_rng rng;
    trit_rng_seed(&rng, o->seed);
    size_t step = 0;
    for (size_t e = 0; e < o->epochs; e++) {
        const double t0 = now_s();
        shuffle(b.perm, n, &rng);
        double loss_sum = 0.0;
        for (size_t s = 0; s < steps_per_epoch; s++, step++) {
            const size_t first = s * batch, nb = n - first < batch ? n - first : batch;
            tb_dataset_batch(train, b.perm + first, nb, b.x);
            for (size_t i = 0; i < nb; i++)
                b.y[i] = train->labels[b.perm[first + i]];
            const int frc = tb_mlp_forward(m, o->quantize, b.x, nb, &b.ws, o->threads);
            const double loss = frc == 0 ? tb_mlp_backward(m, o->quantize, b.y, nb, &b.ws, o->threads) : NAN;
            if (!isfinite(loss)) {
                snprintf(err, err_len, "training diverged at epoch %zu step %zu (loss %g)", e + 1, s, loss);
                bufs_free(&b);
                return -1;
            }
            loss_sum += loss;
            tb_adamw_step(&b.opt, m, &b.ws, cosine_lr(o, step, total));
        }
        if (curve) {
            tb_epoch_stat *st = &curve[e];
            st->train_loss = loss_sum / (double)steps_per_epoch;
            st->test_acc = st->test_loss = NAN;
            if (test && tb_evaluate(m, test, o->max_test, o->quantize, o->threads, &st->test_acc, &st->test_loss,
                                    NULL) != 0) {
                snprintf(err, err_len, "evaluation failed after epoch %zu", e + 1);
                bufs_free(&b);
                return -1;
            }
            st->seconds = now_s() - t0;
        }
    }
    bufs_free(&b);
    return 0;
}
