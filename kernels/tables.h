/* tables.h — the builtin descriptor tables that registry.c concatenates into the one kernel table. Each
 * architecture folder defines its own table in <arch>/table.c; registry.c never names a SIMD function.
 *
 * Priority scale (trit_kernel.priority; the only preference order, higher wins among runnable ones):
 *   60 OpenBLAS · 50 AVX-512 VNNI · 40 AVX-512BW / own AVX-512 FP32 · 30 AVX2 · 25 NEON dotprod ·
 *   20 NEON · 1 scalar · 0 device kernels and test-only variants (chosen only by name). */
#ifndef TRITBENCH_KERNELS_TABLES_H
#define TRITBENCH_KERNELS_TABLES_H

#include <stddef.h>

#include "tritbench/kernels.h"

extern const trit_kernel trit_kernels_ref[];   /* kernels/ref (scalar oracle + scalar FP32) */
extern const size_t trit_kernels_ref_count;
/* A table defined in another compilation unit (size known there only). */
typedef struct trit_kernel_table {
    const trit_kernel *table;
    const size_t *count;
} trit_kernel_table;

extern const trit_kernel_table trit_kernels_x86_units[]; /* kernels/x86/table.c (x86-64 builds) */
extern const size_t trit_kernels_x86_n_units;
extern const trit_kernel trit_kernels_arm[];   /* kernels/arm/table.c (aarch64 builds) */
extern const size_t trit_kernels_arm_count;
extern const trit_kernel trit_kernels_cuda[];  /* kernels/cuda/table.c (CUDA builds) */
extern const size_t trit_kernels_cuda_count;
extern const trit_kernel trit_kernels_openblas[]; /* kernels/baselines.c (OpenBLAS builds) */
extern const size_t trit_kernels_openblas_count;

/* The shape of every builtin ternary row function: rows [m_begin, m_end) of the canonical packed
 * layout, all activation rows, acc with leading dimension ld_acc. */
typedef void (*trit_rows_fn)(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                             size_t ld_acc);
/* The shape of every builtin FP32 row function: rows [m_begin, m_end) of Y (N × M) = X · Wᵀ. */
typedef void (*trit_sgemm_rows_fn)(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N,
                                   size_t m_begin, size_t m_end);

/* Defines trit_matmul_fn `name` over a trit_rows_fn (builtin ternary kernels need no repack/prepare). */
#define TRIT_ROWS_ADAPTER(name, rows_fn)                                                                      \
    static void name(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)                 \
    {                                                                                                         \
        (void)workspace;                                                                                      \
        rows_fn(io->w.packed, io->x.q, m_begin, m_end, io->acc, io->w.rows);                                  \
    }
/* Defines trit_matmul_fn `name` over a trit_sgemm_rows_fn. */
#define TRIT_SGEMM_ADAPTER(name, rows_fn)                                                                     \
    static void name(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)                 \
    {                                                                                                         \
        (void)workspace;                                                                                      \
        rows_fn((const float *)io->w.dense, io->x.dense, io->y, io->w.rows, io->w.cols, io->x.rows, m_begin,  \
                m_end);                                                                                       \
    }

/* Descriptor initialisers for the common cases. */
#define TRIT_EXACT_KERNEL(op_, fmt_, variant_, priority_, requires_, matmul_)                                 \
    {.op = (op_), .format = (fmt_), .variant = (variant_), .origin = "builtin", .priority = (priority_),       \
     .device = TRIT_DEVICE_CPU, .requires = (requires_), .matmul = (matmul_),                                 \
     .result = TRIT_RESULT_EXACT_INT32}
/* FP32 sums in another order than the exact sum: 1e-5 of Σ|w·x| covers K up to ~10^5. */
#define TRIT_FP32_TOLERANCE 1e-5
#define TRIT_FP32_KERNEL(op_, variant_, priority_, requires_, matmul_)                                        \
    {.op = (op_), .format = TRIT_FMT_FP32, .variant = (variant_), .origin = "builtin",                       \
     .priority = (priority_), .device = TRIT_DEVICE_CPU, .requires = (requires_), .matmul = (matmul_),        \
     .result = TRIT_RESULT_FP32, .tolerance = TRIT_FP32_TOLERANCE}

/* Scalar twins, the oracle (kernels/ref/matmul_ref.c). */
void trit_matmul_i2_scalar(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc);
void trit_matmul_t5_scalar(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc);
void trit_sgemm_scalar_rows(const float *W, const float *X, float *Y, size_t M, size_t K, size_t N,
                            size_t m_begin, size_t m_end);

/* T5 digit decode shared by scalar code: d_i of a packed byte (formats.h). */
static inline int trit_t5_digit(uint8_t byte, int i)
{
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    uint8_t q = (uint8_t)(byte * pow3[i]);
    return (int)(((unsigned)q * 3u) >> 8);
}

#endif
