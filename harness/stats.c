/* stats.c — mean, median, sample standard deviation, coefficient of variation, minimum. */
#include "harness/stats.h"
#include "tritbench/order_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double tb_stat_mean(const double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void tb_sort_doubles(double *v, size_t n) { qsort(v, n, sizeof *v, cmp_double); }

double tb_median(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double small[64];
    double *c = n <= 64 ? small : malloc(n * sizeof *c);
    if (!c)
        return NAN;
    memcpy(c, v, n * sizeof *c);
    tb_sort_doubles(c, n);
    const double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    if (c != small)
        free(c);
    return m;
}

/* The aggregate of no repetition is 0 (as google/benchmark reports it), not NaN. */
double tb_stat_median(const double *v, size_t n) { return n == 0 ? 0.0 : tb_median(v, n); }

double tb_stat_stddev(const double *v, size_t n)
{
    if (n < 2)
        return 0.0;
    double mean = tb_stat_mean(v, n), ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    return sqrt(ss / (double)(n - 1));
}

double tb_stat_cv(const double *v, size_t n)
{
    double mean = tb_stat_mean(v, n);
    if (mean == 0.0)
        return 0.0;
    return tb_stat_stddev(v, n) / mean;
}

double tb_stat_min(const double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

const tb_stat_def *tb_stat_defs(size_t *count)
{
    static const tb_stat_def defs[] = {
        {"mean", "time", tb_stat_mean},     {"median", "time", tb_stat_median}, {"stddev", "time", tb_stat_stddev},
        {"cv", "percentage", tb_stat_cv}, {"min", "time", tb_stat_min},
    };
    *count = sizeof defs / sizeof defs[0];
    return defs;
}
