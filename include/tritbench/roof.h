/* roof.h — the compute roof, measured in the run beside the memory roof (tb_stream_read_gbps).
 *
 * Two things are measured on one core: the core clock (a dependent add chain retires one add per cycle, so
 * adds/ns = GHz; the time-stamp counter's rate is not the clock) and the throughput of the instruction
 * each kernel family is bound by (vpdpbusd for the VNNI kernels, vpmaddubsw for AVX2/AVX-512BW, FMA or
 * vdpbf16ps for the float baselines, sdot/udot for NEON dotprod). A kernel's compute roof is that
 * instruction's rate × the multiply-accumulates it does × 2 ops, per thread: e.g. the I2 GEMV roof in GB/s
 * is vpdpbusd_zmm per second × 64 weights / 4 weights per byte = × 16 bytes.
 *
 * Under emulation (qemu-user) the figures mean nothing; tb_roof_emulated() says so and the suite labels
 * its rows. */
#ifndef TRITBENCH_ROOF_H
#define TRITBENCH_ROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tb_roof_probe {
    const char *name;   /* "clock", "vpdpbusd_zmm", ... (the suite's instance name) */
    const char *bounds; /* which kernels it bounds, for a person reading the row */
    unsigned macs;      /* multiply-accumulates per instruction (0: the clock probe) */
    bool int8;          /* u8×s8 products: the ternary kernels' roofs (GB/s of I2 = rate × macs / 4) */
    double issue_width; /* no core retires more of these per cycle: a sanity bound for tests */
    uint64_t per_loop;  /* instructions per loop of fn */
    void (*fn)(uint64_t loops); /* NULL: not compiled for this target */
    uint32_t requires;  /* TRIT_CPU_* bits */
    bool needs_bf16;    /* AVX512_BF16 (not a TRIT_CPU_* bit; table.c asks CPUID) */
} tb_roof_probe;

const tb_roof_probe *tb_roof_probes(size_t *count);
const tb_roof_probe *tb_roof_probe_find(const char *name); /* NULL if unknown */
/* Can this CPU run it? If not, why ("not compiled for aarch64", "needs avx512_vnni (this CPU/OS lacks it)"). */
bool tb_roof_probe_runnable(const tb_roof_probe *p, char *why, size_t why_len);
/* Instructions (adds, for the clock) per ns: the best of timed chunks of about 1 ms over `seconds`, so a
 * chunk another process interrupted is never the figure. 0 if not runnable. */
double tb_roof_probe_rate(const tb_roof_probe *p, double seconds);
/* The time-stamp counter's ticks per ns (x86), measured over `seconds`; 0 elsewhere. */
double tb_roof_tsc_ghz(double seconds);
/* True when the process runs under an emulator (qemu-user): the figures are not the machine's. */
bool tb_roof_emulated(void);

/* Memoized like tb_stream_read_gbps: measured in this process on first use, then remembered. */
double tb_roof_clock_ghz(void);                /* core GHz; 0 if it cannot measure here */
double tb_roof_rate_per_ns(const char *probe); /* instructions per ns of that probe; 0 if not runnable */

/* The probe bounding a kernel (format "i2"/"t5"/"fp32"/"fp16"/"bf16", variant "avx512_vnni", ...), NULL when
 * none is known (scalar, CUDA, plain NEON). */
const char *tb_roof_probe_for(const char *format, const char *variant);
/* That kernel's compute roof in GOP/s (2 ops per multiply-accumulate) with `threads` threads on their own
 * cores; 0 when unknown or not measurable. */
double tb_compute_roof_gops(const char *format, const char *variant, int threads);

#endif
