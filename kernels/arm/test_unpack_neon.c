/* test_unpack_neon.c — the NEON block decoders against the scalar decode of formats.h, over every byte
 * value in every lane position and digit (the kernels' equality with the oracle rests on these). */
#include <stdint.h>
#include <stdio.h>

#include "kernels/arm/unpack_neon.h"
#include "kernels/tables.h"
#include "tests/check.h"

/* Byte j of the 4 blocks is (j·mult + add) mod 256: 4 × 64 = 256 bytes, a permutation when mult is
 * odd, so each value appears once and lands in a lane/offset that changes with the pass. */
static void fill(uint8_t *bytes, unsigned mult, unsigned add)
{
    for (unsigned j = 0; j < 256; j++)
        bytes[j] = (uint8_t)(j * mult + add);
}

static void check_i2(const uint8_t *bytes)
{
    for (int blk = 0; blk < 4; blk++) {
        const uint8_t *b = bytes + 64 * blk;
        int8x16_t c[TRIT_I2_VECS];
        int8_t lanes[TRIT_I2_VECS][16];
        trit_neon_i2_codes(b, c);
        for (int v = 0; v < TRIT_I2_VECS; v++)
            vst1q_s8(lanes[v], c[v]);
        for (int k = 0; k < TRIT_I2_BLOCK; k++) {
            const int j = k % 64, i = k / 64; /* formats.h: k = j + 64·i */
            const int want = (b[j] >> (2 * i)) & 3;
            CHECKF(lanes[k / 16][k % 16] == want, "i2 byte 0x%02x digit %d: got %d want %d", b[j], i,
                   lanes[k / 16][k % 16], want);
        }
    }
}

static void check_t5(const uint8_t *bytes)
{
    for (int blk = 0; blk < 4; blk++) {
        const uint8_t *b = bytes + 64 * blk;
        int8x16_t w[TRIT_T5_VECS];
        int8_t lanes[TRIT_T5_VECS][16];
        trit_neon_t5_weights(b, w);
        for (int v = 0; v < TRIT_T5_VECS; v++)
            vst1q_s8(lanes[v], w[v]);
        for (int k = 0; k < TRIT_T5_BLOCK; k++) {
            const int j = k % 64, i = k / 64;
            const int want = trit_t5_digit(b[j], i) - 1;
            CHECKF(lanes[k / 16][k % 16] == want, "t5 byte 0x%02x digit %d: got %d want %d", b[j], i,
                   lanes[k / 16][k % 16], want);
        }
    }
}

int main(void)
{
    uint8_t bytes[256];
    /* Several permutations so every value visits several lanes and all four 16-byte chunks. */
    const unsigned mults[] = {1, 3, 37, 101, 255};
    for (unsigned p = 0; p < sizeof mults / sizeof mults[0]; p++)
        for (unsigned add = 0; add < 256; add += 17) {
            fill(bytes, mults[p], add);
            check_i2(bytes);
            check_t5(bytes);
        }
    /* The canonical packer's worst cases: all digits 0 or all 2 (bytes 0 and ceil(242·256/243) = 255). */
    for (unsigned j = 0; j < 256; j++)
        bytes[j] = j & 1 ? 255 : 0;
    check_t5(bytes);
    return check_exit();
}
