/* table.c — the FP16 / BF16 baselines as descriptors of the one kernel table (op gemv|gemm × format
 * fp16|bf16; the caller holds the weights as uint16 half / bfloat16 bits, kernels.h), so suites and
 * sections enumerate them beside the FP32 ones. The row functions are lowp's blocks (half.c, per-ISA
 * files); BF16 rounds the activations to bfloat16 once per call (prepare, inside timing), exactly as
 * trit_half_kernel's driver does, so both entry points compute the same products. */
#include <stdio.h>
#include <string.h>

#include "kernels/tables.h"
#include "lowp_isa.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

/* Relative to Σ|w·x| (kernels.h). FP16: lowp.h's summation bound (K/8 + 16)·2⁻²⁴ up to K = 65536 — the
 * weights are the caller's half values, the activations FP32. BF16: the activation's rounding to
 * bfloat16 (≤ 2⁻⁹ relative per term) on top. */
#define LOWP_FP16_TOLERANCE 5e-4
#define LOWP_BF16_TOLERANCE 4e-3

/* BF16 preparation: the activations as bfloat16 bits (for vdpbf16ps), then as the same values widened
 * to FP32 (for the widening variants), the second part 64-byte aligned. */
static size_t bits_bytes(const trit_matmul_io *io)
{
    return (io->x.rows * io->w.cols * sizeof(uint16_t) + 63) / 64 * 64;
}

static size_t bf16_prepare_bytes(const trit_matmul_io *io)
{
    return bits_bytes(io) + io->x.rows * io->w.cols * sizeof(float);
}

static void bf16_prepare(const trit_matmul_io *io, void *out)
{
    uint16_t *bits = out;
    float *widened = (float *)(void *)((unsigned char *)out + bits_bytes(io)); /* 64-byte aligned */
    for (size_t i = 0; i < io->x.rows * io->w.cols; i++) {
        bits[i] = trit_f32_to_bf16(io->x.dense[i]);
        widened[i] = trit_bf16_to_f32(bits[i]);
    }
}

static trit_half_block block_of(const trit_matmul_io *io, size_t m_begin, size_t m_end, bool bf16)
{
    trit_half_block b = {io->w.dense, io->x.dense, NULL, io->y, io->w.rows, io->w.cols, m_begin, m_end, 0,
                         io->x.rows};
    if (bf16) {
        b.Xb = io->prepared;
        b.X = (const float *)(const void *)((const unsigned char *)io->prepared + bits_bytes(io));
    }
    return b;
}

#define LOWP_ADAPTER(name, block_fn, bf16)                                                                    \
    static void name(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)                 \
    {                                                                                                         \
        (void)workspace;                                                                                      \
        const trit_half_block b = block_of(io, m_begin, m_end, bf16);                                         \
        block_fn(&b);                                                                                         \
    }
LOWP_ADAPTER(f16_scalar, trit_half_block_f16_scalar, false)
LOWP_ADAPTER(bf16_scalar, trit_half_block_bf16_scalar, true)
#if TRIT_HAVE_X86_64
LOWP_ADAPTER(f16_f16c, trit_half_block_f16c, false)
LOWP_ADAPTER(bf16_widen, trit_half_block_bf16_avx2, true)
#if TRIT_LOWP_BF16
LOWP_ADAPTER(bf16_dp, trit_half_block_bf16_avx512, true)
#endif

static bool have_f16c(char *why, size_t why_len)
{
    if (trit_cpu_has_f16c())
        return true;
    snprintf(why, why_len, "needs f16c (this CPU/OS lacks it)");
    return false;
}

static bool have_avx512_bf16(char *why, size_t why_len)
{
    if (trit_cpu_has_avx512_bf16())
        return true;
    snprintf(why, why_len, "needs avx512_bf16 (this CPU/OS lacks it)");
    return false;
}
#endif

#define LOWP_KERNEL(op_, fmt_, variant_, priority_, requires_, available_, matmul_, bf16_)                     \
    {.op = (op_), .format = (fmt_), .variant = (variant_), .origin = "builtin", .priority = (priority_),      \
     .device = TRIT_DEVICE_CPU, .requires = (requires_), .available = (available_), .matmul = (matmul_),      \
     .prepare_bytes = (bf16_) ? bf16_prepare_bytes : NULL, .prepare = (bf16_) ? bf16_prepare : NULL,          \
     .result = TRIT_RESULT_FP32, .tolerance = (bf16_) ? LOWP_BF16_TOLERANCE : LOWP_FP16_TOLERANCE}

/* Priorities on tables.h's scale. BF16: the widening path wins the GEMV (a memory stream), vdpbf16ps the
 * GEMM (compute) — measured, lowp/half.c. */
const trit_kernel trit_kernels_lowp[] = {
    LOWP_KERNEL(TRIT_OP_GEMV, TRIT_FMT_FP16, "scalar", 1, 0, NULL, f16_scalar, false),
    LOWP_KERNEL(TRIT_OP_GEMM, TRIT_FMT_FP16, "scalar", 1, 0, NULL, f16_scalar, false),
    LOWP_KERNEL(TRIT_OP_GEMV, TRIT_FMT_BF16, "scalar", 1, 0, NULL, bf16_scalar, true),
    LOWP_KERNEL(TRIT_OP_GEMM, TRIT_FMT_BF16, "scalar", 1, 0, NULL, bf16_scalar, true),
#if TRIT_HAVE_X86_64
    LOWP_KERNEL(TRIT_OP_GEMV, TRIT_FMT_FP16, "f16c", 30, TRIT_CPU_AVX2, have_f16c, f16_f16c, false),
    LOWP_KERNEL(TRIT_OP_GEMM, TRIT_FMT_FP16, "f16c", 30, TRIT_CPU_AVX2, have_f16c, f16_f16c, false),
    LOWP_KERNEL(TRIT_OP_GEMV, TRIT_FMT_BF16, "bf16_convert", 35, TRIT_CPU_AVX2, NULL, bf16_widen, true),
    LOWP_KERNEL(TRIT_OP_GEMM, TRIT_FMT_BF16, "bf16_convert", 30, TRIT_CPU_AVX2, NULL, bf16_widen, true),
#if TRIT_LOWP_BF16
    LOWP_KERNEL(TRIT_OP_GEMV, TRIT_FMT_BF16, "avx512_bf16", 30, TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW,
                have_avx512_bf16, bf16_dp, true),
    LOWP_KERNEL(TRIT_OP_GEMM, TRIT_FMT_BF16, "avx512_bf16", 40, TRIT_CPU_AVX512F | TRIT_CPU_AVX512BW,
                have_avx512_bf16, bf16_dp, true),
#endif
#endif
};
const size_t trit_kernels_lowp_count = sizeof trit_kernels_lowp / sizeof trit_kernels_lowp[0];
