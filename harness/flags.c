/* flags.c — google/benchmark's flag spellings (--benchmark_*) plus tritbench's own, as two option
 * tables for the shared parser (args.c). Every bad value names its flag. */
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
    f->color = -1;
    f->progress = -1;
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

#define WHY(...)                                                                                                       \
    do {                                                                                                               \
        if (why)                                                                                                       \
            snprintf(why, why_len, __VA_ARGS__);                                                                       \
        return -1;                                                                                                     \
    } while (0)

int tb_parse_min_time(const char *s, double *seconds, long long *iters, char *why, size_t why_len)
{
    if (!s || !*s)
        WHY("empty; give seconds (0.5s, 0.5) or iterations (100x)");
    char *end;
    errno = 0;
    size_t len = strlen(s);
    if (s[len - 1] == 'x') {
        long long n = strtoll(s, &end, 10);
        if (end != s + len - 1 || (!errno && n < 1) || *s == '-')
            WHY("'%s' is not a count of iterations from 1x", s);
        /* The calibration never goes past google/benchmark's 1e9 iterations either; a larger count
         * would run for days and overflow the per-trial counters. */
        if (errno || n > TB_MAX_MIN_ITERS)
            WHY("'%s' is more than %lldx iterations (google/benchmark's kMaxIterations)", s, TB_MAX_MIN_ITERS);
        *iters = n;
        *seconds = 0.0;
        return 0;
    }
    double v = strtod(s, &end);
    if (end == s || !(*end == '\0' || (end[0] == 's' && end[1] == '\0')) || !(v > 0.0))
        WHY("'%s' is neither seconds (0.5s, 0.5) nor iterations (100x)", s);
    if (errno || !isfinite(v) || v > TB_MAX_MIN_TIME)
        WHY("'%s' is more than %.0f s (a day) per trial", s, TB_MAX_MIN_TIME);
    *seconds = v;
    *iters = 0;
    return 0;
}

static int set_min_time(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    tb_options *opt = field;
    double s;
    long long it;
    if (tb_parse_min_time(v, &s, &it, err, err_len) != 0)
        return -1;
    opt->min_time = it ? opt->min_time : s;
    opt->min_iters = it;
    return 0;
}

static int set_warmup(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    char *end;
    double s = strtod(v, &end);
    if (end == v || (*end && strcmp(end, "s") != 0) || !(s >= 0.0) || !isfinite(s) || s > TB_MAX_MIN_TIME) {
        snprintf(err, err_len, "'%s' is not a number of seconds from 0 to %.0f", v, TB_MAX_MIN_TIME);
        return -1;
    }
    *(double *)field = s;
    return 0;
}

static int set_format(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    if (tb_format_parse(v, field) != 0) {
        snprintf(err, err_len, "'%s' is not one of console, json, csv", v);
        return -1;
    }
    return 0;
}

static int set_threads(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    tb_flags *f = field;
    int n = 0, t[TB_FLAGS_MAX_THREADS] = {0};
    char item[16];
    const char *cur = v;
    for (int got; (got = tb_list_next(&cur, item, sizeof item)) != 0;) {
        char *end;
        errno = 0;
        long x = got > 0 ? strtol(item, &end, 10) : 0;
        if (got < 0 || n >= TB_FLAGS_MAX_THREADS || errno || end == item || *end || x < 1 || x > 1024) {
            snprintf(err, err_len, "'%s' is not a list of up to %d thread counts from 1 to 1024 (e.g. 1,2)", v,
                     TB_FLAGS_MAX_THREADS);
            return -1;
        }
        t[n++] = (int)x;
    }
    memcpy(f->threads, t, (size_t)n * sizeof t[0]);
    f->n_threads = n;
    return 0;
}

/* --benchmark_context=key=value: the key lands in the JSON context beside google's own. */
static int set_context(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    const char *eq = v ? strchr(v, '=') : NULL;
    if (!eq || eq == v) {
        snprintf(err, err_len, "'%s' is not KEY=VALUE", v ? v : "");
        return -1;
    }
    return tb_set_append(o, field, v, err, err_len);
}

#define F(member) offsetof(tb_flags, member)

static const tb_opt select_flags[] = {
    {"benchmark_filter", .field = F(opt.filter), .metavar = "REGEX", .flags = TB_OPT_EMPTY_OK,
     .help = "run instances whose name matches (POSIX ERE; 'all'; -REGEX excludes)"},
    {"threads", .set = set_threads, .field = 0, .metavar = "N[,M...]",
     .help = "thread counts (default: 1 and the number of CPUs)"},
    {"quick", .kind = TB_BOOL, .field = F(quick), .help = "small sizes (smoke runs)"},
    {"variants", .field = F(variants), .metavar = "LIST",
     .help = "kernel variants and FP32 baselines to include (default: all runnable)"},
    {"formats", .field = F(formats), .metavar = "LIST", .help = "weight formats to include (i2,t5,fp32; default all)"},
};

static const tb_opt google_flags[] = {
    {"benchmark_list_tests", .kind = TB_BOOL, .field = F(list_tests),
     .help = "print the names of the instances the filter selects and run nothing"},
    {"benchmark_repetitions", .set = tb_set_int, .field = F(opt.repetitions), .metavar = "N", .min = 1, .max = 512,
     .help = "repetitions per instance (aggregates when N > 1)"},
    {"benchmark_min_time", .set = set_min_time, .field = F(opt), .metavar = "T",
     .help = "seconds per trial (0.5s, 0.5) or an exact count (100x, at most 1e9x)"},
    {"benchmark_min_warmup_time", .set = set_warmup, .field = F(opt.min_warmup_time), .metavar = "S",
     .help = "warm-up seconds before the first repetition (default 0)"},
    {"benchmark_enable_random_interleaving", .kind = TB_BOOL, .field = F(opt.random_interleaving),
     .help = "run repetitions one at a time in a seeded random order"},
    {"benchmark_report_aggregates_only", .kind = TB_BOOL, .field = F(opt.report_aggregates_only),
     .help = "report only mean/median/stddev/cv/min (console and file)"},
    {"benchmark_display_aggregates_only", .kind = TB_BOOL, .field = F(display_aggregates_only),
     .help = "show only the aggregates on stdout; --benchmark_out keeps every repetition"},
    {"benchmark_format", .set = set_format, .field = F(format), .metavar = "F",
     .help = "console (default), json or csv on stdout"},
    {"benchmark_out", .field = F(out_path), .metavar = "FILE", .help = "also write the results to FILE (atomically)"},
    {"benchmark_out_format", .set = set_format, .field = F(out_format), .metavar = "F",
     .help = "format of FILE: json (default), csv or console"},
    {"benchmark_counters_tabular", .kind = TB_BOOL, .field = F(counters_tabular),
     .help = "console: user counters as columns (a header per set of counters)"},
    {"benchmark_context", .set = set_context, .field = F(context), .metavar = "KEY=VALUE",
     .help = "add KEY to the output's context (repeatable)"},
    {"benchmark_color", .kind = TB_OPTIONAL, .set = tb_set_tristate, .field = F(color), .metavar = "auto|true|false",
     .help = "colour the console table (default auto: when stdout is a terminal)"},
    {"benchmark_perf_counters", .field = F(opt.perf_counters), .metavar = "LIST", .help = "alias of --perf_counters"},
    {"v", .set = tb_set_int, .field = F(verbosity), .metavar = "N", .min = 0, .max = 9,
     .help = "verbosity: 1 names each instance on stderr as it starts"},
};

static const tb_opt our_flags[] = {
    {"pin", .kind = TB_BOOL, .field = F(opt.pin), .help = "bind each worker thread to its own core (hwloc)"},
    {"perf_counters", .field = F(opt.perf_counters), .metavar = "LIST",
     .help = "PAPI events, e.g. PAPI_TOT_CYC,PAPI_TOT_INS"},
    {"seed", .set = tb_set_u64, .field = F(opt.seed), .metavar = "N", .help = "seed of the interleaving order"},
    {"progress", .kind = TB_BOOL, .set = tb_set_tristate, .field = F(progress), .metavar = "BOOL",
     .help = "a progress line on stderr (default: when stderr is a terminal)"},
};

size_t tb_flags_select_group(tb_flags *f, tb_opt_group *group)
{
    *group = (tb_opt_group){"selecting instances", select_flags, TB_COUNT(select_flags), f};
    return 1;
}

size_t tb_flags_groups(tb_flags *f, tb_opt_group groups[TB_FLAGS_GROUPS])
{
    tb_flags_select_group(f, &groups[0]);
    groups[1] = (tb_opt_group){"running and output (google/benchmark's flags)", google_flags, TB_COUNT(google_flags), f};
    groups[2] = (tb_opt_group){"tritbench's own", our_flags, TB_COUNT(our_flags), f};
    return TB_FLAGS_GROUPS;
}

int tb_flags_parse(tb_flags *f, int argc, char **argv, bool *help, char *err, size_t err_len)
{
    static const tb_command cmd = {.name = "tritbench run"};
    tb_opt_group g[TB_FLAGS_GROUPS];
    tb_args a;
    int rc = tb_args_parse(&cmd, g, tb_flags_groups(f, g), argc, argv, &a, err, err_len);
    if (help)
        *help = a.help;
    return rc;
}
