/* x86_avx512bw.c — roof probes for the AVX-512BW kernels (-mavx512f -mavx512bw): vpmaddubsw zmm bounds
 * the avx512bw I2/T5 kernels (one per 64 weights), vfmadd231ps zmm the AVX-512 FP32 baselines. */
#include "asm_body.h"
#include "probes.h"

void tb_probe_vpmaddubsw_zmm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxord", "vpmaddubsw", "zmm", 30, 31)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm30", "xmm31");
}

void tb_probe_fma_zmm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxord", "vfmadd231ps", "zmm", 30, 31)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm30", "xmm31");
}
