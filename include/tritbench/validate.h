/* validate.h — the validator's report model: sign-off checks against a profile, tables, plots.
 * Sections (kernels, accuracy, model file, end-to-end) measure and add to one vr_report; the report
 * writers (validate/) turn it into report.md, results.json and gnuplot plots. Sections never format
 * files themselves, and writers never measure. */
#ifndef TRITBENCH_VALIDATE_H
#define TRITBENCH_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/bench.h"
#include "tritbench/context.h"

/* INCONCLUSIVE: the measured value's confidence interval straddles the threshold — not a failure of the gate,
 * but listed right after the failures with the interval and how many more repetitions would settle it. */
typedef enum vr_verdict { VR_PASS = 0, VR_FAIL = 1, VR_NA = 2, VR_INCONCLUSIVE = 3 } vr_verdict;
const char *vr_verdict_name(vr_verdict v); /* "PASS", "FAIL", "N/A", "INCONCLUSIVE" */

typedef struct vr_report vr_report;
typedef struct vr_table vr_table;

typedef struct vr_options {
    const char *profile_path; /* NULL: the shipped default (catalog/profiles/bitnet-phase4.json) */
    const char *suite;        /* NULL: all sections; "kernels", "accuracy", "e2e", ... */
    const char *shapes;       /* shape set for the kernels section, e.g. "bitnet-2b" */
    const char *variants;     /* comma list, NULL = all runnable */
    const char *formats;      /* comma list, NULL = all */
    const char *model_path;   /* --model FILE: per-layer validation of a checkpoint */
    int threads;
    bool quick;               /* smoke run: < 1 minute in all */
    unsigned long long seed;
    const char *out_dir;
    /* --max-time SECONDS: after the sections judged, re-measure the instances behind INCONCLUSIVE rows (more
     * interleaved repetitions, merged with the first ones) and judge their sections again, until nothing is
     * inconclusive or this much time is spent. 0: no re-measuring; < 0: the default (VR_MAX_TIME_DEFAULT_FULL
     * for a full run, 0 for --quick). */
    double max_time;
} vr_options;

#define VR_MAX_TIME_DEFAULT_FULL 180.0 /* seconds: a few re-measure rounds of the slowest group (e2e) */

/* --- checks: one row of the sign-off table ---
 * `target` names a profile entry (e.g. "memory_reduction", "speedup_gemv", "nmse", "accuracy_degradation");
 * the profile gives its threshold(s). `subject` says what was measured ("gemv/i2/avx512_vnni 6912x2560").
 * The verdict is PASS/FAIL from the threshold; na_reason != NULL makes it N/A with that reason.
 * A target missing from the profile is a FAIL with reason "no such target in the profile".
 * Returns the verdict. */
vr_verdict vr_check(vr_report *r, const char *section, const char *target, const char *subject, double measured,
                    const char *na_reason);
/* A speed verdict (issue 14): `estimate` is a ratio of timings (a speedup), [lo, hi] its confidence interval at
 * level conf from the interleaved repetitions, n_base / n_subject the repetitions behind each side. PASS when
 * the whole interval clears the threshold, FAIL when it lies entirely on the wrong side, INCONCLUSIVE when it
 * straddles it (with the repetitions per side estimated to settle it). base_instance / subject_instance name
 * the harness instances timed (the run re-measures them under --max-time); either may be NULL. The row's
 * `why` says measured vs threshold, by how much, the interval and what it came from. Returns the verdict. */
vr_verdict vr_check_interval(vr_report *r, const char *section, const char *target, const char *subject,
                             double estimate, double lo, double hi, double conf, int n_base, int n_subject,
                             const char *base_instance, const char *subject_instance);
/* The usual speed check: the speedup time(base) / time(subject) with its 95 % interval, Hodges–Lehmann on log
 * times over every repetition of the two instances in `records` (tb_ratio_interval_ex, as `tritbench ab`).
 * With na_reason the row is N/A. When the repetitions cannot give an interval (fewer than two on a side), the
 * row is INCONCLUSIVE with the estimate from the medians. `*speedup` (may be NULL) gets the estimate. */
vr_verdict vr_check_speedup(vr_report *r, const char *section, const char *target, const char *subject,
                            const tb_results *records, const char *base_instance, const char *subject_instance,
                            const char *na_reason, double *speedup);
/* The same estimate without a check (NAN when either instance has no repetition): what section tables print in
 * their speedup columns, so a table and the sign-off row show one number. */
double vr_speedup_estimate(const tb_results *records, const char *base_instance, const char *subject_instance);
/* The repetition times (seconds) of one instance in `records`, error-free iterations only, into t[cap]. */
size_t vr_repetition_times(const tb_results *records, const char *instance, double *t, size_t cap);
/* What the last check depends on, in the section's words ("FP16 tied embedding = 0.66 GB; with the q8 head
 * 9.1×"): appended to its `why` sentence when that check is FAIL or INCONCLUSIVE (a PASS needs no reason). */
void vr_check_why(vr_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Human form of a target's threshold ("≥ 8.2×"); "?" if unknown. */
const char *vr_threshold_text(vr_report *r, const char *target, char *buf, size_t len);

/* The decoder head storage the profile signs off ("head": "q8" or "fp16"; "fp16" when the profile names
 * none): the e2e section judges that configuration and shows the other as information. */
const char *vr_profile_head(const vr_report *r);

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

/* One TSV field: tab, newline, CR and backslash written as \t \n \r \\, other control bytes as \xHH, so a
 * name (a tensor's, from a checkpoint) can never split a row. Truncates to cap; returns the length. */
size_t vr_tsv_field(char *dst, size_t cap, const char *src);

/* --- benchmark records measured by a section: go to results.json's `benchmarks` (google/benchmark) --- */
void vr_add_records(vr_report *r, const tb_results *res);
/* Machine-readable key/values per section for results.json (numbers). */
void vr_metric(vr_report *r, const char *section, const char *key, double value);

/* --- sections: each file in validate/sections owns one descriptor; the list lives in one place
 * (validate/sections/meson.build: `section_names`), and the CLI's --suite names, the profile's known
 * targets and the run order all derive from it. ---
 *
 * A section never times anything. It declares the benchmark instances it needs — exact instance names of
 * the one suite registry `tritbench run` uses (so `tritbench run --benchmark_filter=` runs the same ones),
 * in groups — and judges the records the harness returns. Each group runs as one harness run with random
 * interleaving and every repetition kept: a ternary benchmark and its FP32 baselines share a group, so each
 * ratio is taken in one run under the same threads. */
typedef struct vr_instance {
    char name[TB_NAME_MAX]; /* "gemv/i2/avx512_vnni/2560x2560/threads:1" */
    unsigned group;
} vr_instance;

#define VR_MAX_EXTRA_SHAPES 32
typedef struct vr_instances {
    vr_instance *items;
    size_t count, cap;
    int repetitions;  /* per instance (default 5) */
    double min_time;  /* seconds per trial (default 0.5; a section sets its own) */
    /* GEMV shapes the gemv suite must register beyond its shape set (the model section's layer shapes) */
    size_t extra_shapes[VR_MAX_EXTRA_SHAPES][2];
    size_t n_extra_shapes;
    bool oom;
} vr_instances;
/* Adds one instance name (printf-style); a name already in the list is not added twice. */
void vr_instances_add(vr_instances *l, unsigned group, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vr_instances_free(vr_instances *l);

typedef struct vr_section {
    const char *name;           /* "kernels": --suite NAME, the report's heading */
    const char *description;    /* one line for --help */
    const char *const *targets; /* the profile targets it judges, NULL-terminated */
    bool needs_model;           /* runs only with --model FILE */
    /* The instances to run for these options; may add none. 0, or -1 when the section cannot be done
     * (message on stderr). NULL: no instances. */
    int (*instances)(const vr_options *o, vr_instances *out);
    /* Judges the records of its instances (every repetition, then the aggregates, as the harness returns
     * them; empty when it declared none) and adds checks, tables, notes and plots. 0 when it ran, -1 when
     * it could not be done at all (message on stderr; the run exits 2). */
    int (*judge)(vr_report *r, const vr_options *o, const tb_results *records);
} vr_section;

/* Every section, in run order. */
const vr_section *const *vr_sections(size_t *count);
const vr_section *vr_section_find(const char *name); /* NULL when no section has that name */
const char *vr_section_names(void);                 /* "kernels, accuracy, ..." for messages and --help */

/* Run records of one instance: the aggregate named (e.g. "median"), or with one repetition the run. */
const tb_record *vr_record(const tb_results *records, const char *instance, const char *aggregate_name);

/* Entry points kept for the tests that drive one section alone (they judge without instances). */
int vr_section_accuracy(vr_report *r, const vr_options *o); /* Fashion-MNIST: FP32 / PTQ / QAT */
int vr_section_model(vr_report *r, const vr_options *o);    /* --model FILE: per-layer, real weights */

#endif
