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
/* PASS if every check passed or is N/A with at least one PASS; FAIL if any failed; N/A when nothing was checked. */
vr_verdict vr_report_verdict(const vr_report *r, size_t *n_pass, size_t *n_fail, size_t *n_na);
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
