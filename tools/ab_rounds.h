/* ab_rounds.h — the measurement half of `tritbench ab`: launching two tritbench binaries in alternating
 * rounds (random order within each round) and turning the per-launch result files into paired rows. */
#ifndef TRITBENCH_TOOLS_AB_ROUNDS_H
#define TRITBENCH_TOOLS_AB_ROUNDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/compare.h"

typedef struct ab_plan {
    const char *bin[2];     /* [0] baseline, [1] contender */
    char **run_args;        /* flags passed to `BIN run` in every launch */
    size_t n_run_args;
    int rounds;             /* launches per side */
    int reps_per_launch;    /* --benchmark_repetitions of each launch */
    uint64_t seed;          /* the order of each round */
    const char *out_dir;    /* DIR/rounds/{baseline,contender}-NN.json + .log */
    int verbose;            /* progress on stderr */
    cmp_clock clock;        /* which time the analysis reads */
} ab_plan;

/* Runs every round. Returns 0, or -1 with err naming the launch that failed and its log. The per-launch
 * JSON files are loaded into files[side][round] (caller frees with ab_free_files). */
int ab_run_rounds(const ab_plan *plan, cmp_file *files[2], char *err, size_t err_len);
void ab_free_files(cmp_file *files[2], int rounds);
/* Reads the per-launch files of an earlier run from DIR/rounds (rounds 0, 1, ... while both sides exist, at
 * most max_rounds) into files[side][round], for re-judging without re-running. 0 (and *rounds), or -1. */
int ab_load_rounds(const char *dir, cmp_clock clock, cmp_file *files[2], int max_rounds, int *rounds, char *err,
                   size_t err_len);

/* Paired rows: a benchmark's time in a round is the median of that launch's repetitions; rows pair the
 * rounds where both sides have it. Fills res (names owned by *names_out, free with ab_free_names). 0 / -1. */
int ab_pair_rounds(cmp_file *const files[2], int rounds, double conf, cmp_result *res, char ***names_out,
                   size_t *n_names);
void ab_free_names(char **names, size_t n);

/* One google/benchmark JSON file per side with every round's repetition rows (repetition_index running
 * over the rounds), the first launch's context plus "ab_*" keys. 0 or -1 (err). */
int ab_write_merged(const ab_plan *plan, int side, cmp_file *const files, const char *path, char *err,
                    size_t err_len);

#endif
