/* drive.h — the loop nest shared by every aarch64 kernel: cache blocking over output rows and tiling
 * over activation rows, around a per-ISA "row tile" that does the SIMD dot products. */
#ifndef TRITBENCH_KERNELS_ARM_DRIVE_H
#define TRITBENCH_KERNELS_ARM_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/kernels.h"

#define TRIT_ARM_MAX_TILE 4 /* activation rows one row-tile call handles */

/* out[r] = Σ_k code_or_weight(row, k) · xs[r][k] over `blocks` 64-byte blocks, for r < nb
 * (1 ≤ nb ≤ TRIT_ARM_MAX_TILE). Each xs[r] holds at least blocks × (weights per block) int8. */
typedef void (*trit_arm_row_tile_fn)(const uint8_t *row, size_t blocks, const int8_t *const *xs, int nb,
                                     int32_t *out);

/* acc[n·ld_acc + m] for m in [m_begin, m_end), every activation row n, in tiles of at most `tile` rows.
 * minus_sum: the row tile returned Σ c·x on unsigned I2 codes, so subtract Σx (x->sum) to get Σ w·x. */
void trit_arm_matmul_drive(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc, trit_arm_row_tile_fn row_tile, int tile, bool minus_sum);

/* The aarch64 variants registered in table.c. */
void trit_matmul_i2_gemv_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc);
void trit_matmul_i2_gemm_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc);
void trit_matmul_t5_gemv_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc);
void trit_matmul_t5_gemm_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc);
void trit_matmul_i2_gemv_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc);
void trit_matmul_i2_gemm_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc);
void trit_matmul_t5_gemv_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc);
void trit_matmul_t5_gemm_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc);

#endif
