/* flags.c — google/benchmark's flag spellings (--benchmark_*) plus tritbench's own, parsed into
 * tb_options and the reporter settings. Every bad value names its flag. */
#include "tritbench/flags.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tb_flags_default(tb_flags *f)
{
    memset(f, 0, sizeof *f);
    tb_options_default(&f->opt);
    f->format = TB_FORMAT_CONSOLE;
    f->out_format = TB_FORMAT_JSON;
}

void tb_flags_default_threads(tb_flags *f)
{
    if (f->n_threads > 0)
        return;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    f->threads[f->n_threads++] = 1;
    if (n > 1)
        f->threads[f->n_threads++] = (int)(n < 1024 ? n : 1024);
}

int tb_parse_min_time(const char *s, double *seconds, long long *iters)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    size_t len = strlen(s);
    if (s[len - 1] == 'x') {
        long long n = strtoll(s, &end, 10);
        if (errno || end != s + len - 1 || n < 1)
            return -1;
        *iters = n;
        *seconds = 0.0;
        return 0;
    }
    double v = strtod(s, &end);
    if (errno || end == s || !(v > 0.0) || !isfinite(v) || !(*end == '\0' || (end[0] == 's' && end[1] == '\0')))
        return -1;
    *seconds = v;
    *iters = 0;
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* google's bool flags: bare, or =true/false/1/0/yes/no. */
static int parse_bool(const char *s, bool *out)
{
    if (!s || strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "yes") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "no") == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

static int parse_threads(tb_flags *f, const char *s)
{
    f->n_threads = 0;
    for (const char *p = s;;) {
        char num[16];
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        long v;
        if (len == 0 || len >= sizeof num || f->n_threads >= TB_FLAGS_MAX_THREADS)
            return -1;
        memcpy(num, p, len);
        num[len] = '\0';
        if (parse_int(num, 1, 1024, &v) != 0)
            return -1;
        f->threads[f->n_threads++] = (int)v;
        if (!end)
            return 0;
        p = end + 1;
    }
}

/* Matches "--name" or "--name=value"; *value is NULL for the bare form. */
static bool flag_is(const char *arg, const char *name, const char **value)
{
    if (arg[0] != '-' || arg[1] != '-')
        return false;
    const char *rest = arg + 2;
    /* Stops at the first difference, so a shorter argument is never read past its end. */
    for (; *name; name++, rest++)
        if (*rest != *name)
            return false;
    if (*rest == '\0') {
        *value = NULL;
        return true;
    }
    if (*rest == '=') {
        *value = rest + 1;
        return true;
    }
    return false;
}

#define BAD(...)                                                                                                       \
    do {                                                                                                               \
        snprintf(err, err_len, __VA_ARGS__);                                                                           \
        return -1;                                                                                                     \
    } while (0)

static int need_value(const char *flag, const char *v, char *err, size_t err_len)
{
    if (!v || !*v)
        BAD("--%s needs a value (--%s=...)", flag, flag);
    return 0;
}

int tb_flags_parse_arg(tb_flags *f, const char *arg, char *err, size_t err_len)
{
    const char *v;
    long n;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        f->help = true;
        return 1;
    }
    if (flag_is(arg, "benchmark_filter", &v)) {
        f->opt.filter = v ? v : "";
    } else if (flag_is(arg, "benchmark_repetitions", &v)) {
        if (need_value("benchmark_repetitions", v, err, err_len) || parse_int(v, 1, 512, &n) != 0)
            BAD("--benchmark_repetitions: '%s' is not a whole number from 1 to 512", v ? v : "");
        f->opt.repetitions = (int)n;
    } else if (flag_is(arg, "benchmark_min_time", &v)) {
        double s;
        long long it;
        if (need_value("benchmark_min_time", v, err, err_len) || tb_parse_min_time(v, &s, &it) != 0)
            BAD("--benchmark_min_time: '%s' is neither seconds (0.5s, 0.5) nor iterations (100x)", v ? v : "");
        f->opt.min_time = it ? f->opt.min_time : s;
        f->opt.min_iters = it;
    } else if (flag_is(arg, "benchmark_min_warmup_time", &v)) {
        char *end;
        double s = v ? strtod(v, &end) : -1.0;
        if (!v || end == v || (*end && strcmp(end, "s") != 0) || !(s >= 0.0) || !isfinite(s))
            BAD("--benchmark_min_warmup_time: '%s' is not a number of seconds >= 0", v ? v : "");
        f->opt.min_warmup_time = s;
    } else if (flag_is(arg, "benchmark_format", &v)) {
        if (!v || tb_format_parse(v, &f->format) != 0)
            BAD("--benchmark_format: '%s' is not one of console, json, csv", v ? v : "");
    } else if (flag_is(arg, "benchmark_out_format", &v)) {
        if (!v || tb_format_parse(v, &f->out_format) != 0)
            BAD("--benchmark_out_format: '%s' is not one of console, json, csv", v ? v : "");
    } else if (flag_is(arg, "benchmark_out", &v)) {
        if (need_value("benchmark_out", v, err, err_len))
            return -1;
        f->out_path = v;
    } else if (flag_is(arg, "benchmark_enable_random_interleaving", &v)) {
        if (parse_bool(v, &f->opt.random_interleaving) != 0)
            BAD("--benchmark_enable_random_interleaving: '%s' is not true or false", v);
    } else if (flag_is(arg, "benchmark_report_aggregates_only", &v)) {
        if (parse_bool(v, &f->opt.report_aggregates_only) != 0)
            BAD("--benchmark_report_aggregates_only: '%s' is not true or false", v);
    } else if (flag_is(arg, "seed", &v)) {
        char *end;
        errno = 0;
        unsigned long long s = v ? strtoull(v, &end, 0) : 0;
        if (!v || errno || end == v || *end)
            BAD("--seed: '%s' is not a whole number", v ? v : "");
        f->opt.seed = s;
    } else if (flag_is(arg, "threads", &v)) {
        if (!v || parse_threads(f, v) != 0)
            BAD("--threads: '%s' is not a list of up to %d thread counts from 1 to 1024 (e.g. 1,2)", v ? v : "",
                TB_FLAGS_MAX_THREADS);
    } else if (flag_is(arg, "pin", &v)) {
        if (parse_bool(v, &f->opt.pin) != 0)
            BAD("--pin: '%s' is not true or false", v);
    } else if (flag_is(arg, "perf_counters", &v)) {
        if (need_value("perf_counters", v, err, err_len))
            return -1;
        f->opt.perf_counters = v;
    } else if (flag_is(arg, "quick", &v)) {
        if (parse_bool(v, &f->quick) != 0)
            BAD("--quick: '%s' is not true or false", v);
    } else if (flag_is(arg, "variants", &v)) {
        if (need_value("variants", v, err, err_len))
            return -1;
        f->variants = v;
    } else if (flag_is(arg, "formats", &v)) {
        if (need_value("formats", v, err, err_len))
            return -1;
        f->formats = v;
    } else {
        return 0;
    }
    return 1;
}

int tb_flags_parse(tb_flags *f, int argc, char **argv, int first, char *err, size_t err_len)
{
    for (int i = first; i < argc; i++) {
        int rc = tb_flags_parse_arg(f, argv[i], err, err_len);
        if (rc < 0)
            return -1;
        if (rc == 0)
            BAD("unknown flag or argument '%s' (see --help)", argv[i]);
    }
    return 0;
}

void tb_flags_print_help(FILE *out)
{
    fprintf(out,
            "  --benchmark_filter=REGEX        run instances whose name matches (POSIX ERE; 'all'; -REGEX excludes)\n"
            "  --benchmark_repetitions=N       repetitions per instance (aggregates when N > 1)\n"
            "  --benchmark_min_time=T          seconds per trial (0.5s, 0.5) or an exact count (100x)\n"
            "  --benchmark_min_warmup_time=S   warm-up seconds before the first repetition (default 0)\n"
            "  --benchmark_format=F            console (default), json or csv on stdout\n"
            "  --benchmark_out=FILE            also write the results to FILE (atomically)\n"
            "  --benchmark_out_format=F        format of FILE: json (default), csv or console\n"
            "  --benchmark_enable_random_interleaving  run repetitions one at a time in a seeded random order\n"
            "  --benchmark_report_aggregates_only      report only mean/median/stddev/cv/min\n"
            "  --seed=N                        seed of the interleaving order\n"
            "  --threads=N[,M...]              thread counts (default: 1 and the number of CPUs)\n"
            "  --pin                           bind each worker thread to its own core (hwloc)\n"
            "  --perf_counters=LIST            PAPI events, e.g. PAPI_TOT_CYC,PAPI_TOT_INS\n"
            "  --quick                         small sizes (smoke runs)\n"
            "  --variants=LIST                 kernel variants to include (default: all runnable)\n"
            "  --formats=LIST                  weight formats to include (i2,t5; default all)\n");
}
