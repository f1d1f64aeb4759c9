/* test_compare.c — `compare` statistics and pairing on planted data: Mann–Whitney U against values
 * computed independently with scipy.stats.mannwhitneyu, a 10 % slowdown over 9 repetitions flagged when the
 * between-run noise is known to be small and INCONCLUSIVE when it is not, two samples of one distribution
 * not flagged, both JSON flavours read, unpaired names and bad input reported. */
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/compare.h"
#include "tests/check.h"
#include "tritbench/catalog.h"

static bool near(double a, double b, double rel) { return fabs(a - b) <= rel * fabs(b) + 1e-15; }

static void mann_whitney(void)
{
    /* scipy 1.10: mannwhitneyu(a, b, alternative='two-sided', method='exact' / default asymptotic) */
    const double a1[] = {1, 2, 3, 4, 5}, b1[] = {6, 7, 8, 9, 10};
    double u;
    bool exact;
    double p = tb_mann_whitney_p(a1, 5, b1, 5, &u, &exact);
    CHECKF(exact && u == 0 && near(p, 0.007936507936507936, 1e-9), "p %g u %g", p, u);
    const double a2[] = {1.1, 2.5, 3.3, 4.8, 5.0, 6.1}, b2[] = {2.0, 3.9, 4.4, 7.7, 8.2};
    p = tb_mann_whitney_p(a2, 6, b2, 5, &u, &exact);
    CHECKF(exact && u == 11 && near(p, 0.5367965367965368, 1e-9), "p %g u %g", p, u);
    const double a3[] = {10.0, 10.2, 9.9, 10.1, 10.3, 9.8, 10.05, 10.15, 9.95},
                 b3[] = {11.0, 11.2, 10.9, 11.1, 11.3, 10.8, 11.05, 11.15, 10.95};
    p = tb_mann_whitney_p(a3, 9, b3, 9, &u, &exact);
    CHECKF(exact && near(p, 4.113533525298231e-05, 1e-6), "p %g", p);
    const double a4[] = {3, 1, 4, 1.5, 9, 2.6, 5.3, 5.8}, b4[] = {9.7, 9.3, 2.3, 8.4, 6.2, 6.4, 3.38, 3.27};
    p = tb_mann_whitney_p(a4, 8, b4, 8, &u, &exact);
    CHECKF(exact && u == 17 && near(p, 0.13038073038073036, 1e-9), "p %g u %g", p, u);
    /* ties → normal approximation with tie and continuity correction */
    const double a5[] = {1, 2, 2, 3, 3, 3, 4}, b5[] = {2, 3, 4, 4, 5, 5, 6, 6};
    p = tb_mann_whitney_p(a5, 7, b5, 8, &u, &exact);
    CHECKF(!exact && u == 8.5 && near(p, 0.025144761173357368, 1e-9), "p %g u %g", p, u);
    /* 25 per side, no ties: exact up to 50 per side (scipy: mannwhitneyu(a6, b6, method='exact')) */
    double a6[25], b6[25];
    for (int i = 0; i < 25; i++) {
        a6[i] = i;
        b6[i] = i + 3.5;
    }
    p = tb_mann_whitney_p(a6, 25, b6, 25, &u, &exact);
    CHECKF(exact && u == 231 && near(p, 0.11663881126432636, 1e-9), "p %g u %g", p, u);
    /* symmetric in its arguments, and every value tied means no evidence */
    CHECK(near(tb_mann_whitney_p(b4, 8, a4, 8, NULL, NULL), 0.13038073038073036, 1e-9));
    const double same[] = {5, 5, 5};
    CHECK(tb_mann_whitney_p(same, 3, same, 3, NULL, NULL) == 1.0);
    CHECK(isnan(tb_mann_whitney_p(same, 0, same, 3, NULL, NULL)));
    const double m[] = {3, 1, 2, 10};
    CHECK(tb_median(m, 4) == 2.5 && tb_median(m, 3) == 2.0 && m[0] == 3);
}

/* A google/benchmark JSON text with `reps` repetitions of each named benchmark, times mean·(1 + noise). */
static char *make_json(const char *const *names, const double *means, size_t n_names, int reps, double noise,
                       uint64_t seed, const char *host)
{
    size_t cap = 1 << 20, len = 0;
    char *s = malloc(cap);
    REQUIRE(s);
    trit_rng rng;
    trit_rng_seed(&rng, seed);
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"context\": {\"host_name\": \"%s\", \"num_cpus\": 2}, \"benchmarks\": [", host);
    for (size_t b = 0; b < n_names; b++)
        for (int r = 0; r < reps; r++) {
            const double t = means[b] * (1.0 + noise * trit_rng_normal(&rng));
            len += (size_t)snprintf(s + len, cap - len,
                                    "%s{\"name\": \"%s\", \"run_name\": \"%s\", \"run_type\": \"iteration\", "
                                    "\"repetitions\": %d, \"repetition_index\": %d, \"threads\": 1, "
                                    "\"iterations\": 1000, \"real_time\": %.6f, \"cpu_time\": %.6f, "
                                    "\"time_unit\": \"us\"}",
                                    (b || r) ? ", " : "", names[b], names[b], reps, r, t, t);
        }
    /* An aggregate row and an errored row that must not count as samples. */
    snprintf(s + len, cap - len,
                            "%s{\"name\": \"%s_median\", \"run_name\": \"%s\", \"run_type\": \"aggregate\", "
                            "\"aggregate_name\": \"median\", \"real_time\": 1e9, \"cpu_time\": 1e9, \"time_unit\": \"us\"},"
                            "{\"name\": \"broken\", \"error_occurred\": true, \"error_message\": \"x\", \"real_time\": 0,"
                            " \"time_unit\": \"ns\"}]}",
                            n_names ? ", " : "", names[0], names[0]);
    return s;
}

static void planted(void)
{
    static const char *const names[] = {"gemv/i2/avx512_vnni/6912x2560/threads:1", "gemv/fp32/openblas/6912x2560/threads:1",
                                        "gemm/i2/avx2/2560x2560x128/threads:1"};
    const double base_means[] = {100.0, 900.0, 5000.0};
    const double slow_means[] = {110.0, 900.0, 5000.0}; /* the first benchmark 10 % slower */
    char err[512];
    int flagged_false = 0;
    /* The history says these benchmarks move 1 % between runs: a 10 % change is beyond that noise. */
    const cmp_noise noise[] = {{names[0], 0.01}, {names[1], 0.01}, {names[2], 0.01}};
    const cmp_options quiet = {.threshold = 0.05, .alpha = 0.05, .noise = noise, .n_noise = 3};
    const cmp_options unknown = {.threshold = 0.05, .alpha = 0.05};
    const cmp_noise loud_noise[] = {{names[0], 0.08}};
    const cmp_options loud = {.threshold = 0.05, .alpha = 0.05, .noise = loud_noise, .n_noise = 1};
    const cmp_options wide = {.threshold = 0.20, .alpha = 0.05, .noise = noise, .n_noise = 3};
    /* Same distribution, several seeds: never flagged (p ≥ alpha or change within the threshold). */
    for (uint64_t seed = 1; seed <= 5; seed++) {
        char *a = make_json(names, base_means, 3, 9, 0.02, seed, "h");
        char *b = make_json(names, base_means, 3, 9, 0.02, seed + 100, "h");
        cmp_file fa, fb;
        REQUIRE(cmp_parse(a, strlen(a), "base.json", &fa, err, sizeof err) == 0);
        REQUIRE(cmp_parse(b, strlen(b), "new.json", &fb, err, sizeof err) == 0);
        CHECK(fa.n == 3 && fa.b[0].n == 9 && fa.n_errored == 1);
        cmp_result res;
        REQUIRE(cmp_compare(&fa, &fb, &quiet, &res) == 0);
        CHECK(res.n_rows == 3 && res.n_only_base == 0 && res.n_only_new == 0);
        flagged_false += (int)(res.counts[CMP_REGRESSION] + res.counts[CMP_IMPROVED]);
        CHECK(fabs(res.geomean_ratio - 1) < 0.03);
        cmp_result_free(&res);
        cmp_file_free(&fa);
        cmp_file_free(&fb);
        free(a);
        free(b);
    }
    CHECKF(flagged_false == 0, "%d false regressions on same-distribution samples", flagged_false);

    /* A 10 % slowdown, 9 repetitions, 2 % noise: flagged, and only that one. */
    char *a = make_json(names, base_means, 3, 9, 0.02, 7, "h");
    char *b = make_json(names, slow_means, 3, 9, 0.02, 8, "other-host");
    cmp_file fa, fb;
    REQUIRE(cmp_parse(a, strlen(a), "base.json", &fa, err, sizeof err) == 0);
    REQUIRE(cmp_parse(b, strlen(b), "new.json", &fb, err, sizeof err) == 0);
    cmp_result res;
    REQUIRE(cmp_compare(&fa, &fb, &quiet, &res) == 0);
    CHECK(res.counts[CMP_REGRESSION] == 1 && res.noise_known);
    CHECK(res.rows[0].state == CMP_REGRESSION && res.rows[0].q < 0.01);
    CHECK(res.rows[0].ratio.bounded && res.rows[0].ratio.lo > 1.05 && res.rows[0].ratio.hi < 1.15);
    CHECK(res.rows[0].ratio.lo < res.rows[0].ratio.est && res.rows[0].ratio.est < res.rows[0].ratio.hi);
    CHECK(res.rows[1].state == CMP_SAME && res.rows[2].state == CMP_SAME);
    CHECK(res.geomean_ratio > 1.0 && res.geomean_ratio < 1.05); /* (1.1 · 1 · 1)^(1/3) ≈ 1.032 */
    CHECK(!res.few_repetitions);
    const double slow_lo = res.rows[0].ratio.lo, slow_est = res.rows[0].ratio.est;
    cmp_result_free(&res);
    /* No history: the same rows cannot be told from between-run drift → inconclusive, never REGRESSION. */
    REQUIRE(cmp_compare(&fa, &fb, &unknown, &res) == 0);
    CHECK(res.counts[CMP_REGRESSION] == 0 && res.counts[CMP_INCONCLUSIVE] == 1 && !res.noise_known);
    CHECK(res.rows[0].state == CMP_INCONCLUSIVE && isnan(res.rows[0].noise_band));
    cmp_result_free(&res);
    /* A benchmark whose runs move 8 % apart: 10 % is within z·√2·8 % ≈ 22 %. */
    REQUIRE(cmp_compare(&fa, &fb, &loud, &res) == 0);
    CHECK(res.rows[0].state == CMP_INCONCLUSIVE && res.rows[0].noise_band > 0.2 && res.rows[0].noise_band < 0.26);
    cmp_result_free(&res);
    /* A threshold between the interval's ends (est ≈ +10 %, lo < 1.09 < est): past it by the estimate, not
     * with confidence → inconclusive, never REGRESSION. */
    {
        cmp_options mid = quiet;
        mid.threshold = 0.5 * (slow_lo + slow_est) - 1.0;
        cmp_result rm;
        REQUIRE(cmp_compare(&fa, &fb, &mid, &rm) == 0);
        CHECK(rm.rows[0].state == CMP_INCONCLUSIVE && rm.counts[CMP_REGRESSION] == 0);
        cmp_result_free(&rm);
    }
    /* The same slowdown under a 20 % threshold is not a regression. */
    REQUIRE(cmp_compare(&fa, &fb, &wide, &res) == 0);
    CHECK(res.counts[CMP_REGRESSION] == 0 && res.rows[0].state == CMP_SAME);
    cmp_result_free(&res);
    /* Contexts differ in host_name, and only there. */
    const char *keys[8];
    size_t nd = cmp_context_diff(&fa, &fb, keys, 8);
    CHECK(nd == 1 && strcmp(keys[0], "host_name") == 0);
    cmp_file_free(&fb);
    free(b);

    /* Few repetitions: tested (warned) with 3; untested with 1, and never a regression then. */
    b = make_json(names, slow_means, 3, 3, 0.001, 9, "h");
    REQUIRE(cmp_parse(b, strlen(b), "new3.json", &fb, err, sizeof err) == 0);
    REQUIRE(cmp_compare(&fa, &fb, &quiet, &res) == 0);
    CHECK(res.few_repetitions && res.rows[0].state != CMP_UNTESTED && !isnan(res.rows[0].q));
    cmp_result_free(&res);
    cmp_file_free(&fb);
    free(b);
    b = make_json(names, slow_means, 2, 1, 0.0, 9, "h");
    REQUIRE(cmp_parse(b, strlen(b), "new1.json", &fb, err, sizeof err) == 0);
    REQUIRE(cmp_compare(&fa, &fb, &quiet, &res) == 0);
    CHECK(res.n_rows == 2 && res.rows[0].state == CMP_UNTESTED && res.counts[CMP_REGRESSION] == 0 &&
          res.counts[CMP_UNTESTED] == 2);
    /* the third benchmark is only in the base */
    CHECK(res.n_only_base == 1 && strcmp(res.only_base[0], names[2]) == 0);
    cmp_result_free(&res);
    cmp_file_free(&fb);
    free(b);
    cmp_file_free(&fa);
    free(a);
}

static void formats_and_errors(void)
{
    char err[512];
    cmp_file f;
    /* Aggregates only (--benchmark_report_aggregates_only): the median stands in; units converted. */
    const char *agg = "{\"benchmarks\": [{\"name\": \"x_mean\", \"run_name\": \"x\", \"run_type\": \"aggregate\", "
                      "\"aggregate_name\": \"mean\", \"real_time\": 3, \"time_unit\": \"ms\"},"
                      "{\"name\": \"x_median\", \"run_name\": \"x\", \"run_type\": \"aggregate\", "
                      "\"aggregate_name\": \"median\", \"real_time\": 2, \"time_unit\": \"ms\"}]}";
    REQUIRE(cmp_parse(agg, strlen(agg), "agg.json", &f, err, sizeof err) == 0);
    CHECK(f.n == 1 && f.b[0].n == 1 && f.b[0].from_aggregate && near(f.b[0].times[0], 2e-3, 1e-12));
    cmp_file_free(&f);
    /* Old google JSON without run_name / run_type */
    const char *old = "{\"benchmarks\": [{\"name\": \"BM_x\", \"real_time\": 5, \"time_unit\": \"ns\"}]}";
    REQUIRE(cmp_parse(old, strlen(old), "old.json", &f, err, sizeof err) == 0);
    CHECK(f.n == 1 && strcmp(f.b[0].name, "BM_x") == 0 && near(f.b[0].times[0], 5e-9, 1e-12));
    cmp_file_free(&f);
    struct {
        const char *json, *fragment;
    } bad[] = {
        {"{", "invalid JSON"},
        {"{\"context\": {}}", "no \"benchmarks\" array"},
        {"{\"benchmarks\": [3]}", "benchmarks[0] is not an object"},
        {"{\"benchmarks\": [{\"real_time\": 1}]}", "no string \"name\""},
        {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": \"fast\"}]}", "\"real_time\" missing or not a number"},
        {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"time_unit\": \"fortnights\"}]}", "unknown time_unit"},
        {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": -1}]}", "negative real_time"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int rc = cmp_parse(bad[i].json, strlen(bad[i].json), "bad.json", &f, err, sizeof err);
        CHECKF(rc == -1 && strstr(err, bad[i].fragment) && strstr(err, "bad.json"), "case %zu: rc %d err \"%s\"", i,
               rc, err);
        if (rc == 0)
            cmp_file_free(&f);
    }
    CHECK(cmp_load("/nonexistent/x.json", &f, err, sizeof err) == -1 && strstr(err, "/nonexistent/x.json"));
}

/* What google/benchmark itself writes: bare NaN/Infinity counters, BigO/RMS rows without real_time,
 * skipped and errored rows, aggregates by aggregate_name (cv is a percentage, never a time), NaN and zero
 * times, a name full of terminal escapes. */
static void google_edge_cases(void)
{
    char err[512];
    cmp_file f;
    REQUIRE(cmp_load(COMPARE_FIXTURES "/google_edge_cases.json", &f, err, sizeof err) == 0);
    CHECKF(f.n == 6, "%zu benchmarks", f.n);
    CHECK(f.n_errored == 2 && f.n_complexity == 2);
    const cmp_bench *sort = cmp_find(&f, "BM_Sort/1024"), *rep = cmp_find(&f, "BM_Rep");
    REQUIRE(sort && rep);
    CHECK(sort->n == 1 && near(sort->times[0], 1e-5, 1e-12) && sort->n_invalid == 0);
    CHECK(rep->n == 3 && !rep->from_aggregate && near(rep->times[1], 1.2e-3, 1e-12));
    CHECK(!cmp_find(&f, "BM_Sort") && !cmp_find(&f, "BM_Skip") && !cmp_find(&f, "BM_Err"));
    const cmp_bench *nan_t = cmp_find(&f, "BM_NaNTime"), *zero = cmp_find(&f, "BM_Zero");
    REQUIRE(nan_t && zero);
    CHECK(nan_t->n_invalid == 1 && zero->n_invalid == 1);
    json_t *label = json_object_get(json_array_get(json_object_get(f.root, "benchmarks"), 0), "label");
    CHECK(json_is_string(label) && strcmp(json_string_value(label), "NaN and Infinity inside a string stay text") == 0);

    /* Compared with itself: clear states for the invalid rows, nothing flagged. */
    cmp_file g;
    REQUIRE(cmp_load(COMPARE_FIXTURES "/google_edge_cases.json", &g, err, sizeof err) == 0);
    const cmp_options opt = {.threshold = 0.05, .alpha = 0.05};
    cmp_result res;
    REQUIRE(cmp_compare(&f, &g, &opt, &res) == 0);
    CHECK(res.n_rows == 6 && res.counts[CMP_INVALID_BASE] == 2 && res.counts[CMP_REGRESSION] == 0);
    CHECK(res.counts[CMP_UNTESTED] == 3 && res.counts[CMP_SAME] == 1);
    CHECK(isfinite(res.geomean_ratio) && near(res.geomean_ratio, 1.0, 1e-12));
    for (size_t i = 0; i < res.n_rows; i++)
        if (strcmp(res.rows[i].name, "BM_Zero") == 0)
            CHECK(res.rows[i].state == CMP_INVALID_BASE && strcmp(cmp_state_name(res.rows[i].state), "invalid-base-time") == 0);
    cmp_result_free(&res);

    /* The escaped name cannot reach the terminal as control bytes. */
    const char *hostile = NULL;
    for (size_t i = 0; i < f.n; i++)
        if (strncmp(f.b[i].name, "BM_\x1b", 4) == 0)
            hostile = f.b[i].name;
    REQUIRE(hostile);
    char shown[128];
    cmp_escape_name(hostile, shown, sizeof shown);
    CHECKF(strcmp(shown, "BM_\\x1b]0;pwned\\x07\\x1b[2J") == 0, "%s", shown);
    cmp_escape_name("a\\b\xc2\x9b" "c", shown, sizeof shown); /* backslash and a C1 CSI */
    CHECKF(strcmp(shown, "a\\\\b\\u009bc") == 0, "%s", shown);
    cmp_escape_name("\x1b\x1b\x1b", shown, 6); /* truncates whole escapes, always terminated */
    CHECKF(strcmp(shown, "\\x1b") == 0, "%s", shown);
    cmp_file_free(&f);
    cmp_file_free(&g);
}

/* 100k names in both files, in different orders, some only on one side: every pair and only the pairs. */
static void many_names(void)
{
    enum { N = 100000 };
    size_t cap = (size_t)N * 160 + 64;
    char *a = malloc(cap), *b = malloc(cap);
    REQUIRE(a && b);
    size_t la = (size_t)snprintf(a, cap, "{\"benchmarks\": ["), lb = (size_t)snprintf(b, cap, "{\"benchmarks\": [");
    for (int i = 0; i < N; i++) {
        /* base: bench/i at i+1 us; new: reversed order, every 1000th missing, times ×2 */
        la += (size_t)snprintf(a + la, cap - la, "%s{\"name\": \"bench/%d\", \"real_time\": %d, \"time_unit\": \"us\"}",
                               i ? "," : "", i, i + 1);
        const int j = N - 1 - i;
        if (j % 1000 != 0)
            lb += (size_t)snprintf(b + lb, cap - lb, "%s{\"name\": \"bench/%d\", \"real_time\": %d, \"time_unit\": \"us\"}",
                                   lb > 20 ? "," : "", j, 2 * (j + 1));
    }
    lb += (size_t)snprintf(b + lb, cap - lb, ",{\"name\": \"extra\", \"real_time\": 1, \"time_unit\": \"us\"}]}");
    la += (size_t)snprintf(a + la, cap - la, "]}");
    char err[512];
    cmp_file fa, fb;
    REQUIRE(cmp_parse(a, la, "a.json", &fa, err, sizeof err) == 0);
    REQUIRE(cmp_parse(b, lb, "b.json", &fb, err, sizeof err) == 0);
    CHECK(fa.n == N && fb.n == N - N / 1000 + 1);
    const cmp_options opt = {.threshold = 0.05, .alpha = 0.05};
    cmp_result res;
    REQUIRE(cmp_compare(&fa, &fb, &opt, &res) == 0);
    CHECK(res.n_rows == N - N / 1000 && res.n_only_base == N / 1000 && res.n_only_new == 1);
    CHECK(strcmp(res.only_new[0], "extra") == 0);
    size_t wrong = 0;
    for (size_t i = 0; i < res.n_rows; i++) {
        const cmp_row *r = &res.rows[i];
        const int k = atoi(r->name + 6);
        wrong += !(near(r->base, (k + 1) * 1e-6, 1e-9) && near(r->new_, 2 * (k + 1) * 1e-6, 1e-9) &&
                   near(r->ratio.est, 2.0, 1e-9) && r->state == CMP_UNTESTED);
    }
    CHECKF(wrong == 0, "%zu of %zu rows mispaired", wrong, res.n_rows);
    for (size_t i = 0; i < res.n_only_base; i++)
        CHECK(atoi(res.only_base[i] + 6) % 1000 == 0);
    CHECK(near(res.geomean_ratio, 2.0, 1e-9));
    cmp_result_free(&res);
    cmp_file_free(&fa);
    cmp_file_free(&fb);
    free(a);
    free(b);
}

static void thresholds_and_inputs(void)
{
    double t = -1;
    CHECK(cmp_parse_threshold("10%", &t) == 0 && near(t, 0.10, 1e-12));
    CHECK(cmp_parse_threshold("2.5 %", &t) == 0 && near(t, 0.025, 1e-12));
    CHECK(cmp_parse_threshold("0.10", &t) == 0 && near(t, 0.10, 1e-12));
    CHECK(cmp_parse_threshold("0", &t) == 0 && t == 0);
    CHECK(cmp_parse_threshold("150%", &t) == 0 && near(t, 1.5, 1e-12));
    const char *bad[] = {"10", "1", "abc", "", "-5%", "5%%", "nan", "inf%", "0.1x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECKF(cmp_parse_threshold(bad[i], &t) == -1, "\"%s\" accepted", bad[i]);

    /* A FIFO with no writer is refused at once instead of blocking; a directory too. */
    char dir[] = "/tmp/tb_cmp_XXXXXX";
    REQUIRE(mkdtemp(dir));
    char fifo[64], err[512];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    REQUIRE(mkfifo(fifo, 0600) == 0);
    cmp_file f;
    CHECK(cmp_load(fifo, &f, err, sizeof err) == -1 && strstr(err, "not a regular file"));
    CHECK(cmp_load(dir, &f, err, sizeof err) == -1 && strstr(err, "not a regular file"));
    unlink(fifo);
    rmdir(dir);
}

int main(void)
{
    mann_whitney();
    planted();
    formats_and_errors();
    google_edge_cases();
    many_names();
    thresholds_and_inputs();
    return check_exit();
}
