/* test_flags.c — the shared parser (args.h) and `run`'s tables (flags.h): both spellings of a value,
 * google/benchmark's boolean forms, exact names, every error naming its flag, positionals, short
 * options, repeatable flags, the generated --help, and the one comma-list helper. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tritbench/args.h"
#include "tritbench/flags.h"

#define MAXV 16

/* Parses "run ARGS..." (NULL-terminated) into a fresh tb_flags. Returns tb_flags_parse's result. */
static int run_args(tb_flags *f, char *err, size_t len, ...)
{
    char *argv[MAXV] = {"run"};
    int argc = 1;
    va_list ap;
    va_start(ap, len);
    for (char *a; argc < MAXV && (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    tb_flags_default(f);
    err[0] = '\0';
    return tb_flags_parse(f, argc, argv, NULL, err, len);
}

/* ARGS must be refused with a message that mentions `must_mention`. */
#define BAD(must_mention, ...)                                                                                         \
    do {                                                                                                               \
        tb_flags bf;                                                                                                   \
        char berr[512];                                                                                                \
        int brc = run_args(&bf, berr, sizeof berr, __VA_ARGS__, NULL);                                                 \
        CHECKF(brc == -1, "%s: accepted", #__VA_ARGS__);                                                               \
        CHECKF(strstr(berr, must_mention) != NULL, "%s: message '%s' lacks '%s'", #__VA_ARGS__, berr, must_mention);  \
    } while (0)

static void test_min_time(void)
{
    double s;
    long long it;
    char why[256];
    CHECK(tb_parse_min_time("0.25s", &s, &it, why, sizeof why) == 0 && s == 0.25 && it == 0);
    CHECK(tb_parse_min_time("2", &s, &it, why, sizeof why) == 0 && s == 2.0 && it == 0);
    CHECK(tb_parse_min_time("100x", &s, &it, why, sizeof why) == 0 && it == 100);
    CHECK(tb_parse_min_time("1000000000x", &s, &it, why, sizeof why) == 0 && it == 1000000000LL);
    CHECK(tb_parse_min_time("x", &s, &it, NULL, 0) == -1);
    CHECK(tb_parse_min_time("0s", &s, &it, NULL, 0) == -1);
    CHECK(tb_parse_min_time("1.5ms", &s, &it, NULL, 0) == -1);
    CHECK(tb_parse_min_time("-3x", &s, &it, NULL, 0) == -1);
    CHECK(tb_parse_min_time("inf", &s, &it, NULL, 0) == -1);
    CHECK(tb_parse_min_time("1000000001x", &s, &it, why, sizeof why) == -1 && strstr(why, "kMaxIterations"));
    CHECK(tb_parse_min_time("9223372036854775807x", &s, &it, why, sizeof why) == -1 && strstr(why, "1000000000x"));
    CHECK(tb_parse_min_time("99999999999999999999999x", &s, &it, why, sizeof why) == -1);
    CHECK(tb_parse_min_time("86401s", &s, &it, why, sizeof why) == -1 && strstr(why, "a day"));
}

static void test_run_flags(void)
{
    tb_flags f;
    char err[512];
    /* Both spellings of every value flag. */
    CHECK(run_args(&f, err, sizeof err, "--threads", "2", NULL) == 0 && f.n_threads == 1 && f.threads[0] == 2);
    CHECK(run_args(&f, err, sizeof err, "--threads=1,2,4", NULL) == 0 && f.n_threads == 3 && f.threads[2] == 4);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_repetitions", "3", NULL) == 0 && f.opt.repetitions == 3);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_repetitions=5", NULL) == 0 && f.opt.repetitions == 5);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_filter", "-gemv", NULL) == 0 && strcmp(f.opt.filter, "-gemv") == 0);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_filter=", NULL) == 0 && strcmp(f.opt.filter, "") == 0);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_min_time", "100x", NULL) == 0 && f.opt.min_iters == 100);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_min_time=0.1s", NULL) == 0 && f.opt.min_time == 0.1 &&
          !f.opt.min_iters);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_format", "json", NULL) == 0 && f.format == TB_FORMAT_JSON);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_out_format=csv", NULL) == 0 && f.out_format == TB_FORMAT_CSV);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_out", "a.json", NULL) == 0 && strcmp(f.out_path, "a.json") == 0);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_min_warmup_time=0.5", NULL) == 0 && f.opt.min_warmup_time == 0.5);
    CHECK(run_args(&f, err, sizeof err, "--perf_counters", "PAPI_TOT_CYC", NULL) == 0 &&
          strcmp(f.opt.perf_counters, "PAPI_TOT_CYC") == 0);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_perf_counters=PAPI_TOT_INS", NULL) == 0 &&
          strcmp(f.opt.perf_counters, "PAPI_TOT_INS") == 0);
    CHECK(run_args(&f, err, sizeof err, "--variants=scalar,avx2", "--formats", "i2", NULL) == 0 &&
          strcmp(f.variants, "scalar,avx2") == 0 && strcmp(f.formats, "i2") == 0);
    CHECK(run_args(&f, err, sizeof err, "--seed", "0x10", NULL) == 0 && f.opt.seed == 16);
    CHECK(run_args(&f, err, sizeof err, "--v=2", NULL) == 0 && f.verbosity == 2);
    CHECK(run_args(&f, err, sizeof err, "--v", "1", NULL) == 0 && f.verbosity == 1);
    /* The last of a repeated flag wins (google/benchmark's rule) ... */
    CHECK(run_args(&f, err, sizeof err, "--benchmark_repetitions=2", "--benchmark_repetitions=4", NULL) == 0 &&
          f.opt.repetitions == 4);
    /* ... except --benchmark_context, which collects. */
    CHECK(run_args(&f, err, sizeof err, "--benchmark_context=a=1", "--benchmark_context", "b=x=y", NULL) == 0 &&
          f.context.n == 2 && strcmp(f.context.items[1], "b=x=y") == 0);

    /* Booleans: bare, =true/false/1/0/yes/no. */
    CHECK(run_args(&f, err, sizeof err, "--benchmark_enable_random_interleaving", NULL) == 0 &&
          f.opt.random_interleaving);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_enable_random_interleaving=false", NULL) == 0 &&
          !f.opt.random_interleaving);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_enable_random_interleaving=1", NULL) == 0 &&
          f.opt.random_interleaving);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_report_aggregates_only=true", NULL) == 0 &&
          f.opt.report_aggregates_only);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_display_aggregates_only", NULL) == 0 &&
          f.display_aggregates_only && !f.opt.report_aggregates_only);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_counters_tabular=yes", NULL) == 0 && f.counters_tabular);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_list_tests", NULL) == 0 && f.list_tests);
    CHECK(run_args(&f, err, sizeof err, "--pin", "--quick=0", NULL) == 0 && f.opt.pin && !f.quick);
    CHECK(run_args(&f, err, sizeof err, NULL) == 0 && f.color == -1 && f.progress == -1);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_color=false", NULL) == 0 && f.color == 0);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_color", "true", NULL) == 0 && f.color == 1);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_color", NULL) == 0 && f.color == 1);
    CHECK(run_args(&f, err, sizeof err, "--benchmark_color=auto", NULL) == 0 && f.color == -1);
    CHECK(run_args(&f, err, sizeof err, "--progress", NULL) == 0 && f.progress == 1);
    CHECK(run_args(&f, err, sizeof err, "--progress=false", NULL) == 0 && f.progress == 0);

    bool help = false;
    char *hv[] = {"run", "--help"};
    tb_flags_default(&f);
    CHECK(tb_flags_parse(&f, 2, hv, &help, err, sizeof err) == 0 && help);

    /* Every error names the flag. */
    BAD("--benchmark_repetitions", "--benchmark_repetitions=0");
    BAD("--benchmark_repetitions", "--benchmark_repetitions", "three");
    BAD("--benchmark_repetitions", "--benchmark_repetitions"); /* value missing at the end */
    BAD("--benchmark_min_time", "--benchmark_min_time=fast");
    BAD("--benchmark_min_time", "--benchmark_min_time=9223372036854775807x");
    BAD("--benchmark_min_warmup_time", "--benchmark_min_warmup_time=-1");
    BAD("--benchmark_format", "--benchmark_format=xml");
    BAD("--benchmark_out_format", "--benchmark_out_format", "xml");
    BAD("--benchmark_out", "--benchmark_out=");
    BAD("--benchmark_enable_random_interleaving", "--benchmark_enable_random_interleaving=maybe");
    BAD("--benchmark_color", "--benchmark_color=sometimes");
    BAD("--benchmark_context", "--benchmark_context=novalue");
    BAD("--benchmark_context", "--benchmark_context==x");
    BAD("--v", "--v=10");
    BAD("--threads", "--threads=0");
    BAD("--threads", "--threads", "1,,2");
    BAD("--threads", "--threads=1,2,3,4,5,6,7,8,9");
    BAD("--perf_counters", "--perf_counters");
    BAD("--seed", "--seed=abc");
    BAD("--seed", "--seed=-1");
    BAD("--bogus", "--quick", "--bogus");
    BAD("'-x'", "-x");
    BAD("extra", "extra"); /* run takes no positional arguments */
    BAD("a switch takes its value as --pin=true", "--pin", "true");
    /* A value that looks like a flag is a forgotten value. */
    BAD("--benchmark_out needs a value, got the flag '--benchmark_format=json'", "--benchmark_out",
        "--benchmark_format=json");
    /* Exact names only: getopt_long's prefixes are refused, with a suggestion. */
    BAD("did you mean --benchmark_repetitions", "--benchmark_repet=3");
    BAD("'--benchmark_rep'", "--benchmark_rep=3"); /* two flags start so: no guess */
    BAD("'--bench'", "--bench=3");
    BAD("--benchmark_filterx", "--benchmark_filterx=1");
    BAD("--pin", "--pin=maybe");

    tb_flags_default(&f);
    tb_flags_default_threads(&f);
    CHECK(f.n_threads >= 1 && f.threads[0] == 1);
}

/* A command of its own over the layer: positionals, short options, optional values, choices, lists. */
typedef struct mine {
    const char *out;
    unsigned long layers;
    int mode;
    const char *maybe;
    bool maybe_bare;
    tb_str_list tags;
    bool dry;
    double ratio;
} mine;

static int set_maybe(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    mine *m = field;
    if (!v) {
        m->maybe_bare = true;
        return 0;
    }
    return tb_set_string(o, &m->maybe, v, err, err_len);
}

static const char *const modes[] = {"fast", "slow", NULL};
static const tb_opt mine_table[] = {
    {"output", 'o', TB_VALUE, .field = offsetof(mine, out), .metavar = "OUT", .help = "where\nsecond line"},
    {"layers", .set = tb_set_ulong, .field = offsetof(mine, layers), .metavar = "N", .min = 1, .max = 64,
     .help = "how many"},
    {"mode", .set = tb_set_choice, .field = offsetof(mine, mode), .choices = modes, .help = "fast or slow"},
    {"maybe", .kind = TB_OPTIONAL, .set = set_maybe, .field = 0, .metavar = "X", .help = "optional value"},
    {"tag", .set = tb_set_append, .field = offsetof(mine, tags), .metavar = "T", .help = "repeatable"},
    {"dry-run", .kind = TB_BOOL, .field = offsetof(mine, dry), .help = "write nothing"},
    {"ratio", .set = tb_set_double, .field = offsetof(mine, ratio), .min = 0, .max = 2, .help = "0..2"},
};
static const tb_command mine_cmd = {.name = "tritbench mine", .synopsis = "[flags] IN [IN2]", .about = "About.\n",
                                    .footer = "Footer.\n", .min_pos = 1, .max_pos = 2, .pos_name = "IN [IN2]"};

static int mine_parse(mine *m, tb_args *a, char *err, size_t len, int argc, char **argv)
{
    memset(m, 0, sizeof *m);
    m->tags.max = 2;
    const tb_opt_group g[] = {{NULL, mine_table, TB_COUNT(mine_table), m}};
    err[0] = '\0';
    return tb_args_parse(&mine_cmd, g, 1, argc, argv, a, err, len);
}

static void test_layer(void)
{
    mine m;
    tb_args a;
    char err[512];
    char *v1[] = {"mine", "in.st", "-o", "x", "--layers", "3", "--mode=slow", "--tag=a", "--tag", "b", "--dry-run"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 11, v1) == 0);
    CHECK(a.n_pos == 1 && strcmp(a.pos[0], "in.st") == 0 && strcmp(m.out, "x") == 0 && m.layers == 3 && m.mode == 1);
    CHECK(m.tags.n == 2 && strcmp(m.tags.items[1], "b") == 0 && m.dry);
    char *v2[] = {"mine", "-oy", "a", "--maybe", "b"}; /* an optional value may follow as the next argument */
    CHECK(mine_parse(&m, &a, err, sizeof err, 5, v2) == 0 && strcmp(m.out, "y") == 0 && strcmp(m.maybe, "b") == 0 &&
          a.n_pos == 1 && strcmp(a.pos[0], "a") == 0);
    char *v3[] = {"mine", "a", "--maybe", "--dry-run"}; /* ... but not a flag */
    CHECK(mine_parse(&m, &a, err, sizeof err, 4, v3) == 0 && m.maybe_bare && !m.maybe && m.dry);
    char *v4[] = {"mine", "--output=z", "--", "--not-a-flag"}; /* "--" ends the flags */
    CHECK(mine_parse(&m, &a, err, sizeof err, 4, v4) == 0 && a.n_pos == 1 && strcmp(a.pos[0], "--not-a-flag") == 0);
    char *v5[] = {"mine", "a", "b", "c"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 4, v5) == -1 && strstr(err, "'c'") && strstr(err, "IN [IN2]"));
    char *v6[] = {"mine", "--dry-run"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 2, v6) == -1 && strstr(err, "missing IN"));
    char *v7[] = {"mine", "a", "--mode=medium"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, v7) == -1 && strstr(err, "--mode") && strstr(err, "fast, slow"));
    char *v8[] = {"mine", "a", "--tag=1", "--tag=2", "--tag=3"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 5, v8) == -1 && strstr(err, "--tag") && strstr(err, "more than 2"));
    char *v9[] = {"mine", "a", "--layers=65"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, v9) == -1 && strstr(err, "--layers") && strstr(err, "1 to 64"));
    char *v10[] = {"mine", "a", "-o"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, v10) == -1 && strstr(err, "-o needs a value"));
    char *v11[] = {"mine", "a", "--output"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, v11) == -1 && strstr(err, "--output needs a value"));
    char *v12[] = {"mine", "a", "--dry-run=perhaps"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, v12) == -1 && strstr(err, "--dry-run"));
    char *v13[] = {"mine", "-h", "--bogus"}; /* names are checked first: a typo is never hidden by --help */
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, v13) == -1 && strstr(err, "--bogus"));
    char *vd[] = {"mine", "a", "--ratio", "1.5"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 4, vd) == 0 && m.ratio == 1.5);
    char *vd2[] = {"mine", "a", "--ratio=nan"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, vd2) == -1 && strstr(err, "--ratio"));
    char *vd3[] = {"mine", "a", "--ratio=3"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 3, vd3) == -1 && strstr(err, "from 0 to 2"));
    char *v14[] = {"mine", "--help"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 2, v14) == 0 && a.help);
    /* argv is left as it was (getopt_long may permute; the layer works on a copy). */
    char *v15[] = {"mine", "in", "--layers", "2"};
    CHECK(mine_parse(&m, &a, err, sizeof err, 4, v15) == 0 && strcmp(v15[1], "in") == 0 && strcmp(v15[2], "--layers") == 0);

    /* A wrapper forwards what one group's options were given as, values kept with their flags. */
    {
        tb_flags fl;
        tb_flags_default(&fl);
        tb_opt_group gs[1 + TB_FLAGS_GROUPS] = {{"mine", mine_table, TB_COUNT(mine_table), &m}};
        size_t ng = 1 + tb_flags_groups(&fl, gs + 1);
        memset(&m, 0, sizeof m);
        char *fv[] = {"ab", "base", "--threads", "2", "-o", "x", "--benchmark_repetitions=3", "--dry-run",
                      "--quick", "--benchmark_filter", "gemv"};
        REQUIRE(tb_args_parse(&mine_cmd, gs, ng, 11, fv, &a, err, sizeof err) == 0);
        char *fw[16];
        int n = 0;
        for (int g = 1; g < (int)ng; g++)
            n += tb_args_of_group(&a, g, fv, fw + n, 16 - n);
        /* grouped by table: select (--threads 2, --quick, --benchmark_filter gemv), then google's */
        CHECK(n == 6);
        CHECK(n == 6 && strcmp(fw[0], "--threads") == 0 && strcmp(fw[1], "2") == 0 && strcmp(fw[2], "--quick") == 0 &&
              strcmp(fw[3], "--benchmark_filter") == 0 && strcmp(fw[4], "gemv") == 0 &&
              strcmp(fw[5], "--benchmark_repetitions=3") == 0);
        CHECK(tb_args_of_group(&a, 0, fv, fw, 16) == 3 && strcmp(fw[0], "-o") == 0 && strcmp(fw[1], "x") == 0 &&
              strcmp(fw[2], "--dry-run") == 0);
        CHECK(a.n_pos == 1 && strcmp(a.pos[0], "base") == 0 && fl.n_threads == 1 && fl.opt.repetitions == 3 && m.dry);
    }

    /* --help is generated from the table: every flag, its metavar, continuation lines, about and footer. */
    FILE *h = tmpfile();
    REQUIRE(h != NULL);
    const tb_opt_group g[] = {{"my flags", mine_table, TB_COUNT(mine_table), &m}};
    tb_args_help(h, &mine_cmd, g, 1);
    rewind(h);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, h);
    text[n] = '\0';
    fclose(h);
    const char *want[] = {"usage: tritbench mine [flags] IN [IN2]", "About.", "my flags:", "-o, --output=OUT",
                          "--layers=N", "--maybe[=X]", "--tag=T", "--dry-run", "-h, --help", "Footer.", "second line"};
    for (size_t i = 0; i < TB_COUNT(want); i++)
        CHECKF(strstr(text, want[i]) != NULL, "help lacks '%s':\n%s", want[i], text);
}

static void test_lists(void)
{
    CHECK(tb_list_contains(NULL, "x") && tb_list_contains("", "x"));
    CHECK(tb_list_contains("avx2,scalar", "scalar") && tb_list_contains("avx2,scalar", "avx2"));
    CHECK(!tb_list_contains("avx2,scalar", "avx") && !tb_list_contains("avx2,scalar", "avx2,"));
    CHECK(!tb_list_contains("avx512bw", "avx512"));
    const char *cur = "a,,bcd";
    char item[4];
    CHECK(tb_list_next(&cur, item, sizeof item) == 1 && strcmp(item, "a") == 0);
    CHECK(tb_list_next(&cur, item, sizeof item) == 1 && strcmp(item, "") == 0);
    CHECK(tb_list_next(&cur, item, sizeof item) == 1 && strcmp(item, "bcd") == 0);
    CHECK(tb_list_next(&cur, item, sizeof item) == 0);
    cur = "toolong";
    CHECK(tb_list_next(&cur, item, sizeof item) == -1);
}

int main(void)
{
    test_min_time();
    test_run_flags();
    test_layer();
    test_lists();
    return check_exit();
}
