/* x86_avx512_vnni.c — roof probes for the AVX-512 VNNI kernels (-mavx512vl -mavx512vnni): vpdpbusd, one
 * per 64 weights (zmm) or 32 (ymm, the EVEX form; AVX-VNNI's VEX form retires alike where both exist). */
#include "asm_body.h"
#include "probes.h"

void tb_probe_vpdpbusd_zmm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxord", "vpdpbusd", "zmm", 30, 31)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm30", "xmm31");
}

void tb_probe_vpdpbusd_ymm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxord", "vpdpbusd", "ymm", 30, 31)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm30", "xmm31");
}

/* The I2 GEMV's inner loop as kernels/x86/matmul_avx512_vnni.c issues it (i2_gemv4_chunk): per block of 4
 * rows × 256 weights, 4 activation loads and 4 weight loads (from L1 here: fixed addresses), 16 vpandd (the
 * four 2-bit planes masked in place) and 16 vpdpbusd into 16 accumulators. vpdpbusd zmm alone retires one
 * per cycle, and so do vpandd + vpdpbusd in registers; with the loads beside them this mix runs ~7 %
 * slower on Zen 4 (all four vector pipes are full, and the loads' operands must be scheduled beside them).
 * It is the ceiling the GEMV's loop can reach before its per-row tail (plane folds, reductions, stores):
 * the row reports its figure in the units of vpdpbusd_zmm (one per 64 weights). */
static const uint32_t i2_loop_masks[4] __attribute__((aligned(16))) = {0x03030303u, 0x0C0C0C0Cu, 0x30303030u,
                                                                        0xC0C0C0C0u};
static uint8_t i2_loop_data[512] __attribute__((aligned(64))); /* 256 activation bytes, 4 × 64 weight bytes */

#define I2_LOOP_ROW(mask, x, acc0, acc1, acc2, acc3)                                                          \
    "vpandd %%zmm20, %%zmm" #mask ", %%zmm24\n\t"                                                            \
    "vpdpbusd %%zmm" #x ", %%zmm24, %%zmm" #acc0 "\n\t"                                                      \
    "vpandd %%zmm21, %%zmm" #mask ", %%zmm25\n\t"                                                            \
    "vpdpbusd %%zmm" #x ", %%zmm25, %%zmm" #acc1 "\n\t"                                                      \
    "vpandd %%zmm22, %%zmm" #mask ", %%zmm26\n\t"                                                            \
    "vpdpbusd %%zmm" #x ", %%zmm26, %%zmm" #acc2 "\n\t"                                                      \
    "vpandd %%zmm23, %%zmm" #mask ", %%zmm27\n\t"                                                            \
    "vpdpbusd %%zmm" #x ", %%zmm27, %%zmm" #acc3 "\n\t"

void tb_probe_i2_gemv_loop_zmm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_ZERO("vpxord", "zmm", 12, 13) TB_ASM_ZERO1("vpxord", "zmm", 14)
                             TB_ASM_ZERO1("vpxord", "zmm", 15)
                         "vpbroadcastd (%2), %%zmm28\n\t"
                         "vpbroadcastd 4(%2), %%zmm29\n\t"
                         "vpbroadcastd 8(%2), %%zmm30\n\t"
                         "vpbroadcastd 12(%2), %%zmm31\n\t"
                         "1:\n\t"
                         "vmovdqu64 (%1), %%zmm16\n\t"
                         "vmovdqu64 64(%1), %%zmm17\n\t"
                         "vmovdqu64 128(%1), %%zmm18\n\t"
                         "vmovdqu64 192(%1), %%zmm19\n\t"
                         "vmovdqu64 256(%1), %%zmm20\n\t"
                         "vmovdqu64 320(%1), %%zmm21\n\t"
                         "vmovdqu64 384(%1), %%zmm22\n\t"
                         "vmovdqu64 448(%1), %%zmm23\n\t"
                         I2_LOOP_ROW(28, 16, 0, 1, 2, 3) I2_LOOP_ROW(29, 17, 4, 5, 6, 7)
                         I2_LOOP_ROW(30, 18, 8, 9, 10, 11) I2_LOOP_ROW(31, 19, 12, 13, 14, 15)
                         "dec %0\n\t"
                         "jnz 1b\n\t"
                         : "+r"(loops)
                         : "r"(i2_loop_data), "r"(i2_loop_masks)
                         : "cc", "memory", TB_ASM_CLOBBER12, "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17",
                           "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
                           "xmm28", "xmm29", "xmm30", "xmm31");
}
