/* drive.c — loop nest shared by the aarch64 kernels (plain C; the SIMD lives in the row tiles). */
#include "kernels/arm/drive.h"

#include "tritbench/formats.h"

/* Output rows per cache chunk: their packed weights (~128 KiB) stay in L2 while every activation tile
 * passes over them, so weights are read from memory once per call instead of once per tile. */
#define CHUNK_WEIGHT_BYTES (128u * 1024u)

void trit_arm_matmul_drive(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end, int32_t *acc,
                           size_t ld_acc, trit_arm_row_tile_fn row_tile, int tile, bool minus_sum)
{
    const size_t per_block = w->format == TRIT_FMT_I2 ? TRIT_I2_BLOCK : TRIT_T5_BLOCK;
    /* cols_padded, not row_bytes, bounds the blocks: activation rows are only guaranteed that long. */
    const size_t blocks = w->cols_padded / per_block;
    size_t chunk = w->row_bytes ? CHUNK_WEIGHT_BYTES / w->row_bytes : 1;
    if (chunk == 0)
        chunk = 1;
    if (tile < 1 || tile > TRIT_ARM_MAX_TILE)
        tile = 1;

    for (size_t m0 = m_begin; m0 < m_end; m0 += chunk) {
        const size_t m1 = m_end - m0 > chunk ? m0 + chunk : m_end;
        for (size_t n0 = 0; n0 < x->rows; n0 += (size_t)tile) {
            const int nb = x->rows - n0 < (size_t)tile ? (int)(x->rows - n0) : tile;
            const int8_t *xs[TRIT_ARM_MAX_TILE];
            for (int r = 0; r < nb; r++)
                xs[r] = x->q + (n0 + (size_t)r) * x->stride;
            for (size_t m = m0; m < m1; m++) {
                int32_t out[TRIT_ARM_MAX_TILE];
                row_tile(w->codes + m * w->row_bytes, blocks, xs, nb, out);
                for (int r = 0; r < nb; r++) {
                    const size_t n = n0 + (size_t)r;
                    /* In uint32: Σ c·x may sit outside int32 by Σx only transiently. */
                    acc[n * ld_acc + m] =
                        minus_sum ? (int32_t)((uint32_t)out[r] - (uint32_t)x->sum[n]) : out[r];
                }
            }
        }
    }
}
