/* clock.c — the real clocks, and google/benchmark's iteration-count prediction. */
#include "harness/clock.h"

#include <math.h>
#include <time.h>

static double read_clock(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double real_now(void *user)
{
    (void)user;
    return read_clock(CLOCK_MONOTONIC);
}

static double cpu_now(void *user)
{
    (void)user;
    return read_clock(CLOCK_PROCESS_CPUTIME_ID);
}

double tb_clock_seconds(void) { return read_clock(CLOCK_MONOTONIC); }
double tb_clock_thread_cpu_seconds(void) { return read_clock(CLOCK_THREAD_CPUTIME_ID); }

const tb_clock *tb_clock_system(void)
{
    static const tb_clock sys = {real_now, cpu_now, NULL};
    return &sys;
}

/* google caps iteration counts at 1e9 so a nearly empty loop cannot run forever. */
#define TB_MAX_ITERATIONS 1000000000LL

long long tb_predict_iterations(long long iters, double seconds, double min_time)
{
    /* Aim 40% past min_time so the next trial most likely suffices; grow at most 10x while the
     * measurement is too short (< 10% of min_time) to extrapolate from. */
    double multiplier = min_time * 1.4 / fmax(seconds, 1e-9);
    int significant = (seconds / min_time) > 0.1;
    if (!significant)
        multiplier = 10.0;
    double next = multiplier * (double)iters;
    if (next > (double)TB_MAX_ITERATIONS)
        next = (double)TB_MAX_ITERATIONS;
    long long n = (long long)next;
    if (n < iters + 1)
        n = iters + 1;
    if (n > TB_MAX_ITERATIONS)
        n = TB_MAX_ITERATIONS;
    return n;
}

int tb_trial_is_enough(long long iters, double seconds, double real_seconds, double min_time, int manual_time)
{
    if (iters >= TB_MAX_ITERATIONS || seconds >= min_time)
        return 1;
    /* A benchmark whose wall time is far past min_time (its measured part being small) stops too;
     * google exempts manual timing, but on a loaded machine a manual benchmark's wall time can grow
     * without bound (each timed pass is short, the waits between are not), so it gets a wider cap. */
    return real_seconds >= (manual_time ? 10.0 : 5.0) * min_time;
}
