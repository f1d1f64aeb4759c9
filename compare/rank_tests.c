/* rank_tests.c — the rank tests under interval.c: Mann–Whitney U and Wilcoxon signed rank, their exact
 * null distributions (shared with the interval code, which inverts them), medians and normal quantiles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/rank_tests.h"
#include "tritbench/interval.h"


double tb_normal_quantile(double prob)
{
    if (!(prob > 0 && prob < 1))
        return NAN;
    /* Bisection on Φ(z) = erfc(−z/√2)/2: slow but exact to double precision, and called a few times a run. */
    double lo = -40, hi = 40;
    for (int i = 0; i < 200; i++) {
        const double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < prob)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double *tb_mwu_null_cdf(size_t m, size_t n)
{
    /* Counts of arrangements by U from c(i, j, u) = c(i−1, j, u−j) + c(i, j−1, u), one row of i at a time;
     * only additions of non-negative counts, so the small tail counts stay exact. */
    const size_t umax = m * n, w = umax + 1;
    double *prev = calloc((n + 1) * w, sizeof(double)), *cur = calloc((n + 1) * w, sizeof(double));
    double *cdf = malloc(w * sizeof(double));
    if (!prev || !cur || !cdf) {
        free(prev);
        free(cur);
        free(cdf);
        return NULL;
    }
    for (size_t j = 0; j <= n; j++)
        prev[j * w] = 1.0; /* i = 0: only U = 0 */
    for (size_t i = 1; i <= m; i++) {
        memset(cur, 0, (n + 1) * w * sizeof(double));
        cur[0] = 1.0;
        for (size_t j = 1; j <= n; j++)
            for (size_t k = 0; k <= i * j; k++)
                cur[j * w + k] = (k >= j ? prev[j * w + k - j] : 0.0) + cur[(j - 1) * w + k];
        double *t = prev;
        prev = cur;
        cur = t;
    }
    double total = 0;
    for (size_t k = 0; k < w; k++)
        total += prev[n * w + k];
    double run = 0;
    for (size_t k = 0; k < w; k++) {
        run += prev[n * w + k];
        cdf[k] = run / total;
    }
    free(prev);
    free(cur);
    return cdf;
}

double *tb_signed_rank_null_cdf(size_t n)
{
    /* Counts of subsets of {1..n} by their sum: the coefficients of Π (1 + q^i). */
    const size_t tmax = n * (n + 1) / 2, w = tmax + 1;
    double *c = calloc(w, sizeof(double));
    if (!c)
        return NULL;
    c[0] = 1.0;
    for (size_t i = 1; i <= n; i++)
        for (size_t t = i * (i + 1) / 2; t >= i; t--)
            c[t] += c[t - i];
    const double total = ldexp(1.0, (int)n);
    double run = 0;
    for (size_t t = 0; t < w; t++) {
        run += c[t];
        c[t] = run / total;
    }
    return c;
}

static int cmp_value(double x, double y) { return (x > y) - (x < y); }

typedef struct ranked {
    double v;
    int group;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    return cmp_value(((const ranked *)a)->v, ((const ranked *)b)->v);
}

/* Mid-ranks of all[n] (sorted in place); sums the ranks of group 1; Σ(t³ − t) over tie groups. */
static double rank_sum(ranked *all, size_t n, double *tie_term)
{
    qsort(all, n, sizeof *all, cmp_ranked);
    double sum = 0;
    *tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].v == all[i].v)
            j++;
        const double t = (double)(j - i + 1), avg_rank = 0.5 * ((double)i + (double)j) + 1.0;
        *tie_term += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (all[k].group == 1)
                sum += avg_rank;
        i = j + 1;
    }
    return sum;
}

double tb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb, double *u_out, bool *exact)
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
    double tie_term;
    const double u1 = rank_sum(all, n, &tie_term) - (double)na * ((double)na + 1) / 2.0;
    free(all);
    const double mn = (double)na * (double)nb;
    if (u_out)
        *u_out = u1;
    const double u_small = u1 < mn - u1 ? u1 : mn - u1;
    if (tie_term == 0 && na <= TB_EXACT_MAX_N && nb <= TB_EXACT_MAX_N) {
        double *cdf = tb_mwu_null_cdf(na, nb);
        if (cdf) {
            double p = 2.0 * cdf[(size_t)llround(u_small)];
            free(cdf);
            if (exact)
                *exact = true;
            return p > 1.0 ? 1.0 : p;
        }
    }
    const double N = (double)n;
    const double var = mn / 12.0 * ((N + 1.0) - tie_term / (N * (N - 1.0)));
    if (!(var > 0))
        return 1.0; /* every value tied: no evidence of a difference */
    double z = (fabs(u1 - mn / 2.0) - 0.5) / sqrt(var); /* continuity correction */
    if (z < 0)
        z = 0;
    double p = erfc(z / sqrt(2.0));
    return p > 1.0 ? 1.0 : p;
}

double tb_signed_rank_p(const double *d, size_t n, double *t_plus, bool *exact)
{
    if (exact)
        *exact = false;
    ranked *all = malloc((n ? n : 1) * sizeof *all);
    if (!all)
        return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0) /* zero_method "wilcox": a zero difference says nothing about the direction */
            all[m++] = (ranked){fabs(d[i]), d[i] > 0};
    if (m == 0) {
        free(all);
        return NAN;
    }
    double tie_term;
    const double tp = rank_sum(all, m, &tie_term);
    free(all);
    if (t_plus)
        *t_plus = tp;
    const double M = (double)m, total = M * (M + 1) / 2;
    const double t_small = tp < total - tp ? tp : total - tp;
    if (tie_term == 0 && m <= TB_EXACT_MAX_N) {
        double *cdf = tb_signed_rank_null_cdf(m);
        if (cdf) {
            double p = 2.0 * cdf[(size_t)llround(t_small)];
            free(cdf);
            if (exact)
                *exact = true;
            return p > 1.0 ? 1.0 : p;
        }
    }
    const double var = M * (M + 1) * (2 * M + 1) / 24.0 - tie_term / 48.0;
    if (!(var > 0))
        return 1.0;
    double z = (fabs(tp - total / 2) - 0.5) / sqrt(var);
    if (z < 0)
        z = 0;
    double p = erfc(z / sqrt(2.0));
    return p > 1.0 ? 1.0 : p;
}

typedef struct indexed {
    double p;
    size_t i;
} indexed;

static int cmp_indexed(const void *a, const void *b)
{
    return cmp_value(((const indexed *)a)->p, ((const indexed *)b)->p);
}

int tb_bh_adjust(const double *p, size_t n, double *q)
{
    indexed *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i]))
            s[m++] = (indexed){p[i], i};
    for (size_t i = 0; i < n; i++)
        if (isnan(p[i]))
            q[i] = NAN;
    qsort(s, m, sizeof *s, cmp_indexed);
    /* Step up from the largest p: each q is the smallest p·m/rank at or above its rank. */
    double running = 1.0;
    for (size_t r = m; r-- > 0;) {
        const double v = s[r].p * (double)m / (double)(r + 1);
        if (v < running)
            running = v;
        q[s[r].i] = running;
    }
    free(s);
    return 0;
}
