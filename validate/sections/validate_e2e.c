/* validate_e2e.c — the validator's end-to-end section: decode tokens/s of the decoder (workloads/decoder) in ternary
 * (each wanted format, with the FP16, the int8-per-row "q8" and the int8 + 4-bit residual "q8r" embedding/lm_head) and in FP32, FP16 and BF16 at
 * context 128 and 512; speedups over the fastest of the three baselines in the run. The profile's "head" names
 * the configuration signed off (its memory and speedup rows are judged); the other heads are shown as
 * information. The Q8 and Q8R heads' logit error against an FP32 head (untimed) is a table. Decode is measured by
 * the e2e suite's instances (`tritbench run --benchmark_filter='^e2e/bitnet-2b/'` runs the same ones) in one
 * interleaved harness run, same threads; whole-model memory reduction; where decode time goes (the suite's per-phase counters). Full
 * run: bitnet-2b; --quick: bitnet-large cut to 4 of its 24 layers (the suite's bitnet-large-4L), with the
 * memory check on bitnet-2b's layout bytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate/sections/section_plots.h"
#include "tritbench/decoder.h"
#include "tritbench/models.h"
#include "tritbench/suites.h"
#include "tritbench/validate.h"

#define SECTION "e2e"
#define N_HEADS 3 /* per format: FP16, Q8, Q8R */
#define MAX_MODELS (N_HEADS * TRIT_FMT_COUNT + 3) /* i2, i2-q8head, i2-q8rhead, t5, …, fp32, fp16, bf16 */
#define N_CTX 2

static const size_t ctx_depth[N_CTX] = {128, 512};

/* One decoder (a format, or FP32) as its records describe it. */
typedef struct e2e_model {
    char label[32]; /* "i2", "i2-q8head", "i2-q8rhead", "t5", "fp32", "fp16", "bf16" (the suite's weights names) */
    bool fp32;      /* a baseline model: FP32, FP16 or BF16 */
    tb_dec_variant kind;
    tb_dec_head head; /* ternary: embedding/lm_head storage */
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

/* How a head stores the embedding/lm_head, in the report's words. */
static const char *head_desc(tb_dec_head h)
{
    return h == TB_DEC_HEAD_Q8 ? "int8-per-row" : h == TB_DEC_HEAD_Q8R ? "int8-per-row + 4-bit residual"
                                                  : h == TB_DEC_HEAD_FP32 ? "FP32" : "FP16";
}

/* The decoders this run wants: each format of --formats with each head, then the FP32/FP16/BF16 models. */
static int wanted_models(const vr_options *o, e2e_model *m)
{
    int n = 0;
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        if (!tb_list_contains(o->formats, trit_format_name((trit_format)f)))
            continue;
        static const tb_dec_head heads[N_HEADS] = {TB_DEC_HEAD_FP16, TB_DEC_HEAD_Q8, TB_DEC_HEAD_Q8R};
        for (int h = 0; h < N_HEADS; h++) {
            memset(&m[n], 0, sizeof m[n]);
            m[n].kind = TB_DEC_TERNARY;
            m[n].head = heads[h];
            m[n].format = (trit_format)f;
            snprintf(m[n].label, sizeof m[n].label, "%s%s%s%s", trit_format_name((trit_format)f), h ? "-" : "",
                     h ? tb_dec_head_name(heads[h]) : "", h ? "head" : "");
            n++;
        }
    }
    static const tb_dec_variant base[3] = {TB_DEC_FP32, TB_DEC_FP16, TB_DEC_BF16};
    for (int b = 0; b < 3; b++) {
        memset(&m[n], 0, sizeof m[n]);
        m[n].fp32 = true;
        m[n].kind = base[b];
        snprintf(m[n].label, sizeof m[n].label, "%s", tb_dec_variant_name(base[b]));
        n++;
    }
    return n;
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

static void opts_for(tb_decoder_opts *o, int threads, bool fp32, trit_format f, tb_dec_head head)
{
    tb_decoder_opts_default(o);
    o->variant = fp32 ? TB_DEC_FP32 : TB_DEC_TERNARY;
    o->head = head;
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

/* Bytes of the embedding (and an untied lm_head) in a head storage: FP16, int8 codes + an FP32 scale per row,
 * and for q8r half a byte more per entry (the 4-bit residual). */
static double embedding_bytes(const trit_model_config *c, tb_dec_head head)
{
    const double rows = (double)c->vocab * (c->tied_embeddings ? 1.0 : 2.0);
    if (head == TB_DEC_HEAD_Q8R)
        return rows * ((double)c->hidden * 1.5 + 4.0);
    return head == TB_DEC_HEAD_Q8 ? rows * ((double)c->hidden + 4.0) : rows * (double)c->hidden * 2.0;
}

/* Whole-model memory: FP32 bytes (allocated if the FP32 twin ran, else its layout bytes) over the ternary
 * model's allocated bytes. In --quick the model is cut to a few layers, where the FP16 embedding dominates,
 * so the check uses bitnet-2b's layout bytes (tests prove they equal allocation). NaN where it cannot. */
static double memory_reduction(const vr_options *vo, const e2e_model *mi, const e2e_model *fp32, int threads,
                               double *model_bytes)
{
    tb_decoder_opts fo, to;
    if (vo->quick) {
        const trit_model_config *full = trit_model_config_get("bitnet-2b");
        if (!full)
            return NAN;
        opts_for(&fo, threads, true, mi->format, mi->head);
        opts_for(&to, threads, false, mi->format, mi->head);
        *model_bytes = (double)tb_decoder_weight_bytes(full, &to);
        return (double)tb_decoder_weight_bytes(full, &fo) / *model_bytes;
    }
    const double fb = fp32 ? fp32->weights_bytes : mi->fp32_weights_bytes;
    *model_bytes = mi->weights_bytes;
    return fb / mi->weights_bytes;
}

static void memory_checks(vr_report *r, const vr_options *vo, const char *model, const e2e_model *m, int n_models,
                          const e2e_model *fp32, int threads, tb_dec_head signed_head, vr_table *info)
{
    double reduction[MAX_MODELS], bytes[MAX_MODELS];
    for (int i = 0; i < n_models; i++)
        reduction[i] = m[i].fp32 || !m[i].ran ? NAN : memory_reduction(vo, &m[i], fp32, threads, &bytes[i]);
    const trit_model_config *layout = trit_model_config_get(vo->quick ? "bitnet-2b" : model);
    for (int i = 0; i < n_models; i++) {
        if (m[i].fp32 || !m[i].ran || isnan(reduction[i]))
            continue;
        char subject[256];
        if (vo->quick)
            snprintf(subject, sizeof subject, "bitnet-2b %.31s whole model, layout bytes (--quick: not loaded)",
                     m[i].label);
        else
            snprintf(subject, sizeof subject, "%.64s %.31s whole model (%s embedding/lm_head, FP32 norms)%s", model,
                     m[i].label, head_desc(m[i].head), fp32 ? "" : "; FP32 bytes from the layout");
        if (m[i].head == signed_head) {
            vr_check(r, SECTION, "model_memory_reduction", subject, reduction[i], NULL);
            /* What the figure depends on: the embedding storage, and what the other head would give. */
            const e2e_model *other = NULL;
            double other_red = NAN;
            for (int j = 0; j < n_models && !other; j++)
                if (j != i && !m[j].fp32 && m[j].format == m[i].format && m[j].head != m[i].head &&
                    !isnan(reduction[j])) {
                    other = &m[j];
                    other_red = reduction[j];
                }
            if (layout && other)
                vr_check_why(r, "%s %s embedding%s = %.2f GB of the model's %.2f GB; with the %s head %.2f×",
                             layout->tied_embeddings ? "tied" : "untied", head_desc(m[i].head),
                             layout->tied_embeddings ? "/lm_head" : " and lm_head",
                             embedding_bytes(layout, m[i].head) / 1e9, bytes[i] / 1e9, tb_dec_head_name(other->head),
                             other_red);
            else if (layout)
                vr_check_why(r, "%s embedding%s = %.2f GB of the model's %.2f GB", head_desc(m[i].head),
                             layout->tied_embeddings ? " (tied lm_head)" : " and lm_head",
                             embedding_bytes(layout, m[i].head) / 1e9, bytes[i] / 1e9);
        } else if (info) { /* the configuration the profile does not name: information, not judged */
            char v[32];
            snprintf(v, sizeof v, "%.2fx", reduction[i]);
            const char *row[3] = {subject, "model_memory_reduction", v};
            vr_table_add_row(info, row);
        }
        char key[64];
        snprintf(key, sizeof key, "%.31s_model_memory_reduction", m[i].label);
        vr_metric(r, SECTION, key, reduction[i]);
    }
}

/* The fastest of the FP32/FP16/BF16 models measured at each depth (NULL where none ran). */
static const e2e_model *fastest_baseline(const e2e_model *m, int n_models, int ci)
{
    const e2e_model *best = NULL;
    for (int i = 0; i < n_models; i++)
        if (m[i].fp32 && m[i].ran && (!best || m[i].median[ci] < best->median[ci]))
            best = &m[i];
    return best;
}

static void speed_report(vr_report *r, const vr_options *o, const tb_results *records, const char *model_label,
                         const e2e_model *m, int n_models, const e2e_model *fp32, int threads, const char *fp32_na,
                         tb_dec_head signed_head, vr_table *info)
{
    (void)fp32;
    const e2e_model *best[N_CTX];
    for (int ci = 0; ci < N_CTX; ci++)
        best[ci] = fastest_baseline(m, n_models, ci);
    static const char *const head[] = {"weights", "kernels",       "weights GB",     "tok/s ctx 128", "tok/s ctx 512",
                                       "speedup 128 (vs fastest FP)", "speedup 512 (vs fastest FP)", "outside matmul"};
    char title[256];
    int reps = 0;
    for (int i = 0; i < n_models && !reps; i++)
        reps = m[i].ran ? m[i].reps[0] : 0;
    snprintf(title, sizeof title, "Decode, %s, %d thread%s: median of %d interleaved repetitions per depth "
             "(e2e suite)", model_label, threads, threads > 1 ? "s" : "", reps);
    vr_table *t = vr_table_new(r, SECTION, title, 8, head);
    for (int i = 0; i < n_models; i++) {
        if (!m[i].ran)
            continue;
        char c[8][64], subject[N_CTX][256];
        double sp[N_CTX];
        for (int ci = 0; ci < N_CTX; ci++) {
            const double medians = best[ci] && !m[i].fp32 ? best[ci]->median[ci] / m[i].median[ci] : NAN;
            snprintf(subject[ci], sizeof subject[ci], "%.95s %.31s decode ctx %zu, %d thread%s, vs %s (fastest of "
                     "fp32/fp16/bf16 in this run)", model_label, m[i].label, ctx_depth[ci], threads,
                     threads > 1 ? "s" : "", best[ci] ? best[ci]->label : "none");
            char base_inst[TB_NAME_MAX] = "", subj_inst[TB_NAME_MAX];
            if (best[ci])
                instance_name(base_inst, sizeof base_inst, o, best[ci]->label, ctx_depth[ci]);
            instance_name(subj_inst, sizeof subj_inst, o, m[i].label, ctx_depth[ci]);
            /* The table and the metrics show the sign-off's estimate over every repetition (from its check, for
             * the signed head), the medians' ratio only when there is no estimate. */
            double est = NAN;
            if (!m[i].fp32 && m[i].head == signed_head)
                /* The verdict is the speedup's 95 % interval over every repetition of the two decoders. */
                vr_check_speedup(r, SECTION, "e2e_decode_speedup", subject[ci], records, base_inst, subj_inst,
                                 isnan(medians) ? fp32_na : NULL, &est);
            else if (!isnan(medians))
                est = vr_speedup_estimate(records, base_inst, subj_inst);
            sp[ci] = !isnan(medians) && isfinite(est) ? est : medians;
        }
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
        for (int ci = 0; ci < N_CTX; ci++) {
            char key[64];
            snprintf(key, sizeof key, "%.31s_decode_ctx%zu_tokens_per_s", m[i].label, ctx_depth[ci]);
            vr_metric(r, SECTION, key, 1.0 / m[i].median[ci]);
            if (m[i].fp32)
                continue;
            snprintf(key, sizeof key, "%.31s_outside_matmul_ctx%zu", m[i].label, ctx_depth[ci]);
            vr_metric(r, SECTION, key, outside_matmul(m[i].phase[ci]));
            if (m[i].head != signed_head && info) {
                char v[32];
                snprintf(v, sizeof v, isnan(sp[ci]) ? "n/a" : "%.2fx", sp[ci]);
                const char *row[3] = {subject[ci], "e2e_decode_speedup", v};
                vr_table_add_row(info, row);
            }
            if (!isnan(sp[ci])) {
                snprintf(key, sizeof key, "%.31s_decode_speedup_ctx%zu", m[i].label, ctx_depth[ci]);
                vr_metric(r, SECTION, key, sp[ci]);
            }
        }
    }
    e2e_add_plots(r, model_label, threads);
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
        opts_for(&to, threads, false, TRIT_FMT_I2, TB_DEC_HEAD_FP16);
        opts_for(&fo, threads, true, TRIT_FMT_I2, TB_DEC_HEAD_FP16);
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

/* The Q8 and Q8R heads' logit error against an FP32 head on the same ternary model (same seed as the e2e suite),
 * over greedy decode steps: the error the head storage adds (tb_decoder_logit_error, TB_LOGIT_HEAD). Untimed.
 * One FP32-head reference, each head under test loaded after the previous one is freed. */
#define LOGIT_PROMPT 4
#define LOGIT_STEPS 64
static void logit_error_row(vr_report *r, vr_table *t, const trit_model_config *cfg, tb_decoder *df,
                            const tb_decoder_opts *fo, trit_format format, tb_dec_head head)
{
    tb_decoder_opts qo = *fo;
    qo.head = head;
    char err[512] = "";
    tb_decoder *dq = NULL;
    const int32_t *prompt = NULL;
    int32_t p[LOGIT_PROMPT];
    for (size_t i = 0; i < LOGIT_PROMPT; i++)
        p[i] = (int32_t)((i * 7919u + 17u) % (size_t)cfg->vocab);
    prompt = p;
    tb_logit_error e;
    if (!tb_decoder_fits(cfg, &qo, tb_decoder_total_bytes(cfg, fo), err, sizeof err) ||
        !(dq = tb_decoder_new(cfg, &qo, err, sizeof err)) || tb_decoder_set_pos(df, 0) != 0 ||
        tb_decoder_logit_error(dq, df, TB_LOGIT_HEAD, prompt, LOGIT_PROMPT, LOGIT_STEPS, &e, err, sizeof err) != 0) {
        vr_note(r, SECTION, "%s head logit error not measured: %s", tb_dec_head_name(head), err);
        tb_decoder_free(dq);
        return;
    }
    tb_dec_rescore rs;
    tb_decoder_rescore_stats(dq, &rs);
    char c[11][96];
    snprintf(c[0], sizeof c[0], "%.60s %.8s", cfg->name, trit_format_name(format));
    snprintf(c[1], sizeof c[1], "%s vs fp32 (head only)", tb_dec_head_name(head));
    snprintf(c[2], sizeof c[2], "%zu", e.steps);
    snprintf(c[3], sizeof c[3], "%.4g", e.max_abs);
    snprintf(c[4], sizeof c[4], "%.4g", e.top_abs);
    snprintf(c[5], sizeof c[5], "%.4g", e.mean_abs);
    snprintf(c[6], sizeof c[6], "%.6f", e.min_cosine);
    snprintf(c[7], sizeof c[7], "%.6f", e.mean_cosine);
    snprintf(c[8], sizeof c[8], "%.1f %% (%zu/%zu)", 100 * e.top1_agreement, e.top1_agree, e.steps);
    snprintf(c[9], sizeof c[9], "%.4g", e.max_flip_margin);
    if (rs.calls)
        snprintf(c[10], sizeof c[10], "%.1f (max %zu%s)", (double)rs.rescored / (double)rs.calls, rs.max_rescored,
                 rs.capped ? ", capped" : "");
    else
        snprintf(c[10], sizeof c[10], "-");
    const char *row[11];
    for (int i = 0; i < 11; i++)
        row[i] = c[i];
    if (t)
        vr_table_add_row(t, row);
    char key[64];
    const char *hn = tb_dec_head_name(head);
    snprintf(key, sizeof key, "%s_head_logit_max_abs", hn);
    vr_metric(r, SECTION, key, e.max_abs);
    snprintf(key, sizeof key, "%s_head_logit_top_abs", hn);
    vr_metric(r, SECTION, key, e.top_abs);
    snprintf(key, sizeof key, "%s_head_logit_min_cosine", hn);
    vr_metric(r, SECTION, key, e.min_cosine);
    snprintf(key, sizeof key, "%s_head_top1_agreement", hn);
    vr_metric(r, SECTION, key, e.top1_agreement);
    if (rs.calls) {
        snprintf(key, sizeof key, "%s_head_rows_rescored_per_step", hn);
        vr_metric(r, SECTION, key, (double)rs.rescored / (double)rs.calls);
    }
    tb_decoder_free(dq);
}

static void logit_error_table(vr_report *r, const trit_model_config *cfg, const e2e_model *m, int n_models,
                              int threads)
{
    const e2e_model *first = NULL;
    bool want[TB_DEC_HEAD_COUNT] = {false};
    for (int i = 0; i < n_models; i++)
        if (!m[i].fp32 && (m[i].head == TB_DEC_HEAD_Q8 || m[i].head == TB_DEC_HEAD_Q8R)) {
            if (!first || m[i].format == first->format)
                want[m[i].head] = true;
            first = first ? first : &m[i];
        }
    if (!first)
        return;
    tb_decoder_opts fo;
    opts_for(&fo, threads, false, first->format, TB_DEC_HEAD_FP32);
    fo.seed = 0xe2e0001u; /* the e2e suite's seed: the model measured above */
    fo.max_ctx = LOGIT_PROMPT + LOGIT_STEPS + 8;
    fo.max_batch = LOGIT_PROMPT;
    char err[512] = "";
    tb_decoder *df = NULL;
    if (!tb_decoder_fits(cfg, &fo, 0, err, sizeof err) || !(df = tb_decoder_new(cfg, &fo, err, sizeof err))) {
        vr_note(r, SECTION, "Q8 / Q8R head logit error not measured (FP32-head reference): %s", err);
        return;
    }
    static const char *const head[] = {"model",           "head vs reference", "steps",       "max |Δ logit|",
                                       "|Δ| at reference top-1", "mean |Δ logit|", "min cosine", "mean cosine",
                                       "top-1 agreement", "largest flip margin", "rows re-scored / step"};
    vr_table *t = vr_table_new(r, SECTION, "Logit error of the Q8 (int8 per row) and Q8R (int8 + 4-bit residual, top "
                               "candidates re-scored) lm_heads vs an FP32 lm_head, same ternary model, greedy decode "
                               "(information)", 11, head);
    static const tb_dec_head heads[2] = {TB_DEC_HEAD_Q8, TB_DEC_HEAD_Q8R};
    for (int h = 0; h < 2; h++)
        if (want[heads[h]])
            logit_error_row(r, t, cfg, df, &fo, first->format, heads[h]);
    tb_decoder_free(df);
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
    tb_dec_head signed_head = TB_DEC_HEAD_FP16;
    if (tb_dec_head_parse(vr_profile_head(r), &signed_head) != 0)
        signed_head = TB_DEC_HEAD_FP16;
    int n_baselines = 0;
    for (int i = 0; i < n; i++) {
        from_records(&models[i], o, records);
        if (models[i].fp32 && models[i].ran)
            n_baselines++;
        if (models[i].kind == TB_DEC_FP32 && models[i].ran)
            fp32 = &models[i];
        else if (models[i].ran && !models[i].fp32 && models[i].head == signed_head)
            n_ternary++;
        else if (!models[i].ran)
            vr_note(r, SECTION, "%s %s not run: %s", model_label, models[i].label, models[i].na);
    }
    if (n_baselines == 0)
        snprintf(fp32_na, sizeof fp32_na, "no FP32/FP16/BF16 model ran (see notes)");
    if (n_ternary == 0) {
        vr_check(r, SECTION, "e2e_decode_speedup", model_label, 0, "no ternary model could be run (see notes)");
        vr_check(r, SECTION, "model_memory_reduction", model_label, 0, "no ternary model could be run");
        return 0;
    }
    if (fp32_na[0])
        vr_note(r, SECTION, "%s; ternary figures stand alone.", fp32_na);
    char info_title[256];
    snprintf(info_title, sizeof info_title, "Not signed off: the other heads' configurations (the profile signs off "
             "the %s head), shown as information", tb_dec_head_name(signed_head));
    static const char *const info_head[] = {"configuration", "target (not judged)", "measured"};
    vr_table *info = vr_table_new(r, SECTION, info_title, 3, info_head);
    memory_checks(r, o, base->name, models, n, fp32, threads, signed_head, info);
    speed_report(r, o, records, model_label, models, n, fp32, threads, fp32_na, signed_head, info);
    trit_model_config logit_cfg = *base;
    if (o->quick) {
        logit_cfg.name = "bitnet-large-4L";
        logit_cfg.n_layers = 4; /* as the e2e suite's --quick model */
    }
    logit_error_table(r, &logit_cfg, models, n, threads);
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
            model_name(o), "in the baselines' own type; FP16, int8 per row, or int8 + 4-bit residual in the ternary models",
            (double)tb_process_peak_rss() / 1e9, load);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads > 1 && cpus > 0 && load > (double)cpus)
        vr_note(r, SECTION,
                "The machine was busy (load %.1f on %ld CPUs): with more runnable threads than cores, OpenMP "
                "workers spinning at the decoder's ~8 barriers per layer starve the thread doing the work, and "
                "%d-thread figures mostly measure the scheduler. OMP_WAIT_POLICY=passive makes them usable there.",
                load, cpus, threads);
    vr_note(r, SECTION,
            "In kind: speedups are over the fastest of the FP32, FP16 and BF16 models measured in this run (named "
            "in each row), as bitnet.cpp's 2.37-6.17x is over llama.cpp FP16. The profile signs off the %s head "
            "(embedding/lm_head %s); the other head's rows are information.",
            tb_dec_head_name(signed_head), head_desc(signed_head));
    return 0;
}

static const char *const e2e_targets[] = {"e2e_decode_speedup", "model_memory_reduction", NULL};

const vr_section vr_e2e_section = {
    .name = "e2e",
    .description = "decoder decode tokens/s against the same model in FP32/FP16/BF16 (e2e suite), whole-model "
                   "memory, Q8 / Q8R head logit error",
    .targets = e2e_targets,
    .instances = e2e_instances,
    .judge = e2e_judge,
};
