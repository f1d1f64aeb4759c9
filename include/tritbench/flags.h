/* flags.h — the flags of `tritbench run` (and `list`, and commands that forward run flags such as `ab`):
 * google/benchmark's spellings plus tritbench's own (--threads, --pin, --perf_counters, --quick,
 * --variants, --formats, --progress), as option tables for the shared parser (tritbench/args.h). */
#ifndef TRITBENCH_FLAGS_H
#define TRITBENCH_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tritbench/args.h"
#include "tritbench/bench.h"
#include "tritbench/reporters.h"

#define TB_FLAGS_MAX_THREADS 8

typedef struct tb_flags {
    tb_options opt;
    tb_format format;     /* --benchmark_format (stdout) */
    tb_format out_format; /* --benchmark_out_format (default json) */
    const char *out_path; /* --benchmark_out; NULL = none */
    int threads[TB_FLAGS_MAX_THREADS]; /* --threads=1,2; n_threads 0 = default (1 and all cores) */
    int n_threads;
    bool quick;
    const char *variants; /* --variants=LIST; NULL = all */
    const char *formats;  /* --formats=LIST; NULL = all */
    bool list_tests;              /* --benchmark_list_tests: print the names, run nothing */
    bool display_aggregates_only; /* --benchmark_display_aggregates_only: console/stdout aggregates only */
    bool counters_tabular;        /* --benchmark_counters_tabular: counters as console columns */
    tb_str_list context;          /* --benchmark_context=k=v, repeatable: keys added to the run's context */
    int color;                    /* --benchmark_color: -1 auto (stdout is a terminal), 0, 1 */
    int verbosity;                /* --v=N: 0 quiet; 1 names each instance as it starts (stderr) */
    int progress;                 /* --progress: -1 auto (stderr is a terminal), 0, 1 */
} tb_flags;

void tb_flags_default(tb_flags *f);
/* The option tables bound to f: the flags that select instances (--benchmark_filter, --threads, --quick,
 * --variants, --formats), google/benchmark's running/output flags, tritbench's own. Returns the count. */
#define TB_FLAGS_GROUPS 3
size_t tb_flags_groups(tb_flags *f, tb_opt_group groups[TB_FLAGS_GROUPS]);
/* Only the selecting flags (what `list` takes). Returns 1. */
size_t tb_flags_select_group(tb_flags *f, tb_opt_group *group);
/* Parses argv[1..argc) (argv[0] is the command) as `run` does. 0, or -1 with err naming the flag;
 * --help sets *help when help is not NULL. */
int tb_flags_parse(tb_flags *f, int argc, char **argv, bool *help, char *err, size_t err_len);
/* Fills in the default thread counts: 1 and the number of online CPUs (just 1 on a one-CPU machine). */
void tb_flags_default_threads(tb_flags *f);

/* "0.5s", "0.5" (seconds) or "100x" (iterations). 0, or -1 with the reason in why (may be NULL). */
#define TB_MAX_MIN_ITERS 1000000000LL /* google/benchmark's kMaxIterations */
#define TB_MAX_MIN_TIME 86400.0       /* a day per trial */
int tb_parse_min_time(const char *s, double *seconds, long long *iters, char *why, size_t why_len);

#endif
