/* test_filter.c — --benchmark_filter (POSIX ERE, "all", negation, bad patterns), instance naming,
 * and family/instance indexes of what the filter selects. */
#include <string.h>

#include "fake_clock.h"
#include "harness/filter.h"
#include "tests/check.h"

static bool match(const char *pattern, const char *name)
{
    tb_filter f;
    char err[256];
    REQUIRE(tb_filter_compile(&f, pattern, err, sizeof err) == 0);
    bool m = tb_filter_match(&f, name);
    tb_filter_free(&f);
    return m;
}

static void run_nothing(tb_state *st)
{
    while (tb_keep_running(st))
        fake_advance(1e-3, 1e-3);
}

int main(void)
{
    CHECK(match(NULL, "stream/triad/64MiB/threads:2"));
    CHECK(match("", "x"));
    CHECK(match("all", "x"));
    CHECK(match("stream", "stream/triad/64MiB/threads:2"));
    CHECK(match("triad/.*threads:2$", "stream/triad/64MiB/threads:2"));
    CHECK(!match("triad/.*threads:1$", "stream/triad/64MiB/threads:2"));
    CHECK(match("^(gemv|gemm)/", "gemm/i2/avx2/4x4/threads:1"));
    CHECK(!match("^(gemv|gemm)/", "stream/gemv/threads:1"));
    CHECK(!match("-stream", "stream/read/16KiB/threads:1"));
    CHECK(match("-stream", "gemv/i2/threads:1"));

    tb_filter f;
    char err[256] = "";
    CHECK(tb_filter_compile(&f, "gemv(", err, sizeof err) == -1);
    CHECKF(strstr(err, "gemv(") && strstr(err, "--benchmark_filter"), "%s", err);
    err[0] = '\0';
    CHECK(tb_filter_compile(&f, "[a-", err, sizeof err) == -1 && err[0]);

    tb_registry *r = tb_registry_new();
    REQUIRE(r);
    tb_bench_spec s = {.family = "fam1", .args = "a", .run = run_nothing, .threads = 1};
    REQUIRE(tb_register(r, &s) == 0);
    s.args = "b";
    REQUIRE(tb_register(r, &s) == 0);
    s.family = "fam2";
    s.args = NULL;
    s.threads = 4;
    REQUIRE(tb_register(r, &s) == 0);
    s.family = "fam1";
    s.args = "c";
    s.threads = 2;
    REQUIRE(tb_register(r, &s) == 0);
    CHECK(tb_registry_count(r) == 4);
    CHECK(strcmp(tb_registry_name(r, 0), "fam1/a/threads:1") == 0);
    CHECK(strcmp(tb_registry_name(r, 2), "fam2/threads:4") == 0);
    CHECK(tb_registry_name(r, 9) == NULL);
    /* Bad specs are refused. */
    tb_bench_spec bad = {.family = "x", .run = run_nothing, .threads = 0};
    CHECK(tb_register(r, &bad) == -1);
    bad.threads = 1;
    bad.run = NULL;
    CHECK(tb_register(r, &bad) == -1);
    char longname[400];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    tb_bench_spec too_long = {.family = longname, .run = run_nothing, .threads = 1};
    CHECK(tb_register(r, &too_long) == -1);
    CHECK(tb_registry_count(r) == 4);

    /* The filter drops fam1/a: fam1 keeps family index 0, its instances renumber from 0. */
    tb_options o;
    tb_options_default(&o);
    o.min_iters = 2;
    o.filter = "fam1/(b|c)|fam2";
    tb_results res = {0};
    REQUIRE(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == 0);
    REQUIRE(res.count == 3);
    CHECK(strcmp(res.records[0].name, "fam1/b/threads:1") == 0);
    CHECK(res.records[0].family_index == 0 && res.records[0].per_family_instance_index == 0);
    CHECK(res.records[1].family_index == 1 && res.records[1].per_family_instance_index == 0);
    CHECK(res.records[2].family_index == 0 && res.records[2].per_family_instance_index == 1);
    CHECK(res.records[1].threads == 4);
    tb_results_free(&res);

    o.filter = "(";
    CHECK(tb_run_with_clock(r, &o, NULL, &res, &fake_clock, err, sizeof err) == -1);
    CHECK(res.count == 0);
    tb_registry_free(r);
    return check_exit();
}
