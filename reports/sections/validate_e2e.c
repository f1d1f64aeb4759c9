/* validate_e2e.c — the validator's end-to-end section: decode tokens/s of the decoder (model/decoder) in ternary
 * (each wanted format) and in FP32 at context 128 and 512, measured by the e2e suite's instances
 * (`tritbench run --benchmark_filter='^e2e/bitnet-2b/'` runs the same ones) in one interleaved harness run,
 * same threads; whole-model memory reduction; where decode time goes (the suite's per-phase counters). Full
 * run: bitnet-2b; --quick: bitnet-large cut to 4 of its 24 layers (the suite's bitnet-large-4L), with the
 * memory check on bitnet-2b's layout bytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tritbench/decoder.h"
#include "tritbench/models.h"
#include "tritbench/suites.h"
#include "tritbench/validate.h"

#define SECTION "e2e"
#define MAX_MODELS 3 /* i2, t5, fp32 */
#define N_CTX 2

static const size_t ctx_depth[N_CTX] = {128, 512};

/* One decoder (a format, or FP32) as its records describe it. */
typedef struct e2e_model {
    char label[32]; /* "i2", "t5", "fp32" */
    bool fp32;
    trit_format format;
    bool ran;                /* every context depth has a usable median */
    char na[320];            /* why not, when !ran */
    char kernels[128];       /* the record's label: which kernels the decoder used */
    double weights_bytes, fp32_weights_bytes;
    int reps[N_CTX];
    double median[N_CTX];    /* seconds per token */
    double cv[N_CTX];
    double phase[N_CTX][TB_DEC_PH_COUNT]; /* fractions of the forward */
} e2e_model;

static const char *model_name(const vr_options *o) { return o->quick ? "bitnet-large-4L" : "bitnet-2b"; }

static int e2e_repetitions(const vr_options *o) { return o->quick ? 5 : 9; }

static void instance_name(char *buf, size_t len, const vr_options *o, const char *weights, size_t ctx)
{
    snprintf(buf, len, "e2e/%.64s/%.31s/decode/ctx:%zu/threads:%d", model_name(o), weights, ctx,
             o->threads > 0 ? o->threads : 1);
}

/* The decoders this run wants: each format of --formats, then FP32. */
static int wanted_models(const vr_options *o, e2e_model *m)
{
    int n = 0;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!tb_list_contains(o->formats, trit_format_name((trit_format)f)))
            continue;
        memset(&m[n], 0, sizeof m[n]);
        m[n].format = (trit_format)f;
        snprintf(m[n].label, sizeof m[n].label, "%s", trit_format_name((trit_format)f));
        n++;
    }
    memset(&m[n], 0, sizeof m[n]);
    m[n].fp32 = true;
    snprintf(m[n].label, sizeof m[n].label, "fp32");
    return n + 1;
}

/* Every decoder at both depths in one group: one interleaved run, so drift in machine load hits all alike. */
static int e2e_instances(const vr_options *o, vr_instances *out)
{
    e2e_model m[MAX_MODELS];
    const int n = wanted_models(o, m);
    out->repetitions = e2e_repetitions(o);
    out->min_time = o->quick ? 0.01 : 0.1;
    for (int i = 0; i < n; i++)
        for (int ci = 0; ci < N_CTX; ci++) {
            char name[TB_NAME_MAX];
            instance_name(name, sizeof name, o, m[i].label, ctx_depth[ci]);
            vr_instances_add(out, 0, "%s", name);
        }
    return 0;
}

static void from_records(e2e_model *m, const vr_options *o, const tb_results *records)
{
    m->ran = true;
    for (int ci = 0; ci < N_CTX; ci++) {
        char name[TB_NAME_MAX];
        instance_name(name, sizeof name, o, m->label, ctx_depth[ci]);
        const tb_record *med = vr_record(records, name, "median");
        const tb_record *cv = vr_record(records, name, "cv");
        if (!med) {
            snprintf(m->na, sizeof m->na, "%.150s not registered by the e2e suite (does not fit in memory here, or no "
                     "runnable kernel variant among --variants)", name);
            m->ran = false;
            return;
        }
        if (med->error_occurred || med->skipped) {
            snprintf(m->na, sizeof m->na, "%.300s", med->error_occurred ? med->error_message : med->skip_message);
            m->ran = false;
            return;
        }
        m->median[ci] = med->real_time * tb_time_unit_seconds(med->time_unit);
        m->cv[ci] = cv && cv != med ? cv->real_time : NAN;
        m->reps[ci] = med->repetitions;
        for (int p = 0; p < TB_DEC_PH_COUNT; p++) {
            char c[64];
            snprintf(c, sizeof c, "phase:%s", tb_dec_phase_name((tb_dec_phase)p));
            m->phase[ci][p] = tb_record_counter(med, c, 0.0);
        }
        m->weights_bytes = tb_record_counter(med, "weights_bytes", NAN);
        m->fp32_weights_bytes = tb_record_counter(med, "fp32_weights_bytes", NAN);
        snprintf(m->kernels, sizeof m->kernels, "%s", med->label);
        if (!(m->median[ci] > 0)) {
            snprintf(m->na, sizeof m->na, "median time %g s is not usable", m->median[ci]);
            m->ran = false;
            return;
        }
    }
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

static void opts_for(tb_decoder_opts *o, int threads, bool fp32, trit_format f)
{
    tb_decoder_opts_default(o);
    o->variant = fp32 ? TB_DEC_FP32 : TB_DEC_TERNARY;
    o->format = f;
    o->threads = threads;
    o->max_ctx = 640; /* as the e2e suite allocates */
    o->max_batch = 512;
}

static double outside_matmul(const double *ph)
{
    double total = 0;
    for (int p = 0; p < TB_DEC_PH_COUNT; p++)
        total += ph[p];
    return total > 0 ? 1.0 - ph[TB_DEC_PH_MATMUL] / total : 0;
}

/* Whole-model memory: FP32 bytes (allocated if the FP32 twin ran, else its layout bytes) over the ternary
 * model's allocated bytes. In --quick the model is cut to a few layers, where the FP16 embedding dominates,
 * so the check uses bitnet-2b's layout bytes (tests prove they equal allocation). */
static void memory_checks(vr_report *r, const vr_options *vo, const char *model, const e2e_model *m, int n_models,
                          const e2e_model *fp32, int threads)
{
    tb_decoder_opts fo, to;
    for (int i = 0; i < n_models; i++) {
        if (m[i].fp32 || !m[i].ran)
            continue;
        char subject[192];
        double reduction;
        if (vo->quick) {
            const trit_model_config *full = trit_model_config_get("bitnet-2b");
            if (!full)
                continue;
            opts_for(&fo, threads, true, m[i].format);
            opts_for(&to, threads, false, m[i].format);
            reduction = (double)tb_decoder_weight_bytes(full, &fo) / (double)tb_decoder_weight_bytes(full, &to);
            snprintf(subject, sizeof subject, "bitnet-2b %.31s whole model, layout bytes (--quick: not loaded)",
                     m[i].label);
        } else {
            const double fb = fp32 ? fp32->weights_bytes : m[i].fp32_weights_bytes;
            reduction = fb / m[i].weights_bytes;
            snprintf(subject, sizeof subject, "%.64s %.31s whole model (FP16 embedding/lm_head, FP32 norms)%s", model,
                     m[i].label, fp32 ? "" : "; FP32 bytes from the layout");
        }
        vr_check(r, SECTION, "model_memory_reduction", subject, reduction, NULL);
        char key[64];
        snprintf(key, sizeof key, "%.31s_model_memory_reduction", m[i].label);
        vr_metric(r, SECTION, key, reduction);
    }
}

static void speed_report(vr_report *r, const char *model_label, const e2e_model *m, int n_models,
                         const e2e_model *fp32, int threads, const char *fp32_na)
{
    static const char *const head[] = {"weights", "kernels",       "weights GB",     "tok/s ctx 128", "tok/s ctx 512",
                                       "speedup 128", "speedup 512", "outside matmul"};
    char title[256];
    int reps = 0;
    for (int i = 0; i < n_models && !reps; i++)
        reps = m[i].ran ? m[i].reps[0] : 0;
    snprintf(title, sizeof title, "Decode, %s, %d thread%s: median of %d interleaved repetitions per depth "
             "(e2e suite)", model_label, threads, threads > 1 ? "s" : "", reps);
    vr_table *t = vr_table_new(r, SECTION, title, 8, head);
    char tsv[1024] = "# weights\tctx 128\tctx 512\n";
    for (int i = 0; i < n_models; i++) {
        if (!m[i].ran)
            continue;
        char c[8][64];
        double sp[N_CTX];
        for (int ci = 0; ci < N_CTX; ci++)
            sp[ci] = fp32 && !m[i].fp32 ? fp32->median[ci] / m[i].median[ci] : NAN;
        snprintf(c[0], sizeof c[0], "%.31s", m[i].label);
        snprintf(c[1], sizeof c[1], "%.60s", m[i].kernels);
        snprintf(c[2], sizeof c[2], "%.3f", m[i].weights_bytes / 1e9);
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
        for (int ci = 0; m[i].ran && ci < N_CTX; ci++) {
            char c[TB_DEC_PH_COUNT + 2][32];
            const char *row[TB_DEC_PH_COUNT + 2];
            snprintf(c[0], sizeof c[0], "%.31s", m[i].label);
            snprintf(c[1], sizeof c[1], "%zu", ctx_depth[ci]);
            for (int p = 0; p < TB_DEC_PH_COUNT; p++)
                snprintf(c[p + 2], sizeof c[0], "%.1f", 100 * m[i].phase[ci][p]);
            for (int k = 0; k < TB_DEC_PH_COUNT + 2; k++)
                row[k] = c[k];
            vr_table_add_row(t, row);
        }
}

/* Which published configurations this machine can hold, ternary and FP32: the 100B class is refused
 * here, not attempted. */
static void fit_table(vr_report *r, int threads)
{
    static const char *const head[] = {"model", "ternary i2 needs GB", "FP32 needs GB", "available GB",
                                       "ternary", "FP32"};
    vr_table *t = vr_table_new(r, SECTION, "Models against this machine's memory (checked before loading)", 6, head);
    size_t n;
    const trit_model_config *cs = trit_model_configs(&n);
    for (size_t i = 0; t && i < n; i++) {
        tb_decoder_opts to, fo;
        opts_for(&to, threads, false, TRIT_FMT_I2);
        opts_for(&fo, threads, true, TRIT_FMT_I2);
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

static int e2e_judge(vr_report *r, const vr_options *o, const tb_results *records)
{
    const int threads = o->threads > 0 ? o->threads : 1;
    const trit_model_config *base = trit_model_config_get(o->quick ? "bitnet-large" : "bitnet-2b");
    if (!base) {
        fprintf(stderr, "validate e2e: model configuration missing\n");
        return -1;
    }
    char model_label[96];
    if (o->quick)
        snprintf(model_label, sizeof model_label, "%s-4L (4 of %d layers, --quick)", base->name, base->n_layers);
    else
        snprintf(model_label, sizeof model_label, "%s", base->name);
    fit_table(r, threads); /* what this machine can hold */
    e2e_model models[MAX_MODELS];
    const int n = wanted_models(o, models);
    const e2e_model *fp32 = NULL;
    int n_ternary = 0;
    char fp32_na[512] = "";
    for (int i = 0; i < n; i++) {
        from_records(&models[i], o, records);
        if (models[i].fp32 && models[i].ran)
            fp32 = &models[i];
        else if (models[i].fp32)
            snprintf(fp32_na, sizeof fp32_na, "FP32 model not run: %.480s", models[i].na);
        else if (models[i].ran)
            n_ternary++;
        else
            vr_note(r, SECTION, "%s %s not run: %s", model_label, models[i].label, models[i].na);
    }
    if (n_ternary == 0) {
        vr_check(r, SECTION, "e2e_decode_speedup", model_label, 0, "no ternary model could be run (see notes)");
        vr_check(r, SECTION, "model_memory_reduction", model_label, 0, "no ternary model could be run");
        return 0;
    }
    if (fp32_na[0])
        vr_note(r, SECTION, "%s; ternary figures stand alone.", fp32_na);
    memory_checks(r, o, base->name, models, n, fp32, threads);
    speed_report(r, model_label, models, n, fp32, threads, fp32_na);
    phase_table(r, models, n);
    for (int i = 0; i < n; i++)
        if (models[i].ran)
            vr_note(r, SECTION, "%s: %s; weights %.3f GB (generated from the e2e suite's seed); cv %.1f %% (ctx 128), "
                    "%.1f %% (ctx 512).", models[i].label, models[i].kernels, models[i].weights_bytes / 1e9,
                    100 * models[i].cv[0], 100 * models[i].cv[1]);
    const double load = load_average();
    vr_note(r, SECTION,
            "Decode is one token at context depth 128 / 512 (KV cache filled with seeded values; attention cost "
            "depends on the depth only); the e2e suite's instances (e.g. `tritbench run "
            "--benchmark_filter='^e2e/%s/'`) ran through the harness, every decoder and depth interleaved at random "
            "in one run. \"outside matmul\" is the share of the forward outside the seven projections' matmuls: "
            "activation quantization + rescale, attention, norms, gating, lm_head (%s). Process peak RSS %.2f GB. "
            "Load average %.2f after the run: on a shared machine the medians carry that noise.",
            model_name(o), fp32 ? "FP32 in the FP32 model" : "FP16 in the ternary model",
            (double)tb_process_peak_rss() / 1e9, load);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads > 1 && cpus > 0 && load > (double)cpus)
        vr_note(r, SECTION,
                "The machine was busy (load %.1f on %ld CPUs): with more runnable threads than cores, OpenMP "
                "workers spinning at the decoder's ~8 barriers per layer starve the thread doing the work, and "
                "%d-thread figures mostly measure the scheduler. OMP_WAIT_POLICY=passive makes them usable there.",
                load, cpus, threads);
    vr_note(r, SECTION,
            "In kind: the baseline here is FP32 (OpenBLAS sgemv), which reads 2x the bytes of llama.cpp's FP16, so "
            "these speedups are not comparable 1:1 with bitnet.cpp's 2.37-6.17x over llama.cpp FP16 on x86; at "
            "equal bandwidth an FP16 baseline would be ~2x faster than this one.");
    return 0;
}

static const char *const e2e_targets[] = {"e2e_decode_speedup", "model_memory_reduction", NULL};

const vr_section vr_e2e_section = {
    .name = "e2e",
    .description = "decoder decode tokens/s against the same model in FP32 (e2e suite), whole-model memory",
    .targets = e2e_targets,
    .instances = e2e_instances,
    .judge = e2e_judge,
};
