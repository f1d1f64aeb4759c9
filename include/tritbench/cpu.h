/* cpu.h — what this CPU (and OS) can run, detected once at run time.
 * x86: CPUID leaves 1/7 plus XGETBV, so AVX/AVX-512 count only where the OS saves the wider registers.
 * ARM: getauxval(AT_HWCAP). TRIT_CPU_MASK=avx512_vnni,avx512bw,... hides features (for testing the
 * fallbacks on a machine that has them). */
#ifndef TRITBENCH_CPU_H
#define TRITBENCH_CPU_H

#include <stddef.h>
#include <stdint.h>

enum {
    TRIT_CPU_AVX2 = 1u << 0, /* AVX2 + FMA, OS-enabled YMM */
    TRIT_CPU_AVX_VNNI = 1u << 1,     /* 256-bit vpdpbusd (VEX) */
    TRIT_CPU_AVX512F = 1u << 2,      /* OS-enabled ZMM/opmask */
    TRIT_CPU_AVX512BW = 1u << 3,
    TRIT_CPU_AVX512VL = 1u << 4,
    TRIT_CPU_AVX512_VNNI = 1u << 5,
    TRIT_CPU_AVX512_VBMI = 1u << 6,
    TRIT_CPU_NEON = 1u << 7,
    TRIT_CPU_NEON_DOTPROD = 1u << 8, /* sdot/udot */
    TRIT_CPU_FEATURE_COUNT = 9
};

uint32_t trit_cpu_features(void);                  /* detected minus TRIT_CPU_MASK; cached */
uint32_t trit_cpu_features_detected(void);         /* detected, ignoring TRIT_CPU_MASK */
const char *trit_cpu_feature_name(uint32_t bit);   /* "avx512_vnni", ... */
/* Space-separated names of the bits set; returns the length written (truncates safely). */
size_t trit_cpu_features_string(uint32_t bits, char *buf, size_t len);
const char *trit_cpu_arch(void);                   /* "x86_64", "aarch64", ... */

#endif
