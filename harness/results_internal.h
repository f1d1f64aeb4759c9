/* results_internal.h — building result lists (the runner) without exposing it to suites. */
#ifndef TRITBENCH_HARNESS_RESULTS_INTERNAL_H
#define TRITBENCH_HARNESS_RESULTS_INTERNAL_H

#include "tritbench/bench.h"

int tb_results_append(tb_results *res, const tb_record *rec); /* 0 or -1 (no memory) */

/* Aggregates (mean, median, stddev, cv, min) over the error-free repetitions in reps[0..n); none when
 * fewer than two. Writes up to 5 records to agg; returns how many. */
int tb_make_aggregates(const tb_record *reps, int n, tb_record *agg);

#endif
