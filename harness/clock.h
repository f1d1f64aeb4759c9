/* clock.h — the harness's time source, behind an interface so calibration can be tested against a
 * fake clock (tests/harness/test_calibration.c) instead of the real, noisy one. */
#ifndef TRITBENCH_HARNESS_CLOCK_H
#define TRITBENCH_HARNESS_CLOCK_H

#include <stddef.h>

#include "tritbench/bench.h"

typedef struct tb_clock {
    double (*real_now)(void *user); /* seconds, monotonic (wall clock for rates) */
    double (*cpu_now)(void *user);  /* process CPU seconds: OpenMP worker threads count too */
    void *user;
} tb_clock;

/* CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID. */
const tb_clock *tb_clock_system(void);

/* tb_run with an injected clock. */
int tb_run_with_clock(tb_registry *r, const tb_options *o, const tb_listener *listener, tb_results *out,
                      const tb_clock *clock, char *err, size_t err_len);

/* google/benchmark's PredictNumItersNeeded: the next trial's iteration count after `iters` took
 * `seconds` against a target of `min_time`. */
long long tb_predict_iterations(long long iters, double seconds, double min_time);
/* google/benchmark's ShouldReportIterationResults (minus the error case), with a wall-time cap for manual time. */
int tb_trial_is_enough(long long iters, double seconds, double real_seconds, double min_time, int manual_time);

#endif
