/* validate.h — the validator's report model: sign-off checks against a profile, tables, plots.
 * Sections (kernels, accuracy, model file, end-to-end) measure and add to one vr_report; the report
 * writers (reports/) turn it into report.md, results.json and gnuplot plots. Sections never format
 * files themselves, and writers never measure. */
#ifndef TRITBENCH_VALIDATE_H
#define TRITBENCH_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/bench.h"
#include "tritbench/context.h"

typedef enum vr_verdict { VR_PASS = 0, VR_FAIL = 1, VR_NA = 2 } vr_verdict;
const char *vr_verdict_name(vr_verdict v); /* "PASS", "FAIL", "N/A" */

typedef struct vr_report vr_report;
typedef struct vr_table vr_table;

typedef struct vr_options {
    const char *profile_path; /* NULL: the shipped default (fixtures/profiles/bitnet-phase4.json) */
    const char *suite;        /* NULL: all sections; "kernels", "accuracy", "e2e", ... */
    const char *shapes;       /* shape set for the kernels section, e.g. "bitnet-2b" */
    const char *variants;     /* comma list, NULL = all runnable */
    const char *formats;      /* comma list, NULL = all */
    const char *model_path;   /* --model FILE: per-layer validation of a checkpoint */
    int threads;
    bool quick;               /* smoke run: < 1 minute in all */
    unsigned long long seed;
    const char *out_dir;
} vr_options;

/* --- checks: one row of the sign-off table ---
 * `target` names a profile entry (e.g. "memory_reduction", "speedup_gemv", "nmse", "accuracy_degradation");
 * the profile gives its threshold(s). `subject` says what was measured ("gemv/i2/avx512_vnni 6912x2560").
 * The verdict is PASS/FAIL from the threshold; na_reason != NULL makes it N/A with that reason.
 * A target missing from the profile is a FAIL with reason "no such target in the profile".
 * Returns the verdict. */
vr_verdict vr_check(vr_report *r, const char *section, const char *target, const char *subject, double measured,
                    const char *na_reason);
/* Human form of a target's threshold ("≥ 8.2×"); "?" if unknown. */
const char *vr_threshold_text(vr_report *r, const char *target, char *buf, size_t len);

/* --- tables for the per-section part of report.md (and results.json) --- */
vr_table *vr_table_new(vr_report *r, const char *section, const char *title, size_t n_cols,
                       const char *const *headers);
void vr_table_add_row(vr_table *t, const char *const *cells); /* n_cols strings, copied */
void vr_note(vr_report *r, const char *section, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))); /* a paragraph under the section */

/* --- plots: data as TSV (first line a '#' header), a gnuplot body that plots from the variable
 * `datafile`; the writer adds terminal and output (PNG via pngcairo, and SVG). --- */
void vr_plot(vr_report *r, const char *section, const char *name, const char *title, const char *gnuplot_body,
             const char *data_tsv);

/* --- benchmark records measured by a section: go to results.json's `benchmarks` (google/benchmark) --- */
void vr_add_records(vr_report *r, const tb_results *res);
/* Machine-readable key/values per section for results.json (numbers). */
void vr_metric(vr_report *r, const char *section, const char *key, double value);

/* Sections. Each returns 0 when it ran (whatever the verdicts), -1 when it could not be done at all
 * (message printed to stderr; the run exits 2). */
int vr_section_kernels(vr_report *r, const vr_options *o);  /* synthetic weights: memory, speed, error, sparsity */
int vr_section_accuracy(vr_report *r, const vr_options *o); /* Fashion-MNIST: FP32 / PTQ / QAT */
int vr_section_model(vr_report *r, const vr_options *o);    /* --model FILE: per-layer, real weights */
int vr_section_e2e(vr_report *r, const vr_options *o);      /* decoder forward: tokens/s, model memory */
int vr_section_cuda(vr_report *r, const vr_options *o);     /* GPU rows when a device is present */

#endif
