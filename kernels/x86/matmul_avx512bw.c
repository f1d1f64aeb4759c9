/* matmul_avx512bw.c — I2 and T5 ternary matmul with AVX-512BW (vpmaddubsw + vpmaddwd, tile_maddubs.h),
 * for CPUs without VNNI: only the ISA's data. 4 × 2 tile: accumulators plus per-block int16 sums fill 16
 * of the 32 zmm registers. Compiled with -mavx512f -mavx512bw only (x86/meson.build). */
#define TRIT_X86_WIDTH 512
#define MADDUBS_GEMM_ROWS 4
#define MADDUBS_GEMM_ACTS 2
#include "kernels/x86/tile_maddubs.h"

static const trit_x86_tiles i2_tiles = {maddubs_i2_gemv, 4, maddubs_i2_gemm, MADDUBS_GEMM_ROWS, MADDUBS_GEMM_ACTS,
                                        0, maddubs_i2_gemv4_store, NULL, NULL, 0};
static const trit_x86_tiles t5_tiles = {maddubs_t5_gemv, 4, maddubs_t5_gemm, MADDUBS_GEMM_ROWS, MADDUBS_GEMM_ACTS,
                                        0, NULL, NULL, NULL, 0};

TRIT_X86_TERNARY_KERNELS("avx512bw", 40, TRIT_X86_REQ_AVX512BW, i2_tiles, t5_tiles);
