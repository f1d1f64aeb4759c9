/* stats.h — the aggregate statistics over repetitions (google/benchmark's set plus min). */
#ifndef TRITBENCH_HARNESS_STATS_H
#define TRITBENCH_HARNESS_STATS_H

#include <stddef.h>

double tb_stat_mean(const double *v, size_t n);
double tb_stat_median(const double *v, size_t n); /* mean of the middle two for even n */
double tb_stat_stddev(const double *v, size_t n); /* sample (n − 1); 0 when n < 2 */
double tb_stat_cv(const double *v, size_t n);     /* stddev / mean as a fraction; 0 when mean is 0 */
double tb_stat_min(const double *v, size_t n);

typedef double (*tb_stat_fn)(const double *v, size_t n);
typedef struct tb_stat_def {
    const char *name; /* "mean", "median", "stddev", "cv", "min" */
    const char *unit; /* "time" or "percentage" */
    tb_stat_fn fn;
} tb_stat_def;
const tb_stat_def *tb_stat_defs(size_t *count);

/* Above this coefficient of variation a run is flagged as noisy. */
#define TB_CV_WARN 0.05

#endif
