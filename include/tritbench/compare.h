/* compare.h — result files (tritbench's results.json or any google/benchmark JSON) read into
 * per-benchmark samples, paired by name, and judged row by row: the ratio new/base with its
 * Hodges–Lehmann interval (interval.h), Benjamini–Hochberg across rows, and a between-run noise band.
 *
 * Why the noise band: two separate runs on a shared host drift apart by more than the changes we look for
 * (A/A runs 12 minutes apart moved single rows by −22 … +26 %), and repetitions of one process cannot see
 * that drift. So a row is a REGRESSION only when it is significant, beyond the threshold AND beyond the
 * between-run noise of that benchmark, which only a history of runs can tell (cmp_noise, filled by the
 * history store). Without it such a row is INCONCLUSIVE, never REGRESSION; `tritbench ab` interleaves
 * the two builds in one time window instead and needs no history. */
#ifndef TRITBENCH_COMPARE_H
#define TRITBENCH_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compare/name_index.h"
#include "tritbench/interval.h"

typedef struct cmp_bench {
    char *name;          /* run_name (the instance) */
    double *times;       /* time per iteration (real or CPU, cmp_clock), seconds, one per repetition (NaN or 0
                            kept as read) */
    size_t n, cap;
    size_t n_invalid;    /* samples that are 0 or NaN: not a time */
    bool from_aggregate; /* only aggregates in the file: the median (or mean) stands in as one sample */
} cmp_bench;

typedef struct cmp_file {
    char path[4096];
    cmp_bench *b;
    size_t n, cap;
    tb_name_index index; /* name → b[] */
    size_t n_errored;    /* rows with error_occurred or skipped, left out */
    size_t n_complexity; /* BigO / RMS rows (no real_time), left out */
    json_t *context;     /* borrowed into the file's root; NULL when absent */
    json_t *root;
} cmp_file;

/* Reads a file: only a regular file is opened for reading (a FIFO or device is refused without blocking). */
int cmp_load(const char *path, cmp_file *f, char *err, size_t err_len);
/* Parses text as google/benchmark writes it, including the bare NaN / Infinity / -Infinity tokens its
 * JSON reporter emits for non-finite counters (read as null). 0, or -1 with err naming the problem. */
int cmp_parse(const char *text, size_t len, const char *origin, cmp_file *f, char *err, size_t err_len);
/* Which time is read: google/benchmark's real_time (wall clock, the default) or cpu_time (the process's CPU
 * time: on a loaded host it leaves out the time spent waiting for a CPU). */
typedef enum cmp_clock { CMP_REAL_TIME, CMP_CPU_TIME } cmp_clock;
int cmp_load_clock(const char *path, cmp_clock clock, cmp_file *f, char *err, size_t err_len);
int cmp_parse_clock(const char *text, size_t len, const char *origin, cmp_clock clock, cmp_file *f, char *err,
                    size_t err_len);
void cmp_file_free(cmp_file *f);
const cmp_bench *cmp_find(const cmp_file *f, const char *name);

/* Between-run noise of one benchmark on this machine: the relative standard deviation of a run's median
 * from one run to the next (e.g. 0.03 = 3 %), learnt by the history store over past runs. */
typedef struct cmp_noise {
    const char *name;
    double between_run_rel_sd;
} cmp_noise;

typedef struct cmp_options {
    double threshold;     /* a fraction: 0.05 = 5 % */
    double alpha;         /* false discovery rate across rows; the intervals are at 1 − alpha */
    const cmp_noise *noise; /* NULL: between-run noise unknown → significant changes are INCONCLUSIVE */
    size_t n_noise;
} cmp_options;

typedef enum cmp_state {
    CMP_SAME,         /* no significant change, or within the threshold */
    CMP_REGRESSION,   /* slower: significant, beyond the threshold and beyond the between-run noise */
    CMP_IMPROVED,     /* faster, same three conditions */
    CMP_INCONCLUSIVE, /* significant and beyond the threshold, but not shown to exceed between-run noise */
    CMP_UNTESTED,     /* fewer than 2 repetitions on a side (or aggregates only): no test */
    CMP_INVALID_BASE, /* a base time is zero or NaN: no ratio */
    CMP_INVALID_NEW,  /* a new time is zero or NaN */
} cmp_state;

const char *cmp_state_name(cmp_state s); /* "same", "REGRESSION", "improved", "inconclusive", ... */

typedef struct cmp_row {
    const char *name;
    size_t n_base, n_new;
    double base, new_;   /* medians, seconds (NaN when invalid) */
    tb_interval ratio;   /* new/base; valid unless state is UNTESTED or INVALID_* */
    double q;            /* Benjamini–Hochberg adjusted p; NaN when untested */
    double noise_band;   /* relative change that between-run noise alone reaches (2-sided 1 − alpha); NaN unknown */
    cmp_state state;
} cmp_row;

typedef struct cmp_result {
    cmp_row *rows;
    size_t n_rows;
    const char **only_base, **only_new; /* unpaired names */
    size_t n_only_base, n_only_new;
    double geomean_ratio;   /* geometric mean of the row estimates; NaN with no valid pair */
    double observed_spread; /* robust SD (1.4826·MAD) of the rows' log ratios: how far runs moved apart */
    size_t counts[CMP_INVALID_NEW + 1]; /* rows per state */
    bool few_repetitions;   /* some pair has < 9 repetitions on a side */
    bool noise_known;       /* opt.noise given */
} cmp_result;

/* 0, or -1 on no memory. */
int cmp_compare(const cmp_file *base, const cmp_file *new_, const cmp_options *opt, cmp_result *out);
/* The row verdicts from rows already filled (state CMP_SAME = tested, ratio set): Benjamini–Hochberg over
 * their p-values, threshold, noise band, counts, geometric mean, observed spread. drift_controlled: the
 * samples come from interleaved rounds (`tritbench ab`), so no between-run noise band applies. 0 or -1. */
int cmp_judge(cmp_result *res, const cmp_options *opt, bool drift_controlled);
void cmp_result_free(cmp_result *r);

/* Context keys that differ between the two files ("cpu_model", ...); returns how many were written. */
size_t cmp_context_diff(const cmp_file *a, const cmp_file *b, const char **keys, size_t cap);

/* Copies name into out with terminal control bytes (C0, DEL, C1 as UTF-8) and backslashes escaped
 * (\xNN, \\), so a hostile name cannot drive the terminal (issue 17). Always NUL-terminates. */
void cmp_escape_name(const char *name, char *out, size_t out_len);

/* "5%", "5 %", "0.05" (a fraction below 1). A bare number ≥ 1 ("10") is ambiguous — 10 % or 1000 %? —
 * and refused. 0 or -1. */
int cmp_parse_threshold(const char *s, double *out);

#endif
