/* matmul_neon.c — I2/T5 GEMV and GEMM for baseline aarch64 NEON (variant "neon"): vmull_s8 products
 * summed in int16 within one block only, then widened with vpadal before any int16 sum could overflow. */
#include <arm_neon.h>

#include "kernels/arm/drive.h"
#include "kernels/arm/unpack_neon.h"

/* int16 headroom, per lane and per block. A product is |w·x| ≤ 128 for T5 and, for I2 codes,
 * |c·x| ≤ 3·128 = 384 (c = 3 only in a corrupt block). Each mla16 adds 2 products to a lane.
 *   one row:   an accumulator per chunk t takes `digits` mla16 → ≤ 10 products  (≤ 3840)
 *   four rows: an accumulator per row takes 4·digits mla16   → ≤ 40 products (T5: 5120, I2: 32·384 = 12288)
 * all < 32767. Widening every block keeps the bound independent of K. */

#define ALWAYS_INLINE inline __attribute__((always_inline))

static inline int16x8_t mla16(int16x8_t s, int8x16_t w, int8x16_t x)
{
    return vmlal_high_s8(vmlal_s8(s, vget_low_s8(w), vget_low_s8(x)), w, x);
}

/* digits is a constant at every call site (4: I2 codes, 5: T5 weights), so the branch folds away. */
static ALWAYS_INLINE void decode_chunk(const uint8_t *p, int digits, int8x16_t d[TRIT_T5_DIGITS])
{
    if (digits == TRIT_I2_DIGITS)
        trit_neon_i2_chunk(vld1q_u8(p), d);
    else
        trit_neon_t5_chunk(vld1q_u8(p), d);
}

/* One activation row; four int16 chains (one per chunk) so the multiply-accumulates overlap. */
static ALWAYS_INLINE int32_t row_dot_1(const uint8_t *row, size_t blocks, const int8_t *x, int digits)
{
    int32x4_t acc = vdupq_n_s32(0);
    for (size_t b = 0; b < blocks; b++) {
        const int8_t *xb = x + b * 64 * (size_t)digits;
        int16x8_t s[4] = {vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0)};
        TRIT_ARM_UNROLL(4)
        for (int t = 0; t < 4; t++) {
            int8x16_t d[TRIT_T5_DIGITS];
            decode_chunk(row + b * TRIT_BLOCK_BYTES + 16 * t, digits, d);
            TRIT_ARM_UNROLL(5)
            for (int i = 0; i < digits; i++)
                s[t] = mla16(s[t], d[i], vld1q_s8(xb + 64 * i + 16 * t));
        }
        for (int t = 0; t < 4; t++)
            acc = vpadalq_s16(acc, s[t]);
    }
    return vaddvq_s32(acc);
}

/* Four activation rows against each decoded chunk: the decode is paid once for four rows. */
static ALWAYS_INLINE void row_dot_4(const uint8_t *row, size_t blocks, const int8_t *const *xs, int digits,
                                    int32_t *out)
{
    int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (size_t b = 0; b < blocks; b++) {
        const size_t off = b * 64 * (size_t)digits;
        int16x8_t s[4] = {vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0), vdupq_n_s16(0)};
        TRIT_ARM_UNROLL(4)
        for (int t = 0; t < 4; t++) {
            int8x16_t d[TRIT_T5_DIGITS];
            decode_chunk(row + b * TRIT_BLOCK_BYTES + 16 * t, digits, d);
            TRIT_ARM_UNROLL(5)
            for (int i = 0; i < digits; i++) {
                const size_t k = off + 64 * (size_t)i + 16 * (size_t)t;
                TRIT_ARM_UNROLL(4)
                for (int r = 0; r < 4; r++)
                    s[r] = mla16(s[r], d[i], vld1q_s8(xs[r] + k));
            }
        }
        for (int r = 0; r < 4; r++)
            acc[r] = vpadalq_s16(acc[r], s[r]);
    }
    for (int r = 0; r < 4; r++)
        out[r] = vaddvq_s32(acc[r]);
}

static void i2_single(const uint8_t *row, size_t blocks, const int8_t *const *xs, int nb, int32_t *out)
{
    (void)nb; /* always one row */
    out[0] = row_dot_1(row, blocks, xs[0], TRIT_I2_DIGITS);
}

static void t5_single(const uint8_t *row, size_t blocks, const int8_t *const *xs, int nb, int32_t *out)
{
    (void)nb;
    out[0] = row_dot_1(row, blocks, xs[0], TRIT_T5_DIGITS);
}

static void i2_tile(const uint8_t *row, size_t blocks, const int8_t *const *xs, int nb, int32_t *out)
{
    if (nb == 4)
        row_dot_4(row, blocks, xs, TRIT_I2_DIGITS, out);
    else /* the last, partial tile of activation rows */
        for (int r = 0; r < nb; r++)
            out[r] = row_dot_1(row, blocks, xs[r], TRIT_I2_DIGITS);
}

static void t5_tile(const uint8_t *row, size_t blocks, const int8_t *const *xs, int nb, int32_t *out)
{
    if (nb == 4)
        row_dot_4(row, blocks, xs, TRIT_T5_DIGITS, out);
    else
        for (int r = 0; r < nb; r++)
            out[r] = row_dot_1(row, blocks, xs[r], TRIT_T5_DIGITS);
}

void trit_matmul_i2_gemv_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, i2_single, 1, true);
}

void trit_matmul_i2_gemm_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, i2_tile, TRIT_ARM_MAX_TILE, true);
}

void trit_matmul_t5_gemv_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, t5_single, 1, false);
}

void trit_matmul_t5_gemm_neon(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                              int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, t5_tile, TRIT_ARM_MAX_TILE, false);
}
