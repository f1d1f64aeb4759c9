/* x86_avx512_bf16.c — roof probe for BF16 baselines (-mavx512bf16): vdpbf16ps zmm, 32 BF16 pairs
 * multiplied and summed into 16 FP32 lanes per instruction. */
#include "asm_body.h"
#include "probes.h"

void tb_probe_vdpbf16ps_zmm(uint64_t loops)
{
    __asm__ __volatile__(TB_ASM_PROBE("vpxord", "vdpbf16ps", "zmm", 30, 31)
                         : "+r"(loops)
                         :
                         : "cc", TB_ASM_CLOBBER12, "xmm30", "xmm31");
}
