/* unpack_neon.h — NEON decoders of packed I2/T5 bytes into int8x16 vectors of consecutive k.
 *
 * Static inline on purpose: each kernel file (plain NEON, or +dotprod with its own -march) compiles its
 * own copy with its own flags, so no symbol is shared between objects built for different ISAs.
 * A "chunk" is bytes 16t..16t+15 of a 64-byte block; by formats.h (byte j carries k = j + 64·i) its
 * digit i holds the weights of k = 64·i + 16·t + lane. Kernels decode one chunk at a time and use it at
 * once, which keeps only 4–5 decoded vectors live instead of a whole block (16–20) plus accumulators.
 */
#ifndef TRITBENCH_KERNELS_ARM_UNPACK_NEON_H
#define TRITBENCH_KERNELS_ARM_UNPACK_NEON_H

#include <arm_neon.h>
#include <stdint.h>

#define TRIT_I2_DIGITS 4 /* weights per I2 byte */
#define TRIT_T5_DIGITS 5 /* weights per T5 byte */
#define TRIT_I2_VECS 16  /* 256 weights / 16 lanes */
#define TRIT_T5_VECS 20  /* 320 weights / 16 lanes */

/* Full unrolling is what keeps decoded vectors and accumulators in registers (an indexed array would
 * live on the stack); gcc -O2 will not unroll these loops on its own. clang reads the same pragma. */
#define TRIT_ARM_PRAGMA(x) _Pragma(#x)
#define TRIT_ARM_UNROLL(n) TRIT_ARM_PRAGMA(GCC unroll n)

/* I2: the *unsigned* codes c = w + 1 ∈ {0, 1, 2} (3 only in a corrupt block, where the scalar oracle
 * reads w = 2; c − 1 keeps that equality). Kernels subtract Σx once per row instead of 1 per weight. */
static inline void trit_neon_i2_chunk(uint8x16_t b, int8x16_t c[TRIT_I2_DIGITS])
{
    const uint8x16_t low2 = vdupq_n_u8(3);
    c[0] = vreinterpretq_s8_u8(vandq_u8(b, low2));
    c[1] = vreinterpretq_s8_u8(vandq_u8(vshrq_n_u8(b, 2), low2));
    c[2] = vreinterpretq_s8_u8(vandq_u8(vshrq_n_u8(b, 4), low2));
    c[3] = vreinterpretq_s8_u8(vshrq_n_u8(b, 6));
}

/* T5: the signed weights w = d − 1 ∈ {−1, 0, 1}.
 * Digit i is d = (q·3) >> 8 with q = byte·3^i mod 256 (formats.h). For q in [0, 255] that is
 * (q ≥ 86) + (q ≥ 171), which two byte compares give without widening to 16 bits. The compares yield
 * masks m ∈ {0, −1}, so d = −(m1 + m2) and w = d − 1 = ~(m1 + m2). Exact for every byte value, corrupt
 * ones included, so it equals the scalar decode bit for bit. */
static inline int8x16_t trit_neon_t5_weights_of(uint8x16_t q)
{
    const int8x16_t m1 = vreinterpretq_s8_u8(vcgeq_u8(q, vdupq_n_u8(86)));
    const int8x16_t m2 = vreinterpretq_s8_u8(vcgeq_u8(q, vdupq_n_u8(171)));
    return vmvnq_s8(vaddq_s8(m1, m2));
}

static inline void trit_neon_t5_chunk(uint8x16_t b, int8x16_t w[TRIT_T5_DIGITS])
{
    const uint8x16_t three = vdupq_n_u8(3);
    uint8x16_t q = b;
    w[0] = trit_neon_t5_weights_of(q);
    TRIT_ARM_UNROLL(4)
    for (int i = 1; i < TRIT_T5_DIGITS; i++) {
        q = vmulq_u8(q, three); /* byte·3^i mod 256: the wrap-around is the point */
        w[i] = trit_neon_t5_weights_of(q);
    }
}

/* Whole blocks, vector v = weights of k = 16·v .. 16·v + 15 (used by the tests to check the chunks). */
static inline void trit_neon_i2_codes(const uint8_t *blk, int8x16_t c[TRIT_I2_VECS])
{
    for (int t = 0; t < 4; t++) {
        int8x16_t d[TRIT_I2_DIGITS];
        trit_neon_i2_chunk(vld1q_u8(blk + 16 * t), d);
        for (int i = 0; i < TRIT_I2_DIGITS; i++)
            c[4 * i + t] = d[i];
    }
}

static inline void trit_neon_t5_weights(const uint8_t *blk, int8x16_t w[TRIT_T5_VECS])
{
    for (int t = 0; t < 4; t++) {
        int8x16_t d[TRIT_T5_DIGITS];
        trit_neon_t5_chunk(vld1q_u8(blk + 16 * t), d);
        for (int i = 0; i < TRIT_T5_DIGITS; i++)
            w[4 * i + t] = d[i];
    }
}

#endif
