/* table.c — the roof probes as data, compiled without ISA flags: which exist in this build, whether the CPU
 * can run them, how to time them, and the memoized figures other suites divide by. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probes.h"
#include "tritbench/cpu.h"
#include "tritbench/roof.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include "tritbench/bench.h"
#define X86(fn) fn
#else
#define X86(fn) NULL
#endif
#if defined(__aarch64__) && defined(TB_ROOF_ARM_DOTPROD) && TB_ROOF_ARM_DOTPROD
#define ARM_DOT(fn) fn
#else
#define ARM_DOT(fn) NULL
#endif
#if defined(__x86_64__) || defined(__aarch64__)
#define CLOCK_FN tb_probe_clock
#else
#define CLOCK_FN NULL
#endif
#if defined(__x86_64__) && defined(TB_ROOF_X86_BF16) && TB_ROOF_X86_BF16
#define X86_BF16(fn) fn
#else
#define X86_BF16(fn) NULL
#endif

/* issue_width: 4 vector pipes is the most any x86 or Arm core we know has for one instruction class;
 * a figure above it means the clock was mismeasured. */
static const tb_roof_probe probes[] = {
    {"clock", "the core clock: dependent register adds, one per cycle", 0, false, 1.0, TB_CLOCK_PER_LOOP, CLOCK_FN,
     0, false},
    {"vpdpbusd_zmm", "I2/T5 GEMV/GEMM avx512_vnni (64 weights per instruction)", 64, true, 4.0, TB_PROBE_PER_LOOP,
     X86(tb_probe_vpdpbusd_zmm), TRIT_CPU_AVX512F | TRIT_CPU_AVX512_VNNI, false},
    {"vpdpbusd_ymm", "I2/T5 avx2_vnni-class kernels (32 weights per instruction)", 32, true, 4.0, TB_PROBE_PER_LOOP,
     X86(tb_probe_vpdpbusd_ymm), TRIT_CPU_AVX512VL | TRIT_CPU_AVX512_VNNI, false},
    {"i2_gemv_loop_zmm",
     "the I2 avx512_vnni GEMV loop's mix: 8 loads + 16 vpandd + 16 vpdpbusd per 4 rows x 256 weights", 64, true,
     4.0, TB_I2_GEMV_LOOP_PER_LOOP, X86(tb_probe_i2_gemv_loop_zmm), TRIT_CPU_AVX512F | TRIT_CPU_AVX512_VNNI, false},
    {"vpmaddubsw_zmm", "I2/T5 GEMV/GEMM avx512bw (64 weights per instruction)", 64, true, 4.0, TB_PROBE_PER_LOOP,
     X86(tb_probe_vpmaddubsw_zmm), TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW, false},
    {"vpmaddubsw_ymm", "I2/T5 GEMV/GEMM avx2 (32 weights per instruction)", 32, true, 4.0, TB_PROBE_PER_LOOP,
     X86(tb_probe_vpmaddubsw_ymm), TRIT_CPU_AVX2, false},
    {"fma_zmm", "FP32/FP16 baselines avx512 (16 FMAs per instruction)", 16, false, 4.0, TB_PROBE_PER_LOOP,
     X86(tb_probe_fma_zmm), TRIT_CPU_AVX512F, false},
    {"fma_ymm", "FP32/FP16 baselines avx2 (8 FMAs per instruction)", 8, false, 4.0, TB_PROBE_PER_LOOP,
     X86(tb_probe_fma_ymm), TRIT_CPU_AVX2, false},
    {"vdpbf16ps_zmm", "BF16 baselines avx512_bf16 (32 products per instruction)", 32, false, 4.0, TB_PROBE_PER_LOOP,
     X86_BF16(tb_probe_vdpbf16ps_zmm), TRIT_CPU_AVX512F, true},
    {"sdot", "I2/T5 GEMV/GEMM neon_dotprod (16 products per instruction)", 16, true, 4.0, TB_PROBE_PER_LOOP,
     ARM_DOT(tb_probe_sdot), TRIT_CPU_NEON_DOTPROD, false},
    {"udot", "NEON dotprod, unsigned form (16 products per instruction)", 16, true, 4.0, TB_PROBE_PER_LOOP,
     ARM_DOT(tb_probe_udot), TRIT_CPU_NEON_DOTPROD, false},
};

const tb_roof_probe *tb_roof_probes(size_t *count)
{
    *count = sizeof probes / sizeof probes[0];
    return probes;
}

const tb_roof_probe *tb_roof_probe_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof probes / sizeof probes[0]; i++)
        if (strcmp(probes[i].name, name) == 0)
            return &probes[i];
    return NULL;
}

/* AVX512_BF16: CPUID leaf 7 subleaf 1, EAX bit 5 (ZMM state is checked through TRIT_CPU_AVX512F). */
static bool cpu_has_bf16(void)
{
#if defined(__x86_64__)
    if (__get_cpuid_max(0, NULL) < 7)
        return false;
    unsigned a, b, c, d;
    __cpuid_count(7, 1, a, b, c, d);
    (void)b, (void)c, (void)d;
    return (a >> 5) & 1;
#else
    return false;
#endif
}

bool tb_roof_probe_runnable(const tb_roof_probe *p, char *why, size_t why_len)
{
    if (!p->fn) {
        snprintf(why, why_len, "not compiled for %s", trit_cpu_arch());
        return false;
    }
    uint32_t have = trit_cpu_features();
    uint32_t missing = p->requires & ~have;
    if (missing) {
        char names[128];
        trit_cpu_features_string(missing, names, sizeof names);
        snprintf(why, why_len, "needs %s (this CPU/OS lacks it or TRIT_CPU_MASK hides it)", names);
        return false;
    }
    if (p->needs_bf16 && !cpu_has_bf16()) {
        snprintf(why, why_len, "needs avx512_bf16 (this CPU lacks it)");
        return false;
    }
    return true;
}

static double now_ns(void) { return tb_clock_seconds() * 1e9; }

double tb_roof_probe_rate(const tb_roof_probe *p, double seconds)
{
    char why[160];
    if (!tb_roof_probe_runnable(p, why, sizeof why))
        return 0.0;
    /* Size a chunk to about 1 ms from a short first run (which also wakes the vector units). */
    uint64_t loops = 256;
    double t0 = now_ns();
    p->fn(loops);
    double dt = now_ns() - t0;
    if (dt > 0.0 && dt < 1e6)
        loops = (uint64_t)((double)loops * 1e6 / dt) + 1;
    double best = 0.0, end = now_ns() + seconds * 1e9;
    int chunks = 0;
    while (chunks < 3 || now_ns() < end) {
        double a = now_ns();
        p->fn(loops);
        double b = now_ns();
        if (b > a) {
            double rate = (double)loops * (double)p->per_loop / (b - a);
            best = rate > best ? rate : best;
        }
        chunks++;
    }
    return best;
}

double tb_roof_tsc_ghz(double seconds)
{
#if defined(__x86_64__)
    double best = 0.0, end = now_ns() + seconds * 1e9;
    int chunks = 0;
    while (chunks < 3 || now_ns() < end) {
        double a = now_ns();
        uint64_t t0 = tb_probe_tsc();
        while (now_ns() - a < 1e6) {
        }
        uint64_t t1 = tb_probe_tsc();
        double b = now_ns();
        /* Ticks over the interval: robust to interruption (both clocks keep running), so any chunk will do;
         * the median would equal the best. */
        if (b > a)
            best = (double)(t1 - t0) / (b - a);
        chunks++;
    }
    return best;
#else
    (void)seconds;
    return 0.0;
#endif
}

bool tb_roof_emulated(void)
{
#if defined(__aarch64__)
    /* qemu-user passes the host's /proc/cpuinfo through: a real arm64 kernel always lists "CPU implementer". */
    if (getenv("QEMU_CPU") || getenv("QEMU_LD_PREFIX"))
        return true;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[256];
    bool arm = false;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "CPU implementer", 15) == 0) {
            arm = true;
            break;
        }
    fclose(f);
    return !arm;
#else
    return false;
#endif
}

/* ---- memoized figures ---- */

#define ROOF_MEASURE_SECONDS 0.03
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static double memo[sizeof probes / sizeof probes[0]];
static bool memo_done[sizeof probes / sizeof probes[0]];

double tb_roof_rate_per_ns(const char *name)
{
    const tb_roof_probe *p = tb_roof_probe_find(name);
    if (!p)
        return 0.0;
    size_t i = (size_t)(p - probes);
    /* Measured under the lock: two callers must not measure at once and disturb each other. */
    pthread_mutex_lock(&memo_lock);
    if (!memo_done[i]) {
        memo[i] = tb_roof_probe_rate(p, ROOF_MEASURE_SECONDS);
        memo_done[i] = true;
    }
    double v = memo[i];
    pthread_mutex_unlock(&memo_lock);
    return v;
}

double tb_roof_clock_ghz(void)
{
    return tb_roof_rate_per_ns("clock");
}

static bool runnable_name(const char *name)
{
    char why[160];
    const tb_roof_probe *p = tb_roof_probe_find(name);
    return p && tb_roof_probe_runnable(p, why, sizeof why);
}

const char *tb_roof_probe_for(const char *format, const char *variant)
{
    if (!format || !variant)
        return NULL;
    bool ternary = strcmp(format, "i2") == 0 || strcmp(format, "t5") == 0;
    if (ternary) {
        if (strcmp(variant, "avx512_vnni") == 0)
            return "vpdpbusd_zmm";
        if (strcmp(variant, "avx2_vnni") == 0)
            return "vpdpbusd_ymm";
        if (strcmp(variant, "avx512bw") == 0)
            return "vpmaddubsw_zmm";
        if (strcmp(variant, "avx2") == 0)
            return "vpmaddubsw_ymm";
        if (strcmp(variant, "neon_dotprod") == 0)
            return "sdot";
        return NULL; /* scalar, plain NEON, CUDA: no single bounding instruction measured */
    }
    bool fp = strcmp(format, "fp32") == 0 || strcmp(format, "fp16") == 0 || strcmp(format, "bf16") == 0;
    if (!fp || strcmp(variant, "scalar") == 0 || strcmp(variant, "cuda") == 0)
        return NULL;
    if (strcmp(format, "bf16") == 0 && strstr(variant, "avx512") && runnable_name("vdpbf16ps_zmm"))
        return "vdpbf16ps_zmm";
    if (strstr(variant, "avx2"))
        return "fma_ymm";
    /* avx512, openblas and the like: the widest FMA this CPU runs. */
    return runnable_name("fma_zmm") ? "fma_zmm" : runnable_name("fma_ymm") ? "fma_ymm" : NULL;
}

double tb_compute_roof_gops(const char *format, const char *variant, int threads)
{
    const char *name = tb_roof_probe_for(format, variant);
    const tb_roof_probe *p = tb_roof_probe_find(name);
    if (!p || threads < 1)
        return 0.0;
    return tb_roof_rate_per_ns(name) * p->macs * 2.0 * threads; /* per ns = G per s */
}
