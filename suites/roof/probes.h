/* probes.h — the roof microbenchmarks, each compiled in its own file with only its own -m flags (as
 * kernels/x86 does), so the binary still runs where an ISA is missing; table.c (no ISA flags) knows which
 * exist and whether the CPU can run them.
 *
 * A probe runs `loops` iterations of a fixed asm loop body (TB_PROBE_PER_LOOP instructions of one kind,
 * or TB_CLOCK_PER_LOOP dependent adds) and must be called with loops ≥ 1. The bodies are inline asm, not
 * intrinsics: the figure is the instruction's, and the compiler must not fold loads or drop work. */
#ifndef TRITBENCH_ROOF_PROBES_H
#define TRITBENCH_ROOF_PROBES_H

#include <stdint.h>

/* Independent instructions per loop: 2 × 12 accumulators, enough to cover latency × throughput of every
 * core we know (e.g. 4-5 cycles × 2 per cycle) so the loop measures throughput, not latency. */
#define TB_PROBE_PER_LOOP 24
/* Dependent register adds per loop of the clock probe: one per cycle on every core (1-cycle latency). */
#define TB_CLOCK_PER_LOOP 64

void tb_probe_clock(uint64_t loops); /* clock.c, no ISA flags (x86_64, aarch64) */
uint64_t tb_probe_tsc(void);         /* clock.c: the x86 time-stamp counter, 0 elsewhere */

void tb_probe_vpmaddubsw_ymm(uint64_t loops); /* x86_avx2.c */
void tb_probe_fma_ymm(uint64_t loops);
void tb_probe_vpmaddubsw_zmm(uint64_t loops); /* x86_avx512bw.c */
void tb_probe_fma_zmm(uint64_t loops);
void tb_probe_vpdpbusd_zmm(uint64_t loops); /* x86_avx512_vnni.c */
void tb_probe_vpdpbusd_ymm(uint64_t loops);
/* The I2 VNNI GEMV loop's instruction mix (16 vpdpbusd per loop, with its loads and masks; see the file). */
#define TB_I2_GEMV_LOOP_PER_LOOP 16
void tb_probe_i2_gemv_loop_zmm(uint64_t loops);
void tb_probe_vdpbf16ps_zmm(uint64_t loops); /* x86_avx512_bf16.c */
void tb_probe_sdot(uint64_t loops);          /* arm_dotprod.c */
void tb_probe_udot(uint64_t loops);

#endif
