/* stats.h — the statistics the history needs: order statistics of one run's repetitions, Welch's t-test
 * and its interval (the significance step of the change-point detector). Internal to history/. */
#ifndef TRITBENCH_HISTORY_STATS_H
#define TRITBENCH_HISTORY_STATS_H

#include <stddef.h>

#include "tritbench/order_stats.h" /* tb_median: the median of a night's repetitions */

typedef struct hist_stats {
    double median, min, max, mean, sd, cv; /* sd with n−1; cv = sd/mean (0 for one value) */
} hist_stats;

void hist_stats_of(const double *v, size_t n, hist_stats *out); /* NaNs for n == 0 */

/* Welch's two-sample t-test of a vs b: two-sided p-value; the difference of means (b − a) and its 95 %
 * interval go to *diff, *lo, *hi when non-NULL. p = 1 with fewer than 2 values on a side. */
double hist_welch(const double *a, size_t na, const double *b, size_t nb, double *diff, double *lo, double *hi);

/* Mann–Whitney U two-sided p-value, normal approximation with tie and continuity correction. */
double hist_mann_whitney(const double *a, size_t na, const double *b, size_t nb);

/* Student t distribution: two-sided tail probability P(|T| > t) with df degrees of freedom. */
double hist_t_two_sided(double t, double df);

#endif
