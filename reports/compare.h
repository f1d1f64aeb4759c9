/* compare.h — `tritbench compare`: two result files (ours or plain google/benchmark JSON), benchmarks
 * paired by name, time changes, Mann–Whitney U significance, the geometric mean, regression gating. */
#ifndef TRITBENCH_REPORTS_COMPARE_H
#define TRITBENCH_REPORTS_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Two-sided Mann–Whitney U p-value of samples a and b: exact distribution when both are small and
 * untied, else the normal approximation with tie and continuity correction (as scipy's default).
 * Returns NaN when either side has fewer than 1 sample. U (of a) goes to *u_out when non-NULL. */
double vr_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out, bool *exact);
double vr_median(const double *v, size_t n); /* NaN for n == 0; does not reorder v */

typedef struct cmp_bench {
    char *name;     /* run_name (the instance) */
    double *times;  /* real time per iteration, seconds, one per repetition */
    size_t n, cap;
    bool from_aggregate; /* only aggregates in the file: the median (or mean) stands in as one sample */
} cmp_bench;

typedef struct cmp_file {
    char path[4096];
    cmp_bench *b;
    size_t n, cap;
    size_t n_errored; /* rows with error_occurred/skipped, left out */
    json_t *context;  /* borrowed into the file's root; NULL when absent */
    json_t *root;
} cmp_file;

int cmp_load(const char *path, cmp_file *f, char *err, size_t err_len);
int cmp_parse(const char *text, size_t len, const char *origin, cmp_file *f, char *err, size_t err_len);
void cmp_file_free(cmp_file *f);

typedef struct cmp_row {
    const char *name;
    size_t n_base, n_new;
    double base, new_;  /* medians, seconds */
    double change;      /* new/base − 1 */
    double p;           /* NaN when untested */
    bool tested, exact;
    bool regression;    /* change > threshold and p < alpha */
    bool improvement;   /* change < −threshold and p < alpha */
} cmp_row;

typedef struct cmp_result {
    cmp_row *rows;
    size_t n_rows;
    const char **only_base, **only_new; /* unpaired names */
    size_t n_only_base, n_only_new;
    double geomean_change; /* geometric mean of new/base over the pairs, − 1; NaN with no pairs */
    size_t n_regressions, n_improvements, n_untested;
    bool few_repetitions; /* some pair has < 9 repetitions on a side: results less reliable */
} cmp_result;

/* threshold: a fraction (0.05 = 5 %); alpha: significance level. 0, or -1 on no memory. */
int cmp_compare(const cmp_file *base, const cmp_file *new_, double threshold, double alpha, cmp_result *out);
void cmp_result_free(cmp_result *r);

/* Context keys that differ between the two files ("cpu_model", ...); returns how many were written. */
size_t cmp_context_diff(const cmp_file *a, const cmp_file *b, const char **keys, size_t cap);

#endif
