/* test_detect_eval.c — the detector judged on real noise (Hunter's method): nights built from real
 * repetition samples of this machine (tests/history/data/gemv_i2_runs.tsv: several real `tritbench run`
 * launches of the gemv/i2 benchmarks under the load of a shared host), a 5 % step planted at night 20 in
 * one benchmark family, everything else unchanged. Each night draws one real run (its between-run drift
 * hits every benchmark of that night alike) and bootstraps its 9 repetitions; the night's value is their
 * median. 20 trials, the planted family rotating.
 *
 * Asserts: the step found at night 20 ± 1 on ≥ 90 % of the planted family's rows whose between-night cv
 * (nights 0–19, the series a trend plot shows) is ≤ 2 %; no change point at all on the unchanged families'
 * rows (whatever their cv). Also printed, not asserted: the rate on rows whose repetitions' cv inside one run
 * is ≤ 2 % — a quiet row inside a run can still move 3–7 % between launches (a new process lands on other
 * physical pages), and no detector can place a 5 % step to ±1 night on such a series.
 * Prints the rates it measured. Usage: test_history_detect_eval FIXTURE.tsv */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/history.h"

#define NIGHTS 30
#define STEP_NIGHT 20
#define TRIALS 20

#include "tests/history/nights.h"

static double rel_sd(const double *x, int n)
{
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++)
        m += x[i];
    m /= n;
    for (int i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return sqrt(ss / (n - 1)) / m;
}

/* The cv a user reads for a row: the median over the real runs of the repetitions' cv in that run. */
static double row_cv(const row *w)
{
    double cvs[MAX_RUNS];
    int k = 0;
    for (int r = 0; r < n_runs; r++)
        if (w->n_reps[r] > 1)
            cvs[k++] = rel_sd(w->reps[r], w->n_reps[r]);
    return k ? median(cvs, k) : NAN;
}

/* Standard deviation of log x over the nights (what a cv measures), and its mean. */
static double log_sd(const double *x, int n, double *center)
{
    double l[NIGHTS], m = 0, ss = 0;
    for (int i = 0; i < n; i++)
        m += (l[i] = log(x[i]));
    m /= n;
    for (int i = 0; i < n; i++)
        ss += (l[i] - m) * (l[i] - m);
    *center = m;
    return sqrt(ss / (n - 1));
}

static double real_cv[MAX_ROWS]; /* each row's between-night cv over the 30 real nights of trial 0 */
static int n_real_cv;

typedef struct tally {
    int quiet_rows, hit_quiet, planted_rows, hit_all, stray, false_alarms, unchanged_rows;
    int steady_rows, hit_steady; /* planted rows whose own series (nights 0–19, before the step) has cv ≤ 2 % */
} tally;

/* TRIALS × every row: nights from the fixture; scale > 0 rescales each row's real night-to-night
 * deviations (shape, tails and cross-row correlation kept) to that robust sd. */
static void evaluate(double scale, tally *t, char families[][64], int n_fam)
{
    memset(t, 0, sizeof *t);
    hist_cp_params params;
    hist_cp_defaults(&params);
    for (int trial = 0; trial < TRIALS; trial++) {
        rng_state = 0x5EED0000ull + (uint64_t)trial * 7919u;
        const char *planted = families[trial % n_fam];
        int night_run[NIGHTS];
        for (int k = 0; k < NIGHTS; k++)
            night_run[k] = (int)(next_u64() % (uint64_t)n_runs);
        for (int r = 0; r < n_rows; r++) {
            double x[NIGHTS];
            bool ok = true;
            for (int k = 0; k < NIGHTS && ok; k++) {
                double boot[MAX_REPS];
                int n = rows[r].n_reps[night_run[k]];
                ok = n > 0;
                if (ok)
                    x[k] = median(boot, night_samples(&rows[r], night_run[k], boot));
            }
            if (!ok)
                continue;
            if (scale > 0) {
                double c, sd = log_sd(x, NIGHTS, &c);
                if (!(sd > 0))
                    continue;
                for (int k = 0; k < NIGHTS; k++)
                    x[k] = exp(c + (log(x[k]) - c) * scale / sd);
            }
            if (scale == 0 && trial == 0 && n_real_cv < MAX_ROWS)
                real_cv[n_real_cv++] = rel_sd(x, NIGHTS);
            const double series_cv = rel_sd(x, STEP_NIGHT); /* the nights before the step, as a trend shows them */
            bool is_planted = strcmp(rows[r].family, planted) == 0;
            if (is_planted)
                for (int k = STEP_NIGHT; k < NIGHTS; k++)
                    x[k] *= 1.05;
            hist_change cp[NIGHTS];
            int n_cp = hist_detect_changes(x, NIGHTS, &params, cp, NIGHTS);
            REQUIRE(n_cp >= 0);
            if (is_planted) {
                bool hit = false;
                for (int j = 0; j < n_cp; j++)
                    if (cp[j].index + 1 >= STEP_NIGHT && cp[j].index <= STEP_NIGHT + 1 && cp[j].change > 0)
                        hit = true;
                    else
                        t->stray++;
                t->planted_rows++;
                t->hit_all += hit;
                if (scale > 0 || row_cv(&rows[r]) <= 0.02) {
                    t->quiet_rows++;
                    t->hit_quiet += hit;
                }
                if (series_cv <= 0.02) {
                    t->steady_rows++;
                    t->hit_steady += hit;
                }
            } else {
                t->unchanged_rows++;
                t->false_alarms += n_cp;
                if (n_cp > 0)
                    fprintf(stderr, "%s trial %d: false alarm on %s at night %zu, change %+.3f, p %.2g\n",
                            scale > 0 ? "scaled" : "real", trial, rows[r].name, cp[0].index, cp[0].change, cp[0].p);
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURE.tsv\n", argv[0]);
        return 2;
    }
    REQUIRE(load(argv[1]) == 0);
    printf("fixture: %d benchmarks × %d real runs\n", n_rows, n_runs);
    REQUIRE(n_rows >= 8 && n_runs >= 4);
    char families[16][64];
    int n_fam = 0;
    for (int r = 0; r < n_rows; r++) {
        int f;
        for (f = 0; f < n_fam && strcmp(families[f], rows[r].family) != 0; f++)
            ;
        if (f == n_fam && n_fam < 16)
            snprintf(families[n_fam++], 64, "%s", rows[r].family);
    }
    REQUIRE(n_fam >= 2);
    int quiet = 0;
    for (int r = 0; r < n_rows; r++)
        quiet += row_cv(&rows[r]) <= 0.02;
    printf("rows whose repetitions' cv is <= 2 %%: %d of %d\n", quiet, n_rows);

    /* 1. The machine's own noise, as measured. */
    tally real;
    evaluate(0, &real, families, n_fam);
    double cvs[MAX_ROWS];
    memcpy(cvs, real_cv, sizeof cvs);
    double cv_med = median(cvs, n_real_cv);
    printf("real noise: between-night cv of the rows' medians: min %.1f %%, median %.1f %%, max %.1f %%\n",
           100 * cvs[0], 100 * cv_med, 100 * cvs[n_real_cv - 1]);
    printf("real noise: planted rows with cv <= 2 %%: %d of %d detected at night 20±1 (%.1f %%)\n", real.hit_quiet,
           real.quiet_rows, real.quiet_rows ? 100.0 * real.hit_quiet / real.quiet_rows : 0.0);
    printf("real noise: planted rows whose nightly series has cv <= 2 %% (nights 0-19): %d of %d detected at night "
           "20±1 (%.1f %%)\n",
           real.hit_steady, real.steady_rows, real.steady_rows ? 100.0 * real.hit_steady / real.steady_rows : 0.0);
    printf("real noise: planted rows, any cv: %d of %d detected (%.1f %%), %d other change points in them\n",
           real.hit_all, real.planted_rows, real.planted_rows ? 100.0 * real.hit_all / real.planted_rows : 0.0,
           real.stray);
    printf("real noise: unchanged rows: %d change points over %d series\n", real.false_alarms, real.unchanged_rows);
    CHECKF(real.false_alarms == 0, "%d false alarms on real noise", real.false_alarms);
    if (real.steady_rows >= 10)
        CHECKF(real.hit_steady >= 0.9 * real.steady_rows, "real noise: detected %d of %d steady rows",
               real.hit_steady, real.steady_rows);
    else
        printf("real noise: too few planted rows with a series cv <= 2 %% (%d) to judge the detection rate on them\n",
               real.steady_rows);

    /* 2. The same real noise (its shape, its tails, and the drift shared by a night's rows) rescaled so each
     *    row's nightly medians have a given sd: the cv a row shows on a quieter machine. */
    const double levels[] = {0.005, 0.01, 0.015, 0.02};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        tally sc;
        evaluate(levels[i], &sc, families, n_fam);
        printf("real noise scaled to %.1f %% between-night sd: %d of %d planted rows detected at night 20±1 (%.1f %%), "
               "%d other change points in them; unchanged rows: %d change points over %d series\n",
               100 * levels[i], sc.hit_quiet, sc.quiet_rows,
               sc.quiet_rows ? 100.0 * sc.hit_quiet / sc.quiet_rows : 0.0, sc.stray, sc.false_alarms,
               sc.unchanged_rows);
        CHECKF(sc.false_alarms == 0, "%d false alarms at %.1f %% sd", sc.false_alarms, 100 * levels[i]);
        CHECKF(sc.quiet_rows >= 50, "only %d scaled rows", sc.quiet_rows);
        if (levels[i] <= 0.01)
            CHECKF(sc.hit_quiet >= 0.9 * sc.quiet_rows, "%.1f %% sd: detected %d of %d", 100 * levels[i],
                   sc.hit_quiet, sc.quiet_rows);
    }
    return check_exit();
}
