/* test_stats.c — the aggregate statistics on inputs with known answers, and the aggregate rows built
 * from repetitions (errors excluded, counters aggregated, the noisy-cv warning). */
#include <math.h>
#include <string.h>

#include "harness/results_internal.h"
#include "harness/stats.h"
#include "tests/check.h"

#define NEAR(a, b) (fabs((a) - (b)) <= 1e-12 * (1.0 + fabs(b)))

static void test_known(void)
{
    const double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    CHECK(NEAR(tb_stat_mean(v, 8), 5.0));
    CHECK(NEAR(tb_stat_median(v, 8), 4.5));
    CHECK(NEAR(tb_stat_stddev(v, 8), sqrt(32.0 / 7.0))); /* sample, n − 1 */
    CHECK(NEAR(tb_stat_cv(v, 8), sqrt(32.0 / 7.0) / 5.0));
    CHECK(NEAR(tb_stat_min(v, 8), 2.0));
    const double odd[] = {9, 1, 5};
    CHECK(NEAR(tb_stat_median(odd, 3), 5.0)); /* unsorted input */
    CHECK(NEAR(tb_stat_min(odd, 3), 1.0));
    const double one[] = {3};
    CHECK(tb_stat_stddev(one, 1) == 0.0 && tb_stat_median(one, 1) == 3.0);
    const double zeros[] = {0, 0};
    CHECK(tb_stat_cv(zeros, 2) == 0.0);
    CHECK(tb_stat_mean(v, 0) == 0.0);
}

static tb_record rep(int index, double real, double counter)
{
    tb_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "fam/x/threads:1");
    snprintf(r.run_name, sizeof r.run_name, "fam/x/threads:1");
    r.repetitions = 4;
    r.repetition_index = index;
    r.threads = 1;
    r.iterations = 1000;
    r.real_time = real;
    r.cpu_time = 2 * real;
    r.n_counters = 1;
    snprintf(r.counters[0].name, sizeof r.counters[0].name, "GB/s");
    r.counters[0].value = counter;
    return r;
}

static const tb_record *find(const tb_record *agg, int n, const char *stat)
{
    for (int i = 0; i < n; i++)
        if (strcmp(agg[i].aggregate_name, stat) == 0)
            return &agg[i];
    return NULL;
}

static void test_aggregates(void)
{
    tb_record reps[4] = {rep(0, 10, 1), rep(1, 12, 3), rep(2, 1000, 100), rep(3, 14, 5)};
    reps[2].error_occurred = true; /* excluded from every statistic */
    tb_record agg[8];
    int n = tb_make_aggregates(reps, 4, agg);
    REQUIRE(n == 5);
    const tb_record *mean = find(agg, n, "mean"), *median = find(agg, n, "median"), *sd = find(agg, n, "stddev"),
                    *cv = find(agg, n, "cv"), *mn = find(agg, n, "min");
    REQUIRE(mean && median && sd && cv && mn);
    CHECK(NEAR(mean->real_time, 12.0) && NEAR(mean->cpu_time, 24.0));
    CHECK(NEAR(median->real_time, 12.0));
    CHECK(NEAR(sd->real_time, 2.0));
    CHECK(NEAR(cv->real_time, 2.0 / 12.0));
    CHECK(NEAR(mn->real_time, 10.0));
    CHECK(NEAR(tb_record_counter(mean, "GB/s", -1), 3.0));
    CHECK(NEAR(tb_record_counter(mn, "GB/s", -1), 1.0));
    CHECK(strcmp(mean->name, "fam/x/threads:1_mean") == 0);
    CHECK(strcmp(mean->run_name, "fam/x/threads:1") == 0);
    CHECK(mean->run_type == TB_RUN_AGGREGATE && mean->iterations == 3);
    CHECK(strcmp(cv->aggregate_unit, "percentage") == 0 && strcmp(mean->aggregate_unit, "time") == 0);
    /* cv 16.7% > 5%: the cv row carries the warning. */
    CHECK(strstr(cv->label, "WARNING") != NULL);
    CHECK(mean->label[0] == '\0');

    tb_record quiet[3] = {rep(0, 100, 1), rep(1, 101, 1), rep(2, 100.5, 1)};
    n = tb_make_aggregates(quiet, 3, agg);
    REQUIRE(n == 5);
    CHECK(strstr(find(agg, n, "cv")->label, "WARNING") == NULL);

    /* Fewer than two good repetitions: no aggregates. */
    tb_record bad[2] = {rep(0, 1, 1), rep(1, 2, 2)};
    bad[1].skipped = true;
    CHECK(tb_make_aggregates(bad, 2, agg) == 0);
}

int main(void)
{
    test_known();
    test_aggregates();
    return check_exit();
}
