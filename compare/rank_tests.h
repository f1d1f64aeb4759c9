/* rank_tests.h — internals shared by rank_tests.c and interval.c: exact null distributions of the two
 * rank statistics (as cumulative probabilities) and a sort. */
#ifndef TRITBENCH_COMPARE_RANK_TESTS_H
#define TRITBENCH_COMPARE_RANK_TESTS_H

#include <stddef.h>

/* Exact distributions are used up to this many samples per side (the tables stay under a few MB). */
#define TB_EXACT_MAX_N 50

/* P(U ≤ u) for u = 0..m·n under H0, no ties; malloc'd (free it), NULL on no memory. */
double *tb_mwu_null_cdf(size_t m, size_t n);
/* P(T+ ≤ t) for t = 0..n(n+1)/2 under H0, no ties or zeros; malloc'd, NULL on no memory. */
double *tb_signed_rank_null_cdf(size_t n);

#endif
