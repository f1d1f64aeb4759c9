/* test_flags.c — google/benchmark flag spellings and ours: values land in the options, bad values
 * are refused with the flag named. */
#include <string.h>

#include "tests/check.h"
#include "tritbench/flags.h"

static int parse(tb_flags *f, const char *arg, char *err, size_t len)
{
    tb_flags_default(f);
    return tb_flags_parse_arg(f, arg, err, len);
}

static void bad(const char *arg, const char *must_mention)
{
    tb_flags f;
    char err[256] = "";
    int rc = parse(&f, arg, err, sizeof err);
    CHECKF(rc == -1, "%s accepted", arg);
    CHECKF(strstr(err, must_mention) != NULL, "%s: message '%s' lacks '%s'", arg, err, must_mention);
}

int main(void)
{
    tb_flags f;
    char err[256];
    double s;
    long long it;
    CHECK(tb_parse_min_time("0.25s", &s, &it) == 0 && s == 0.25 && it == 0);
    CHECK(tb_parse_min_time("2", &s, &it) == 0 && s == 2.0 && it == 0);
    CHECK(tb_parse_min_time("100x", &s, &it) == 0 && it == 100);
    CHECK(tb_parse_min_time("x", &s, &it) == -1);
    CHECK(tb_parse_min_time("0s", &s, &it) == -1);
    CHECK(tb_parse_min_time("1.5ms", &s, &it) == -1);
    CHECK(tb_parse_min_time("-3x", &s, &it) == -1);

    CHECK(parse(&f, "--benchmark_min_time=100x", err, sizeof err) == 1 && f.opt.min_iters == 100);
    CHECK(parse(&f, "--benchmark_min_time=0.1s", err, sizeof err) == 1 && f.opt.min_time == 0.1 && !f.opt.min_iters);
    CHECK(parse(&f, "--benchmark_repetitions=5", err, sizeof err) == 1 && f.opt.repetitions == 5);
    CHECK(parse(&f, "--benchmark_filter=gemv", err, sizeof err) == 1 && strcmp(f.opt.filter, "gemv") == 0);
    CHECK(parse(&f, "--benchmark_format=json", err, sizeof err) == 1 && f.format == TB_FORMAT_JSON);
    CHECK(parse(&f, "--benchmark_out_format=csv", err, sizeof err) == 1 && f.out_format == TB_FORMAT_CSV);
    CHECK(parse(&f, "--benchmark_out=a.json", err, sizeof err) == 1 && strcmp(f.out_path, "a.json") == 0);
    CHECK(parse(&f, "--benchmark_enable_random_interleaving", err, sizeof err) == 1 && f.opt.random_interleaving);
    CHECK(parse(&f, "--benchmark_enable_random_interleaving=false", err, sizeof err) == 1 &&
          !f.opt.random_interleaving);
    CHECK(parse(&f, "--benchmark_report_aggregates_only=true", err, sizeof err) == 1 &&
          f.opt.report_aggregates_only);
    CHECK(parse(&f, "--benchmark_min_warmup_time=0.5", err, sizeof err) == 1 && f.opt.min_warmup_time == 0.5);
    CHECK(parse(&f, "--threads=1,2,4", err, sizeof err) == 1 && f.n_threads == 3 && f.threads[2] == 4);
    CHECK(parse(&f, "--pin", err, sizeof err) == 1 && f.opt.pin);
    CHECK(parse(&f, "--perf_counters=PAPI_TOT_CYC", err, sizeof err) == 1 &&
          strcmp(f.opt.perf_counters, "PAPI_TOT_CYC") == 0);
    CHECK(parse(&f, "--quick", err, sizeof err) == 1 && f.quick);
    CHECK(parse(&f, "--variants=scalar,avx2", err, sizeof err) == 1 && strcmp(f.variants, "scalar,avx2") == 0);
    CHECK(parse(&f, "--formats=i2", err, sizeof err) == 1 && strcmp(f.formats, "i2") == 0);
    CHECK(parse(&f, "--seed=7", err, sizeof err) == 1 && f.opt.seed == 7);
    CHECK(parse(&f, "--help", err, sizeof err) == 1 && f.help);
    CHECK(parse(&f, "--benchmark_filterx=1", err, sizeof err) == 0); /* not ours */
    CHECK(parse(&f, "positional", err, sizeof err) == 0);

    bad("--benchmark_repetitions=0", "--benchmark_repetitions");
    bad("--benchmark_repetitions=three", "--benchmark_repetitions");
    bad("--benchmark_min_time=fast", "--benchmark_min_time");
    bad("--benchmark_min_warmup_time=-1", "--benchmark_min_warmup_time");
    bad("--benchmark_format=xml", "--benchmark_format");
    bad("--benchmark_out_format=xml", "--benchmark_out_format");
    bad("--benchmark_out=", "--benchmark_out");
    bad("--benchmark_enable_random_interleaving=maybe", "--benchmark_enable_random_interleaving");
    bad("--threads=0", "--threads");
    bad("--threads=1,,2", "--threads");
    bad("--threads=1,2,3,4,5,6,7,8,9", "--threads");
    bad("--perf_counters", "--perf_counters");
    bad("--seed=abc", "--seed");

    char *argv[] = {"run", "--quick", "--bogus"};
    tb_flags_default(&f);
    CHECK(tb_flags_parse(&f, 3, argv, 1, err, sizeof err) == -1 && strstr(err, "--bogus"));

    tb_flags_default(&f);
    tb_flags_default_threads(&f);
    CHECK(f.n_threads >= 1 && f.threads[0] == 1);
    return check_exit();
}
