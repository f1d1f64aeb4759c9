/* arm_dotprod.c — roof probes for the NEON dotprod kernels (-march=armv8.2-a+dotprod): sdot/udot on
 * 128-bit vectors, 16 int8 products summed into 4 int32 lanes per instruction. 12 accumulators v0-v11,
 * sources v14/v15, 24 per loop as on x86. */
#include "probes.h"

#define ARM_1(op, d) op " v" #d ".4s, v14.16b, v15.16b\n\t"
#define ARM_12(op)                                                                                              \
    ARM_1(op, 0) ARM_1(op, 1) ARM_1(op, 2) ARM_1(op, 3) ARM_1(op, 4) ARM_1(op, 5) ARM_1(op, 6) ARM_1(op, 7)         \
    ARM_1(op, 8) ARM_1(op, 9) ARM_1(op, 10) ARM_1(op, 11)
#define ARM_Z(r) "movi v" #r ".16b, #0\n\t"
#define ARM_ZERO                                                                                                \
    ARM_Z(0) ARM_Z(1) ARM_Z(2) ARM_Z(3) ARM_Z(4) ARM_Z(5) ARM_Z(6) ARM_Z(7) ARM_Z(8) ARM_Z(9) ARM_Z(10) ARM_Z(11)   \
    ARM_Z(14) ARM_Z(15)
#define ARM_PROBE(op) ARM_ZERO "1:\n\t" ARM_12(op) ARM_12(op) "subs %0, %0, #1\n\t" "b.ne 1b\n\t"
#define ARM_CLOBBER                                                                                             \
    "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v14", "v15"

void tb_probe_sdot(uint64_t loops)
{
    __asm__ __volatile__(ARM_PROBE("sdot") : "+r"(loops) : : ARM_CLOBBER);
}

void tb_probe_udot(uint64_t loops)
{
    __asm__ __volatile__(ARM_PROBE("udot") : "+r"(loops) : : ARM_CLOBBER);
}
