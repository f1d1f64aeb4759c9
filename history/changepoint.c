/* changepoint.c — change points in a noisy performance series: E-divisive means (Matteson & James 2014)
 * proposes each split and a significance test decides it, as Hunter/Otava do — deterministic, no
 * permutations. Hunter's test is Student's t; ours is Mann–Whitney's rank test, because nightly medians on a
 * shared host have heavy tails (a night hit by load): the rank test's false-alarm rate does not depend on
 * the noise distribution, the t-test's does (measured in tests/history and the README: at p_max 1e-4,
 * 0 of 2000 noise-only series alarmed vs 1 % with the t-test). The size of a change and its 95 % interval
 * come from Welch's t on the logarithms.
 *
 * The series is taken on a log scale, so a change is relative and the noise learned is a relative sd.
 * Recursive bisection: in a segment, the split maximizing the energy-distance statistic is a candidate; it
 * is accepted when the rank test of the two sides gives p < p_max and the change is at least min_change, and
 * both sides are searched again. A final pass re-tests every accepted point against its neighbouring
 * segments only (between the change points either side of it) and drops those no longer significant,
 * until none is dropped. The energy statistic with exponent 1 is computed for all splits of a segment of
 * length L in O(L²) with running sums. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history/stats.h"
#include "tritbench/history.h"

void hist_cp_defaults(hist_cp_params *p)
{
    p->p_max = 1e-4;
    p->min_segment = 3;
    p->min_change = 0.005;
}

/* The split in [a, b) that maximizes the E-divisive statistic, each side ≥ min_seg; b − a ≥ 2 min_seg. */
static size_t best_split(const double *y, size_t a, size_t b, size_t min_seg)
{
    double within_right = 0; /* Σ|yi − yj| over pairs in [τ, b) */
    for (size_t i = a; i < b; i++)
        for (size_t j = i + 1; j < b; j++)
            within_right += fabs(y[i] - y[j]);
    double within_left = 0, between = 0, best = -INFINITY;
    size_t best_tau = a + min_seg;
    for (size_t tau = a; tau < b; tau++) {
        if (tau >= a + min_seg && b - tau >= min_seg) {
            double m = (double)(tau - a), k = (double)(b - tau);
            double q = (m * k / (m + k)) *
                       (2 * between / (m * k) - 2 * within_left / (m * (m - 1)) - 2 * within_right / (k * (k - 1)));
            if (q > best) {
                best = q;
                best_tau = tau;
            }
        }
        /* Move y[tau] from the right side to the left. */
        double to_left = 0, to_right = 0;
        for (size_t i = a; i < tau; i++)
            to_left += fabs(y[i] - y[tau]);
        for (size_t j = tau + 1; j < b; j++)
            to_right += fabs(y[tau] - y[j]);
        within_left += to_left;
        within_right -= to_right;
        between += to_right - to_left;
    }
    return best_tau;
}

/* The significance of a split: Mann–Whitney's rank test of the two sides; *diff is the difference of the
 * sides' means (of logs) that min_change is judged on. */
static double split_p(const double *y, size_t a, size_t tau, size_t b, double *diff)
{
    hist_welch(y + a, tau - a, y + tau, b - tau, diff, NULL, NULL);
    return hist_mann_whitney(y + a, tau - a, y + tau, b - tau);
}

static bool accept(const double *y, size_t a, size_t tau, size_t b, const hist_cp_params *p)
{
    double d;
    double pv = split_p(y, a, tau, b, &d);
    return pv < p->p_max && fabs(expm1(d)) >= p->min_change;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int hist_detect_changes(const double *x, size_t n, const hist_cp_params *params, hist_change *cps, size_t cap)
{
    hist_cp_params def;
    if (!params) {
        hist_cp_defaults(&def);
        params = &def;
    }
    size_t min_seg = params->min_segment < 2 ? 2 : params->min_segment;
    if (n < 2 * min_seg)
        return 0;
    double *y = malloc(n * sizeof *y);
    size_t *found = malloc((n + 2) * sizeof *found);
    size_t *stack = malloc(2 * (n + 2) * sizeof *stack);
    if (!y || !found || !stack) {
        free(y);
        free(found);
        free(stack);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = log(x[i] > 0 ? x[i] : 1e-300);
    size_t nf = 0, sp = 0;
    stack[sp++] = 0;
    stack[sp++] = n;
    while (sp) {
        size_t b = stack[--sp], a = stack[--sp];
        if (b - a < 2 * min_seg)
            continue;
        size_t tau = best_split(y, a, b, min_seg);
        if (!accept(y, a, tau, b, params))
            continue;
        found[nf++] = tau;
        stack[sp++] = a;
        stack[sp++] = tau;
        stack[sp++] = tau;
        stack[sp++] = b;
    }
    qsort(found, nf, sizeof *found, cmp_size);
    /* Re-test each point between its neighbours; drop the weakest failing one at a time. */
    for (bool dropped = true; dropped && nf;) {
        dropped = false;
        double worst_p = -1;
        size_t worst = 0;
        for (size_t i = 0; i < nf; i++) {
            size_t a = i ? found[i - 1] : 0, b = i + 1 < nf ? found[i + 1] : n;
            double d, pv = split_p(y, a, found[i], b, &d);
            bool ok = pv < params->p_max && fabs(expm1(d)) >= params->min_change;
            if (!ok && pv > worst_p) {
                worst_p = pv;
                worst = i;
            }
        }
        if (worst_p >= 0) {
            memmove(found + worst, found + worst + 1, (nf - worst - 1) * sizeof *found);
            nf--;
            dropped = true;
        }
    }
    size_t out = 0;
    for (size_t i = 0; i < nf && out < cap; i++) {
        size_t a = i ? found[i - 1] : 0, b = i + 1 < nf ? found[i + 1] : n, tau = found[i];
        hist_change *c = &cps[out++];
        double d, lo, hi;
        c->index = tau;
        hist_welch(y + a, tau - a, y + tau, b - tau, &d, &lo, &hi);
        c->p = hist_mann_whitney(y + a, tau - a, y + tau, b - tau);
        c->before = tb_median(x + a, tau - a);
        c->after = tb_median(x + tau, b - tau);
        c->change = expm1(d);
        c->ci_lo = expm1(lo);
        c->ci_hi = expm1(hi);
    }
    free(y);
    free(found);
    free(stack);
    return (int)out;
}

double hist_between_run_noise(const double *x, size_t n, const hist_change *cps, size_t n_cps)
{
    if (n < 3)
        return NAN;
    double ss = 0;
    size_t dof = 0, a = 0;
    for (size_t k = 0; k <= n_cps; k++) {
        size_t b = k < n_cps ? cps[k].index : n;
        if (b > n || b < a)
            return NAN;
        if (b - a >= 2) {
            double m = 0;
            for (size_t i = a; i < b; i++)
                m += log(x[i]);
            m /= (double)(b - a);
            for (size_t i = a; i < b; i++)
                ss += (log(x[i]) - m) * (log(x[i]) - m);
            dof += b - a - 1;
        }
        a = b;
    }
    return dof ? sqrt(ss / (double)dof) : NAN;
}
