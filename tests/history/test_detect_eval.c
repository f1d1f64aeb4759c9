/* test_detect_eval.c — the detector judged on real noise (Hunter's method): nights built from real
 * repetition samples of this machine (tests/history/data/gemv_i2_runs.tsv: several real `tritbench run`
 * launches of the gemv/i2 benchmarks under the load of a shared host), a 5 % step planted at night 20 in
 * one benchmark family, everything else unchanged. Each night draws one real run (its between-run drift
 * hits every benchmark of that night alike) and bootstraps its 9 repetitions; the night's value is their
 * median. 20 trials, the planted family rotating.
 *
 * Asserts: the step found at night 20 ± 1 on ≥ 90 % of the planted family's rows whose between-night cv
 * (nights 0–19) is ≤ 2 %; no change point at all on the unchanged families' rows (whatever their cv).
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
    hist_cp_params params;
    hist_cp_defaults(&params);
    int quiet_rows = 0, hit_quiet = 0, planted_rows = 0, hit_all = 0, false_alarms = 0, unchanged_rows = 0;
    int late_or_early = 0;
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
                const row *w = &rows[r];
                int run = night_run[k], n = w->n_reps[run];
                if (n == 0) {
                    ok = false;
                    break;
                }
                double boot[MAX_REPS];
                x[k] = median(boot, night_samples(w, run, boot));
            }
            if (!ok)
                continue;
            bool is_planted = strcmp(rows[r].family, planted) == 0;
            if (is_planted)
                for (int k = STEP_NIGHT; k < NIGHTS; k++)
                    x[k] *= 1.05;
            double cv = rel_sd(x, STEP_NIGHT);
            hist_change cp[NIGHTS];
            int n_cp = hist_detect_changes(x, NIGHTS, &params, cp, NIGHTS);
            REQUIRE(n_cp >= 0);
            if (is_planted) {
                bool hit = false;
                for (int j = 0; j < n_cp; j++)
                    if (cp[j].index + 1 >= STEP_NIGHT && cp[j].index <= STEP_NIGHT + 1 && cp[j].change > 0)
                        hit = true;
                    else
                        late_or_early++;
                planted_rows++;
                hit_all += hit;
                if (cv <= 0.02) {
                    quiet_rows++;
                    hit_quiet += hit;
                }
            } else {
                unchanged_rows++;
                if (n_cp > 0) {
                    false_alarms += n_cp;
                    fprintf(stderr, "trial %d: false alarm on %s (cv %.3f) at night %zu, change %+.3f, p %.2g\n",
                            trial, rows[r].name, cv, cp[0].index, cp[0].change, cp[0].p);
                }
            }
        }
    }
    printf("planted family rows with between-night cv <= 2%%: %d of %d detected at night 20±1 (%.1f %%)\n",
           hit_quiet, quiet_rows, quiet_rows ? 100.0 * hit_quiet / quiet_rows : 0.0);
    printf("planted family rows, any cv: %d of %d detected (%.1f %%); %d change points elsewhere in them\n",
           hit_all, planted_rows, planted_rows ? 100.0 * hit_all / planted_rows : 0.0, late_or_early);
    printf("unchanged rows: %d change points over %d series (%d trials)\n", false_alarms, unchanged_rows, TRIALS);
    CHECKF(quiet_rows >= 20, "only %d planted rows with cv <= 2 %%: the fixture is too noisy to judge", quiet_rows);
    CHECKF(hit_quiet >= 0.9 * quiet_rows, "detected %d of %d", hit_quiet, quiet_rows);
    CHECKF(false_alarms == 0, "%d false alarms", false_alarms);
    return check_exit();
}
