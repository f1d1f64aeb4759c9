/* kernels_speed.c — the kernels section's timed part: FP32 baselines and ternary GEMV/GEMM/BitLinear on
 * one shape, registered together and run through the harness with random interleaving, so every
 * speedup is a ratio of medians taken in the same run under the same threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/sections/kernels_section.h"
#include "reports/vr_internal.h"
#include "tritbench/baselines.h"
#include "tritbench/bench.h"
#include "tritbench/suites.h"

typedef enum { VB_FP32 = 0, VB_MATMUL, VB_BITLINEAR } vb_kind;

/* Everything the timed loops touch, prepared once per shape outside timing. */
typedef struct vk_case {
    const float *W;
    float *X, *Y;
    int32_t *acc;
    size_t M, K, N;
    trit_act act1, actN;
    trit_bitlinear layer[TRIT_FMT_COUNT];
    trit_bitlinear_ws ws1[TRIT_FMT_COUNT], wsN[TRIT_FMT_COUNT];
} vk_case;

typedef struct vk_bench {
    vk_case *c;
    vb_kind kind;
    trit_op op;
    trit_format f;
    const trit_kernel *k;
    const trit_fp32_kernel *fk;
    size_t reg_index;
    char label[96];
    /* results */
    double median_s, cv;
    const char *na;
    char why[256];
} vk_bench;

static void run_bench(tb_state *st)
{
    const vk_bench *b = tb_arg(st);
    vk_case *c = b->c;
    const int th = tb_threads(st);
    const size_t n = b->op == TRIT_OP_GEMV ? 1 : c->N;
    double bytes = 0;
    switch (b->kind) {
    case VB_FP32:
        while (tb_keep_running(st))
            b->fk->fn(c->W, c->X, c->Y, c->M, c->K, n, th);
        bytes = (double)c->M * (double)c->K * 4.0;
        break;
    case VB_MATMUL: {
        const trit_act *a = b->op == TRIT_OP_GEMV ? &c->act1 : &c->actN;
        while (tb_keep_running(st))
            if (trit_matmul(b->k, &c->layer[b->f].w, a, th, c->acc) != 0) {
                tb_skip_with_error(st, "trit_matmul rejected the shapes");
                return;
            }
        bytes = (double)c->layer[b->f].w.alloc_bytes;
        break;
    }
    case VB_BITLINEAR: {
        trit_bitlinear_ws *ws = b->op == TRIT_OP_GEMV ? &c->ws1[b->f] : &c->wsN[b->f];
        while (tb_keep_running(st))
            if (trit_bitlinear_forward(b->k, &c->layer[b->f], c->X, n, c->Y, th, ws) != 0) {
                tb_skip_with_error(st, "trit_bitlinear_forward failed");
                return;
            }
        bytes = (double)c->layer[b->f].w.alloc_bytes;
        break;
    }
    }
    tb_set_bytes_processed(st, bytes * (double)tb_iterations(st));
    tb_counter(st, "GB/s", bytes * (double)tb_iterations(st) / 1e9, TB_COUNTER_RATE);
}

static void case_free(vk_case *c)
{
    free(c->X);
    free(c->Y);
    free(c->acc);
    trit_act_free(&c->act1);
    trit_act_free(&c->actN);
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        trit_bitlinear_ws_free(&c->ws1[f]);
        trit_bitlinear_ws_free(&c->wsN[f]);
    }
}

static int case_make(vk_ctx *ctx, vk_case *c, const trit_shape *sh, size_t si, const float *W,
                     const trit_packed packed[TRIT_FMT_COUNT])
{
    memset(c, 0, sizeof *c);
    c->W = W;
    c->M = sh->rows;
    c->K = sh->cols;
    c->N = ctx->gemm_n;
    c->X = trit_aligned_alloc(c->N * c->K * sizeof(float));
    c->Y = trit_aligned_alloc(c->N * c->M * sizeof(float));
    c->acc = trit_aligned_alloc(c->N * c->M * sizeof(int32_t));
    if (!c->X || !c->Y || !c->acc || trit_act_alloc(&c->act1, 1, c->K) != 0 ||
        trit_act_alloc(&c->actN, c->N, c->K) != 0)
        return -1;
    trit_fill_activations(c->X, c->N, c->K, true, vk_seed(ctx, si, 11));
    if (trit_quantize_activations(c->X, c->K, &c->act1) != 0 || trit_quantize_activations(c->X, c->K, &c->actN) != 0)
        return -1;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!ctx->fmt_on[f])
            continue;
        c->layer[f].w = packed[f]; /* a view: the caller owns the buffers */
        if (trit_bitlinear_ws_alloc(&c->ws1[f], &c->layer[f], 1) != 0 ||
            trit_bitlinear_ws_alloc(&c->wsN[f], &c->layer[f], c->N) != 0)
            return -1;
    }
    return 0;
}

static const char *op_label(vb_kind kind, trit_op op)
{
    if (kind == VB_BITLINEAR)
        return op == TRIT_OP_GEMV ? "bitlinear gemv" : "bitlinear gemm";
    return op == TRIT_OP_GEMV ? "gemv" : "gemm";
}

static const char *target_of(vb_kind kind, trit_op op)
{
    if (kind == VB_BITLINEAR)
        return op == TRIT_OP_GEMV ? "speedup_bitlinear_gemv" : "speedup_bitlinear_gemm";
    return op == TRIT_OP_GEMV ? "speedup_gemv" : "speedup_gemm";
}

static int add_bench(tb_registry *reg, vk_bench *b, const char *family, const char *args, int threads)
{
    tb_bench_spec s;
    memset(&s, 0, sizeof s);
    s.family = family;
    s.args = args;
    s.run = run_bench;
    s.arg = b;
    s.threads = threads;
    s.time_unit = TB_US;
    b->reg_index = tb_registry_count(reg);
    return tb_register(reg, &s);
}

static void fmt_time(double s, char *buf, size_t len)
{
    if (!isfinite(s))
        snprintf(buf, len, "—");
    else if (s < 1e-3)
        snprintf(buf, len, "%.1f µs", s * 1e6);
    else
        snprintf(buf, len, "%.3f ms", s * 1e3);
}

/* Registers the ternary benchmarks of one format; rows for variants that cannot run get their reason. */
static int register_ternary(vk_ctx *ctx, tb_registry *reg, vk_case *c, trit_format f, vk_bench *bs, size_t *nb,
                            size_t cap, const char *shape_args, const char *shape_argsN)
{
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        if (k->format != f || !vk_variant_wanted(ctx, k->variant))
            continue;
        for (int kind = VB_MATMUL; kind <= VB_BITLINEAR; kind++) {
            if (*nb >= cap)
                return 0;
            vk_bench *b = &bs[(*nb)++];
            memset(b, 0, sizeof *b);
            b->c = c;
            b->kind = (vb_kind)kind;
            b->op = k->op;
            b->f = f;
            b->k = k;
            b->median_s = NAN;
            b->cv = NAN;
            snprintf(b->label, sizeof b->label, "%s/%s", trit_format_name(f), k->variant);
            char why[200];
            if (!trit_kernel_runnable(k, why, sizeof why)) {
                snprintf(b->why, sizeof b->why, "variant not runnable here: %s", why);
                b->na = b->why;
                continue;
            }
            /* The scalar oracle at prefill sizes costs seconds per call; time it only on request. */
            if (strcmp(k->variant, "scalar") == 0 && k->op == TRIT_OP_GEMM && !ctx->o->variants && !ctx->o->quick) {
                snprintf(b->why, sizeof b->why, "scalar GEMM not timed in a full run (seconds per call); ask with "
                                                "--variants scalar");
                b->na = b->why;
                continue;
            }
            char family[64], args[160];
            snprintf(family, sizeof family, "%s/%s", kind == VB_BITLINEAR ? "bitlinear" : trit_op_name(k->op),
                     trit_format_name(f));
            snprintf(args, sizeof args, "%s/%s", k->variant, k->op == TRIT_OP_GEMV ? shape_args : shape_argsN);
            if (add_bench(reg, b, family, args, ctx->threads) != 0)
                return -1;
        }
    }
    return 0;
}

static void collect(const tb_registry *reg, const tb_results *res, vk_bench *b)
{
    if (b->na)
        return;
    const char *name = tb_registry_name(reg, b->reg_index);
    const tb_record *med = name ? tb_results_find(res, name, "median") : NULL;
    const tb_record *cv = name ? tb_results_find(res, name, "cv") : NULL;
    if (!med) {
        snprintf(b->why, sizeof b->why, "no result from the harness");
        b->na = b->why;
        return;
    }
    if (med->error_occurred || med->skipped) {
        snprintf(b->why, sizeof b->why, "%s", med->error_occurred ? med->error_message : med->skip_message);
        b->na = b->why;
        return;
    }
    b->median_s = med->real_time * tb_time_unit_seconds(med->time_unit);
    b->cv = cv && cv != med ? cv->real_time : NAN;
    if (!(b->median_s > 0)) {
        snprintf(b->why, sizeof b->why, "median time %g s is not usable", b->median_s);
        b->na = b->why;
    }
}

/* One plot row per (shape, kernel): its four speedups side by side ('?' where not measured). */
static void speed_plot_rows(vk_ctx *ctx, const trit_shape *sh, const vk_bench *bs, size_t nb,
                            const vk_bench *best[TRIT_OP_COUNT])
{
    for (size_t i = 0; i < nb; i++) {
        if (bs[i].kind == VB_FP32 || strstr(bs[i].label, "/scalar"))
            continue;
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = bs[j].kind == VB_FP32 || strcmp(bs[j].label, bs[i].label) != 0;
        if (!first)
            continue;
        double col[4] = {NAN, NAN, NAN, NAN};
        bool any = false;
        for (size_t j = i; j < nb; j++) {
            const vk_bench *b = &bs[j];
            if (b->kind == VB_FP32 || strcmp(b->label, bs[i].label) != 0 || b->na || !best[b->op])
                continue;
            col[(b->kind == VB_BITLINEAR ? 2 : 0) + (b->op == TRIT_OP_GEMM)] = best[b->op]->median_s / b->median_s;
            any = true;
        }
        if (!any)
            continue;
        vk_printf(&ctx->plot_speed, "%s %s", sh->layer, bs[i].label);
        for (int k = 0; k < 4; k++)
            vk_printf(&ctx->plot_speed, isfinite(col[k]) ? "\t%.4g" : "\t?", col[k]);
        vk_printf(&ctx->plot_speed, "\n");
    }
}

static void report_rows(vk_ctx *ctx, const trit_shape *sh, vk_bench *bs, size_t nb, const vk_bench *best[TRIT_OP_COUNT])
{
    char shape[64];
    snprintf(shape, sizeof shape, "%s %zux%zu", sh->layer, sh->rows, sh->cols);
    for (size_t i = 0; i < nb; i++) {
        vk_bench *b = &bs[i];
        if (b->kind == VB_FP32)
            continue;
        const vk_bench *base = best[b->op];
        double speedup = NAN;
        const char *na = b->na;
        if (!na && !base)
            na = "no FP32 baseline could run here";
        if (!na)
            speedup = base->median_s / b->median_s;
        const char *target = target_of(b->kind, b->op);
        char subject[192], t[32], tb[32], cvs[32], sp[32], bname[96], verdict[48];
        snprintf(subject, sizeof subject, "%s %s %s", b->label, op_label(b->kind, b->op), shape);
        if (b->op == TRIT_OP_GEMM)
            snprintf(subject + strlen(subject), sizeof subject - strlen(subject), " N=%zu", ctx->gemm_n);
        fmt_time(b->median_s, t, sizeof t);
        fmt_time(base ? base->median_s : NAN, tb, sizeof tb);
        snprintf(cvs, sizeof cvs, isfinite(b->cv) ? "%.1f %%" : "—", b->cv * 100);
        snprintf(sp, sizeof sp, isfinite(speedup) ? "%.2f×" : "—", speedup);
        snprintf(bname, sizeof bname, "%s", base ? base->label : "—");
        const bool signoff = vk_signoff(ctx, b->op, b->f, b->k->variant);
        if (signoff) {
            /* Smoke runs time tiny shapes for microseconds: a number worth showing, not a sign-off. */
            const char *check_na = na ? na : ctx->o->quick ? "smoke run (--quick): small shapes and short timings "
                                                             "are no speed sign-off; see the table"
                                                           : NULL;
            vr_verdict v = vr_check(ctx->r, VK_SECTION, target, subject, speedup, check_na);
            if (!na && ctx->o->quick) {
                const vr_target *tg = vr_profile_find(&ctx->r->profile, target);
                snprintf(verdict, sizeof verdict, "%s (info)",
                         tg ? vr_verdict_name(vr_target_verdict(tg, speedup)) : "?");
            } else {
                snprintf(verdict, sizeof verdict, "%s", vr_verdict_name(v));
            }
        } else if (na) {
            snprintf(verdict, sizeof verdict, "N/A");
        } else {
            const vr_target *tg = vr_profile_find(&ctx->r->profile, target);
            snprintf(verdict, sizeof verdict, "%s (info)", tg ? vr_verdict_name(vr_target_verdict(tg, speedup)) : "?");
        }
        char nbuf[16];
        snprintf(nbuf, sizeof nbuf, "%zu", b->op == TRIT_OP_GEMV ? (size_t)1 : ctx->gemm_n);
        const char *cells[] = {shape, b->label, op_label(b->kind, b->op), nbuf, t, cvs, bname, tb, sp,
                               na ? na : verdict};
        vr_table_add_row(ctx->t_speed, cells);
        /* Roofline: the bare GEMV reads every packed byte once per call. */
        if (!na && b->kind == VB_MATMUL && b->op == TRIT_OP_GEMV) {
            const double bytes = (double)b->c->layer[b->f].w.alloc_bytes, gbps = bytes / b->median_s / 1e9;
            const double roof = tb_stream_read_gbps((size_t)bytes, ctx->threads);
            char g[32], rf[32], pct[32];
            snprintf(g, sizeof g, "%.1f", gbps);
            snprintf(rf, sizeof rf, roof > 0 ? "%.1f" : "unmeasured", roof);
            snprintf(pct, sizeof pct, roof > 0 ? "%.0f %%" : "—", 100.0 * gbps / roof);
            const char *rc[] = {shape, b->label, g, rf, pct};
            vr_table_add_row(ctx->t_roof, rc);
            vk_printf(&ctx->plot_roof, "%s %s\t%.4g\t%.4g\n", sh->layer, b->label, gbps, roof > 0 ? roof : NAN);
            char key[96];
            snprintf(key, sizeof key, "gemv_gbps/%.40s/%.40s", b->label, sh->layer);
            vr_metric(ctx->r, VK_SECTION, key, gbps);
            if (roof > 0) {
                snprintf(key, sizeof key, "roofline_pct/%.40s/%.40s", b->label, sh->layer);
                vr_metric(ctx->r, VK_SECTION, key, 100.0 * gbps / roof);
            }
        }
        if (!na) {
            char key[128];
            snprintf(key, sizeof key, "speedup/%s/%s/%s", b->label, op_label(b->kind, b->op), sh->layer);
            vr_metric(ctx->r, VK_SECTION, key, speedup);
        }
    }
    /* The baselines themselves, for the record. */
    for (size_t i = 0; i < nb; i++) {
        vk_bench *b = &bs[i];
        if (b->kind != VB_FP32 || b->na)
            continue;
        const double gbps = (double)b->c->M * (double)b->c->K * 4.0 / b->median_s / 1e9;
        char t[32], cvs[32], g[32], nbuf[16];
        fmt_time(b->median_s, t, sizeof t);
        snprintf(cvs, sizeof cvs, isfinite(b->cv) ? "%.1f %%" : "—", b->cv * 100);
        snprintf(g, sizeof g, "%.1f GB/s", gbps);
        snprintf(nbuf, sizeof nbuf, "%zu", b->op == TRIT_OP_GEMV ? (size_t)1 : ctx->gemm_n);
        const char *cells[] = {shape, b->label, b->op == TRIT_OP_GEMV ? "gemv" : "gemm", nbuf, t, cvs, g,
                               best[b->op] == b ? "yes" : ""};
        vr_table_add_row(ctx->t_base, cells);
    }
    speed_plot_rows(ctx, sh, bs, nb, best);
}

int vk_speed_shape(vk_ctx *ctx, const trit_shape *sh, size_t si, const float *W, const trit_packed packed[TRIT_FMT_COUNT])
{
    enum { CAP = 96 };
    vk_case c;
    vk_bench *bs = calloc(CAP, sizeof *bs);
    tb_registry *reg = tb_registry_new();
    int rc = -1;
    if (!bs || !reg || case_make(ctx, &c, sh, si, W, packed) != 0) {
        fprintf(stderr, "tritbench validate: kernels: out of memory preparing %zux%zu\n", sh->rows, sh->cols);
        if (bs && reg)
            case_free(&c);
        free(bs);
        tb_registry_free(reg);
        return -1;
    }
    char args1[64], argsN[80];
    snprintf(args1, sizeof args1, "%zux%zu", sh->rows, sh->cols);
    snprintf(argsN, sizeof argsN, "%zux%zux%zu", sh->rows, sh->cols, ctx->gemm_n);
    size_t nb = 0;
    size_t nf;
    const trit_fp32_kernel *fks = trit_fp32_kernels(&nf);
    for (size_t i = 0; i < nf && nb + 2 <= CAP; i++) {
        char why[128];
        /* The scalar FP32 loop is the reference, not a baseline anyone would ship. */
        if (strcmp(fks[i].name, "scalar") == 0 || !trit_fp32_runnable(&fks[i], why, sizeof why))
            continue;
        for (int op = 0; op < TRIT_OP_COUNT; op++) {
            vk_bench *b = &bs[nb++];
            memset(b, 0, sizeof *b);
            b->c = &c;
            b->kind = VB_FP32;
            b->op = (trit_op)op;
            b->fk = &fks[i];
            b->median_s = NAN;
            b->cv = NAN;
            snprintf(b->label, sizeof b->label, "fp32/%s", fks[i].name);
            char family[32], args[160];
            snprintf(family, sizeof family, "%s/fp32", trit_op_name((trit_op)op));
            snprintf(args, sizeof args, "%s/%s", fks[i].name, op == TRIT_OP_GEMV ? args1 : argsN);
            if (add_bench(reg, b, family, args, ctx->threads) != 0)
                goto out;
        }
    }
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        if (ctx->fmt_on[f] && register_ternary(ctx, reg, &c, (trit_format)f, bs, &nb, CAP, args1, argsN) != 0)
            goto out;
    tb_options opt;
    tb_options_default(&opt);
    opt.repetitions = ctx->repetitions;
    opt.min_time = ctx->min_time;
    opt.random_interleaving = true;
    opt.seed = vk_seed(ctx, si, 12);
    tb_results res;
    memset(&res, 0, sizeof res);
    char err[256];
    if (tb_run(reg, &opt, NULL, &res, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench validate: kernels: the harness could not run: %s\n", err);
        goto out;
    }
    vr_add_records(ctx->r, &res);
    const vk_bench *best[TRIT_OP_COUNT] = {NULL, NULL};
    for (size_t i = 0; i < nb; i++) {
        collect(reg, &res, &bs[i]);
        if (bs[i].kind == VB_FP32 && !bs[i].na && (!best[bs[i].op] || bs[i].median_s < best[bs[i].op]->median_s))
            best[bs[i].op] = &bs[i];
    }
    report_rows(ctx, sh, bs, nb, best);
    tb_results_free(&res);
    rc = 0;
out:
    case_free(&c);
    free(bs);
    tb_registry_free(reg);
    return rc;
}
