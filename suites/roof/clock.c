/* clock.c — the core clock probe (no ISA flags): a chain of dependent register-register adds retires one
 * per cycle, so adds per ns = cycles per ns = GHz, whatever the time-stamp counter's nominal rate says.
 * Register + register, not + immediate: some cores fold immediate adds at rename and would run the chain
 * faster than one per cycle. The loop counter is a separate chain that runs beside it. */
#include "probes.h"

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define X8(s) s s s s s s s s
#define X64(s) X8(X8(s))

void tb_probe_clock(uint64_t loops)
{
    uint64_t acc = 0, one = 1;
#if defined(__x86_64__)
    __asm__ __volatile__("1:\n\t" X64("add %2, %1\n\t") "dec %0\n\t"
                         "jnz 1b\n\t"
                         : "+r"(loops), "+r"(acc)
                         : "r"(one)
                         : "cc");
#elif defined(__aarch64__)
    __asm__ __volatile__("1:\n\t" X64("add %1, %1, %2\n\t") "subs %0, %0, #1\n\t"
                         "b.ne 1b\n\t"
                         : "+r"(loops), "+r"(acc)
                         : "r"(one)
                         : "cc");
#else
    /* table.c never offers this probe elsewhere. */
    (void)loops;
    (void)one;
#endif
    (void)acc;
}

uint64_t tb_probe_tsc(void)
{
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;
#endif
}
