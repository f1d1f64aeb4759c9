/* validate_lm.c — the language-model sign-off (issue 18): the byte-level BitNet-style LM of lm.h trained in
 * FP32 (cached), converted and evaluated through the packed kernels (PTQ), fine-tuned with the STE (QAT) and
 * evaluated through the packed kernels again. Held-out bits per byte, perplexity and next-byte top-1 for
 * each; checks "lm_degradation" (QAT vs FP32 bits/byte) and "lm_recovery" (share of the PTQ loss that QAT
 * recovers); a training-curve plot. The Fashion-MNIST MLP (accuracy section) stays as the fast workload. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "validate/sections/section_plots.h"
#include "tritbench/lm.h"
#include "tritbench/validate.h"

#define SECTION "lm"
#define SUBJECT "byte-level LM"

static void all_na(vr_report *r, const char *why)
{
    vr_check(r, SECTION, "lm_degradation", SUBJECT ": QAT vs FP32 held-out bits/byte", 0.0, why);
    vr_check(r, SECTION, "lm_recovery", SUBJECT ": share of the PTQ loss QAT recovers", 0.0, why);
    vr_note(r, SECTION, "Language-model section not run: %s", why);
}

static const char *quick_tag(const vr_options *o) { return o->quick ? " [QUICK]" : ""; }

static void add_checks(vr_report *r, const vr_options *o, const tb_lm_workload_result *w)
{
    char subject[256];
    snprintf(subject, sizeof subject, SUBJECT " %zu×%zu: FP32 %.4f → QAT %.4f bits/byte (held-out)%s",
             w->cfg.n_layers, w->cfg.dim, w->fp32.bpb, w->qat.bpb, quick_tag(o));
    vr_check(r, SECTION, "lm_degradation", subject, w->degradation, NULL);
    snprintf(subject, sizeof subject, SUBJECT " %zu×%zu: PTQ %.4f → QAT %.4f of FP32 %.4f bits/byte%s",
             w->cfg.n_layers, w->cfg.dim, w->ptq.bpb, w->qat.bpb, w->fp32.bpb, quick_tag(o));
    if (isnan(w->recovery)) {
        char why[200];
        snprintf(why, sizeof why, "PTQ lost nothing (PTQ %.4f ≤ FP32 %.4f bits/byte): nothing to recover", w->ptq.bpb,
                 w->fp32.bpb);
        vr_check(r, SECTION, "lm_recovery", subject, 0.0, why);
    } else {
        vr_check(r, SECTION, "lm_recovery", subject, w->recovery, NULL);
    }
}

static void eval_row(vr_table *t, const char *model, size_t steps, const tb_lm_eval *e, double fp32_bpb,
                     const char *how)
{
    char s[32], bpb[32], ppl[32], top1[32], rel[32];
    snprintf(s, sizeof s, "%zu", steps);
    snprintf(bpb, sizeof bpb, "%.4f", e->bpb);
    snprintf(ppl, sizeof ppl, "%.3f", e->ppl);
    snprintf(top1, sizeof top1, "%.2f%%", 100 * e->top1);
    snprintf(rel, sizeof rel, "%+.2f%%", 100 * (e->bpb / fp32_bpb - 1.0));
    const char *row[] = {model, s, bpb, ppl, top1, rel, how};
    vr_table_add_row(t, row);
}

static void add_table(vr_report *r, const tb_lm_workload_result *w)
{
    static const char *const h[] = {"model", "training steps", "bits/byte", "perplexity (per byte)",
                                    "next-byte top-1", "bits/byte vs FP32", "evaluated"};
    char title[160];
    snprintf(title, sizeof title, "Held-out next-byte prediction (%zu bytes of %zu held-out documents)",
             w->eval_bytes, w->test_docs);
    vr_table *t = vr_table_new(r, SECTION, title, 7, h);
    if (!t)
        return;
    char packed[192];
    snprintf(packed, sizeof packed, "packed I2 (%s)", w->kernel);
    eval_row(t, "FP32", w->steps, &w->fp32, w->fp32.bpb, w->fp32_cached ? "FP32 (cached checkpoint)" : "FP32");
    eval_row(t, "FP32 control (+ the QAT steps, unquantized)", w->steps + w->qat_steps, &w->fp32_more, w->fp32.bpb,
             w->fp32_more_cached ? "FP32 (cached checkpoint)" : "FP32");
    eval_row(t, "PTQ (FP32 weights converted)", w->steps, &w->ptq, w->fp32.bpb, packed);
    eval_row(t, "QAT (fine-tuned with the STE)", w->steps + w->qat_steps, &w->qat, w->fp32.bpb, packed);
}

static void add_metrics(vr_report *r, const vr_options *o, const tb_lm_workload_result *w, double seconds)
{
    static const char *const tag[] = {"fp32", "fp32_more", "ptq", "qat"};
    const tb_lm_eval *e[] = {&w->fp32, &w->fp32_more, &w->ptq, &w->qat};
    for (size_t i = 0; i < 4; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s.bpb", tag[i]);
        vr_metric(r, SECTION, key, e[i]->bpb);
        snprintf(key, sizeof key, "%s.perplexity", tag[i]);
        vr_metric(r, SECTION, key, e[i]->ppl);
        snprintf(key, sizeof key, "%s.top1", tag[i]);
        vr_metric(r, SECTION, key, e[i]->top1);
    }
    vr_metric(r, SECTION, "degradation", w->degradation);
    if (!isnan(w->recovery))
        vr_metric(r, SECTION, "recovery", w->recovery);
    vr_metric(r, SECTION, "degradation_same_steps", w->degradation_same_steps);
    vr_metric(r, SECTION, "params", (double)w->n_params);
    vr_metric(r, SECTION, "fp32_cached", w->fp32_cached ? 1.0 : 0.0);
    vr_metric(r, SECTION, "seconds", seconds);
    vr_metric(r, SECTION, "quick", o->quick ? 1.0 : 0.0);
}

/* One thread unless asked, as the accuracy section (results are the same on any thread count). */
static int section_threads(const vr_options *o) { return o->threads > 0 ? o->threads : 1; }

static int section_lm(vr_report *r, const vr_options *o)
{
    /* No corpus (the Debian package `fortunes` not installed) is N/A, as a missing data set is for the
     * accuracy section; anything else that fails is an error. */
    const char *dir = tb_lm_corpus_dir();
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        char why[1200];
        snprintf(why, sizeof why,
                 "no text corpus at %s (install the Debian package `fortunes`, or set TRITBENCH_LM_CORPUS)", dir);
        all_na(r, why);
        return 0;
    }
    static tb_lm_workload_result w; /* ~20 KiB of paths and curves: off the stack */
    memset(&w, 0, sizeof w);
    /* Same seed default as `tritbench lm` (20240229), so both share the cached checkpoints. A full run that
     * must train takes minutes: progress goes to stderr then. */
    const tb_lm_workload_opts wo = {.seed = o->seed, .quick = o->quick, .threads = section_threads(o),
                                    .verbose = !o->quick};
    char err[1024];
    const double t0 = tb_clock_seconds();
    if (tb_lm_workload_run(&wo, &w, err, sizeof err) != 0) {
        fprintf(stderr, "lm: %s\n", err);
        return -1;
    }
    const double seconds = tb_clock_seconds() - t0;
    add_checks(r, o, &w);
    add_table(r, &w);
    lm_add_plots(r, o->quick, &w);
    vr_note(r, SECTION,
            "Run: %s. Byte-level BitNet-style decoder, %zu layers, width %zu, %zu heads, FFN %zu, context %zu "
            "(%zu parameters); FP32 %zu steps, QAT %zu more steps (STE), batch %zu; seed %llu, %d thread(s). "
            "Corpus %016llx (%s): %zu training bytes (%zu documents), %zu held-out bytes (%zu documents, split "
            "by document). FP32 checkpoint %s (%s); cache key \"%s\".",
            o->quick ? "QUICK (smoke run: a tiny model and a few steps; not the sign-off figures)" : "full",
            w.cfg.n_layers, w.cfg.dim, w.cfg.n_heads, w.cfg.ffn, w.cfg.ctx, w.n_params, w.steps, w.qat_steps,
            w.batch, o->seed, section_threads(o), (unsigned long long)w.corpus_hash, dir, w.train_bytes,
            w.train_docs, w.test_bytes, w.test_docs, w.fp32_path, w.fp32_cached ? "from the cache" : "trained now",
            w.key);
    vr_note(r, SECTION,
            "Bits/byte = held-out cross-entropy / ln 2; perplexity = e^(nats per byte). PTQ and QAT run the seven "
            "projections of every layer through the packed kernels (%s) after `convert`; embedding, norms and "
            "lm_head stay FP32. Degradation = QAT / FP32 bits/byte − 1; recovered = (PTQ − QAT) / (PTQ − FP32). "
            "QAT also trains %zu steps longer: against the FP32 control trained the same extra steps without "
            "quantization, QAT is %+.2f%%. The plot's held-out points score a quarter of the table's bytes, so sit "
            "a little off its figures. Wall time %.1f s.",
            w.kernel, w.qat_steps, 100 * w.degradation_same_steps, seconds);
    add_metrics(r, o, &w, seconds);
    return 0;
}

static int lm_judge(vr_report *r, const vr_options *o, const tb_results *records)
{
    (void)records; /* bits per byte are no timings: the workload computes them here */
    return section_lm(r, o);
}

static const char *const lm_targets[] = {"lm_degradation", "lm_recovery", NULL};

const vr_section vr_lm_section = {
    .name = "lm",
    .description = "byte-level language model: held-out bits/byte FP32, PTQ and QAT on the packed kernels",
    .targets = lm_targets,
    .judge = lm_judge,
};
