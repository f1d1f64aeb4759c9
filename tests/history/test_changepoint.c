/* test_changepoint.c — the detector on series with known answers: steps found where they are (size,
 * direction, interval covering the truth), nothing found on flat or iid-noisy series, Welch's test and the
 * t tail against closed forms, the learned noise equal to the noise put in. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "history/stats.h"
#include "tests/check.h"
#include "tritbench/history.h"

/* Deterministic Gaussian noise (xorshift + Box–Muller). */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
    return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static void t_distribution(void)
{
    /* df = 1: Cauchy, P(|T| > 1) = 1/2; df = 2: P(|T| > t) = 1 − t/√(2 + t²). */
    CHECK(fabs(hist_t_two_sided(1, 1) - 0.5) < 1e-12);
    CHECK(fabs(hist_t_two_sided(2, 2) - (1 - 2 / sqrt(6))) < 1e-12);
    CHECK(fabs(hist_t_two_sided(0, 5) - 1) < 1e-12);
    /* Large df: the normal tail, P(|Z| > 1.96) = 0.0499958. */
    CHECK(fabs(hist_t_two_sided(1.959963984540054, 1e7) - 0.05) < 1e-6);
    /* Welch with equal sizes and variances: t = Δ / √(2s²/n), df = 2(n − 1). */
    double a[] = {1, 2, 3, 4}, b[] = {3, 4, 5, 6}, d, lo, hi;
    double p = hist_welch(a, 4, b, 4, &d, &lo, &hi);
    double t = 2 / sqrt(2 * (5.0 / 3) / 4);
    CHECK(fabs(d - 2) < 1e-12);
    CHECKF(fabs(p - hist_t_two_sided(t, 6)) < 1e-12, "p %g", p);
    CHECK(lo < 2 && hi > 2 && fabs((hi - 2) - (2 - lo)) < 1e-9);
    CHECK(hist_welch(a, 1, b, 4, NULL, NULL, NULL) == 1); /* too few values: no evidence */
    double c1[] = {5, 5, 5}, c2[] = {5, 5, 5}, c3[] = {6, 6, 6};
    CHECK(hist_welch(c1, 3, c2, 3, NULL, NULL, NULL) == 1);
    CHECK(hist_welch(c1, 3, c3, 3, NULL, NULL, NULL) == 0);
}

static void finds_a_step(void)
{
    double x[40];
    for (int i = 0; i < 40; i++)
        x[i] = 100e-6 * (1 + 0.01 * gauss()) * (i >= 25 ? 1.05 : 1.0);
    hist_change cp[8];
    int n = hist_detect_changes(x, 40, NULL, cp, 8);
    REQUIRE(n == 1);
    CHECKF(cp[0].index == 25, "index %zu", cp[0].index);
    CHECKF(cp[0].change > 0.03 && cp[0].change < 0.07, "change %g", cp[0].change);
    CHECK(cp[0].ci_lo < 0.05 && cp[0].ci_hi > 0.05);
    CHECK(cp[0].p < 0.001);
    /* A speed-up is a negative change. */
    for (int i = 0; i < 40; i++)
        x[i] = 1e-3 * (1 + 0.01 * gauss()) * (i >= 10 ? 0.9 : 1.0);
    n = hist_detect_changes(x, 40, NULL, cp, 8);
    REQUIRE(n == 1);
    CHECK(cp[0].index == 10 && cp[0].change < -0.07);
}

static void finds_two_steps(void)
{
    double x[60];
    for (int i = 0; i < 60; i++)
        x[i] = (1 + 0.005 * gauss()) * (i >= 20 ? 1.1 : 1.0) * (i >= 40 ? 0.8 : 1.0);
    hist_change cp[8];
    int n = hist_detect_changes(x, 60, NULL, cp, 8);
    REQUIRE(n == 2);
    CHECK(cp[0].index == 20 && cp[0].change > 0);
    CHECK(cp[1].index == 40 && cp[1].change < 0);
}

static void quiet_on_noise(void)
{
    /* 500 iid series of 30 nights (2 % noise, a few heavy outliers): the false-alarm rate. */
    int alarms = 0;
    for (int s = 0; s < 500; s++) {
        double x[30];
        for (int i = 0; i < 30; i++) {
            double e = 0.02 * gauss();
            if (uniform() < 0.05)
                e *= 5; /* a night hit by load */
            x[i] = exp(e);
        }
        hist_change cp[8];
        alarms += hist_detect_changes(x, 30, NULL, cp, 8);
    }
    CHECKF(alarms <= 2, "%d false alarms in 500 noise-only series", alarms);
    double flat[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    hist_change cp[4];
    CHECK(hist_detect_changes(flat, 10, NULL, cp, 4) == 0);
    CHECK(hist_detect_changes(flat, 5, NULL, cp, 4) == 0); /* shorter than two segments */
}

static void noise_estimate(void)
{
    double x[400];
    for (int i = 0; i < 400; i++)
        x[i] = exp(0.03 * gauss()) * (i >= 200 ? 2.0 : 1.0);
    hist_change cp[8];
    int n = hist_detect_changes(x, 400, NULL, cp, 8);
    REQUIRE(n == 1);
    double sd = hist_between_run_noise(x, 400, cp, 1);
    CHECKF(fabs(sd - 0.03) < 0.004, "noise %g (0.03 put in)", sd);
    /* Without the change point the step would be counted as noise. */
    CHECK(hist_between_run_noise(x, 400, NULL, 0) > 0.3);
    CHECK(isnan(hist_between_run_noise(x, 2, NULL, 0)));
}

int main(void)
{
    t_distribution();
    finds_a_step();
    finds_two_steps();
    quiet_on_noise();
    noise_estimate();
    return check_exit();
}
