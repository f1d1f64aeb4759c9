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
