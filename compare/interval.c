/* interval.c — Hodges–Lehmann ratio estimates with distribution-free confidence intervals (interval.h).
 *
 * Unpaired: the m·n differences D = log b_j − log a_i, sorted; the estimate is their median and the
 * interval is [D_(k), D_(mn+1−k)], where k is the largest order with 2·P(U ≤ k−1) ≤ 1 − conf under the
 * Mann–Whitney null (Hollander & Wolfe, ch. 4.3). This is exactly the set of shifts δ that the two-sided
 * U test does not reject when applied to (log b − δ, log a), so estimate, interval and p-value agree.
 * Paired: the n(n+1)/2 Walsh averages of the log ratios and the signed-rank null distribution, likewise. */
#include <math.h>
#include <stdlib.h>

#include "compare/rank_tests.h"
#include "tritbench/interval.h"

static bool valid_times(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0) || !isfinite(v[i]))
            return false;
    return n > 0;
}

/* The order k (1-based) of the lower bound; 0 when even the extreme order statistics do not reach conf. */
static size_t exact_order(const double *cdf, size_t total, double alpha)
{
    size_t k = 0;
    while (k < total && 2.0 * cdf[k] <= alpha) /* cdf[k] = P(stat ≤ k): order k+1 still rejects outside */
        k++;
    return k;
}

static size_t normal_order(double center, double sigma, double alpha)
{
    const double z = tb_normal_quantile(1.0 - alpha / 2.0);
    const double k = floor(center + 0.5 - z * sigma); /* inverts the continuity-corrected normal test */
    return k >= 1 ? (size_t)k : 0;
}

/* Fills lo/est/hi from the sorted log values s[total] and the lower order k (0: unbounded). */
static void fill_from_orders(tb_interval *out, const double *s, size_t total, size_t k)
{
    const double med = total % 2 ? s[total / 2] : 0.5 * (s[total / 2 - 1] + s[total / 2]);
    out->est = exp(med);
    out->bounded = k >= 1 && k <= total + 1 - k;
    if (out->bounded) {
        out->lo = exp(s[k - 1]);
        out->hi = exp(s[total - k]);
    } else {
        out->lo = 0;
        out->hi = INFINITY;
    }
}

int tb_ratio_interval_ex(const double *a, size_t na, const double *b, size_t nb, double conf, tb_interval *out)
{
    if (!valid_times(a, na) || !valid_times(b, nb) || !(conf > 0 && conf < 1))
        return -1;
    const size_t total = na * nb;
    double *la = malloc(na * sizeof *la), *lb = malloc(nb * sizeof *lb), *d = malloc(total * sizeof *d);
    double *pooled = malloc((na + nb) * sizeof *pooled);
    if (!la || !lb || !d || !pooled)
        goto fail;
    for (size_t i = 0; i < na; i++)
        pooled[i] = la[i] = log(a[i]);
    for (size_t j = 0; j < nb; j++)
        pooled[na + j] = lb[j] = log(b[j]);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            d[i * nb + j] = lb[j] - la[i];
    tb_sort_doubles(d, total);
    tb_sort_doubles(pooled, na + nb);
    double tie_term = 0;
    for (size_t i = 0; i < na + nb;) {
        size_t j = i;
        while (j + 1 < na + nb && pooled[j + 1] == pooled[i])
            j++;
        const double t = (double)(j - i + 1);
        tie_term += t * t * t - t;
        i = j + 1;
    }
    tb_interval r = {.conf = conf};
    const double alpha = 1.0 - conf;
    r.p = tb_mann_whitney_p(la, na, lb, nb, NULL, &r.exact);
    size_t k;
    if (r.exact) {
        double *cdf = tb_mwu_null_cdf(na, nb);
        if (!cdf)
            goto fail;
        k = exact_order(cdf, total, alpha);
        free(cdf);
    } else {
        const double N = (double)(na + nb), mn = (double)total;
        const double var = mn / 12.0 * ((N + 1.0) - tie_term / (N * (N - 1.0)));
        k = normal_order(mn / 2.0, sqrt(var > 0 ? var : 0), alpha);
    }
    fill_from_orders(&r, d, total, k);
    *out = r;
    free(la);
    free(lb);
    free(d);
    free(pooled);
    return 0;
fail:
    free(la);
    free(lb);
    free(d);
    free(pooled);
    return -1;
}

int tb_ratio_interval(const double *a, size_t na, const double *b, size_t nb, double conf, double *lo, double *est,
                      double *hi)
{
    tb_interval r;
    if (tb_ratio_interval_ex(a, na, b, nb, conf, &r) != 0)
        return -1;
    if (lo)
        *lo = r.lo;
    if (est)
        *est = r.est;
    if (hi)
        *hi = r.hi;
    return 0;
}

int tb_paired_ratio_interval(const double *a, const double *b, size_t n, double conf, tb_interval *out)
{
    if (!valid_times(a, n) || !valid_times(b, n) || !(conf > 0 && conf < 1))
        return -1;
    const size_t total = n * (n + 1) / 2;
    double *d = malloc(n * sizeof *d), *w = malloc(total * sizeof *w);
    if (!d || !w) {
        free(d);
        free(w);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = log(b[i]) - log(a[i]);
    size_t t = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            w[t++] = 0.5 * (d[i] + d[j]);
    tb_sort_doubles(w, total);
    tb_interval r = {.conf = conf};
    const double alpha = 1.0 - conf;
    r.p = tb_signed_rank_p(d, n, NULL, &r.exact);
    if (isnan(r.p))
        r.p = 1.0; /* every ratio exactly 1: no evidence of a change */
    size_t k;
    if (r.exact && n <= TB_EXACT_MAX_N) {
        double *cdf = tb_signed_rank_null_cdf(n);
        if (!cdf) {
            free(d);
            free(w);
            return -1;
        }
        k = exact_order(cdf, total, alpha);
        free(cdf);
    } else {
        const double N = (double)n;
        k = normal_order((double)total / 2.0, sqrt(N * (N + 1) * (2 * N + 1) / 24.0), alpha);
    }
    fill_from_orders(&r, w, total, k);
    *out = r;
    free(d);
    free(w);
    return 0;
}
