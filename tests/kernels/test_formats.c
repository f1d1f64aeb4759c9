/* test_formats.c — the packed I2/T5 layouts against formats.h, independently of formats.c: byte layout
 * computed here from the documented formulas, pack → unpack round trips over many shapes, the T5 digit
 * decode exhaustively over all 243 patterns, padding = w 0, and rejection of bad values / corrupt codes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "kernels/tables.h"
#include "tritbench/catalog.h"
#include "tritbench/formats.h"

/* The byte formats.h promises at (row m, byte position j of block b), from the int8 weights. */
static uint8_t expected_byte(trit_format f, const int8_t *row, size_t cols, size_t b, size_t j)
{
    if (f == TRIT_FMT_I2) {
        unsigned byte = 0;
        for (unsigned i = 0; i < 4; i++) {
            const size_t k = b * TRIT_I2_BLOCK + j + 64 * i;
            const int w = k < cols ? row[k] : 0;
            byte |= (unsigned)(w + 1) << (2 * i);
        }
        return (uint8_t)byte;
    }
    unsigned v = 0;
    for (unsigned i = 0; i < 5; i++) {
        const size_t k = b * TRIT_T5_BLOCK + j + 64 * i;
        const int w = k < cols ? row[k] : 0;
        v = v * 3 + (unsigned)(w + 1);
    }
    return (uint8_t)((v * 256 + 242) / 243); /* ceil(v·256/243) */
}

static void round_trip(trit_format f, trit_granularity g, size_t rows, size_t cols, uint64_t seed)
{
    trit_rng r;
    trit_rng_seed(&r, seed);
    int8_t *wq = malloc(rows * cols), *back = malloc(rows * cols);
    float *scales = malloc(rows * sizeof(float));
    REQUIRE(wq && back && scales);
    const int mode = (int)(seed % 4); /* random, all 0, all +1, all −1 */
    for (size_t i = 0; i < rows * cols; i++)
        wq[i] = mode == 0 ? (int8_t)((int)trit_rng_below(&r, 3) - 1) : mode == 1 ? 0 : mode == 2 ? 1 : -1;
    for (size_t m = 0; m < rows; m++)
        scales[m] = (float)(m + 1) * 0.25f;
    trit_packed p;
    REQUIRE(trit_packed_alloc(&p, f, g, rows, cols) == 0);
    const size_t block = trit_format_block(f);
    CHECK(p.cols_padded % block == 0 && p.cols_padded >= cols && p.cols_padded < cols + block);
    CHECK(p.row_bytes == p.cols_padded / block * TRIT_BLOCK_BYTES);
    CHECK(((uintptr_t)p.codes % TRIT_ALIGN) == 0);
    CHECK(p.n_scales == (g == TRIT_SCALE_ROW ? rows : 1));
    REQUIRE(trit_pack(&p, wq, scales) == 0);
    int layout_bad = 0;
    for (size_t m = 0; m < rows && !layout_bad; m++)
        for (size_t b = 0; b < p.row_bytes / TRIT_BLOCK_BYTES && !layout_bad; b++)
            for (size_t j = 0; j < 64; j++)
                if (p.codes[m * p.row_bytes + b * 64 + j] != expected_byte(f, wq + m * cols, cols, b, j)) {
                    CHECKF(0, "%s %zux%zu: byte (row %zu, block %zu, j %zu) = %u, formats.h says %u",
                           trit_format_name(f), rows, cols, m, b, j, p.codes[m * p.row_bytes + b * 64 + j],
                           expected_byte(f, wq + m * cols, cols, b, j));
                    layout_bad = 1;
                    break;
                }
    for (size_t s = 0; s < p.n_scales; s++)
        CHECK(p.scales[s] == scales[s]);
    memset(back, 0x7F, rows * cols);
    REQUIRE(trit_unpack(&p, back) == 0);
    CHECKF(memcmp(wq, back, rows * cols) == 0, "%s %zux%zu seed %llu: unpack(pack(w)) != w", trit_format_name(f),
           rows, cols, (unsigned long long)seed);
    trit_packed_free(&p);
    free(wq);
    free(back);
    free(scales);
}

/* All 243 patterns: the base-3 digits (most significant first) survive encode → trit_t5_digit. */
static void t5_exhaustive(void)
{
    int seen[256] = {0};
    for (unsigned v = 0; v < 243; v++) {
        const unsigned byte = (v * 256 + 242) / 243;
        REQUIRE(byte <= 255);
        CHECKF(!seen[byte], "two patterns share byte %u", byte);
        seen[byte] = 1;
        unsigned rest = v;
        int digits[5];
        for (int i = 4; i >= 0; i--) {
            digits[i] = (int)(rest % 3);
            rest /= 3;
        }
        for (int i = 0; i < 5; i++)
            CHECKF(trit_t5_digit((uint8_t)byte, i) == digits[i], "pattern %u digit %d: got %d want %d", v, i,
                   trit_t5_digit((uint8_t)byte, i), digits[i]);
    }
    /* And through the real packer/unpacker: one row whose 4 blocks × 64 bytes take every pattern. */
    const size_t cols = 4 * TRIT_T5_BLOCK;
    int8_t wq[4 * TRIT_T5_BLOCK], back[4 * TRIT_T5_BLOCK];
    for (size_t k = 0; k < cols; k++) {
        const size_t b = k / TRIT_T5_BLOCK, j = k % 64, i = (k % TRIT_T5_BLOCK) / 64;
        unsigned v = (unsigned)((b * 64 + j) % 243);
        for (size_t t = 4; t > i; t--)
            v /= 3;
        wq[k] = (int8_t)((int)(v % 3) - 1);
    }
    trit_packed p;
    float one = 1.0f;
    REQUIRE(trit_packed_alloc(&p, TRIT_FMT_T5, TRIT_SCALE_TENSOR, 1, cols) == 0);
    REQUIRE(trit_pack(&p, wq, &one) == 0);
    for (size_t j = 0; j < 4 * 64; j++) {
        const unsigned v = (unsigned)(j % 243);
        CHECKF(p.codes[j] == (v * 256 + 242) / 243, "byte %zu = %u, want %u", j, p.codes[j], (v * 256 + 242) / 243);
    }
    REQUIRE(trit_unpack(&p, back) == 0);
    CHECK(memcmp(wq, back, cols) == 0);
    trit_packed_free(&p);
}

/* Padding decodes to w = 0 in both formats (codes of k ≥ cols). */
static void padding_is_zero(trit_format f)
{
    const size_t cols = 3; /* almost the whole block is padding */
    float one = 1.0f;
    trit_packed p;
    REQUIRE(trit_packed_alloc(&p, f, TRIT_SCALE_TENSOR, 2, cols) == 0);
    const int8_t wq[6] = {1, -1, 1, -1, 0, -1};
    REQUIRE(trit_pack(&p, wq, &one) == 0);
    for (size_t m = 0; m < 2; m++)
        for (size_t j = 0; j < 64; j++) {
            const uint8_t byte = p.codes[m * p.row_bytes + j];
            const unsigned first = j < cols ? 1u : 0u; /* plane 0 holds k = j */
            if (f == TRIT_FMT_I2) {
                for (unsigned i = first; i < 4; i++)
                    CHECKF(((byte >> (2 * i)) & 3u) == 1u, "i2 padding code at j %zu plane %u is not w=0", j, i);
            } else {
                for (unsigned i = first; i < 5; i++)
                    CHECKF(trit_t5_digit(byte, (int)i) == 1, "t5 padding digit at j %zu plane %u is not w=0", j, i);
            }
        }
    trit_packed_free(&p);
}

static void rejects_bad_input(void)
{
    trit_packed p;
    float one = 1.0f;
    int8_t bad[4] = {0, 1, 2, -1};
    for (int f = 0; f < TRIT_FMT_COUNT; f++) {
        REQUIRE(trit_packed_alloc(&p, (trit_format)f, TRIT_SCALE_TENSOR, 1, 4) == 0);
        CHECKF(trit_pack(&p, bad, &one) == -1, "%s: pack accepted the weight 2", trit_format_name((trit_format)f));
        trit_packed_free(&p);
    }
    /* An I2 code 3 is not a weight. */
    int8_t ok[4] = {0, 1, 1, -1}, out[4];
    REQUIRE(trit_packed_alloc(&p, TRIT_FMT_I2, TRIT_SCALE_TENSOR, 1, 4) == 0);
    REQUIRE(trit_pack(&p, ok, &one) == 0);
    p.codes[1] |= 3u;
    CHECK(trit_unpack(&p, out) == -1);
    trit_packed_free(&p);
    trit_format f;
    CHECK(trit_format_parse("i2", &f) == 0 && f == TRIT_FMT_I2);
    CHECK(trit_format_parse("t5", &f) == 0 && f == TRIT_FMT_T5);
    CHECK(trit_format_parse("q4", &f) == -1);
}

int main(void)
{
    static const size_t rows[] = {1, 2, 3, 7, 16};
    static const size_t cols[] = {1, 2, 63, 64, 65, 255, 256, 257, 319, 320, 321, 640, 1000, 1280, 4099};
    uint64_t seed = 1;
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++)
            for (size_t ci = 0; ci < sizeof cols / sizeof cols[0]; ci++, seed++)
                round_trip((trit_format)f, (seed & 2) ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR, rows[ri], cols[ci],
                           seed);
    t5_exhaustive();
    padding_is_zero(TRIT_FMT_I2);
    padding_is_zero(TRIT_FMT_T5);
    rejects_bad_input();
    CHECK(trit_format_block(TRIT_FMT_I2) == 256 && trit_format_block(TRIT_FMT_T5) == 320);
    return check_exit();
}
