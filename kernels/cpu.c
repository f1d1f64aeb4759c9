/* cpu.c — run-time ISA detection: CPUID + XGETBV on x86 (a feature counts only when the OS saves its
 * registers), getauxval hwcaps on aarch64; TRIT_CPU_MASK hides features to exercise fallbacks. */
#include "tritbench/cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

static const char *const feature_names[TRIT_CPU_FEATURE_COUNT] = {
    "avx2", "avx_vnni", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_vbmi", "neon", "neon_dotprod",
};

const char *trit_cpu_feature_name(uint32_t bit)
{
    for (int i = 0; i < TRIT_CPU_FEATURE_COUNT; i++)
        if (bit == (1u << i))
            return feature_names[i];
    return "?";
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t detect(void)
{
    unsigned a, b, c, d;
    uint32_t f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx)
        return 0;
    const uint64_t xcr0 = xgetbv0();
    const int ymm_ok = (xcr0 & 0x6) == 0x6;      /* SSE + AVX state */
    const int zmm_ok = (xcr0 & 0xe6) == 0xe6;    /* + opmask, ZMM_Hi256, Hi16_ZMM */
    if (!ymm_ok || __get_cpuid_max(0, NULL) < 7)
        return 0;
    unsigned a7, b7, c7, d7;
    __cpuid_count(7, 0, a7, b7, c7, d7);
    if (((b7 >> 5) & 1) && fma)
        f |= TRIT_CPU_AVX2;
    if (zmm_ok && ((b7 >> 16) & 1)) {
        f |= TRIT_CPU_AVX512F;
        if ((b7 >> 30) & 1)
            f |= TRIT_CPU_AVX512BW;
        if ((b7 >> 31) & 1)
            f |= TRIT_CPU_AVX512VL;
        if ((c7 >> 11) & 1)
            f |= TRIT_CPU_AVX512_VNNI;
        if ((c7 >> 1) & 1)
            f |= TRIT_CPU_AVX512_VBMI;
    }
    unsigned a71, b71, c71, d71;
    __cpuid_count(7, 1, a71, b71, c71, d71);
    if ((f & TRIT_CPU_AVX2) && ((a71 >> 4) & 1))
        f |= TRIT_CPU_AVX_VNNI;
    return f;
}
#elif defined(__aarch64__)
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
static uint32_t detect(void)
{
    unsigned long hw = getauxval(AT_HWCAP);
    uint32_t f = 0;
    if (hw & HWCAP_ASIMD)
        f |= TRIT_CPU_NEON;
    if (hw & HWCAP_ASIMDDP)
        f |= TRIT_CPU_NEON_DOTPROD;
    return f;
}
#else
static uint32_t detect(void) { return 0; }
#endif

/* The mask is parsed once per distinct TRIT_CPU_MASK value (features are asked for on every kernel
 * lookup, so an unknown name must not warn each time); a name that is not a feature is reported once and
 * ignored (the mask can only hide). Any length is read whole. */
static uint32_t parse_mask(const char *env)
{
    uint32_t m = 0;
    char *buf = strdup(env);
    if (!buf) {
        fprintf(stderr, "tritbench: TRIT_CPU_MASK: out of memory, mask ignored\n");
        return 0;
    }
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int found = 0;
        for (int i = 0; i < TRIT_CPU_FEATURE_COUNT; i++)
            if (strcmp(tok, feature_names[i]) == 0) {
                m |= 1u << i;
                found = 1;
            }
        if (!found)
            fprintf(stderr, "tritbench: TRIT_CPU_MASK: unknown feature '%s' ignored\n", tok);
    }
    free(buf);
    /* Hiding a base feature hides what depends on it. */
    if (m & TRIT_CPU_AVX512F)
        m |= TRIT_CPU_AVX512BW | TRIT_CPU_AVX512VL | TRIT_CPU_AVX512_VNNI | TRIT_CPU_AVX512_VBMI;
    if (m & TRIT_CPU_AVX2)
        m |= TRIT_CPU_AVX_VNNI | TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW | TRIT_CPU_AVX512VL | TRIT_CPU_AVX512_VNNI |
             TRIT_CPU_AVX512_VBMI;
    if (m & TRIT_CPU_NEON)
        m |= TRIT_CPU_NEON_DOTPROD;
    return m;
}

static pthread_mutex_t mask_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t mask_from_env(void)
{
    static char *parsed_value; /* the TRIT_CPU_MASK value `mask` was parsed from; NULL: unset/empty */
    static uint32_t mask;
    const char *env = getenv("TRIT_CPU_MASK");
    if (!env || !*env)
        env = NULL;
    pthread_mutex_lock(&mask_lock);
    if ((env == NULL) != (parsed_value == NULL) || (env && strcmp(env, parsed_value) != 0)) {
        free(parsed_value);
        parsed_value = env ? strdup(env) : NULL;
        mask = env ? parse_mask(env) : 0;
    }
    const uint32_t m = mask;
    pthread_mutex_unlock(&mask_lock);
    return m;
}

uint32_t trit_cpu_features_detected(void)
{
    static int done;
    static uint32_t cached;
    if (!done) { /* idempotent: a race only repeats the same detection */
        cached = detect();
        done = 1;
    }
    return cached;
}

uint32_t trit_cpu_features(void) { return trit_cpu_features_detected() & ~mask_from_env(); }

size_t trit_cpu_features_string(uint32_t bits, char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (int i = 0; i < TRIT_CPU_FEATURE_COUNT; i++) {
        if (!(bits & (1u << i)))
            continue;
        int n = snprintf(buf + used, len > used ? len - used : 0, "%s%s", used ? " " : "", feature_names[i]);
        if (n < 0 || (size_t)n >= (len > used ? len - used : 0))
            return used;
        used += (size_t)n;
    }
    return used;
}

const char *trit_cpu_arch(void)
{
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#else
    return "other";
#endif
}
