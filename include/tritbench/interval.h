/* interval.h — distribution-free statistics for timing comparisons: the ratio of two sets of times with
 * its confidence interval (Hodges–Lehmann on log times, so an interval of differences becomes an interval
 * of ratios), its paired form for interleaved A/B rounds, the rank tests behind both, and
 * Benjamini–Hochberg control of the false discovery rate across many rows.
 *
 * Why these: timings are skewed and heavy-tailed (a preempted repetition is 2× slower), so means and
 * t-intervals are pulled by single outliers; rank methods make no normality assumption, and the
 * Hodges–Lehmann estimate is the shift that the Mann–Whitney / Wilcoxon test finds "most central", so the
 * estimate, its interval and the p-value always agree. Used by `tritbench compare`, `tritbench ab` and the
 * validator's PASS / FAIL / INCONCLUSIVE verdicts (issue 14). */
#ifndef TRITBENCH_INTERVAL_H
#define TRITBENCH_INTERVAL_H

#include <stdbool.h>
#include <stddef.h>
#include "tritbench/order_stats.h" /* tb_median, tb_sort_doubles */

typedef struct tb_interval {
    double lo, est, hi; /* ratio b/a (> 1: b slower): lower bound, Hodges–Lehmann estimate, upper bound */
    double p;           /* two-sided p-value of "the ratio is 1" (Mann–Whitney U or Wilcoxon signed rank) */
    double conf;        /* the confidence level asked for */
    bool exact;         /* exact null distribution (no ties, n ≤ 50 per side) rather than the normal approximation */
    bool bounded;       /* false: too few samples to reach conf at all; then lo = 0 and hi = INFINITY */
} tb_interval;

/* Unpaired: samples a[na] (baseline) and b[nb] (contender), positive times in any one unit. The interval
 * holds the true ratio with probability ≥ conf when each side is an i.i.d. sample and the two differ by a
 * scale factor. Returns 0, or -1 when an input is empty, not positive and finite, conf is outside (0, 1),
 * or memory runs out (out untouched). */
int tb_ratio_interval_ex(const double *a, size_t na, const double *b, size_t nb, double conf, tb_interval *out);

/* The same, as three numbers (NULL pointers are skipped). */
int tb_ratio_interval(const double *a, size_t na, const double *b, size_t nb, double conf, double *lo, double *est,
                      double *hi);

/* Paired: a[i] and b[i] were measured side by side (one interleaved round, in random order), so slow
 * machine drift hits both alike; the analysis uses only the n ratios b[i]/a[i]: the Hodges–Lehmann
 * one-sample estimate (median of Walsh averages of the log ratios), its interval from the signed-rank
 * distribution, and the Wilcoxon signed-rank p-value. Same returns as above. */
int tb_paired_ratio_interval(const double *a, const double *b, size_t n, double conf, tb_interval *out);

/* Two-sided Mann–Whitney U p-value: exact distribution when both sides have ≤ 50 samples and no value is
 * tied (scipy.stats.mannwhitneyu method="exact"), else the normal approximation with tie and continuity
 * correction (method="asymptotic"). U of a goes to *u_out, whether exact to *exact (either may be NULL). NaN for an empty side. */
double tb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out, bool *exact);

/* Two-sided Wilcoxon signed-rank p-value of d[n] around 0; zeros are dropped (scipy's zero_method="wilcox");
 * exact when n ≤ 50 and no |d| is tied, else normal with tie and continuity correction. T+ to *t_plus. NaN when
 * nothing is left. */
double tb_signed_rank_p(const double *d, size_t n, double *t_plus, bool *exact);

/* Benjamini–Hochberg adjusted p-values ("q-values"): q[i] = min over j with p_(j) ≥ p_i of p_(j)·m/rank(j),
 * capped at 1, where m counts the non-NaN p; NaN stays NaN. Rows with q < alpha are discoveries at a false
 * discovery rate ≤ alpha. q may alias p. 0, or -1 on no memory. */
int tb_bh_adjust(const double *p, size_t n, double *q);


/* The standard normal quantile: z with Φ(z) = prob, prob in (0, 1). */
double tb_normal_quantile(double prob);

#endif
