/* matmul_avx2.c — I2 and T5 ternary matmul with AVX2 (vpmaddubsw + vpmaddwd, tile_maddubs.h): only the
 * ISA's data. 16 ymm registers: GEMV takes 4-row groups as two 2-row passes (maddubs_i2_gemv4); GEMM
 * tiles 2 weight rows × 2 activation rows. Compiled with -mavx2 -mfma only (x86/meson.build). */
#define TRIT_X86_WIDTH 256
#define MADDUBS_GEMM_ROWS 2
#define MADDUBS_GEMM_ACTS 2
#include "kernels/x86/tile_maddubs.h"

static const trit_x86_tiles i2_tiles = {maddubs_i2_gemv, 4, maddubs_i2_gemm, MADDUBS_GEMM_ROWS, MADDUBS_GEMM_ACTS,
                                        0, maddubs_i2_gemv4_store, NULL, NULL, 0};
static const trit_x86_tiles t5_tiles = {maddubs_t5_gemv, 4, maddubs_t5_gemm, MADDUBS_GEMM_ROWS, MADDUBS_GEMM_ACTS,
                                        0, NULL, NULL, NULL, 0};

TRIT_X86_TERNARY_KERNELS("avx2", 30, TRIT_X86_REQ_AVX2, i2_tiles, t5_tiles);
