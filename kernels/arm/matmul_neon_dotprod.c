/* matmul_neon_dotprod.c — I2/T5 GEMV and GEMM with the Armv8.2 dot product (variant "neon_dotprod").
 * Built alone with -march=armv8.2-a+dotprod; the registry calls it only where HWCAP_ASIMDDP is set.
 * sdot sums four int8 products straight into int32, so there is no int16 stage to overflow. I2 feeds
 * the unsigned codes c ∈ {0..2} (valid as signed int8) and the drive subtracts Σx once per row; udot
 * or usdot are not needed (usdot would be i8mm, not dotprod). Same loop structure as matmul_neon.c. */
#include <arm_neon.h>

#if !defined(__ARM_FEATURE_DOTPROD)
#error "matmul_neon_dotprod.c must be compiled with -march=armv8.2-a+dotprod"
#endif

#include "kernels/arm/drive.h"
#include "kernels/arm/unpack_neon.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* digits is a constant at every call site (4: I2 codes, 5: T5 weights), so the branch folds away. */
static ALWAYS_INLINE void decode_chunk(const uint8_t *p, int digits, int8x16_t d[TRIT_T5_DIGITS])
{
    if (digits == TRIT_I2_DIGITS)
        trit_neon_i2_chunk(vld1q_u8(p), d);
    else
        trit_neon_t5_chunk(vld1q_u8(p), d);
}

/* One activation row; four sdot chains (one per chunk) hide the instruction's latency, and live
 * across blocks so the horizontal sum happens once per row. */
static ALWAYS_INLINE int32_t row_dot_1(const uint8_t *row, size_t blocks, const int8_t *x, int digits)
{
    int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (size_t b = 0; b < blocks; b++) {
        const int8_t *xb = x + b * 64 * (size_t)digits;
        TRIT_ARM_UNROLL(4)
        for (int t = 0; t < 4; t++) {
            int8x16_t d[TRIT_T5_DIGITS];
            decode_chunk(row + b * TRIT_BLOCK_BYTES + 16 * t, digits, d);
            TRIT_ARM_UNROLL(5)
            for (int i = 0; i < digits; i++)
                a[t] = vdotq_s32(a[t], d[i], vld1q_s8(xb + 64 * i + 16 * t));
        }
    }
    return vaddvq_s32(vaddq_s32(vaddq_s32(a[0], a[1]), vaddq_s32(a[2], a[3])));
}

/* Four activation rows against each decoded chunk: the decode is paid once for four rows. */
static ALWAYS_INLINE void row_dot_4(const uint8_t *row, size_t blocks, const int8_t *const *xs, int digits,
                                    int32_t *out)
{
    int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (size_t b = 0; b < blocks; b++) {
        const size_t off = b * 64 * (size_t)digits;
        TRIT_ARM_UNROLL(4)
        for (int t = 0; t < 4; t++) {
            int8x16_t d[TRIT_T5_DIGITS];
            decode_chunk(row + b * TRIT_BLOCK_BYTES + 16 * t, digits, d);
            TRIT_ARM_UNROLL(5)
            for (int i = 0; i < digits; i++) {
                const size_t k = off + 64 * (size_t)i + 16 * (size_t)t;
                TRIT_ARM_UNROLL(4)
                for (int r = 0; r < 4; r++)
                    a[r] = vdotq_s32(a[r], d[i], vld1q_s8(xs[r] + k));
            }
        }
    }
    for (int r = 0; r < 4; r++)
        out[r] = vaddvq_s32(a[r]);
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

void trit_matmul_i2_gemv_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, i2_single, 1, true);
}

void trit_matmul_i2_gemm_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, i2_tile, TRIT_ARM_MAX_TILE, true);
}

void trit_matmul_t5_gemv_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, t5_single, 1, false);
}

void trit_matmul_t5_gemm_neon_dotprod(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                                      int32_t *acc, size_t ld_acc)
{
    trit_arm_matmul_drive(w, x, m_begin, m_end, acc, ld_acc, t5_tile, TRIT_ARM_MAX_TILE, false);
}
