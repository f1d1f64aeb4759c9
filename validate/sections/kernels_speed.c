/* kernels_speed.c — the kernels section's speed rows: per shape, the FP32 baselines and every wanted ternary
 * GEMV/GEMM/BitLinear, each named by the gemv/gemm/bitlinear suite instance that measures it (the same
 * instance `tritbench run` runs). The run driver runs one shape's instances as one interleaved harness run;
 * this file judges their records: every speedup is a ratio of medians taken in the same run, same threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/sections/kernels_section.h"
#include "validate/vr_internal.h"
#include "tritbench/bench.h"
#include "tritbench/suites.h"

typedef enum { VB_FP32 = 0, VB_MATMUL, VB_BITLINEAR } vb_kind;

/* Which baseline a row is judged against: the bare matmul against the FP32 GEMV/GEMM, the whole BitLinear
 * layer (RMSNorm + quantization + matmul + rescale, as the bitlinear suite times it) against the FP32 layer
 * it replaces (RMSNorm + sgemv/sgemm, the bitlinear suite's fp32 rows). */
#define VK_SLOTS (2 * TRIT_OP_COUNT)

/* One speed row of a shape: the suite instance that measures it, and what its records said. */
typedef struct vk_bench {
    vb_kind kind;
    trit_op op;
    trit_format f;
    bool bl_base; /* an FP32 baseline of the whole layer (RMSNorm + sgemm: the bitlinear suite's fp32 rows) */
    const trit_kernel *k;
    char instance[TB_NAME_MAX];
    char label[96];
    /* results */
    double median_s, cv;
    double suite_gbps, suite_roof_pct; /* counters of the median record (NaN when absent) */
    const char *na;
    char why[256];
} vk_bench;

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

static void fmt_time(double s, char *buf, size_t len)
{
    if (!isfinite(s))
        snprintf(buf, len, "—");
    else if (s < 1e-3)
        snprintf(buf, len, "%.1f µs", s * 1e6);
    else
        snprintf(buf, len, "%.3f ms", s * 1e3);
}

/* The ternary rows of one format on one shape, each named by its gemv/gemm/bitlinear suite instance; rows for
 * variants that cannot run (or are not timed) get their reason and no instance. */
static void plan_ternary(const vk_ctx *ctx, trit_format f, vk_bench *bs, size_t *nb, size_t cap, const char *shape1,
                         const char *shapeN, const char *shape_bl1)
{
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        if (k->format != f || !vk_variant_wanted(ctx, k->variant) || strcmp(k->variant, "cuda") == 0)
            continue;
        for (int kind = VB_MATMUL; kind <= VB_BITLINEAR; kind++) {
            if (*nb >= cap)
                return;
            vk_bench *b = &bs[(*nb)++];
            memset(b, 0, sizeof *b);
            b->kind = (vb_kind)kind;
            b->op = k->op;
            b->f = f;
            b->k = k;
            b->median_s = b->cv = b->suite_gbps = b->suite_roof_pct = NAN;
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
            const char *shape = kind == VB_BITLINEAR ? (k->op == TRIT_OP_GEMV ? shape_bl1 : shapeN)
                                                     : (k->op == TRIT_OP_GEMV ? shape1 : shapeN);
            snprintf(b->instance, sizeof b->instance, "%s/%s/%s/%s/threads:%d",
                     kind == VB_BITLINEAR ? "bitlinear" : trit_op_name(k->op), trit_format_name(f), k->variant, shape,
                     ctx->threads);
        }
    }
}

/* Every speed row of one shape: the FP32 baselines (the scalar FP32 reference excluded: nobody ships it)
 * for GEMV and GEMM, then each wanted ternary variant's GEMV, GEMM and BitLinear at N=1 and N. */
static size_t plan_shape(const vk_ctx *ctx, const trit_shape *sh, vk_bench *bs, size_t cap)
{
    char shape1[64], shapeN[80], shape_bl1[80];
    snprintf(shape1, sizeof shape1, "%zux%zu", sh->rows, sh->cols);
    snprintf(shapeN, sizeof shapeN, "%zux%zux%zu", sh->rows, sh->cols, ctx->gemm_n);
    snprintf(shape_bl1, sizeof shape_bl1, "%zux%zux1", sh->rows, sh->cols);
    const char *fp32[16];
    const size_t nf = tb_suite_fp32_baselines(fp32, 16);
    size_t nb = 0;
    for (size_t i = 0; i < nf && nb + VK_SLOTS <= cap; i++) {
        if (strcmp(fp32[i], "scalar") == 0)
            continue;
        for (int slot = 0; slot < VK_SLOTS && nb < cap; slot++) {
            const trit_op op = (trit_op)(slot % TRIT_OP_COUNT);
            vk_bench *b = &bs[nb++];
            memset(b, 0, sizeof *b);
            b->kind = VB_FP32;
            b->op = op;
            b->bl_base = slot >= TRIT_OP_COUNT;
            b->median_s = b->cv = b->suite_gbps = b->suite_roof_pct = NAN;
            snprintf(b->label, sizeof b->label, "fp32/%s", fp32[i]);
            if (b->bl_base)
                snprintf(b->instance, sizeof b->instance, "bitlinear/fp32/%s/%s/threads:%d", fp32[i],
                         op == TRIT_OP_GEMV ? shape_bl1 : shapeN, ctx->threads);
            else
                snprintf(b->instance, sizeof b->instance, "%s/fp32/%s/%s/threads:%d", trit_op_name(op), fp32[i],
                         op == TRIT_OP_GEMV ? shape1 : shapeN, ctx->threads);
        }
    }
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        if (ctx->fmt_on[f])
            plan_ternary(ctx, (trit_format)f, bs, &nb, cap, shape1, shapeN, shape_bl1);
    return nb;
}

enum { VK_CAP = 128 };

static int slot_of(const vk_bench *b)
{
    return (int)b->op + ((b->kind == VB_FP32 ? b->bl_base : b->kind == VB_BITLINEAR) ? TRIT_OP_COUNT : 0);
}

void vk_speed_instances(const vk_ctx *ctx, const trit_shape *sh, unsigned group, vr_instances *out)
{
    vk_bench *bs = calloc(VK_CAP, sizeof *bs);
    if (!bs) {
        out->oom = true;
        return;
    }
    const size_t nb = plan_shape(ctx, sh, bs, VK_CAP);
    for (size_t i = 0; i < nb; i++)
        if (!bs[i].na)
            vr_instances_add(out, group, "%s", bs[i].instance);
    free(bs);
}

static void collect(const tb_results *res, vk_bench *b)
{
    if (b->na)
        return;
    const tb_record *med = vr_record(res, b->instance, "median");
    const tb_record *cv = vr_record(res, b->instance, "cv");
    if (!med) {
        snprintf(b->why, sizeof b->why, "no result from the harness (%s not registered here)", b->instance);
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
    b->suite_gbps = tb_record_counter(med, "GB/s", NAN);
    b->suite_roof_pct = tb_record_counter(med, "pct_of_roofline", NAN);
    if (!(b->median_s > 0)) {
        snprintf(b->why, sizeof b->why, "median time %g s is not usable", b->median_s);
        b->na = b->why;
    }
}

static void report_rows(vk_ctx *ctx, const trit_shape *sh, const trit_packed packed[TRIT_FMT_COUNT], vk_bench *bs,
                        size_t nb, const vk_bench *best[VK_SLOTS])
{
    char shape[64];
    snprintf(shape, sizeof shape, "%s %zux%zu", sh->layer, sh->rows, sh->cols);
    for (size_t i = 0; i < nb; i++) {
        vk_bench *b = &bs[i];
        if (b->kind == VB_FP32)
            continue;
        const vk_bench *base = best[slot_of(b)];
        double speedup = NAN;
        const char *na = b->na;
        if (!na && !base)
            na = "no FP32 baseline could run here";
        const char *target = target_of(b->kind, b->op);
        char subject[192], t[32], tb[32], cvs[32], sp[32], bname[96], verdict[48];
        snprintf(subject, sizeof subject, "%s %s %s", b->label, op_label(b->kind, b->op), shape);
        if (b->op == TRIT_OP_GEMM)
            snprintf(subject + strlen(subject), sizeof subject - strlen(subject), " N=%zu", ctx->gemm_n);
        fmt_time(b->median_s, t, sizeof t);
        fmt_time(base ? base->median_s : NAN, tb, sizeof tb);
        snprintf(cvs, sizeof cvs, isfinite(b->cv) ? "%.1f %%" : "—", b->cv * 100);
        snprintf(bname, sizeof bname, "%s", base ? base->label : "—");
        const bool signoff = vk_signoff(ctx, b->op, b->f, b->k->variant);
        /* Smoke runs time tiny shapes for microseconds: a number worth showing, not a sign-off. */
        const char *check_na = na ? na : ctx->o->quick ? "smoke run (--quick): small shapes and short timings "
                                                         "are no speed sign-off; see the table"
                                                       : NULL;
        /* The verdict is the speedup's 95 % interval over every repetition of the two instances. */
        const vr_verdict v = signoff ? vr_check_speedup(ctx->r, VK_SECTION, target, subject, ctx->records,
                                                        base ? base->instance : NULL, b->instance, check_na, &speedup)
                                     : VR_NA;
        /* The table shows the same estimate as the sign-off (taken from its check when there is one), not a
         * ratio of medians beside it; the medians' ratio only when the repetitions give no estimate. */
        if (!na && !isfinite(speedup))
            speedup = vr_speedup_estimate(ctx->records, base->instance, b->instance);
        if (!na && !isfinite(speedup))
            speedup = base->median_s / b->median_s;
        snprintf(sp, sizeof sp, isfinite(speedup) ? "%.2f×" : "—", speedup);
        if (signoff) {
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
        /* Roofline: the bare GEMV reads every packed byte once per call; the read roofline of its working set
         * is what the gemv suite measured beside it (GB/s over pct_of_roofline). */
        if (!na && b->kind == VB_MATMUL && b->op == TRIT_OP_GEMV) {
            const double bytes = (double)packed[b->f].alloc_bytes, gbps = bytes / b->median_s / 1e9;
            const double roof = b->suite_roof_pct > 0 && isfinite(b->suite_gbps)
                                    ? b->suite_gbps / (b->suite_roof_pct / 100.0)
                                    : 0.0;
            char g[32], rf[32], pct[32];
            snprintf(g, sizeof g, "%.1f", gbps);
            snprintf(rf, sizeof rf, roof > 0 ? "%.1f" : "unmeasured", roof);
            snprintf(pct, sizeof pct, roof > 0 ? "%.0f %%" : "—", 100.0 * gbps / roof);
            const char *rc[] = {shape, b->label, g, rf, pct};
            vr_table_add_row(ctx->t_roof, rc);
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
        const double gbps = (double)sh->rows * (double)sh->cols * 4.0 / b->median_s / 1e9;
        char t[32], cvs[32], g[32], nbuf[16];
        fmt_time(b->median_s, t, sizeof t);
        snprintf(cvs, sizeof cvs, isfinite(b->cv) ? "%.1f %%" : "—", b->cv * 100);
        snprintf(g, sizeof g, "%.1f GB/s", gbps);
        snprintf(nbuf, sizeof nbuf, "%zu", b->op == TRIT_OP_GEMV ? (size_t)1 : ctx->gemm_n);
        const char *cells[] = {shape, b->label,
                               b->bl_base ? (b->op == TRIT_OP_GEMV ? "RMSNorm + gemv" : "RMSNorm + gemm")
                                          : (b->op == TRIT_OP_GEMV ? "gemv" : "gemm"),
                               nbuf, t, cvs, g, best[slot_of(b)] == b ? "yes" : ""};
        vr_table_add_row(ctx->t_base, cells);
    }
}

int vk_speed_shape(vk_ctx *ctx, const trit_shape *sh, const trit_packed packed[TRIT_FMT_COUNT])
{
    vk_bench *bs = calloc(VK_CAP, sizeof *bs);
    if (!bs) {
        fprintf(stderr, "tritbench validate: kernels: out of memory judging %zux%zu\n", sh->rows, sh->cols);
        return -1;
    }
    const size_t nb = plan_shape(ctx, sh, bs, VK_CAP);
    const vk_bench *best[VK_SLOTS] = {NULL};
    for (size_t i = 0; i < nb; i++) {
        collect(ctx->records, &bs[i]);
        const int sl = slot_of(&bs[i]);
        if (bs[i].kind == VB_FP32 && !bs[i].na && (!best[sl] || bs[i].median_s < best[sl]->median_s))
            best[sl] = &bs[i];
    }
    report_rows(ctx, sh, packed, bs, nb, best);
    free(bs);
    return 0;
}
