/* store_gen.h — synthetic google/benchmark JSON for the store tests and benchmarks: n instances ×
 * reps repetitions, times drawn from a seed, a given date and commit. Caller frees. */
#ifndef TRITBENCH_TESTS_HISTORY_STORE_GEN_H
#define TRITBENCH_TESTS_HISTORY_STORE_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As gen_gbench, with the first n_slow benchmarks `slow` times slower. */
static inline char *gen_gbench_slow(size_t n_bench, int reps, uint64_t seed, const char *date, const char *commit,
                                    double scale, size_t n_slow, double slow, size_t *len)
{
    size_t cap = 4096 + n_bench * (size_t)reps * 400, o = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    o += (size_t)snprintf(s + o, cap - o,
                          "{\"context\": {\"date\": \"%s\", \"host_name\": \"gen\", \"num_cpus\": 2,"
                          " \"cpu_model\": \"Gen CPU\", \"isa_features\": \"avx2\", \"compiler\": \"gcc\","
                          " \"git_commit\": \"%s\", \"kernel_release\": \"6.1\"},\n\"benchmarks\": [\n",
                          date, commit);
    uint64_t r = seed * 2654435761u + 1;
    for (size_t b = 0; b < n_bench; b++)
        for (int k = 0; k < reps; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            double t = scale * (b < n_slow ? slow : 1.0) * (1000.0 + (double)b) *
                       (1 + 0.01 * ((double)(r % 1000) / 1000.0 - 0.5));
            o += (size_t)snprintf(s + o, cap - o,
                                  "%s{\"name\": \"fam%zu/bench%zu\", \"run_name\": \"fam%zu/bench%zu\","
                                  " \"run_type\": \"iteration\", \"repetitions\": %d, \"repetition_index\": %d,"
                                  " \"threads\": 1, \"iterations\": 100, \"real_time\": %.6f, \"cpu_time\": %.6f,"
                                  " \"time_unit\": \"ns\", \"bytes_per_second\": %.3f}\n",
                                  b || k ? "," : "", b % 10, b, b % 10, b, reps, k, t, t, 1e9 / t);
        }
    o += (size_t)snprintf(s + o, cap - o, "]}\n");
    *len = o;
    return s;
}

static inline char *gen_gbench(size_t n_bench, int reps, uint64_t seed, const char *date, const char *commit,
                               double scale, size_t *len)
{
    return gen_gbench_slow(n_bench, reps, seed, date, commit, scale, 0, 1.0, len);
}

#endif
