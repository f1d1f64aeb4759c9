/* asm_body.h — text of the probes' loop bodies: 12 independent accumulators (registers 0..11) written by
 * one instruction with two fixed sources, repeated twice (TB_PROBE_PER_LOOP = 24). AT&T syntax. */
#ifndef TRITBENCH_ROOF_ASM_BODY_H
#define TRITBENCH_ROOF_ASM_BODY_H

#define TB_ASM_1(op, w, s1, s2, d) op " %%" w #s1 ", %%" w #s2 ", %%" w #d "\n\t"
#define TB_ASM_12(op, w, s1, s2)                                                                                \
    TB_ASM_1(op, w, s1, s2, 0) TB_ASM_1(op, w, s1, s2, 1) TB_ASM_1(op, w, s1, s2, 2) TB_ASM_1(op, w, s1, s2, 3)     \
    TB_ASM_1(op, w, s1, s2, 4) TB_ASM_1(op, w, s1, s2, 5) TB_ASM_1(op, w, s1, s2, 6) TB_ASM_1(op, w, s1, s2, 7)     \
    TB_ASM_1(op, w, s1, s2, 8) TB_ASM_1(op, w, s1, s2, 9) TB_ASM_1(op, w, s1, s2, 10) TB_ASM_1(op, w, s1, s2, 11)
/* Zeroes registers 0..11 and the sources: zeros keep FP probes clear of denormals and NaNs. */
#define TB_ASM_ZERO1(x, w, r) x " %%" w #r ", %%" w #r ", %%" w #r "\n\t"
#define TB_ASM_ZERO(x, w, s1, s2)                                                                               \
    TB_ASM_ZERO1(x, w, 0) TB_ASM_ZERO1(x, w, 1) TB_ASM_ZERO1(x, w, 2) TB_ASM_ZERO1(x, w, 3) TB_ASM_ZERO1(x, w, 4)    \
    TB_ASM_ZERO1(x, w, 5) TB_ASM_ZERO1(x, w, 6) TB_ASM_ZERO1(x, w, 7) TB_ASM_ZERO1(x, w, 8) TB_ASM_ZERO1(x, w, 9)    \
    TB_ASM_ZERO1(x, w, 10) TB_ASM_ZERO1(x, w, 11) TB_ASM_ZERO1(x, w, s1) TB_ASM_ZERO1(x, w, s2)
/* The whole probe: zero, then `loops` × 24 instructions; the loop counter runs beside them. */
#define TB_ASM_PROBE(zero_op, op, w, s1, s2)                                                                    \
    TB_ASM_ZERO(zero_op, w, s1, s2)                                                                             \
    "1:\n\t" TB_ASM_12(op, w, s1, s2) TB_ASM_12(op, w, s1, s2) "dec %0\n\t"                                        \
    "jnz 1b\n\t"
#define TB_ASM_CLOBBER12                                                                                        \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11"

#endif
