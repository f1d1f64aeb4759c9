/* act_quant.h — the per-token activation quantizer (quant.h) in AVX2 and AVX-512, bit for bit the scalar
 * oracle trit_quantize_activations_ref: the same float product x·s, rounded half to even by cvtps2dq in the
 * current rounding mode (as nearbyintf), the same clamp, Σq in int32. trit_quantize_activations picks one
 * by the CPU (TRIT_CPU_MASK hides features as for the kernels); tests call each directly. Arguments as
 * trit_quantize_activations (already checked by it). Returns 0, or -1 on a non-finite x. */
#ifndef TRITBENCH_X86_ACT_QUANT_H
#define TRITBENCH_X86_ACT_QUANT_H

#include <stddef.h>

#include "tritbench/quant.h"

int trit_act_quant_x86_256(const float *X, size_t ld_x, trit_act *a); /* needs AVX2 */
int trit_act_quant_x86_512(const float *X, size_t ld_x, trit_act *a); /* needs AVX-512F + BW */

#endif
