/* order_stats.h — the project's one sort and median of doubles (harness/stats.c). The harness's
 * aggregates, compare's rank tests and the history store's nightly medians all use these, so a median
 * means the same thing in every report. */
#ifndef TRITBENCH_ORDER_STATS_H
#define TRITBENCH_ORDER_STATS_H

#include <stddef.h>

/* Ascending, in place (NaN compares as neither smaller nor larger: keep NaN out). */
void tb_sort_doubles(double *v, size_t n);
/* Median of v[n] (v not reordered; the mean of the middle two for even n); NaN for n == 0 or no memory. */
double tb_median(const double *v, size_t n);

#endif
