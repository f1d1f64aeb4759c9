/* validate_model.c — `tritbench validate --model FILE`: per-layer validation of a real checkpoint.
 * Every 2-D linear weight `convert` would quantize (same selection, same default excludes) is quantized
 * here (absmean, per tensor) and packed in each enabled format; the section reports its memory (FP32,
 * packed as allocated, theoretical 1.58 bits), its −1/0/+1 distribution, the quantization error of the
 * layer output on seeded activations (catalog.h) against the FP32 layer, and the fidelity of the kernel
 * the dispatcher picks against an FP64 oracle of the quantized math; then the model-level memory
 * reduction including the excluded tensors, and the GEMV speed per distinct layer shape: the gemv suite's
 * instances on the checkpoint's own shapes (ternary kernel the dispatcher picks vs the fastest FP32 baseline,
 * one interleaved harness run per shape; seeded weights, speed does not depend on values). A checkpoint that `convert`
 * already packed is read as such: its packed layers have no FP32 original, so their NMSE/cosine are N/A. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/sections/section_plots.h"
#include "tritbench/baselines.h"
#include "tritbench/catalog.h"
#include "tritbench/kernels.h"
#include "tritbench/quant.h"
#include "tritbench/safetensors.h"
#include "tritbench/suites.h"
#include "tritbench/validate.h"

#define SECTION "model"
#define N_TOKENS 4         /* seeded activation rows per layer for the error measurements */
#define QUICK_MAX_LAYERS 16 /* --quick: the first layers only */
#define MAX_SHAPES 64       /* distinct shapes timed */

typedef struct model_totals {
    double fp32_all;                      /* every tensor as FP32 (non-float tensors as stored) */
    double stored_all;                    /* the checkpoint as stored */
    double fp32_linear;                   /* the quantized layers in FP32 */
    double packed_linear[TRIT_FMT_COUNT]; /* the same, packed (allocated bytes) */
    double kept_fp32, kept_stored;        /* everything not quantized */
    double kept_emb16;                    /* the same with embeddings/lm_head FP16 (the profile's definition) */
    double zeros, weights;
    double worst_nmse, worst_cos, worst_fid;
    char worst_nmse_name[128], worst_cos_name[128], worst_fid_name[160];
    size_t n_layers, n_nmse;
} model_totals;

typedef struct layer_result {
    double fp32_bytes, packed_bytes[TRIT_FMT_COUNT], bits158_bytes;
    double neg, zero, pos;
    double nmse, cosine; /* NaN when there is no FP32 original */
    double fidelity;     /* worst over formats: NMSE of the kernel output vs the FP64 quantized oracle */
    size_t acc_mismatch; /* accumulators that differ from the exact integer dot product */
} layer_result;

static void formats_enabled(const vr_options *o, bool on[TRIT_FMT_COUNT])
{
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        on[f] = tb_list_contains(o->formats, trit_format_name((trit_format)f)); /* NULL or "" = all */
}

/* What both the instance declaration and the judge start from: the checkpoint, the formats asked for, and
 * the tensors `convert` would quantize by default. 0, or -1 after the message. */
static int open_model(const vr_options *o, st_model *m, bool fmt_on[TRIT_FMT_COUNT], st_convert_opts *sel)
{
    char err[1024] = "";
    if (st_model_open(o->model_path, m, err, sizeof err) != 0) {
        fprintf(stderr, "validate --model: %s\n", err);
        return -1;
    }
    formats_enabled(o, fmt_on);
    *sel = (st_convert_opts){.format = TRIT_FMT_I2};
    const char *const *ex = st_default_excludes(&sel->n_excludes);
    for (size_t i = 0; i < sel->n_excludes; i++)
        sel->excludes[i] = ex[i];
    return 0;
}

/* Exact Σ w·x in int64 and the FP64 rescale: the oracle every kernel must match. */
static void oracle(const int8_t *wq, const float *gamma, trit_granularity g, const trit_act *a, size_t M, int64_t *acc,
                   double *y)
{
    const size_t K = a->cols;
    for (size_t n = 0; n < a->rows; n++)
        for (size_t m = 0; m < M; m++) {
            const int8_t *w = wq + m * K, *x = a->q + n * a->stride;
            int64_t s = 0;
            for (size_t k = 0; k < K; k++)
                s += (int64_t)w[k] * x[k];
            acc[n * M + m] = s;
            y[n * M + m] = (double)s * (double)gamma[g == TRIT_SCALE_ROW ? m : 0] / (double)a->scale[n];
        }
}

static double nmse_of(const float *y, const double *ref, size_t n, double *cosine)
{
    double se = 0, sr = 0, sy = 0, dot = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)y[i] - ref[i];
        se += d * d;
        sr += ref[i] * ref[i];
        sy += (double)y[i] * y[i];
        dot += (double)y[i] * ref[i];
    }
    if (cosine)
        *cosine = sr > 0 && sy > 0 ? dot / sqrt(sr * sy) : (sr == 0 && sy == 0 ? 1.0 : 0.0);
    return sr > 0 ? se / sr : (se > 0 ? INFINITY : 0.0);
}

typedef struct layer_bufs {
    float *X, *Y;
    double *ref32, *refq;
    int64_t *acc_exact;
    int32_t *acc;
    trit_act act;
} layer_bufs;

static void bufs_free(layer_bufs *b)
{
    free(b->X);
    free(b->Y);
    free(b->ref32);
    free(b->refq);
    free(b->acc_exact);
    free(b->acc);
    trit_act_free(&b->act);
    memset(b, 0, sizeof *b);
}

static int bufs_alloc(layer_bufs *b, size_t M, size_t K)
{
    memset(b, 0, sizeof *b);
    b->X = malloc(N_TOKENS * K * sizeof *b->X);
    b->Y = malloc(N_TOKENS * M * sizeof *b->Y);
    b->ref32 = malloc(N_TOKENS * M * sizeof *b->ref32);
    b->refq = malloc(N_TOKENS * M * sizeof *b->refq);
    b->acc_exact = malloc(N_TOKENS * M * sizeof *b->acc_exact);
    b->acc = trit_aligned_alloc(N_TOKENS * M * sizeof *b->acc);
    if (!b->X || !b->Y || !b->ref32 || !b->refq || !b->acc_exact || !b->acc || trit_act_alloc(&b->act, N_TOKENS, K)) {
        bufs_free(b);
        return -1;
    }
    return 0;
}

/* Quantization error and kernel fidelity of one layer. W may be NULL (already packed: no FP32 original). */
static int measure_layer(const vr_options *o, const bool fmt_on[TRIT_FMT_COUNT], const float *W, const int8_t *wq,
                         const float *gamma, trit_granularity g, size_t M, size_t K, size_t layer_index,
                         layer_result *res, char *why, size_t why_len)
{
    layer_bufs b;
    if (bufs_alloc(&b, M, K) != 0) {
        snprintf(why, why_len, "out of memory for %zux%zu", M, K);
        return -1;
    }
    trit_fill_activations(b.X, N_TOKENS, K, false, o->seed * 1000003u + layer_index);
    int rc = -1;
    if (trit_quantize_activations(b.X, K, &b.act) != 0) {
        snprintf(why, why_len, "activation quantization failed");
        goto done;
    }
    oracle(wq, gamma, g, &b.act, M, b.acc_exact, b.refq);
    res->nmse = res->cosine = NAN;
    if (W) {
        for (size_t n = 0; n < N_TOKENS; n++)
            for (size_t m = 0; m < M; m++) {
                double s = 0;
                for (size_t k = 0; k < K; k++)
                    s += (double)W[m * K + k] * b.X[n * K + k];
                b.ref32[n * M + m] = s;
            }
        /* The quantized layer in FP32 as BitLinear computes it: y = acc · γ / s. */
        for (size_t i = 0; i < N_TOKENS * M; i++)
            b.Y[i] = (float)b.refq[i];
        res->nmse = nmse_of(b.Y, b.ref32, N_TOKENS * M, &res->cosine);
    }
    res->fidelity = 0;
    res->acc_mismatch = 0;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!fmt_on[f])
            continue;
        char err[160];
        const trit_kernel *k = tb_suite_pick_kernel(TRIT_OP_GEMM, (trit_format)f, NULL, err, sizeof err);
        trit_packed p;
        if (!k) {
            snprintf(why, why_len, "no %s GEMM kernel: %s", trit_format_name((trit_format)f), err);
            goto done;
        }
        if (trit_packed_alloc(&p, (trit_format)f, g, M, K) != 0 || trit_pack(&p, wq, gamma) != 0) {
            trit_packed_free(&p);
            snprintf(why, why_len, "packing %s failed", trit_format_name((trit_format)f));
            goto done;
        }
        res->packed_bytes[f] = (double)p.alloc_bytes;
        const int mrc = trit_matmul(k, &p, &b.act, o->threads > 0 ? o->threads : 1, b.acc);
        if (mrc == 0)
            trit_rescale(&p, &b.act, b.acc, NULL, b.Y);
        trit_packed_free(&p);
        if (mrc != 0) {
            snprintf(why, why_len, "trit_matmul failed for %s", trit_format_name((trit_format)f));
            goto done;
        }
        for (size_t i = 0; i < N_TOKENS * M; i++)
            res->acc_mismatch += b.acc[i] != b.acc_exact[i];
        const double fid = nmse_of(b.Y, b.refq, N_TOKENS * M, NULL);
        if (fid > res->fidelity || isnan(fid))
            res->fidelity = fid;
    }
    rc = 0;
done:
    bufs_free(&b);
    return rc;
}

/* One quantized layer: its weights in, its table row and totals out. */
static int do_layer(const vr_options *o, const st_model *m, const st_tensor *t, bool packed,
                    const bool fmt_on[TRIT_FMT_COUNT], size_t index, vr_table *tab, FILE *plot, model_totals *tot)
{
    char err[512] = "";
    trit_packed p = {0};
    size_t M, K;
    if (packed) {
        if (st_load_packed(m, t->name, &p, err, sizeof err) != 0) {
            fprintf(stderr, "validate --model: %s\n", err);
            return -1;
        }
        M = p.rows;
        K = p.cols;
    } else {
        M = (size_t)t->shape[0];
        K = (size_t)t->shape[1];
    }
    float *W = packed ? NULL : malloc(M * K * sizeof *W);
    int8_t *wq = malloc(M * K);
    float gamma1 = 0, *gamma = &gamma1;
    trit_granularity g = TRIT_SCALE_TENSOR;
    layer_result res;
    memset(&res, 0, sizeof res);
    int rc = -1;
    if ((!packed && !W) || !wq) {
        snprintf(err, sizeof err, "out of memory for %zux%zu", M, K);
    } else if (packed) {
        gamma = p.scales; /* the file's own γ (one per tensor or per row) */
        g = p.granularity;
        rc = trit_unpack(&p, wq) == 0 ? 0 : -1;
        if (rc)
            snprintf(err, sizeof err, "corrupt packed codes");
    } else if (st_tensor_to_f32(t, W, err, sizeof err) == 0) {
        const trit_wquant_opts qo = {TRIT_SCALE_TENSOR, TRIT_WQ_ABSMEAN, 0.0f};
        rc = trit_quantize_weights(W, M, K, &qo, wq, gamma);
        if (rc)
            snprintf(err, sizeof err, "non-finite weight (NaN or Inf)");
    }
    if (rc == 0) {
        size_t cnt[3] = {0, 0, 0};
        for (size_t i = 0; i < M * K; i++)
            cnt[wq[i] + 1]++;
        res.neg = (double)cnt[0] / (double)(M * K);
        res.zero = (double)cnt[1] / (double)(M * K);
        res.pos = (double)cnt[2] / (double)(M * K);
        tot->zeros += (double)cnt[1];
        tot->weights += (double)(M * K);
        rc = measure_layer(o, fmt_on, W, wq, gamma, g, M, K, index, &res, err, sizeof err);
    }
    free(W);
    free(wq);
    trit_packed_free(&p); /* gamma may point into it: not used below */
    if (rc != 0) {
        fprintf(stderr, "validate --model: %s: tensor '%s': %s\n", m->path, t->name, err);
        return -1;
    }
    res.fp32_bytes = 4.0 * (double)M * (double)K;
    res.bits158_bytes = (double)M * (double)K * log2(3.0) / 8.0;
    tot->fp32_linear += res.fp32_bytes;
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        tot->packed_linear[f] += res.packed_bytes[f];
    tot->n_layers++;
    if (!isnan(res.nmse)) {
        tot->n_nmse++;
        if (res.nmse > tot->worst_nmse || tot->n_nmse == 1) {
            tot->worst_nmse = res.nmse;
            snprintf(tot->worst_nmse_name, sizeof tot->worst_nmse_name, "%s", t->name);
        }
        if (res.cosine < tot->worst_cos || tot->n_nmse == 1) {
            tot->worst_cos = res.cosine;
            snprintf(tot->worst_cos_name, sizeof tot->worst_cos_name, "%s", t->name);
        }
    }
    if (res.fidelity > tot->worst_fid || tot->n_layers == 1 || isnan(res.fidelity)) {
        tot->worst_fid = res.fidelity;
        snprintf(tot->worst_fid_name, sizeof tot->worst_fid_name, "%s (%zu accumulators off)", t->name, res.acc_mismatch);
    }
    char shape[48], fp[32], pk[64] = "", th[32], sp[32], dist[64], nm[32], cs[32], fd[48];
    snprintf(shape, sizeof shape, "%zux%zu", M, K);
    snprintf(fp, sizeof fp, "%.0f", res.fp32_bytes);
    for (int f = 0, at = 0; f < TRIT_FMT_COUNT; f++)
        if (fmt_on[f] && at < (int)sizeof pk)
            at += snprintf(pk + at, sizeof pk - (size_t)at, "%s%s %.0f", at ? ", " : "", trit_format_name((trit_format)f),
                           res.packed_bytes[f]);
    snprintf(th, sizeof th, "%.0f", res.bits158_bytes);
    snprintf(sp, sizeof sp, "%.1f %%", 100 * res.zero);
    snprintf(dist, sizeof dist, "%.1f / %.1f / %.1f %%", 100 * res.neg, 100 * res.zero, 100 * res.pos);
    snprintf(nm, sizeof nm, isnan(res.nmse) ? "n/a (packed)" : "%.4f", res.nmse);
    snprintf(cs, sizeof cs, isnan(res.cosine) ? "n/a (packed)" : "%.5f", res.cosine);
    snprintf(fd, sizeof fd, "%.2g (%zu off)", res.fidelity, res.acc_mismatch);
    const char *cells[] = {t->name, shape, packed ? "packed" : st_dtype_name(t->dtype), fp, pk, th, sp, dist, nm, cs, fd};
    vr_table_add_row(tab, cells);
    char field[1024]; /* a tensor name with a tab or newline must not split the row */
    vr_tsv_field(field, sizeof field, t->name);
    fprintf(plot, "%zu\t%s\t%.6g\t%.6g\n", index, field, isnan(res.nmse) ? 0.0 : res.nmse, res.zero);
    return 0;
}

static int threads_of(const vr_options *o) { return o->threads > 0 ? o->threads : 1; }

/* The ternary GEMV kernel timed per format: the dispatcher's choice (what users get). */
static const trit_kernel *timed_kernel(trit_format f, char *err, size_t err_len)
{
    return tb_suite_pick_kernel(TRIT_OP_GEMV, f, NULL, err, err_len);
}

/* Median seconds of an instance's records; NaN (why says so) when it has none usable. */
static double record_seconds(const tb_results *records, const char *instance, char *why, size_t why_len)
{
    const tb_record *med = vr_record(records, instance, "median");
    if (!med) {
        snprintf(why, why_len, "no result from the harness for %.150s", instance);
        return NAN;
    }
    if (med->error_occurred || med->skipped) {
        snprintf(why, why_len, "%.250s", med->error_occurred ? med->error_message : med->skip_message);
        return NAN;
    }
    return med->real_time * tb_time_unit_seconds(med->time_unit);
}

/* GEMV on one layer shape, judged from the gemv suite's records: the fastest FP32 baseline that ran vs the
 * ternary GEMV kernel the dispatcher picks, per enabled format. */
static void judge_shape(vr_report *r, const vr_options *o, const bool fmt_on[TRIT_FMT_COUNT], size_t M, size_t K,
                        vr_table *tab, const tb_results *records)
{
    char shape[64], suffix[96];
    snprintf(shape, sizeof shape, "%zux%zu", M, K);
    snprintf(suffix, sizeof suffix, "/%s/threads:%d", shape, threads_of(o));
    double best_fp32 = INFINITY;
    char best_name[64] = "none";
    for (size_t i = 0; records && i < records->count; i++) {
        const tb_record *rec = &records->records[i];
        const size_t n = strlen(rec->run_name), ns = strlen(suffix);
        if (strncmp(rec->run_name, "gemv/fp32/", 10) != 0 || n <= 10 + ns || strcmp(rec->run_name + n - ns, suffix) != 0)
            continue;
        char why[256];
        const double t = record_seconds(records, rec->run_name, why, sizeof why);
        if (t < best_fp32) {
            best_fp32 = t;
            snprintf(best_name, sizeof best_name, "%.*s", (int)(n - 10 - ns), rec->run_name + 10);
        }
    }
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!fmt_on[f])
            continue;
        char err[256], subject[192], kname[64], instance[TB_NAME_MAX];
        const trit_kernel *k = timed_kernel((trit_format)f, err, sizeof err);
        if (!k) {
            snprintf(subject, sizeof subject, "gemv/%s %s", trit_format_name((trit_format)f), shape);
            vr_check(r, SECTION, "speedup_gemv", subject, NAN, err);
            continue;
        }
        trit_kernel_name(k, kname, sizeof kname);
        snprintf(instance, sizeof instance, "%s%s", kname, suffix);
        const double t = record_seconds(records, instance, err, sizeof err);
        snprintf(subject, sizeof subject, "%s %s vs fp32/%s (model layer shape)", kname, shape, best_name);
        const char *na = isnan(t) ? err : isfinite(best_fp32) ? NULL : "no FP32 baseline ran here";
        /* The verdict is the speedup's 95 % interval over every repetition of the two instances; the table
         * shows the same estimate (a ratio of medians only when there is no interval to take it from). */
        char base_inst[TB_NAME_MAX];
        snprintf(base_inst, sizeof base_inst, "gemv/fp32/%s%s", best_name, suffix);
        double speedup = NAN;
        const vr_verdict v =
            vr_check_speedup(r, SECTION, "speedup_gemv", subject, records, base_inst, instance, na, &speedup);
        if (!isfinite(speedup))
            speedup = best_fp32 / t;
        char tf[32], tt[32], sx[32], fb[80];
        snprintf(tf, sizeof tf, "%.1f", best_fp32 * 1e6);
        snprintf(tt, sizeof tt, "%.1f", t * 1e6);
        snprintf(sx, sizeof sx, na ? "—" : "%.2f×", speedup);
        snprintf(fb, sizeof fb, "fp32/%s", best_name);
        const char *cells[] = {shape, kname, tt, fb, tf, sx, vr_verdict_name(v)};
        vr_table_add_row(tab, cells);
        if (!na)
            vr_metric(r, SECTION, "speedup_gemv_min", speedup);
    }
}

static void model_checks(vr_report *r, const st_model *m, const bool fmt_on[TRIT_FMT_COUNT], const model_totals *t)
{
    char subject[256];
    if (t->n_nmse) {
        snprintf(subject, sizeof subject, "worst layer: %s", t->worst_nmse_name);
        vr_check(r, SECTION, "nmse", subject, t->worst_nmse, NULL);
        snprintf(subject, sizeof subject, "worst layer: %s", t->worst_cos_name);
        vr_check(r, SECTION, "cosine", subject, t->worst_cos, NULL);
    } else {
        vr_check(r, SECTION, "nmse", "all layers", NAN, "the checkpoint is already packed: no FP32 weights to compare");
        vr_check(r, SECTION, "cosine", "all layers", NAN, "the checkpoint is already packed: no FP32 weights to compare");
    }
    vr_check(r, SECTION, "sparsity", "all quantized layers", t->zeros / t->weights, NULL);
    snprintf(subject, sizeof subject, "worst layer: %s", t->worst_fid_name);
    vr_check(r, SECTION, "fidelity", subject, t->worst_fid, NULL);
    vr_metric(r, SECTION, "layers", (double)t->n_layers);
    vr_metric(r, SECTION, "worst_nmse", t->worst_nmse);
    vr_metric(r, SECTION, "sparsity", t->zeros / t->weights);
    static const char *const h[] = {"Format", "FP32 linear", "Packed linear", "Linear reduction", "FP32 model",
                                    "Packed model (emb/lm_head FP16)", "Model reduction", "Packed (rest FP32)",
                                    "Reduction (rest FP32)", "Stored model", "Packed (rest as stored)", "vs stored"};
    vr_table *tab = vr_table_new(r, SECTION, "Model memory (excluded tensors included)", 12, h);
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!fmt_on[f])
            continue;
        const double lin = t->fp32_linear / t->packed_linear[f];
        const double whole = t->fp32_all / (t->packed_linear[f] + t->kept_emb16);
        const double rest32 = t->fp32_all / (t->packed_linear[f] + t->kept_fp32);
        const double stored = t->stored_all / (t->packed_linear[f] + t->kept_stored);
        snprintf(subject, sizeof subject, "%s: %zu quantized layers, %s", m->path, t->n_layers,
                 trit_format_name((trit_format)f));
        vr_check(r, SECTION, "memory_reduction", subject, lin, NULL);
        snprintf(subject, sizeof subject, "%s: whole model, %s, embeddings/lm_head FP16", m->path,
                 trit_format_name((trit_format)f));
        vr_check(r, SECTION, "model_memory_reduction", subject, whole, NULL);
        char c[12][48];
        const double mib = 1048576.0;
        snprintf(c[0], 48, "%s", trit_format_name((trit_format)f));
        snprintf(c[1], 48, "%.2f MiB", t->fp32_linear / mib);
        snprintf(c[2], 48, "%.2f MiB", t->packed_linear[f] / mib);
        snprintf(c[3], 48, "%.2f×", lin);
        snprintf(c[4], 48, "%.2f MiB", t->fp32_all / mib);
        snprintf(c[5], 48, "%.2f MiB", (t->packed_linear[f] + t->kept_emb16) / mib);
        snprintf(c[6], 48, "%.2f×", whole);
        snprintf(c[7], 48, "%.2f MiB", (t->packed_linear[f] + t->kept_fp32) / mib);
        snprintf(c[8], 48, "%.2f×", rest32);
        snprintf(c[9], 48, "%.2f MiB", t->stored_all / mib);
        snprintf(c[10], 48, "%.2f MiB", (t->packed_linear[f] + t->kept_stored) / mib);
        snprintf(c[11], 48, "%.2f×", stored);
        const char *cells[12];
        for (int i = 0; i < 12; i++)
            cells[i] = c[i];
        vr_table_add_row(tab, cells);
        vr_metric(r, SECTION, f == TRIT_FMT_I2 ? "model_memory_reduction_i2" : "model_memory_reduction_t5", whole);
    }
}

static int model_run(vr_report *r, const vr_options *o, const tb_results *records)
{
    if (!o->model_path)
        return 0;
    st_model m;
    bool fmt_on[TRIT_FMT_COUNT];
    st_convert_opts sel;
    if (open_model(o, &m, fmt_on, &sel) != 0)
        return -1;
    char err[1024] = "";
    static const char *const h[] = {"Layer", "Shape", "Source", "FP32 bytes", "Packed bytes", "1.58-bit bytes",
                                    "Sparsity", "−1 / 0 / +1", "NMSE", "Cosine", "Kernel fidelity (NMSE vs FP64)"};
    vr_table *tab = vr_table_new(r, SECTION, "Per-layer validation (absmean, per-tensor scale)", 11, h);
    model_totals tot;
    memset(&tot, 0, sizeof tot);
    char *plot_data = NULL;
    size_t plot_len = 0;
    FILE *plot = open_memstream(&plot_data, &plot_len);
    if (!plot) {
        st_model_close(&m);
        fprintf(stderr, "validate --model: out of memory\n");
        return -1;
    }
    fprintf(plot, "# index\tlayer\tnmse\tsparsity\n");
    size_t shapes[MAX_SHAPES][2], n_shapes = 0, skipped = 0;
    int rc = 0;
    for (size_t i = 0; i < m.n_tensors && rc == 0; i++) {
        const st_tensor *t = m.tensors[i];
        const double stored = (double)(t->end - t->begin);
        const double as_fp32 = st_dtype_is_float(t->dtype) ? 4.0 * (double)t->n_elems : stored;
        const bool packed = st_is_packed(&m, t->name);
        int q = packed ? 1 : st_convert_selects(&sel, t, err, sizeof err);
        size_t M = t->ndim == 2 ? (size_t)t->shape[0] : 0, K = t->ndim == 2 ? (size_t)t->shape[1] : 0;
        if (packed) { /* count the logical FP32 weights, not the codes */
            trit_format pf;
            trit_granularity pg;
            size_t bytes;
            if (st_packed_describe(&m, t->name, &pf, &pg, &M, &K, &bytes, err, sizeof err) != 0) {
                fprintf(stderr, "validate --model: %s\n", err);
                rc = -1;
                break;
            }
            tot.fp32_all += 4.0 * (double)M * (double)K;
            tot.stored_all += (double)bytes;
        } else if (strlen(t->name) > strlen(ST_PACKED_SCALE_SUFFIX)) {
            /* A packed layer's scale tensor belongs to the packed bytes, not to the kept tensors. */
            char base[512];
            const size_t bl = strlen(t->name) - strlen(ST_PACKED_SCALE_SUFFIX);
            snprintf(base, sizeof base, "%.*s", (int)bl, t->name);
            if (strcmp(t->name + bl, ST_PACKED_SCALE_SUFFIX) == 0 && st_is_packed(&m, base))
                continue;
        }
        if (q != 1) {
            tot.fp32_all += as_fp32;
            tot.stored_all += stored;
            tot.kept_fp32 += as_fp32;
            tot.kept_stored += stored;
            const bool emb = strstr(t->name, "embed") || strstr(t->name, "lm_head");
            tot.kept_emb16 += emb && st_dtype_is_float(t->dtype) ? 2.0 * (double)t->n_elems : as_fp32;
            continue;
        }
        if (!packed) {
            tot.fp32_all += as_fp32;
            tot.stored_all += stored;
        }
        if (o->quick && tot.n_layers >= QUICK_MAX_LAYERS) {
            skipped++;
            continue;
        }
        rc = do_layer(o, &m, t, packed, fmt_on, i, tab, plot, &tot);
        size_t s = 0;
        while (s < n_shapes && !(shapes[s][0] == M && shapes[s][1] == K))
            s++;
        if (s == n_shapes && n_shapes < MAX_SHAPES) {
            shapes[n_shapes][0] = M;
            shapes[n_shapes][1] = K;
            n_shapes++;
        }
    }
    if (rc == 0 && tot.n_layers == 0) {
        fprintf(stderr, "validate --model: %s: no 2-D linear weight to quantize (all excluded or none present)\n",
                m.path);
        rc = -1;
    }
    if (rc == 0) {
        if (skipped)
            vr_note(r, SECTION, "--quick: %zu of %zu linear layers validated (the first ones); the memory totals count "
                    "all of them as if packed the same way.", tot.n_layers, tot.n_layers + skipped);
        /* Skipped layers still count in the model memory: scale the measured packed bytes per FP32 byte. */
        if (skipped)
            for (int f = 0; f < TRIT_FMT_COUNT; f++)
                tot.packed_linear[f] *= (tot.fp32_all - tot.kept_fp32) / tot.fp32_linear;
        if (skipped)
            tot.fp32_linear = tot.fp32_all - tot.kept_fp32;
        vr_note(r, SECTION, "%s: %zu tensors, %zu quantized linear layers; excluded (kept): names matching the default "
                "excludes (embed, lm_head, norm) and every non-2-D or non-float tensor. Activations: %d seeded tokens "
                "per layer (seed %llu).", m.path, m.n_tensors, tot.n_layers + skipped, N_TOKENS, o->seed);
        model_checks(r, &m, fmt_on, &tot);
        model_add_plots(r, fclose(plot) == 0 ? plot_data : NULL, tot.n_nmse > 0);
        plot = NULL;
        static const char *const hs[] = {"Shape", "Ternary kernel", "Ternary µs", "FP32 baseline", "FP32 µs",
                                         "Speedup", "Verdict"};
        vr_table *ts = vr_table_new(r, SECTION, "GEMV on the model's own layer shapes (gemv suite instances, median "
                                    "of the repetitions; ternary = matmul on pre-quantized activations)", 7, hs);
        for (size_t s = 0; s < n_shapes; s++)
            judge_shape(r, o, fmt_on, shapes[s][0], shapes[s][1], ts, records);
        vr_note(r, SECTION, "GEMV timings repeat one weight matrix: a packed matrix that fits the last-level cache "
                    "stays hot while its FP32 original may not, so large ratios here overstate decode speedups of a "
                    "model that streams every layer from DRAM.");
    }
    if (plot)
        fclose(plot);
    free(plot_data);
    st_model_close(&m);
    return rc;
}

int vr_section_model(vr_report *r, const vr_options *o) { return model_run(r, o, NULL); }

static int model_judge(vr_report *r, const vr_options *o, const tb_results *records)
{
    return model_run(r, o, records);
}

/* The distinct shapes of the layers the section quantizes (the judge's selection: packed layers, and the
 * 2-D float tensors `convert` would pick; --quick: the first QUICK_MAX_LAYERS), each timed by the gemv suite:
 * every FP32 baseline and the dispatcher's ternary GEMV per format, one interleaved group per shape. */
static int model_instances(const vr_options *o, vr_instances *out)
{
    st_model m;
    bool fmt_on[TRIT_FMT_COUNT];
    st_convert_opts sel;
    if (open_model(o, &m, fmt_on, &sel) != 0)
        return -1;
    char err[1024] = "";
    out->repetitions = o->quick ? 3 : 5;
    out->min_time = o->quick ? 0.002 : 0.02;
    size_t layers = 0;
    for (size_t i = 0; i < m.n_tensors && out->n_extra_shapes < VR_MAX_EXTRA_SHAPES; i++) {
        const st_tensor *t = m.tensors[i];
        const bool packed = st_is_packed(&m, t->name);
        size_t M = t->ndim == 2 ? (size_t)t->shape[0] : 0, K = t->ndim == 2 ? (size_t)t->shape[1] : 0;
        if (packed) {
            trit_format pf;
            trit_granularity pg;
            size_t bytes;
            if (st_packed_describe(&m, t->name, &pf, &pg, &M, &K, &bytes, err, sizeof err) != 0)
                continue; /* the judge names the problem */
        } else if (st_convert_selects(&sel, t, err, sizeof err) != 1) {
            continue;
        }
        if (M == 0 || K == 0 || (o->quick && layers >= QUICK_MAX_LAYERS))
            continue;
        layers++;
        bool seen = false;
        for (size_t s = 0; s < out->n_extra_shapes && !seen; s++)
            seen = out->extra_shapes[s][0] == M && out->extra_shapes[s][1] == K;
        if (seen)
            continue;
        const unsigned g = (unsigned)out->n_extra_shapes;
        out->extra_shapes[g][0] = M;
        out->extra_shapes[g][1] = K;
        out->n_extra_shapes++;
        const char *fp32[16];
        const size_t nf = tb_suite_fp32_baselines(fp32, 16);
        for (size_t b = 0; b < nf; b++)
            vr_instances_add(out, g, "gemv/fp32/%s/%zux%zu/threads:%d", fp32[b], M, K, threads_of(o));
        for (int f = 0; f < TRIT_FMT_COUNT; f++) {
            char kname[64];
            const trit_kernel *k = fmt_on[f] ? timed_kernel((trit_format)f, err, sizeof err) : NULL;
            if (!k)
                continue;
            trit_kernel_name(k, kname, sizeof kname);
            vr_instances_add(out, g, "%s/%zux%zu/threads:%d", kname, M, K, threads_of(o));
        }
    }
    st_model_close(&m);
    return 0;
}

static const char *const model_targets[] = {"memory_reduction", "model_memory_reduction", "speedup_gemv", "fidelity",
                                            "nmse", "cosine", "sparsity", NULL};

const vr_section vr_model_section = {
    .name = "model",
    .description = "--model FILE: a safetensors checkpoint layer by layer (memory, error, sparsity, GEMV speed)",
    .targets = model_targets,
    .needs_model = true,
    .instances = model_instances,
    .judge = model_judge,
};
