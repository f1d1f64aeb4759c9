/* validate_e2e.c — the validator's end-to-end section: the decoder (model/decoder) in ternary (each wanted
 * format) and in FP32, loaded side by side, decode timed interleaved token by token at context 128 and
 * 512 (medians, same threads, this run); whole-model memory reduction; where decode time goes (per-phase
 * timers: the fraction outside the ternary matmuls). Full run: bitnet-2b; --quick: bitnet-large cut to 4
 * of its 24 layers (labelled), with the memory check on bitnet-2b's layout bytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tritbench/args.h" /* tb_list_contains */
#include "tritbench/decoder.h"
#include "tritbench/kernels.h"
#include "tritbench/models.h"
#include "tritbench/validate.h"

#define SECTION "e2e"
#define MAX_MODELS 3 /* i2, t5, fp32 */
#define MAX_REPS 15
#define N_CTX 2

static const size_t ctx_depth[N_CTX] = {128, 512};

typedef struct e2e_model {
    char label[32]; /* "i2", "t5", "fp32" */
    tb_decoder *d;
    bool fp32;
    double load_s;
    double t[N_CTX][MAX_REPS];
    int n[N_CTX];
    double median[N_CTX];
    double phase[N_CTX][TB_DEC_PH_COUNT];
} e2e_model;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(const double *v, int n)
{
    double tmp[MAX_REPS];
    memcpy(tmp, v, (size_t)n * sizeof *v);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

static double load_average(void)
{
    double l = -1;
    FILE *fp = fopen("/proc/loadavg", "r");
    if (fp) {
        if (fscanf(fp, "%lf", &l) != 1)
            l = -1;
        fclose(fp);
    }
    return l;
}

/* The widest runnable kernel variant that --variants allows (both GEMV and GEMM of it); NULL if none.
 * Without --variants this is trit_kernel_select's choice (TRIT_ISA honoured there). */
static const trit_kernel *pick_variant(const vr_options *vo, trit_op op, trit_format f)
{
    static const char *const pref[] = {"avx512_vnni", "avx512bw", "avx2_vnni", "avx2", "neon_dotprod", "neon",
                                       "scalar"};
    char why[256];
    if (!vo->variants || !*vo->variants)
        return trit_kernel_select(op, f, why, sizeof why);
    for (size_t i = 0; i < sizeof pref / sizeof pref[0]; i++) {
        const trit_kernel *v = trit_kernel_get(TRIT_OP_GEMV, f, pref[i]), *m = trit_kernel_get(TRIT_OP_GEMM, f, pref[i]);
        if (v && m && tb_list_contains(vo->variants, pref[i]) && trit_kernel_runnable(v, why, sizeof why) &&
            trit_kernel_runnable(m, why, sizeof why))
            return op == TRIT_OP_GEMV ? v : m;
    }
    return NULL;
}

static void opts_for(tb_decoder_opts *o, const vr_options *vo, int threads, bool fp32, trit_format f)
{
    tb_decoder_opts_default(o);
    o->variant = fp32 ? TB_DEC_FP32 : TB_DEC_TERNARY;
    o->format = f;
    if (!fp32) {
        o->gemv = pick_variant(vo, TRIT_OP_GEMV, f);
        o->gemm = pick_variant(vo, TRIT_OP_GEMM, f);
    }
    o->threads = threads;
    o->max_ctx = 520; /* decode at 512 */
    o->max_batch = 16;
    o->seed = vo->seed ? vo->seed : 1;
}

/* Every model decodes one token at the same depth in turn, so drift in machine load hits all alike. */
static void time_decode(e2e_model *m, int n_models, int ci, double budget_s, char *err, size_t err_len)
{
    const size_t ctx = ctx_depth[ci];
    float *logits = NULL;
    int vocab = 0;
    for (int i = 0; i < n_models; i++) {
        const int v = tb_decoder_config(m[i].d)->vocab;
        vocab = v > vocab ? v : vocab;
    }
    logits = malloc((size_t)vocab * sizeof *logits);
    if (!logits) {
        snprintf(err, err_len, "out of memory");
        return;
    }
    double round_s = 0;
    for (int i = 0; i < n_models; i++) { /* warm-up round, also sizes the repetitions */
        const double t0 = now_s();
        if (tb_decoder_fill_cache(m[i].d, ctx, 0xcac4e + ci) != 0 || tb_decoder_decode(m[i].d, 1, logits) != 0)
            snprintf(err, err_len, "decode failed (%.31s, ctx %zu)", m[i].label, ctx);
        round_s += now_s() - t0;
        tb_decoder_reset_times(m[i].d);
    }
    int reps = round_s > 0 ? (int)(budget_s / round_s) : MAX_REPS;
    reps = reps < 1 ? 1 : reps > MAX_REPS ? MAX_REPS : reps;
    for (int rep = 0; rep < reps && !err[0]; rep++)
        for (int i = 0; i < n_models; i++) {
            const int32_t token = (int32_t)((rep * 7919 + i * 31 + 5) % tb_decoder_config(m[i].d)->vocab);
            if (tb_decoder_set_pos(m[i].d, ctx) != 0)
                snprintf(err, err_len, "cannot rewind the KV cache");
            const double t0 = now_s();
            if (tb_decoder_decode(m[i].d, token, logits) != 0)
                snprintf(err, err_len, "decode failed (%.31s, ctx %zu)", m[i].label, ctx);
            m[i].t[ci][m[i].n[ci]++] = now_s() - t0;
        }
    for (int i = 0; i < n_models; i++) {
        m[i].median[ci] = m[i].n[ci] ? median_of(m[i].t[ci], m[i].n[ci]) : 0;
        tb_decoder_times(m[i].d, m[i].phase[ci]);
    }
    free(logits);
}

static double outside_matmul(const double *ph)
{
    double total = 0;
    for (int p = 0; p < TB_DEC_PH_COUNT; p++)
        total += ph[p];
    return total > 0 ? 1.0 - ph[TB_DEC_PH_MATMUL] / total : 0;
}

static void add_record(tb_results *res, const char *model, const e2e_model *m, int ci, int threads, double speedup)
{
    if (res->count == res->capacity)
        return;
    tb_record *rec = &res->records[res->count++];
    memset(rec, 0, sizeof *rec);
    snprintf(rec->family, sizeof rec->family, "e2e/%.64s/%.31s", model, m->label);
    snprintf(rec->run_name, sizeof rec->run_name, "%.100s/decode/ctx:%zu/threads:%d", rec->family, ctx_depth[ci],
             threads);
    snprintf(rec->name, sizeof rec->name, "%.200s_median", rec->run_name);
    rec->run_type = TB_RUN_AGGREGATE;
    snprintf(rec->aggregate_name, sizeof rec->aggregate_name, "median");
    snprintf(rec->aggregate_unit, sizeof rec->aggregate_unit, "time");
    rec->repetitions = m->n[ci];
    rec->threads = threads;
    rec->iterations = m->n[ci];
    rec->time_unit = TB_MS;
    rec->real_time = m->median[ci] * 1e3;
    rec->cpu_time = rec->real_time; /* wall clock only: the decoder's threads are not timed separately */
    const struct { const char *name; double v; } cs[] = {
        {"tokens/s", m->median[ci] > 0 ? 1.0 / m->median[ci] : 0},
        {"weights_bytes", (double)tb_decoder_weight_bytes_actual(m->d)},
        {"outside_matmul", outside_matmul(m->phase[ci])},
        {"speedup_vs_fp32", speedup},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0] && rec->n_counters < TB_MAX_COUNTERS; i++) {
        if (isnan(cs[i].v))
            continue;
        snprintf(rec->counters[rec->n_counters].name, sizeof rec->counters[0].name, "%s", cs[i].name);
        rec->counters[rec->n_counters++].value = cs[i].v;
    }
    snprintf(rec->label, sizeof rec->label, "%s", tb_decoder_kernel_desc(m->d));
}

/* Whole-model memory: FP32 bytes (allocated if the FP32 twin is loaded, else its layout bytes) over the
 * ternary model's allocated bytes. In --quick the loaded model is cut to a few layers, where the FP16
 * embedding dominates, so the check uses bitnet-2b's layout bytes (tests prove they equal allocation). */
static void memory_checks(vr_report *r, const vr_options *vo, const trit_model_config *cfg, const e2e_model *m,
                          int n_models, const e2e_model *fp32, int threads)
{
    tb_decoder_opts fo, to;
    for (int i = 0; i < n_models; i++) {
        if (m[i].fp32)
            continue;
        char subject[192];
        const tb_decoder_opts *mo = tb_decoder_options(m[i].d);
        double reduction;
        if (vo->quick) {
            const trit_model_config *full = trit_model_config_get("bitnet-2b");
            if (!full)
                continue;
            opts_for(&fo, vo, threads, true, mo->format);
            opts_for(&to, vo, threads, false, mo->format);
            reduction = (double)tb_decoder_weight_bytes(full, &fo) / (double)tb_decoder_weight_bytes(full, &to);
            snprintf(subject, sizeof subject, "bitnet-2b %.31s whole model, layout bytes (--quick: not loaded)",
                     m[i].label);
        } else {
            opts_for(&fo, vo, threads, true, mo->format);
            const double fb = fp32 ? (double)tb_decoder_weight_bytes_actual(fp32->d)
                                   : (double)tb_decoder_weight_bytes(cfg, &fo);
            reduction = fb / (double)tb_decoder_weight_bytes_actual(m[i].d);
            snprintf(subject, sizeof subject, "%.64s %.31s whole model (FP16 embedding/lm_head, FP32 norms)%s", cfg->name,
                     m[i].label, fp32 ? "" : "; FP32 bytes from the layout");
        }
        vr_check(r, SECTION, "model_memory_reduction", subject, reduction, NULL);
        char key[64];
        snprintf(key, sizeof key, "%.31s_model_memory_reduction", m[i].label);
        vr_metric(r, SECTION, key, reduction);
    }
}

static void speed_report(vr_report *r, const trit_model_config *cfg, const char *model_label, e2e_model *m,
                         int n_models, const e2e_model *fp32, int threads, const char *fp32_na)
{
    static const char *const head[] = {"weights", "kernels",       "weights GB",     "tok/s ctx 128", "tok/s ctx 512",
                                       "speedup 128", "speedup 512", "outside matmul"};
    char title[256];
    snprintf(title, sizeof title, "Decode, %s, %d thread%s: median of %d (ctx 128) / %d (ctx 512) interleaved tokens",
             model_label, threads, threads > 1 ? "s" : "", m[0].n[0], m[0].n[1]);
    vr_table *t = vr_table_new(r, SECTION, title, 8, head);
    tb_results res = {0};
    res.capacity = (size_t)n_models * N_CTX;
    res.records = calloc(res.capacity, sizeof *res.records);
    char tsv[1024] = "# weights\tctx 128\tctx 512\n";
    for (int i = 0; i < n_models; i++) {
        char c[8][64];
        double sp[N_CTX];
        for (int ci = 0; ci < N_CTX; ci++)
            sp[ci] = fp32 && !m[i].fp32 && m[i].median[ci] > 0 ? fp32->median[ci] / m[i].median[ci] : NAN;
        snprintf(c[0], sizeof c[0], "%.31s", m[i].label);
        snprintf(c[1], sizeof c[1], "%.60s", tb_decoder_kernel_desc(m[i].d));
        snprintf(c[2], sizeof c[2], "%.3f", (double)tb_decoder_weight_bytes_actual(m[i].d) / 1e9);
        snprintf(c[3], sizeof c[3], "%.2f", 1.0 / m[i].median[0]);
        snprintf(c[4], sizeof c[4], "%.2f", 1.0 / m[i].median[1]);
        for (int ci = 0; ci < N_CTX; ci++) {
            if (isnan(sp[ci]))
                snprintf(c[5 + ci], sizeof c[5], "n/a");
            else
                snprintf(c[5 + ci], sizeof c[5], "%.2fx", sp[ci]);
        }
        snprintf(c[7], sizeof c[7], "%.1f %%", 100 * outside_matmul(m[i].phase[0]));
        if (t) {
            const char *row[8] = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]};
            vr_table_add_row(t, row);
        }
        const size_t len = strlen(tsv);
        snprintf(tsv + len, sizeof tsv - len, "%.31s\t%.3f\t%.3f\n", m[i].label, 1.0 / m[i].median[0],
                 1.0 / m[i].median[1]);
        for (int ci = 0; ci < N_CTX; ci++) {
            if (res.records)
                add_record(&res, cfg->name, &m[i], ci, threads, sp[ci]);
            char key[64];
            snprintf(key, sizeof key, "%.31s_decode_ctx%zu_tokens_per_s", m[i].label, ctx_depth[ci]);
            vr_metric(r, SECTION, key, 1.0 / m[i].median[ci]);
            if (m[i].fp32)
                continue;
            snprintf(key, sizeof key, "%.31s_outside_matmul_ctx%zu", m[i].label, ctx_depth[ci]);
            vr_metric(r, SECTION, key, outside_matmul(m[i].phase[ci]));
            char subject[192];
            snprintf(subject, sizeof subject, "%.95s %.31s decode ctx %zu, %d thread%s", model_label, m[i].label,
                     ctx_depth[ci], threads, threads > 1 ? "s" : "");
            vr_check(r, SECTION, "e2e_decode_speedup", subject, isnan(sp[ci]) ? 0 : sp[ci],
                     isnan(sp[ci]) ? fp32_na : NULL);
            if (!isnan(sp[ci])) {
                snprintf(key, sizeof key, "%.31s_decode_speedup_ctx%zu", m[i].label, ctx_depth[ci]);
                vr_metric(r, SECTION, key, sp[ci]);
            }
        }
    }
    if (res.records) {
        vr_add_records(r, &res);
        free(res.records);
    }
    snprintf(title, sizeof title, "Decode tokens/s, %s, %d thread%s (median)", model_label, threads,
             threads > 1 ? "s" : "");
    vr_plot(r, SECTION, "e2e_decode", title,
            "set datafile separator '\\t'\nset style data histograms\nset style histogram clustered gap 1\n"
            "set style fill solid 0.8 border -1\nset ylabel 'tokens/s'\nset yrange [0:*]\n"
            "plot datafile using 2:xtic(1) title 'context 128', '' using 3 title 'context 512'",
            tsv);
}

static void phase_table(vr_report *r, const e2e_model *m, int n_models)
{
    const char *head[TB_DEC_PH_COUNT + 2];
    head[0] = "weights";
    head[1] = "context";
    for (int p = 0; p < TB_DEC_PH_COUNT; p++)
        head[p + 2] = tb_dec_phase_name((tb_dec_phase)p);
    vr_table *t = vr_table_new(r, SECTION, "Where decode time goes (% of the forward, per-phase timers)",
                               TB_DEC_PH_COUNT + 2, head);
    for (int i = 0; t && i < n_models; i++)
        for (int ci = 0; ci < N_CTX; ci++) {
            char c[TB_DEC_PH_COUNT + 2][32];
            const char *row[TB_DEC_PH_COUNT + 2];
            double total = 0;
            for (int p = 0; p < TB_DEC_PH_COUNT; p++)
                total += m[i].phase[ci][p];
            snprintf(c[0], sizeof c[0], "%.31s", m[i].label);
            snprintf(c[1], sizeof c[1], "%zu", ctx_depth[ci]);
            for (int p = 0; p < TB_DEC_PH_COUNT; p++)
                snprintf(c[p + 2], sizeof c[0], "%.1f", total > 0 ? 100 * m[i].phase[ci][p] / total : 0.0);
            for (int k = 0; k < TB_DEC_PH_COUNT + 2; k++)
                row[k] = c[k];
            vr_table_add_row(t, row);
        }
}

/* Which published configurations this machine can hold, ternary and FP32: the 100B class is refused
 * here, not attempted. */
static void fit_table(vr_report *r, const vr_options *vo, int threads)
{
    static const char *const head[] = {"model", "ternary i2 needs GB", "FP32 needs GB", "available GB",
                                       "ternary", "FP32"};
    vr_table *t = vr_table_new(r, SECTION, "Models against this machine's memory (checked before loading)", 6, head);
    size_t n;
    const trit_model_config *cs = trit_model_configs(&n);
    for (size_t i = 0; t && i < n; i++) {
        tb_decoder_opts to, fo;
        opts_for(&to, vo, threads, false, TRIT_FMT_I2);
        opts_for(&fo, vo, threads, true, TRIT_FMT_I2);
        char msg[512], c[6][64];
        snprintf(c[0], sizeof c[0], "%.60s", cs[i].name);
        snprintf(c[1], sizeof c[1], "%.2f", (double)tb_decoder_total_bytes(&cs[i], &to) / 1e9);
        snprintf(c[2], sizeof c[2], "%.2f", (double)tb_decoder_total_bytes(&cs[i], &fo) / 1e9);
        snprintf(c[3], sizeof c[3], "%.2f", (double)tb_decoder_mem_available(&to) / 1e9);
        snprintf(c[4], sizeof c[4], "%s", tb_decoder_fits(&cs[i], &to, 0, msg, sizeof msg) ? "fits" : "does not fit");
        snprintf(c[5], sizeof c[5], "%s", tb_decoder_fits(&cs[i], &fo, 0, msg, sizeof msg) ? "fits" : "does not fit");
        const char *row[6] = {c[0], c[1], c[2], c[3], c[4], c[5]};
        vr_table_add_row(t, row);
    }
}

static int load_model(e2e_model *m, const trit_model_config *cfg, const tb_decoder_opts *o, char *msg,
                      size_t msg_len)
{
    const double t0 = now_s();
    m->d = tb_decoder_new(cfg, o, msg, msg_len);
    m->load_s = now_s() - t0;
    m->fp32 = o->variant == TB_DEC_FP32;
    snprintf(m->label, sizeof m->label, "%s", m->fp32 ? "fp32" : trit_format_name(o->format));
    return m->d ? 0 : -1;
}

int vr_section_e2e(vr_report *r, const vr_options *o)
{
    if (o->suite && strcmp(o->suite, "e2e") != 0 && strcmp(o->suite, "all") != 0)
        return 0;
    const int threads = o->threads > 0 ? o->threads : 1;
    trit_model_config cfg;
    const trit_model_config *base = trit_model_config_get(o->quick ? "bitnet-large" : "bitnet-2b");
    if (!base) {
        fprintf(stderr, "validate e2e: model configuration missing\n");
        return -1;
    }
    cfg = *base;
    char model_label[96];
    if (o->quick) {
        cfg.n_layers = 4;
        snprintf(model_label, sizeof model_label, "%s-4L (4 of %d layers, --quick)", base->name, base->n_layers);
    } else {
        snprintf(model_label, sizeof model_label, "%s", base->name);
    }
    const double t_start = now_s();
    const double load_before = load_average();
    fit_table(r, o, threads); /* before loading anything: what this machine can hold */
    e2e_model models[MAX_MODELS];
    memset(models, 0, sizeof models);
    int n = 0;
    char msg[512];
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!tb_list_contains(o->formats, trit_format_name((trit_format)f)))
            continue;
        tb_decoder_opts to;
        opts_for(&to, o, threads, false, (trit_format)f);
        if (!to.gemv || !to.gemm) {
            vr_note(r, SECTION, "%s %s not run: no runnable kernel variant among --variants=%s", model_label,
                    trit_format_name((trit_format)f), o->variants ? o->variants : "(all)");
            continue;
        }
        if (load_model(&models[n], &cfg, &to, msg, sizeof msg) != 0) {
            vr_note(r, SECTION, "%s %s not run: %s", model_label, trit_format_name((trit_format)f), msg);
            continue;
        }
        n++;
    }
    if (n == 0) {
        vr_check(r, SECTION, "e2e_decode_speedup", model_label, 0, "no ternary model could be loaded (see notes)");
        vr_check(r, SECTION, "model_memory_reduction", model_label, 0, "no ternary model could be loaded");
        return 0;
    }
    /* The FP32 twin must fit beside the ternary models (timed interleaved); they are resident by now, so
     * MemAvailable already counts them. */
    tb_decoder_opts fo;
    opts_for(&fo, o, threads, true, TRIT_FMT_I2);
    char fp32_na[512] = "";
    e2e_model *fp32 = NULL;
    if (!tb_decoder_fits(&cfg, &fo, 0, msg, sizeof msg))
        snprintf(fp32_na, sizeof fp32_na, "FP32 model not run: %.480s", msg);
    else if (load_model(&models[n], &cfg, &fo, msg, sizeof msg) != 0)
        snprintf(fp32_na, sizeof fp32_na, "FP32 model not run: %.480s", msg);
    else
        fp32 = &models[n++];
    if (fp32_na[0])
        vr_note(r, SECTION, "%s; ternary figures stand alone.", fp32_na);

    char err[256] = "";
    /* Timed decoding gets what is left of the section's bound (3 min, 15 s with --quick) after loading,
     * up to 25 s (2 s) per depth: on a VM where first-touching 10 GB of FP32 weights takes a minute, fewer
     * tokens per median is the price of a bounded run (the table says how many). */
    const double bound = o->quick ? 14.0 : 170.0, per_ctx_cap = o->quick ? 2.0 : 25.0;
    for (int ci = 0; ci < N_CTX && !err[0]; ci++) {
        double budget = (bound - (now_s() - t_start)) / (double)(N_CTX - ci) - 2.0;
        budget = budget > per_ctx_cap ? per_ctx_cap : budget;
        time_decode(models, n, ci, budget, err, sizeof err);
    }
    if (err[0]) {
        fprintf(stderr, "validate e2e: %s\n", err);
        for (int i = 0; i < n; i++)
            tb_decoder_free(models[i].d);
        return -1;
    }
    memory_checks(r, o, &cfg, models, n, fp32, threads);
    speed_report(r, &cfg, model_label, models, n, fp32, threads, fp32_na);
    phase_table(r, models, n);

    for (int i = 0; i < n; i++)
        vr_note(r, SECTION, "%s: %s; weights %.3f GB generated from seed %llu in %.1f s.", models[i].label,
                tb_decoder_kernel_desc(models[i].d), (double)tb_decoder_weight_bytes_actual(models[i].d) / 1e9,
                o->seed ? o->seed : 1ull, models[i].load_s);
    vr_note(r, SECTION,
            "Decode is one token at context depth 128 / 512 (KV cache filled with seeded values; attention cost "
            "depends on the depth only), models in turn token by token. \"outside matmul\" is the share of the "
            "forward outside the seven projections' matmuls: activation quantization + rescale, attention, "
            "norms, gating, lm_head (%s). Process peak RSS %.2f GB. Load average %.2f before, %.2f after: on a "
            "shared machine the medians carry that noise. Section time %.0f s.",
            fp32 ? "FP32 in the FP32 model" : "FP16 in the ternary model", (double)tb_process_peak_rss() / 1e9,
            load_before, load_average(), now_s() - t_start);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads > 1 && cpus > 0 && load_before > (double)cpus)
        vr_note(r, SECTION,
                "The machine was busy (load %.1f on %ld CPUs): with more runnable threads than cores, OpenMP "
                "workers spinning at the decoder's ~8 barriers per layer starve the thread doing the work, and "
                "%d-thread figures mostly measure the scheduler. OMP_WAIT_POLICY=passive makes them usable there.",
                load_before, cpus, threads);
    vr_note(r, SECTION,
            "In kind: the baseline here is FP32 (OpenBLAS sgemv), which reads 2x the bytes of llama.cpp's FP16, so "
            "these speedups are not comparable 1:1 with bitnet.cpp's 2.37-6.17x over llama.cpp FP16 on x86; at "
            "equal bandwidth an FP16 baseline would be ~2x faster than this one.");
    for (int i = 0; i < n; i++)
        tb_decoder_free(models[i].d);
    return 0;
}
