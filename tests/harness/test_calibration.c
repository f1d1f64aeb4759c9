/* test_calibration.c — the runner against a fake clock: google/benchmark's iteration growth,
 * explicit counts, repetitions reusing the calibrated count, warm-up, setup/teardown per repetition,
 * pause/resume, manual time, seeded interleaving, errors and skips. */
#include <math.h>
#include <string.h>

#include "fake_clock.h"
#include "tests/check.h"

/* Binary fractions keep the fake times exact. */
#define STEP (1.0 / 1024.0)

static long long trials[64];
static int n_trials, setups, teardowns, runs_seen;
static char order[64][TB_NAME_MAX];
static int n_order;

static void reset(void)
{
    n_trials = setups = teardowns = runs_seen = n_order = 0;
    fake_real = fake_cpu = 0.0;
}

static void run_fixed(tb_state *st)
{
    if (n_trials < 64)
        trials[n_trials++] = tb_iterations(st);
    while (tb_keep_running(st))
        fake_advance(STEP, 2 * STEP); /* two threads' worth of CPU time */
}

static void *setup_counted(tb_state *st)
{
    (void)st;
    setups++;
    fake_advance(100.0, 100.0); /* setup time must never be measured */
    static int token;
    return &token;
}

static void teardown_counted(void *fx)
{
    const void *fixture = fx;
    CHECK(fixture != NULL);
    teardowns++;
    fake_advance(100.0, 100.0);
}

static tb_registry *one(void (*run)(tb_state *), bool manual)
{
    tb_registry *r = tb_registry_new();
    REQUIRE(r);
    tb_bench_spec s = {.family = "calib", .args = "a", .run = run, .threads = 2, .manual_time = manual,
                       .setup = setup_counted, .teardown = teardown_counted};
    REQUIRE(tb_register(r, &s) == 0);
    return r;
}

static void test_growth(void)
{
    reset();
    tb_registry *r = one(run_fixed, false);
    tb_options o;
    tb_options_default(&o); /* min_time 0.5 s */
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    /* 1 → ×10 while under 10% of min_time → 100 (0.098 s, significant) → 0.7/0.098 × 100 = 716. */
    CHECKF(n_trials == 4, "%d trials", n_trials);
    CHECK(trials[0] == 1 && trials[1] == 10 && trials[2] == 100);
    CHECKF(trials[3] == 716, "last trial %lld", trials[3]);
    for (int i = 1; i < n_trials; i++)
        CHECK(trials[i] > trials[i - 1] && trials[i] <= 10 * trials[i - 1]);
    REQUIRE(res.count == 1);
    const tb_record *rec = &res.records[0];
    CHECK(rec->iterations == 716);
    CHECK(716 * STEP >= 0.5);
    /* Per-iteration times in ns; setup/teardown (100 s each) are not in them. */
    CHECKF(fabs(rec->real_time - STEP * 1e9) < 1e-3, "real %g", rec->real_time);
    CHECKF(fabs(rec->cpu_time - 2 * STEP * 1e9) < 1e-3, "cpu %g", rec->cpu_time);
    CHECK(setups == 1 && teardowns == 1);
    CHECK(strcmp(rec->name, "calib/a/threads:2") == 0 && rec->threads == 2);
    tb_results_free(&res);
    tb_registry_free(r);
}

static void test_explicit_and_repetitions(void)
{
    reset();
    tb_registry *r = one(run_fixed, false);
    tb_options o;
    tb_options_default(&o);
    o.min_iters = 100;
    o.repetitions = 3;
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    CHECKF(n_trials == 3, "%d trials (one per repetition)", n_trials);
    for (int i = 0; i < n_trials; i++)
        CHECK(trials[i] == 100);
    CHECK(setups == 3 && teardowns == 3);
    CHECKF(res.count == 3 + 5, "%zu records", res.count);
    tb_results_free(&res);

    /* Calibrated once, then reused: the second and third repetitions run one trial each. */
    reset();
    o.min_iters = 0;
    o.min_time = 0.5;
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    CHECKF(n_trials == 6, "%d trials", n_trials);
    CHECK(trials[4] == trials[3] && trials[5] == trials[3]);
    const tb_record *mean = tb_results_find(&res, "calib/a/threads:2", "mean");
    REQUIRE(mean);
    CHECK(mean->iterations == 3);
    tb_results_free(&res);

    /* Warm-up runs trials whose results are thrown away, before the first repetition. */
    reset();
    o.repetitions = 1;
    o.min_warmup_time = 0.25;
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    CHECKF(n_trials > 4, "%d trials with warm-up", n_trials);
    CHECK(res.count == 1 && res.records[0].iterations == trials[n_trials - 1]);
    tb_results_free(&res);
    tb_registry_free(r);
}

static void run_paused(tb_state *st)
{
    while (tb_keep_running(st)) {
        tb_pause_timing(st);
        fake_advance(1.0, 1.0); /* not measured */
        tb_resume_timing(st);
        fake_advance(STEP, STEP);
    }
}

static void run_manual(tb_state *st)
{
    while (tb_keep_running(st)) {
        fake_advance(4 * STEP, 4 * STEP);
        tb_set_iteration_time(st, STEP / 2);
    }
    /* 1000 bytes per iteration, as a rate over manual time. */
    tb_counter(st, "GB/s", (double)tb_iterations(st) * 1000.0 / 1e9, TB_COUNTER_RATE);
    tb_counter(st, "per_iter", (double)tb_iterations(st) * 3.0, TB_COUNTER_AVG_ITERATIONS);
    tb_counter(st, "invariant", 2.0, TB_COUNTER_ITERATION_INVARIANT);
    tb_counter(st, "inverted", 4.0, TB_COUNTER_INVERT);
    tb_counter(st, "overwritten", 1.0, 0);
    tb_counter(st, "overwritten", 5.0, 0);
    tb_set_bytes_processed(st, (double)tb_iterations(st) * 64.0);
    tb_set_items_processed(st, (double)tb_iterations(st));
    tb_set_label(st, "manual");
}

static void test_pause_manual_counters(void)
{
    reset();
    tb_registry *r = one(run_paused, false);
    tb_options o;
    tb_options_default(&o);
    o.min_iters = 50;
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    REQUIRE(res.count == 1);
    CHECKF(fabs(res.records[0].real_time - STEP * 1e9) < 1e-3, "paused time leaked: %g", res.records[0].real_time);
    tb_results_free(&res);
    tb_registry_free(r);

    reset();
    r = one(run_manual, true);
    o.min_iters = 0;
    o.min_time = 0.5;
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    REQUIRE(res.count == 1);
    const tb_record *rec = &res.records[0];
    double it = (double)rec->iterations;
    /* Calibrated on manual time: ≥ 0.5 s of it, i.e. ≥ 1024 iterations of 1/2048 s. */
    CHECKF(it * STEP / 2 >= 0.5, "iterations %g", it);
    CHECKF(fabs(rec->real_time - STEP / 2 * 1e9) < 1e-3, "manual real_time %g", rec->real_time);
    double secs = it * STEP / 2;
    CHECKF(fabs(tb_record_counter(rec, "GB/s", -1) - it * 1000.0 / 1e9 / secs) < 1e-9, "GB/s %g",
           tb_record_counter(rec, "GB/s", -1));
    CHECK(fabs(tb_record_counter(rec, "per_iter", -1) - 3.0) < 1e-12);
    CHECK(fabs(tb_record_counter(rec, "invariant", -1) - 2.0 * it) < 1e-9);
    CHECK(fabs(tb_record_counter(rec, "inverted", -1) - 0.25) < 1e-12);
    CHECK(tb_record_counter(rec, "overwritten", -1) == 5.0);
    CHECK(fabs(tb_record_counter(rec, "bytes_per_second", -1) - 64.0 / (STEP / 2)) < 1e-6);
    CHECK(fabs(tb_record_counter(rec, "items_per_second", -1) - 1.0 / (STEP / 2)) < 1e-9);
    CHECK(tb_record_counter(rec, "absent", -7.0) == -7.0);
    CHECK(strcmp(rec->label, "manual") == 0);
    tb_results_free(&res);
    tb_registry_free(r);
}

static void run_named(tb_state *st)
{
    const char *name = tb_arg(st);
    if (n_order < 64)
        snprintf(order[n_order++], TB_NAME_MAX, "%s", name);
    while (tb_keep_running(st))
        fake_advance(STEP, STEP);
}

static void run_interleaved(bool interleave, uint64_t seed, char out[][TB_NAME_MAX], int *n_out, tb_results *res)
{
    reset();
    tb_registry *r = tb_registry_new();
    REQUIRE(r);
    static const char *const names[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        tb_bench_spec s = {.family = "il", .args = names[i], .run = run_named, .threads = 1, .arg = names[i]};
        REQUIRE(tb_register(r, &s) == 0);
    }
    tb_options o;
    tb_options_default(&o);
    o.min_iters = 3;
    o.repetitions = 4;
    o.random_interleaving = interleave;
    o.seed = seed;
    char err[256];
    REQUIRE(tb_run_with_clock(r, &o, NULL, res, &fake_clock, err, sizeof err) == 0);
    for (int i = 0; i < n_order; i++)
        memcpy(out[i], order[i], TB_NAME_MAX);
    *n_out = n_order;
    tb_registry_free(r);
}

static void test_interleaving(void)
{
    char a[64][TB_NAME_MAX], b[64][TB_NAME_MAX], c[64][TB_NAME_MAX];
    int na, nb, nc;
    tb_results ra = {0}, rb = {0}, rc = {0};
    run_interleaved(false, 1, a, &na, &ra);
    REQUIRE(na == 12);
    for (int i = 0; i < 12; i++)
        CHECK(strcmp(a[i], (i < 4 ? "A" : i < 8 ? "B" : "C")) == 0);
    run_interleaved(true, 42, b, &nb, &rb);
    run_interleaved(true, 42, c, &nc, &rc);
    REQUIRE(nb == 12 && nc == 12);
    int same_as_sequential = 1, counts[3] = {0};
    for (int i = 0; i < 12; i++) {
        CHECK(strcmp(b[i], c[i]) == 0); /* seeded: the same order twice */
        same_as_sequential &= strcmp(b[i], a[i]) == 0;
        counts[b[i][0] - 'A']++;
    }
    CHECK(!same_as_sequential);
    CHECK(counts[0] == 4 && counts[1] == 4 && counts[2] == 4);
    /* Records come out grouped per instance whatever the order: 4 repetitions then 5 aggregates. */
    REQUIRE(rb.count == 27);
    for (size_t i = 0; i < rb.count; i++) {
        const tb_record *rec = &rb.records[i];
        size_t inst = i / 9, k = i % 9;
        CHECK(rec->per_family_instance_index == (int)inst && rec->family_index == 0);
        CHECK(rec->run_type == (k < 4 ? TB_RUN_ITERATION : TB_RUN_AGGREGATE));
        if (k < 4)
            CHECK(rec->repetition_index == (int)k);
    }
    tb_results_free(&ra);
    tb_results_free(&rb);
    tb_results_free(&rc);
}

static void *setup_fails(tb_state *st)
{
    tb_skip_with_error(st, "no fixture here");
    return NULL;
}

static void run_skips(tb_state *st)
{
    tb_skip(st, "variant not runnable");
    while (tb_keep_running(st))
        CHECK(!"loop body after a skip");
}

static void run_errors_midway(tb_state *st)
{
    int64_t n = 0;
    while (tb_keep_running(st))
        if (++n == 3)
            tb_skip_with_error(st, "wrong result");
    CHECK(n == 3);
}

static void run_never_loops(tb_state *st)
{
    (void)st;
}

static void test_errors(void)
{
    reset();
    tb_registry *r = tb_registry_new();
    REQUIRE(r);
    tb_bench_spec s1 = {.family = "err", .args = "setup", .run = run_fixed, .setup = setup_fails, .threads = 1};
    tb_bench_spec s2 = {.family = "err", .args = "skip", .run = run_skips, .threads = 1};
    tb_bench_spec s3 = {.family = "err", .args = "midway", .run = run_errors_midway, .threads = 1};
    tb_bench_spec s4 = {.family = "err", .args = "noloop", .run = run_never_loops, .threads = 1};
    REQUIRE(tb_register(r, &s1) == 0 && tb_register(r, &s2) == 0 && tb_register(r, &s3) == 0 &&
            tb_register(r, &s4) == 0);
    tb_options o;
    tb_options_default(&o);
    o.min_iters = 10;
    o.repetitions = 2;
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    CHECKF(res.count == 8, "%zu records (errors get no aggregates)", res.count);
    CHECK(n_trials == 0); /* setup failed: run() never called */
    for (size_t i = 0; i < res.count; i++) {
        const tb_record *rec = &res.records[i];
        CHECK(rec->run_type == TB_RUN_ITERATION);
        if (strstr(rec->name, "/skip/"))
            CHECK(rec->skipped && !rec->error_occurred && strcmp(rec->skip_message, "variant not runnable") == 0);
        else
            CHECK(rec->error_occurred && !rec->skipped && rec->error_message[0]);
    }
    CHECK(strcmp(res.records[0].error_message, "no fixture here") == 0);
    tb_results_free(&res);
    tb_registry_free(r);
}

static int listened;
static void on_records(void *user, const tb_record *recs, size_t n)
{
    (void)recs;
    *(int *)user += 1;
    listened += (int)n;
}

static void test_aggregates_only_and_listener(void)
{
    reset();
    tb_registry *r = one(run_fixed, false);
    tb_options o;
    tb_options_default(&o);
    o.min_iters = 5;
    o.repetitions = 3;
    o.report_aggregates_only = true;
    int calls = 0;
    listened = 0;
    tb_listener l = {on_records, &calls, NULL};
    tb_results res = {0};
    char err[256];
    REQUIRE(tb_run_with_clock(r, &o, &l, &res, &fake_clock, err, sizeof err) == 0);
    CHECK(res.count == 5);
    for (size_t i = 0; i < res.count; i++)
        CHECK(res.records[i].run_type == TB_RUN_AGGREGATE);
    CHECK(calls == 1 && listened == 5);
    tb_results_free(&res);

    /* Bad options are refused before anything runs. */
    o.repetitions = 0;
    CHECK(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == -1);
    CHECK(strstr(err, "repetitions") != NULL);
    tb_registry_free(r);
}

static void test_prediction(void)
{
    CHECK(tb_predict_iterations(1, 1e-6, 0.5) == 10);
    long long p = tb_predict_iterations(1000, 0.25, 0.5); /* 1000 × 0.7 / 0.25, up to rounding */
    CHECKF(p == 2800 || p == 2799, "%lld", p);
    CHECK(tb_predict_iterations(5, 10.0, 0.5) == 6); /* always at least one more */
    CHECK(tb_predict_iterations(900000000, 0.001, 0.5) == 1000000000);
    CHECK(tb_trial_is_enough(10, 0.5, 0.5, 0.5, 0));
    CHECK(!tb_trial_is_enough(10, 0.49, 0.49, 0.5, 0));
    CHECK(tb_trial_is_enough(10, 0.01, 2.5, 0.5, 0));  /* wall time far past */
    CHECK(!tb_trial_is_enough(10, 0.01, 2.5, 0.5, 1)); /* ... manual time gets a wider cap */
    CHECK(tb_trial_is_enough(10, 0.01, 5.0, 0.5, 1));
}

int main(void)
{
    test_prediction();
    test_growth();
    test_explicit_and_repetitions();
    test_pause_manual_counters();
    test_interleaving();
    test_errors();
    test_aggregates_only_and_listener();
    return check_exit();
}
