/* test_extremes_arm.c — every aarch64 kernel at the int16/int32 worst case: |x| = 128 or 127 with all
 * weights ±1 over a long K, where a kernel summing more than 255 products in an int16 lane would wrap.
 * Independent of the packer and the registry: constant-weight rows are packed from formats.h here, and
 * the expected sums are K · w · x. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "kernels/arm/drive.h"
#include "kernels/tables.h"
#include "tests/check.h"

#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

enum { ROWS = 6, NACT = 6 };

/* Byte holding one repeated weight w in every position of a block (formats.h). */
static uint8_t const_byte(trit_format f, int w)
{
    const unsigned d = (unsigned)(w + 1);
    if (f == TRIT_FMT_I2)
        return (uint8_t)(d * 0x55u); /* code d in bits 0-1, 2-3, 4-5, 6-7 */
    const unsigned v = d * (81u + 27u + 9u + 3u + 1u);
    return (uint8_t)((v * 256u + 242u) / 243u); /* ceil(v·256/243) */
}

static int weight_of_row(size_t m) { return (int)(m % 3) - 1; }             /* −1, 0, 1, −1, ... */
static int act_of_row(size_t n) { return n % 2 ? 127 : -128; }

static void run(const char *name, trit_rows_fn fn, trit_format f, size_t cols, size_t nact)
{
    const size_t per_block = f == TRIT_FMT_I2 ? TRIT_I2_BLOCK : TRIT_T5_BLOCK;
    const size_t blocks = (cols + per_block - 1) / per_block;
    const size_t stride = (cols + TRIT_ACT_K_ALIGN - 1) / TRIT_ACT_K_ALIGN * TRIT_ACT_K_ALIGN;
    trit_packed w = {.format = f, .granularity = TRIT_SCALE_TENSOR, .rows = ROWS, .cols = cols,
                     .cols_padded = blocks * per_block, .row_bytes = blocks * TRIT_BLOCK_BYTES};
    trit_act x = {.rows = nact, .cols = cols, .stride = stride};
    w.codes = malloc(ROWS * w.row_bytes);
    x.q = calloc(nact * stride, 1); /* zero padding beyond cols, as trit_act promises */
    x.sum = malloc(nact * sizeof *x.sum);
    int32_t *acc = malloc(nact * ROWS * sizeof *acc);
    REQUIRE(w.codes && x.q && x.sum && acc);
    for (size_t m = 0; m < ROWS; m++)
        memset(w.codes + m * w.row_bytes, const_byte(f, weight_of_row(m)), w.row_bytes);
    for (size_t n = 0; n < nact; n++) {
        memset(x.q + n * stride, (uint8_t)(int8_t)act_of_row(n), cols);
        x.sum[n] = (int32_t)cols * act_of_row(n);
    }
    for (size_t i = 0; i < nact * ROWS; i++)
        acc[i] = INT32_MIN;
    fn(&w, &x, 0, ROWS, acc, ROWS);
    for (size_t n = 0; n < nact; n++)
        for (size_t m = 0; m < ROWS; m++) {
            const int64_t want = (int64_t)cols * weight_of_row(m) * act_of_row(n);
            CHECKF(acc[n * ROWS + m] == want, "%s K=%zu n=%zu m=%zu: got %d want %lld", name, cols, n, m,
                   acc[n * ROWS + m], (long long)want);
        }
    free(w.codes);
    free(x.q);
    free(x.sum);
    free(acc);
}

int main(void)
{
    const struct {
        const char *name;
        trit_rows_fn fn;
        trit_format f;
        int gemv, dotprod;
    } ks[] = {
        {"gemv/i2/neon", trit_matmul_i2_gemv_neon, TRIT_FMT_I2, 1, 0},
        {"gemm/i2/neon", trit_matmul_i2_gemm_neon, TRIT_FMT_I2, 0, 0},
        {"gemv/t5/neon", trit_matmul_t5_gemv_neon, TRIT_FMT_T5, 1, 0},
        {"gemm/t5/neon", trit_matmul_t5_gemm_neon, TRIT_FMT_T5, 0, 0},
#if TRIT_ARM_DOTPROD
        {"gemv/i2/neon_dotprod", trit_matmul_i2_gemv_neon_dotprod, TRIT_FMT_I2, 1, 1},
        {"gemm/i2/neon_dotprod", trit_matmul_i2_gemm_neon_dotprod, TRIT_FMT_I2, 0, 1},
        {"gemv/t5/neon_dotprod", trit_matmul_t5_gemv_neon_dotprod, TRIT_FMT_T5, 1, 1},
        {"gemm/t5/neon_dotprod", trit_matmul_t5_gemm_neon_dotprod, TRIT_FMT_T5, 0, 1},
#endif
    };
    /* 16 lanes × 255 products is where int16 lanes give out; these K go far past it, odd ones too. */
    const size_t cols[] = {1, 255, 321, 5000, 20480, 65537};
    const int have_dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    int ran = 0;
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        if (ks[i].dotprod && !have_dotprod) {
            printf("%s: skipped, CPU lacks dotprod\n", ks[i].name);
            continue;
        }
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
            run(ks[i].name, ks[i].fn, ks[i].f, cols[c], ks[i].gemv ? 1 : NACT);
        ran++;
    }
    printf("%d kernel(s) checked\n", ran);
    return check_exit();
}
