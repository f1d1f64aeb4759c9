/* mannwhitney.c — the Mann–Whitney U test (two-sided) and medians for `tritbench compare`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"

/* Exact only while the DP table stays small; beyond this the normal approximation is accurate anyway. */
#define EXACT_MAX_N 20

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double vr_median(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

typedef struct ranked {
    double v;
    int from_a;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    return cmp_double(&((const ranked *)a)->v, &((const ranked *)b)->v);
}

/* P(U ≤ u) under H0 for sample sizes m, n without ties: counts of arrangements by U, computed with the
 * recurrence c(m, n, u) = c(m−1, n, u−n) + c(m, n−1, u), iteratively over n for each m. */
static double exact_cdf(size_t m, size_t n, double u)
{
    const size_t umax = m * n;
    /* table[j][u] for the current i (rows of a), j = 0..n */
    double *prev = calloc((n + 1) * (umax + 1), sizeof(double));
    double *cur = calloc((n + 1) * (umax + 1), sizeof(double));
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return NAN;
    }
#define AT(t, j, k) (t)[(j) * (umax + 1) + (k)]
    for (size_t j = 0; j <= n; j++)
        AT(prev, j, 0) = 1.0; /* i = 0: only U = 0 */
    for (size_t i = 1; i <= m; i++) {
        memset(cur, 0, (n + 1) * (umax + 1) * sizeof(double));
        AT(cur, 0, 0) = 1.0;
        for (size_t j = 1; j <= n; j++)
            for (size_t k = 0; k <= i * j; k++)
                AT(cur, j, k) = (k >= j ? AT(prev, j, k - j) : 0.0) + AT(cur, j - 1, k);
        double *t = prev;
        prev = cur;
        cur = t;
    }
    double total = 0, below = 0;
    for (size_t k = 0; k <= umax; k++) {
        total += AT(prev, n, k);
        if ((double)k <= u + 1e-9)
            below += AT(prev, n, k);
    }
#undef AT
    free(prev);
    free(cur);
    return below / total;
}

double vr_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out, bool *exact)
{
    if (exact)
        *exact = false;
    if (na == 0 || nb == 0)
        return NAN;
    const size_t n = na + nb;
    ranked *all = malloc(n * sizeof *all);
    if (!all)
        return NAN;
    for (size_t i = 0; i < na; i++)
        all[i] = (ranked){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        all[na + i] = (ranked){b[i], 0};
    qsort(all, n, sizeof *all, cmp_ranked);
    double rank_sum_a = 0, tie_term = 0;
    bool ties = false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].v == all[i].v)
            j++;
        const double t = (double)(j - i + 1), avg_rank = 0.5 * ((double)i + (double)j) + 1.0;
        if (t > 1) {
            ties = true;
            tie_term += t * t * t - t;
        }
        for (size_t k = i; k <= j; k++)
            if (all[k].from_a)
                rank_sum_a += avg_rank;
        i = j + 1;
    }
    free(all);
    const double u1 = rank_sum_a - (double)na * ((double)na + 1) / 2.0;
    const double mn = (double)na * (double)nb;
    if (u_out)
        *u_out = u1;
    const double u_small = u1 < mn - u1 ? u1 : mn - u1;
    if (!ties && na <= EXACT_MAX_N && nb <= EXACT_MAX_N) {
        double p = 2.0 * exact_cdf(na, nb, u_small);
        if (exact)
            *exact = true;
        return p > 1.0 ? 1.0 : p;
    }
    const double N = (double)n;
    const double var = mn / 12.0 * ((N + 1.0) - tie_term / (N * (N - 1.0)));
    if (var <= 0)
        return 1.0; /* every value tied: no evidence of a difference */
    double z = (fabs(u1 - mn / 2.0) - 0.5) / sqrt(var); /* continuity correction */
    if (z < 0)
        z = 0;
    double p = erfc(z / sqrt(2.0));
    return p > 1.0 ? 1.0 : p;
}
