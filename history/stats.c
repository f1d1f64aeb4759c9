/* stats.c — order statistics and Welch's t-test. The t distribution's tail is the regularized incomplete
 * beta function, evaluated by its continued fraction (Lentz), accurate to ~1e-12 over the range used. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history/stats.h"

void hist_stats_of(const double *v, size_t n, hist_stats *s)
{
    s->median = s->min = s->max = s->mean = s->sd = s->cv = NAN;
    if (n == 0)
        return;
    double sum = 0, mn = v[0], mx = v[0];
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    s->mean = mean;
    s->min = mn;
    s->max = mx;
    s->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    s->cv = mean != 0 ? s->sd / mean : 0;
    s->median = tb_median(v, n);
}

/* Continued fraction of the incomplete beta function (Numerical Recipes' betacf, Lentz's method). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        d = fabs(d) < tiny ? tiny : d;
        c = 1 + aa / c;
        c = fabs(c) < tiny ? tiny : c;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        d = fabs(d) < tiny ? tiny : d;
        c = 1 + aa / c;
        c = fabs(c) < tiny ? tiny : c;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            break;
    }
    return h;
}

static double inc_beta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lbt) * beta_cf(a, b, x) / a;
    return 1 - exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

double hist_t_two_sided(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    if (isinf(t))
        return 0;
    return inc_beta(df / 2, 0.5, df / (df + t * t));
}

/* The t quantile with two-sided tail p, by bisection on the tail (monotone in t). */
static double t_quantile(double p, double df)
{
    double lo = 0, hi = 1e3;
    for (int i = 0; i < 60; i++) {
        double mid = 0.5 * (lo + hi);
        if (hist_t_two_sided(mid, df) > p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = s / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - *mean) * (v[i] - *mean);
    *var = n > 1 ? ss / (double)(n - 1) : 0;
}

double hist_welch(const double *a, size_t na, const double *b, size_t nb, double *diff, double *lo, double *hi)
{
    if (diff)
        *diff = NAN;
    if (lo)
        *lo = NAN;
    if (hi)
        *hi = NAN;
    if (na < 2 || nb < 2)
        return 1;
    double ma, va, mb, vb;
    mean_var(a, na, &ma, &va);
    mean_var(b, nb, &mb, &vb);
    double d = mb - ma, sa = va / (double)na, sb = vb / (double)nb, se2 = sa + sb;
    if (diff)
        *diff = d;
    if (!(se2 > 0)) { /* both sides constant */
        if (lo)
            *lo = d;
        if (hi)
            *hi = d;
        return d == 0 ? 1 : 0;
    }
    double df = se2 * se2 / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
    double se = sqrt(se2), t = d / se;
    if (lo || hi) { /* the quantile costs a bisection: only when an interval is wanted */
        double q = t_quantile(0.05, df);
        if (lo)
            *lo = d - q * se;
        if (hi)
            *hi = d + q * se;
    }
    return hist_t_two_sided(t, df);
}

typedef struct ranked {
    double v;
    int side;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return (x > y) - (x < y);
}

double hist_mann_whitney(const double *a, size_t na, const double *b, size_t nb)
{
    if (na < 1 || nb < 1)
        return 1;
    size_t n = na + nb;
    ranked small[256];
    ranked *r = n <= 256 ? small : malloc(n * sizeof *r);
    if (!r)
        return NAN;
    for (size_t i = 0; i < na; i++)
        r[i] = (ranked){a[i], 0};
    for (size_t j = 0; j < nb; j++)
        r[na + j] = (ranked){b[j], 1};
    qsort(r, n, sizeof *r, cmp_ranked);
    double rank_sum_a = 0, ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && r[j + 1].v == r[i].v)
            j++;
        double avg = 0.5 * (double)(i + j) + 1, t = (double)(j - i + 1);
        ties += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (r[k].side == 0)
                rank_sum_a += avg;
        i = j + 1;
    }
    if (r != small)
        free(r);
    double n1 = (double)na, n2 = (double)nb, N = (double)n;
    double u = rank_sum_a - n1 * (n1 + 1) / 2, mu = n1 * n2 / 2;
    double var = n1 * n2 / 12 * ((N + 1) - ties / (N * (N - 1)));
    if (!(var > 0))
        return 1;
    double z = (fabs(u - mu) - 0.5) / sqrt(var); /* continuity correction, as scipy */
    if (z < 0)
        z = 0;
    return erfc(z / sqrt(2));
}
