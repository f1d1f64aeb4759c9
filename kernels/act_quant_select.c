/* act_quant_select.c — trit_quantize_activations: the fastest per-token activation quantizer this CPU runs
 * (kernels/x86/act_quant.c on x86-64), each equal to the scalar oracle trit_quantize_activations_ref
 * (quant.c) bit for bit. Apart from quant.c so that the oracle builds without the project's configuration. */
#include <stdint.h>

#include "tritbench/cpu.h"
#include "tritbench/quant.h"
#include "tritbench_config.h"

#if TRIT_HAVE_X86_64
#include "kernels/x86/act_quant.h"
#endif

/* The fastest form this CPU runs; every one equals trit_quantize_activations_ref bit for bit
 * (tests/kernels/test_quant.c). */
int trit_quantize_activations(const float *X, size_t ld_x, trit_act *a)
{
    if (!X || !a || !a->q || ld_x < a->cols)
        return -1;
#if TRIT_HAVE_X86_64
    const uint32_t f = trit_cpu_features(), avx512 = TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW;
    if ((f & avx512) == avx512)
        return trit_act_quant_x86_512(X, ld_x, a);
    if (f & TRIT_CPU_AVX2)
        return trit_act_quant_x86_256(X, ld_x, a);
#endif
    return trit_quantize_activations_ref(X, ld_x, a);
}
