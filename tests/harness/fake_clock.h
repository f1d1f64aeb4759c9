/* fake_clock.h — a clock the test advances by hand, so calibration and rates are exact and never
 * depend on how fast or busy the machine is. */
#ifndef TRITBENCH_TESTS_FAKE_CLOCK_H
#define TRITBENCH_TESTS_FAKE_CLOCK_H

#include "harness/clock.h"

static double fake_real, fake_cpu;

static double fake_real_now(void *user)
{
    (void)user;
    return fake_real;
}

static double fake_cpu_now(void *user)
{
    (void)user;
    return fake_cpu;
}

static const tb_clock fake_clock = {fake_real_now, fake_cpu_now, NULL};

/* One iteration "takes" real seconds of wall time and cpu seconds of CPU time. */
static inline void fake_advance(double real, double cpu)
{
    fake_real += real;
    fake_cpu += cpu;
}

#endif
