/* profile_sections.c — the section table for the standalone profile fuzzer (tools/fuzz-targets.sh), which
 * compiles validate/profile.c alone with libFuzzer instrumentation and cannot link the real sections (they pull
 * in every suite and kernel). One section judging the shipped profile's targets, so inputs that name real
 * targets reach the threshold parsing as they do in `tritbench validate`. The meson replay test
 * (fuzz_replay_profile) links the real table instead. */
#include <stddef.h>

#include "tritbench/validate.h"

static const char *const targets[] = {
    "memory_reduction", "model_memory_reduction", "speedup_gemv", "speedup_gemm", "speedup_bitlinear_gemv",
    "speedup_bitlinear_gemm", "fidelity", "nmse", "cosine", "sparsity", "accuracy_degradation", "qat_recovery",
    "lm_degradation", "lm_recovery", "e2e_decode_speedup", "cuda_memory_reduction", "cuda_speedup_fp32",
    "cuda_speedup_fp16", "cuda_speedup_bf16", "cuda_fidelity", NULL};

static const vr_section fuzz_section = {.name = "fuzz", .description = "all shipped targets", .targets = targets};
static const vr_section *const table[] = {&fuzz_section};

const vr_section *const *vr_sections(size_t *count)
{
    *count = 1;
    return table;
}
