/* quant.c — the "quant" suite: the steps around the matmul, each on real layer shapes.
 *   quant/act/<rows>x<cols>               activation quantization (absmax per token, round, Σq)
 *   quant/weights/<tensor|row>/<M>x<K>    absmean weight quantization
 *   quant/pack/<i2|t5>/<M>x<K>            int8 ternary → packed format
 *   quant/unpack/<i2|t5>/<M>x<K>          packed format → int8 (what a loader or checker pays)
 * All are single-threaded library calls, so each is registered once with threads:1 whatever --threads
 * says. Counters: GB/s of the input read per call, and Melems/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_list.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/quant.h"

typedef enum { Q_ACT, Q_WEIGHTS_TENSOR, Q_WEIGHTS_ROW, Q_PACK, Q_UNPACK } q_kind;

typedef struct q_arg {
    q_kind kind;
    trit_format format;
    size_t rows, cols;
} q_arg;

typedef struct q_fixture {
    float *X;     /* activations or FP32 weights */
    int8_t *wq;   /* ternary weights (pack input / unpack output) */
    float *gamma;
    trit_packed p;
    bool have_p;
    trit_act act;
} q_fixture;

static void q_teardown(void *ptr)
{
    q_fixture *fx = ptr;
    free(fx->X);
    free(fx->wq);
    free(fx->gamma);
    if (fx->have_p)
        trit_packed_free(&fx->p);
    trit_act_free(&fx->act);
    free(fx);
}

static void *q_setup(tb_state *st)
{
    const q_arg *a = tb_arg(st);
    q_fixture *fx = calloc(1, sizeof *fx);
    const size_t n = a->rows * a->cols;
    if (!fx)
        goto oom;
    fx->X = trit_aligned_alloc(n * sizeof(float));
    fx->wq = malloc(n);
    fx->gamma = malloc(a->rows * sizeof(float));
    if (!fx->X || !fx->wq || !fx->gamma)
        goto oom;
    if (a->kind == Q_ACT) {
        trit_fill_activations(fx->X, a->rows, a->cols, true, 0x5eed0003u);
        if (trit_act_alloc(&fx->act, a->rows, a->cols) != 0)
            goto oom;
        return fx;
    }
    trit_fill_weights(fx->X, a->rows, a->cols, TRIT_DIST_GAUSSIAN, 0x5eed0001u);
    const trit_wquant_opts o = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
    if (trit_quantize_weights(fx->X, a->rows, a->cols, &o, fx->wq, fx->gamma) != 0) {
        tb_skip_with_error(st, "weight quantization failed");
        q_teardown(fx);
        return NULL;
    }
    if (a->kind == Q_PACK || a->kind == Q_UNPACK) {
        if (trit_packed_alloc(&fx->p, a->format, TRIT_SCALE_TENSOR, a->rows, a->cols) != 0)
            goto oom;
        fx->have_p = true;
        if (trit_pack(&fx->p, fx->wq, fx->gamma) != 0) {
            tb_skip_with_error(st, "pack failed");
            q_teardown(fx);
            return NULL;
        }
    }
    return fx;
oom:
    tb_skip_with_error(st, "out of memory");
    if (fx)
        q_teardown(fx);
    return NULL;
}

static void q_run(tb_state *st)
{
    q_fixture *fx = tb_fixture(st);
    if (!fx)
        return;
    const q_arg *a = tb_arg(st);
    const size_t n = a->rows * a->cols;
    double in_bytes = 0;
    int rc = 0;
    switch (a->kind) {
    case Q_ACT:
        while (tb_keep_running(st))
            rc |= trit_quantize_activations(fx->X, a->cols, &fx->act);
        in_bytes = (double)n * sizeof(float);
        break;
    case Q_WEIGHTS_TENSOR:
    case Q_WEIGHTS_ROW: {
        const trit_wquant_opts o = {a->kind == Q_WEIGHTS_ROW ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN,
                                    0.0f};
        while (tb_keep_running(st))
            rc |= trit_quantize_weights(fx->X, a->rows, a->cols, &o, fx->wq, fx->gamma);
        in_bytes = (double)n * sizeof(float);
        break;
    }
    case Q_PACK:
        while (tb_keep_running(st))
            rc |= trit_pack(&fx->p, fx->wq, fx->gamma);
        in_bytes = (double)n;
        break;
    case Q_UNPACK:
        while (tb_keep_running(st))
            rc |= trit_unpack(&fx->p, fx->wq);
        in_bytes = (double)(fx->p.rows * fx->p.row_bytes);
        break;
    }
    if (rc != 0) {
        tb_skip_with_error(st, "the library call failed");
        return;
    }
    const double it = (double)tb_iterations(st);
    tb_set_bytes_processed(st, it * in_bytes);
    tb_set_items_processed(st, it * (double)n);
    tb_counter(st, "GB/s", it * in_bytes / 1e9, TB_COUNTER_RATE);
    tb_counter(st, "Melems/s", it * (double)n / 1e6, TB_COUNTER_RATE);
}

#define MAX_ARGS 256
static q_arg args[MAX_ARGS];
static size_t n_args;

static int add(tb_registry *r, q_kind kind, trit_format f, size_t rows, size_t cols)
{
    if (n_args >= MAX_ARGS)
        return -1;
    q_arg *a = &args[n_args++];
    *a = (q_arg){kind, f, rows, cols};
    static const char *const names[] = {"quant/act", "quant/weights", "quant/weights", "quant/pack", "quant/unpack"};
    char argstr[96];
    if (kind == Q_ACT)
        snprintf(argstr, sizeof argstr, "%zux%zu", rows, cols);
    else if (kind == Q_WEIGHTS_TENSOR || kind == Q_WEIGHTS_ROW)
        snprintf(argstr, sizeof argstr, "%s/%zux%zu", kind == Q_WEIGHTS_ROW ? "row" : "tensor", rows, cols);
    else
        snprintf(argstr, sizeof argstr, "%s/%zux%zu", trit_format_name(f), rows, cols);
    tb_bench_spec spec = {0};
    spec.family = names[kind];
    spec.args = argstr;
    spec.run = q_run;
    spec.setup = q_setup;
    spec.teardown = q_teardown;
    spec.arg = a;
    spec.threads = 1;
    spec.time_unit = TB_US;
    return tb_register(r, &spec);
}

int tb_suite_quant_register(tb_registry *r, const tb_suite_config *cfg)
{
    size_t count;
    const trit_shape *s = trit_shapes(cfg->quick ? "quick" : "bitnet-2b", &count);
    /* Token counts: one decode step and one prefill batch. */
    const size_t tokens[2] = {1, cfg->quick ? 8 : 128};
    size_t done_cols[16], n_cols = 0;
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t j = 0; j < n_cols; j++)
            seen |= done_cols[j] == s[i].cols;
        if (seen || n_cols >= 16)
            continue;
        done_cols[n_cols++] = s[i].cols;
        for (int t = 0; t < 2; t++)
            if (add(r, Q_ACT, TRIT_FMT_I2, tokens[t], s[i].cols) != 0)
                return -1;
    }
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= s[j].rows == s[i].rows && s[j].cols == s[i].cols;
        if (seen)
            continue;
        if (add(r, Q_WEIGHTS_TENSOR, TRIT_FMT_I2, s[i].rows, s[i].cols) != 0 ||
            add(r, Q_WEIGHTS_ROW, TRIT_FMT_I2, s[i].rows, s[i].cols) != 0)
            return -1;
        for (int f = 0; f < TRIT_FMT_COUNT; f++) {
            if (!tb_list_contains(cfg->formats, trit_format_name((trit_format)f)))
                continue;
            if (add(r, Q_PACK, (trit_format)f, s[i].rows, s[i].cols) != 0 ||
                add(r, Q_UNPACK, (trit_format)f, s[i].rows, s[i].cols) != 0)
                return -1;
        }
    }
    return 0;
}
