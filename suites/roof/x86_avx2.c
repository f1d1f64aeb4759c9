/* x86_avx2.c — roof probes for the AVX2 kernels (-mavx2 -mfma): vpmaddubsw ymm bounds the AVX2 I2/T5
 * kernels (one per 32 weights), vfmadd231ps ymm the AVX2 FP32 baselines. */
#include "asm_body.h"
#include "probes.h"

void tb_probe_vpmaddubsw_ymm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxor", "vpmaddubsw", "ymm", 14, 15)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm14", "xmm15");
}

void tb_probe_fma_ymm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxor", "vfmadd231ps", "ymm", 14, 15)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm14", "xmm15");
}
