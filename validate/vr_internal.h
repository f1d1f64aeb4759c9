/* vr_internal.h — the validator's insides shared by the report model, the profile reader, the writers
 * and the CLI (validate.h is what sections see; this is what the writers and tests see). */
#ifndef TRITBENCH_REPORTS_VR_INTERNAL_H
#define TRITBENCH_REPORTS_VR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/bench.h"
#include "tritbench/context.h"
#include "tritbench/validate.h"

/* ---- profile: targets and thresholds (validate/profile.c) ---- */
#define VR_NAME_MAX 64

typedef struct vr_target {
    char name[VR_NAME_MAX];
    bool has_min, has_max, has_optimal;
    double min, max, optimal; /* PASS when min ≤ measured ≤ max; "optimal" is a stretch goal (same side as min/max) */
    char unit[16];            /* "x", "fraction" (shown as %), "" (plain number) */
    char description[256];
} vr_target;

typedef struct vr_profile {
    char name[128];
    char description[512];
    char path[4096];
    char head[16]; /* "head": the decoder head storage the e2e sign-off judges ("fp16" when absent, or "q8") */
    vr_target *targets;
    size_t n_targets;
} vr_profile;

/* Reads and validates a profile. Returns 0, or -1 with a message naming the file and the problem
 * (missing key, wrong type, unknown target, unknown field, bad range). */
int vr_profile_load(const char *path, vr_profile *p, char *err, size_t err_len);
int vr_profile_parse(const char *text, size_t len, const char *origin, vr_profile *p, char *err, size_t err_len);
void vr_profile_free(vr_profile *p);
const vr_target *vr_profile_find(const vr_profile *p, const char *name);
/* Target names the validator's sections know (a profile naming another one is an error). */
bool vr_target_known(const char *name);
const char *vr_known_targets(void); /* comma list for error messages */
/* The pure verdict of one number against one target (NaN/inf → FAIL). */
vr_verdict vr_target_verdict(const vr_target *t, double measured);
bool vr_target_optimal(const vr_target *t, double measured);
/* "≥ 8.2×", "≤ 1e-09", "20 % – 60 %" */
void vr_target_threshold_text(const vr_target *t, char *buf, size_t len);
/* A measured value in the target's unit ("15.98×", "31.2 %", "3.1e-14"). */
void vr_format_value(const char *unit, double v, char *buf, size_t len);

/* ---- the report (validate/report.c) ---- */
typedef struct vr_check_row {
    char section[32];
    char target[VR_NAME_MAX];
    char subject[192];
    char threshold[64];
    char measured_text[64];
    double measured;
    vr_verdict verdict;
    char reason[256]; /* N/A reason, or why FAIL when not a plain miss */
    bool optimal;     /* PASS and at the profile's "optimal" level */
    bool has_optimal;
    /* Speed verdicts (issue 14): the measured ratio's confidence interval from the interleaved repetitions.
     * PASS when the whole interval clears the threshold, FAIL when it lies on the wrong side, INCONCLUSIVE
     * when it straddles it. */
    bool has_interval;
    double lo, hi;    /* interval of `measured`, same unit */
    double conf;      /* its confidence level (0.95) */
    int more_reps;    /* INCONCLUSIVE: repetitions per side estimated to settle it (0: unknown) */
    char why[512];    /* one sentence for "What failed and why" (FAIL / INCONCLUSIVE): measured vs threshold, by
                       * how much, the interval, what it depends on; "" → the writers compose one */
    int n_base, n_subject; /* repetitions behind the interval, per side */
    char base_instance[TB_NAME_MAX], subject_instance[TB_NAME_MAX]; /* what --max-time re-measures ("": none) */
} vr_check_row;

struct vr_table {
    char section[32];
    char title[192];
    size_t n_cols, n_rows, cap_rows;
    char **headers; /* n_cols */
    char **cells;   /* n_rows × n_cols */
};

typedef struct vr_note_item {
    char section[32];
    char *text;
} vr_note_item;

typedef struct vr_plot_item {
    char section[32];
    char name[64];
    char title[192];
    char *body;
    char *data;
    bool rendered;       /* PNG and SVG written */
    char status[256];    /* why not rendered */
} vr_plot_item;

typedef struct vr_metric_item {
    char section[32];
    char key[96];
    double value;
} vr_metric_item;

typedef struct vr_section_status {
    char name[32];
    int rc;             /* 0 ran, -1 could not be done */
    double seconds;
} vr_section_status;

struct vr_report {
    vr_profile profile;
    vr_check_row *checks;
    size_t n_checks, cap_checks;
    vr_table **tables;
    size_t n_tables, cap_tables;
    vr_note_item *notes;
    size_t n_notes, cap_notes;
    vr_plot_item *plots;
    size_t n_plots, cap_plots;
    vr_metric_item *metrics;
    size_t n_metrics, cap_metrics;
    tb_results records; /* copies of every record sections added */
    vr_section_status sections[16];
    size_t n_sections;
    tb_context ctx;
    char command[4096];
    char plots_status[256]; /* "" or why plots were skipped */
    bool oom;               /* an allocation failed somewhere: the report says so */
    bool incomplete;        /* a selected section could not run: results.json says "incomplete": true */
};

/* Appends copies of src's records to dst (grown as needed); 0, or -1 on no memory. */
int vr_records_append(tb_results *dst, const tb_results *src);
/* Takes ownership of the profile (it is freed with the report). NULL on no memory. */
vr_report *vr_report_new(vr_profile *profile);
void vr_report_free(vr_report *r);
void vr_report_section_done(vr_report *r, const char *name, int rc, double seconds);
/* FAIL if any check failed (or memory ran out); else INCONCLUSIVE if any is inconclusive; else PASS with at least
 * one PASS; N/A when nothing was checked. n_na counts N/A rows only; vr_report_count gives the inconclusive ones.
 * Only FAIL fails the gate (exit 1). */
vr_verdict vr_report_verdict(const vr_report *r, size_t *n_pass, size_t *n_fail, size_t *n_na);
size_t vr_report_count(const vr_report *r, vr_verdict v);
/* The run's exit status from its report: 2 when it is incomplete (a selected section could not run) or its files
 * could not be written, 1 when a check FAILed, else 0 (INCONCLUSIVE and N/A rows do not fail the gate). */
int vr_exit_code(const vr_report *r, bool wrote);
/* Drops everything a section added — checks, tables, notes, plots, metrics — so its judge can run again on
 * more repetitions (--max-time). Its run status and the benchmark records stay. */
void vr_report_drop_section(vr_report *r, const char *section);

/* The pure speed verdict of an interval [lo, hi] of `estimate` against a target, with n repetitions per side
 * behind it: PASS when the whole interval satisfies the target, FAIL when it lies entirely outside on one side,
 * else INCONCLUSIVE with *more_reps (may be NULL) = the further repetitions per side estimated to settle it
 * (the interval's half-width on the threshold's side shrinks as 1/sqrt(n); 0 when unknown). A non-finite
 * estimate is FAIL; an unbounded interval (lo ≤ 0 or hi infinite) is INCONCLUSIVE. */
vr_verdict vr_interval_verdict(const vr_target *t, double estimate, double lo, double hi, int n, int *more_reps);

/* ---- re-measuring (validate/remeasure.c) ---- */
#define VR_REMEASURE_MAX_REPS 64
/* What --max-time re-measures for one section: into `out`, the instances behind its INCONCLUSIVE rows that it
 * declared (`declared_list`), each in its declared group so a ratio's two sides are interleaved again in one
 * harness run, plus every instance of a baseline's group one name component apart from it (its competitors
 * for "fastest baseline" — and, by the same rule, ternary rows of the baseline's variant: cost, not a wrong
 * verdict); *reps = the most repetitions per side any row asks for (at least 3, at most
 * VR_REMEASURE_MAX_REPS). Returns the number of INCONCLUSIVE rows of the section. */
size_t vr_remeasure_plan(const vr_report *r, const char *section, const vr_instances *declared_list, vr_instances *out,
                         int *reps);
/* Merges `fresh` repetitions into `records`: for every instance with iteration records in fresh, its old and
 * new repetitions become one list (repetition_index renumbered, `repetitions` the new total) followed by
 * aggregates recomputed over all of them; other instances are kept as they were. 0, or -1 on no memory
 * (records untouched). */
int vr_records_merge(tb_results *records, const tb_results *fresh);
/* Names of the sections with any content — those that ran, in order, then any that only added checks,
 * tables, notes or plots. Every writer walks this one list, so the three files never disagree. */
size_t vr_report_section_names(const vr_report *r, const char **names, size_t cap);

/* ---- writers (validate/write_*.c, validate/plots.c) ---- */
/* Each writes its files atomically into dir (which exists). 0, or -1 with a message in err. */
int vr_write_markdown(vr_report *r, const char *dir, char *err, size_t err_len);
int vr_write_json(vr_report *r, const char *dir, char *err, size_t err_len);
/* Renders every plot with gnuplot from PATH (PNG via pngcairo and SVG). Never fails the run: without
 * gnuplot, r->plots_status says why and each plot's status says it was skipped. Returns the number rendered. */
size_t vr_render_plots(vr_report *r, const char *dir);
/* Optional self-contained HTML (report.md's content with the SVGs inlined). */
int vr_write_html(vr_report *r, const char *dir, char *err, size_t err_len);

/* ---- the whole run (validate/validate_run.c): what `tritbench validate` does after parsing flags ---- */
/* Returns the exit code: 0 all PASS, 1 something failed, 2 the run could not be done. */
int vr_run(const vr_options *o, const char *command_line);
/* mkdir -p; 0 or -1 with a message. */
int vr_mkdirs(const char *path, char *err, size_t err_len);

#endif
