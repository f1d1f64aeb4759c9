/* aggregate.c — turns the repetitions of one instance into google/benchmark-style aggregate rows. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/results_internal.h"
#include "harness/stats.h"

static void aggregate_counters(const tb_record *ok[], int n, const tb_stat_def *def, tb_record *out)
{
    double v[512];
    out->n_counters = 0;
    for (int c = 0; c < ok[0]->n_counters; c++) {
        const char *name = ok[0]->counters[c].name;
        int m = 0;
        for (int i = 0; i < n && m < (int)(sizeof v / sizeof v[0]); i++) {
            double x = tb_record_counter(ok[i], name, NAN);
            if (!isnan(x))
                v[m++] = x;
        }
        tb_counter_value *cv = &out->counters[out->n_counters++];
        snprintf(cv->name, sizeof cv->name, "%s", name);
        cv->value = def->fn(v, (size_t)m);
    }
}

int tb_make_aggregates(const tb_record *reps, int n, tb_record *agg)
{
    enum { MAX_REPS = 512 };
    const tb_record *ok[MAX_REPS];
    double real[MAX_REPS], cpu[MAX_REPS];
    int n_ok = 0;
    for (int i = 0; i < n && n_ok < MAX_REPS; i++) {
        if (reps[i].error_occurred || reps[i].skipped)
            continue;
        ok[n_ok] = &reps[i];
        real[n_ok] = reps[i].real_time;
        cpu[n_ok] = reps[i].cpu_time;
        n_ok++;
    }
    if (n_ok < 2)
        return 0;
    size_t n_defs;
    const tb_stat_def *defs = tb_stat_defs(&n_defs);
    double cv_real = tb_stat_cv(real, (size_t)n_ok);
    for (size_t d = 0; d < n_defs; d++) {
        tb_record *a = &agg[d];
        *a = *ok[0];
        a->run_type = TB_RUN_AGGREGATE;
        a->repetition_index = -1;
        /* Like google: the count of repetitions, since their iterations were already averaged. */
        a->iterations = n_ok;
        snprintf(a->name, sizeof a->name, "%.238s_%.15s", ok[0]->run_name, defs[d].name);
        snprintf(a->aggregate_name, sizeof a->aggregate_name, "%s", defs[d].name);
        snprintf(a->aggregate_unit, sizeof a->aggregate_unit, "%s", defs[d].unit);
        a->real_time = defs[d].fn(real, (size_t)n_ok);
        a->cpu_time = defs[d].fn(cpu, (size_t)n_ok);
        aggregate_counters(ok, n_ok, &defs[d], a);
        if (strcmp(defs[d].name, "cv") == 0 && cv_real > TB_CV_WARN)
            snprintf(a->label, sizeof a->label, "WARNING: noisy: cv of real time %.1f%% > %.0f%%", 100.0 * cv_real,
                     100.0 * TB_CV_WARN);
    }
    return (int)n_defs;
}
