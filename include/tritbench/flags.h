/* flags.h — the command-line flags of `tritbench run` (and `list`), spelled as google/benchmark
 * spells them, plus tritbench's own (--threads, --pin, --perf_counters, --quick, --variants, --formats). */
#ifndef TRITBENCH_FLAGS_H
#define TRITBENCH_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
    bool help;
} tb_flags;

void tb_flags_default(tb_flags *f);
/* Parses one argument. Returns 1 if it was a harness flag (applied), 0 if it is not one of ours,
 * -1 if it is ours with a bad value (err names the flag and the value). */
int tb_flags_parse_arg(tb_flags *f, const char *arg, char *err, size_t err_len);
/* Parses argv[first..argc); any argument that is not a harness flag is an error. 0 or -1 (err). */
int tb_flags_parse(tb_flags *f, int argc, char **argv, int first, char *err, size_t err_len);
/* Fills in the default thread counts: 1 and the number of online CPUs (just 1 on a one-CPU machine). */
void tb_flags_default_threads(tb_flags *f);
void tb_flags_print_help(FILE *out);

/* "0.5s", "0.5" (seconds) or "100x" (iterations). 0 or -1. */
int tb_parse_min_time(const char *s, double *seconds, long long *iters);

#endif
