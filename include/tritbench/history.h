/* history.h — the results history: a database of runs (SQLite file or PostgreSQL server), the series it
 * holds (one point per run of a benchmark on one machine), change-point detection on those series, and the
 * between-run noise it learns (what `tritbench compare --history DB` uses).
 *
 * Promise: one schema for both backends, versioned with migrations; every ingest is one transaction (a
 * killed ingest leaves nothing); re-ingesting the same file (same content hash) adds nothing. A machine is
 * identified by its fingerprint (CPU model, ISA features, core count, kernel, compiler); series never mix
 * machines unless the caller asks (all_machines). */
#ifndef TRITBENCH_HISTORY_H
#define TRITBENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hist_db hist_db;

/* spec: a file path (SQLite) or a "postgresql://…" / "postgres://…" URL. NULL with the reason in err when
 * the database cannot be opened, the backend was not built in (the reason says which package is missing),
 * or its schema is newer than this program. Migrates an older schema forward. */
hist_db *hist_open(const char *spec, char *err, size_t err_len);
void hist_close(hist_db *db);
const char *hist_backend_name(const hist_db *db); /* "sqlite" | "postgresql" */
int hist_schema_version(hist_db *db);              /* the version the database is at now */
int hist_schema_latest(void);                      /* the version this program writes */
/* Backends compiled into this build, and why one is missing ("" when none is). */
bool hist_have_sqlite(void);
bool hist_have_postgresql(void);
const char *hist_missing_backends(void);

/* ---- ingest ---- */
typedef struct hist_ingest_opts {
    const char *date;   /* ISO 8601 override of the file's context date (NULL: the file's) */
    const char *host;   /* override of context host_name */
    const char *commit; /* override of context git_commit */
    const char *kernel; /* override of the OS kernel release in the fingerprint */
    const char *profile; /* override of the validate profile name */
    const char *tags;   /* free text, comma-separated (stored as given) */
} hist_ingest_opts;

typedef struct hist_ingest_result {
    int64_t run_id;
    bool duplicate;        /* the same content was ingested before: nothing added */
    size_t n_benchmarks;   /* result rows stored (per instance) */
    size_t n_samples;      /* repetition samples stored */
    size_t n_verdicts;     /* validation checks stored */
    char kind[16];         /* "benchmark" (google/benchmark JSON) or "validate" (results.json) */
} hist_ingest_result;

/* Parses and stores one file in one transaction. 0 stored (or duplicate), -1 with err (nothing stored). */
int hist_ingest_file(hist_db *db, const char *path, const hist_ingest_opts *opts, hist_ingest_result *out,
                     char *err, size_t err_len);
int hist_ingest_buffer(hist_db *db, const char *text, size_t len, const char *origin,
                       const hist_ingest_opts *opts, hist_ingest_result *out, char *err, size_t err_len);

/* The fingerprint of the machine a result file describes (its context), as ingest computes it. */
int hist_fingerprint_of_file(const char *path, const char *kernel_override, char *fp, size_t fp_len, char *err,
                             size_t err_len);

/* ---- runs ---- */
typedef struct hist_run {
    int64_t id;
    char date[32];   /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
    char host[128];
    char commit[64];
    char kind[16];
    char profile[128];
    char tags[256];
    char fingerprint[20]; /* 16 hex digits */
    char cpu_model[128];
    char source[512];
    int64_t n_benchmarks, n_samples, n_verdicts, n_failed;
} hist_run;

int hist_list_runs(hist_db *db, hist_run **out, size_t *n, char *err, size_t err_len); /* oldest first */
int hist_get_run(hist_db *db, int64_t id, hist_run *out, char *err, size_t err_len);   /* 1 found, 0 not */

/* google/benchmark JSON of one stored run (context as ingested, one row per repetition plus its
 * counters). Caller frees *json. */
int hist_export_run(hist_db *db, int64_t id, char **json, char *err, size_t err_len);

typedef struct hist_verdict {
    char section[64], target[128], subject[256], threshold[64], measured[128], verdict[16], reason[512];
} hist_verdict;
int hist_run_verdicts(hist_db *db, int64_t id, hist_verdict **out, size_t *n, char *err, size_t err_len);

/* ---- series ---- */
typedef struct hist_point {
    int64_t run_id;
    char date[32];
    char commit[64];
    double median;   /* seconds per iteration: the run's median over repetitions */
    double lo, hi;   /* within-run spread: min and max repetition */
    double cv;       /* within-run coefficient of variation (0 with one repetition) */
    int n_reps;
} hist_point;

typedef struct hist_series {
    char *benchmark;
    char fingerprint[20]; /* "*" when machines were pooled */
    char cpu_model[128];
    hist_point *points;   /* oldest first */
    size_t n;
} hist_series;

/* Series of the benchmarks whose name matches the POSIX extended regex (NULL: all), one per benchmark and
 * machine (or per benchmark when all_machines), restricted to one machine when fingerprint is non-NULL. */
int hist_load_series(hist_db *db, const char *regex, const char *fingerprint, bool all_machines,
                     hist_series **out, size_t *n, char *err, size_t err_len);
void hist_series_free(hist_series *s, size_t n);

/* ---- change points (history/changepoint.c: E-divisive means + a rank-test significance step) ---- */
typedef struct hist_cp_params {
    double p_max;       /* significance level of each split's Mann–Whitney test (default 1e-4) */
    size_t min_segment; /* nights on each side of a change (default 3) */
    double min_change;  /* smallest relative change reported, e.g. 0.01 (default 0.005) */
} hist_cp_params;
void hist_cp_defaults(hist_cp_params *p);

typedef struct hist_change {
    size_t index;        /* first point of the new level */
    double before, after; /* medians (seconds) of the segments either side */
    double change;       /* after/before − 1 (positive: slower, a regression for times) */
    double ci_lo, ci_hi; /* 95 % interval of the change (Welch t on the logarithms) */
    double p;            /* Mann–Whitney p-value of the split against its neighbouring segments */
} hist_change;

/* Change points of x[0..n) (positive values; tested on their logarithm). Returns how many were written to
 * cps (at most cap), sorted by index; -1 on no memory. Deterministic. */
int hist_detect_changes(const double *x, size_t n, const hist_cp_params *p, hist_change *cps, size_t cap);

/* Between-run noise of x given its change points: the pooled standard deviation of log(x) within the
 * segments between change points (≈ relative sd of nightly medians). NaN with fewer than 3 points. */
double hist_between_run_noise(const double *x, size_t n, const hist_change *cps, size_t n_cps);

/* What `compare --history DB` consumes: per benchmark on one machine (fingerprint; NULL = pool all
 * machines), the learned relative sd of nightly medians between change points and how many nights it
 * rests on. Caller frees with hist_noise_free. */
typedef struct hist_noise {
    char *benchmark;
    double rel_sd;
    size_t nights;
} hist_noise;
int hist_learned_noise(hist_db *db, const char *fingerprint, hist_noise **out, size_t *n, char *err,
                       size_t err_len);
const hist_noise *hist_noise_find(const hist_noise *v, size_t n, const char *benchmark);
void hist_noise_free(hist_noise *v, size_t n);

/* Detection over every series: one entry per change point found. */
typedef struct hist_finding {
    const hist_series *series; /* borrowed from the series array passed in */
    hist_change cp;
    bool regression;            /* slower after the change */
    bool is_new;                /* not found without the series' newest night: tonight's news */
} hist_finding;
int hist_detect_all(const hist_series *s, size_t n, const hist_cp_params *p, hist_finding **out,
                    size_t *n_out);

/* ---- plots (history/plot.c): gnuplot, each series relative to its first level, spread as error bars,
 * change points marked ---- */
/* Writes DIR/STEM.tsv and .gp, then DIR/STEM.png and .svg when gnuplot is on PATH. Returns 0 rendered,
 * 1 data written but not rendered (why says so: no gnuplot, gnuplot failed), -1 on an I/O error. The
 * findings are those of the series given (others are ignored). */
int hist_plot_series(const char *dir, const char *stem, const char *title, const hist_series *const *series,
                     size_t n, const hist_finding *findings, size_t n_findings, char *why, size_t why_len);

/* ---- dashboard (history/report.c) ---- */
typedef struct hist_report_opts {
    const char *fingerprint;       /* one machine only (NULL: every machine, each its own series) */
    bool all_machines;             /* pool machines into one series per benchmark */
    const char *regex;             /* benchmarks to include (NULL: all) */
    const hist_cp_params *params;  /* NULL: defaults */
    const char *db_label;          /* shown in the page (no password: the caller strips it) */
} hist_report_opts;

typedef struct hist_report_summary {
    size_t n_series, n_families, n_changes, n_regressions, n_new_regressions, n_new_improvements;
    size_t n_plots, n_plots_rendered, n_failed_verdicts;
    char latest_date[32];
    char plots_note[256]; /* why plots were not rendered, "" when they were */
} hist_report_summary;

/* Writes DIR/index.html (self-contained: plots inlined as SVG), DIR/report.md and DIR/plots/. */
int hist_write_report(hist_db *db, const char *dir, const hist_report_opts *opts, hist_report_summary *out,
                      char *err, size_t err_len);

#endif
