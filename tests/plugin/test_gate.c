/* test_gate.c — the correctness gate on our own kernels: every runnable variant passes; a kernel with
 * one wrong accumulator (row 5), one that forgets the Σx offset (caught by the −128 rows) and one that
 * ignores the K tail are refused with the row named. */
#include <stdio.h>
#include <string.h>

#include "plugin/plugins.h"

static int failures;
#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                      \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static const trit_kernel *scalar_gemm;

/* The scalar kernel, then one accumulator of row 5 changed. */
static void off_by_one_row5(const trit_packed *w, const trit_act *x, size_t b, size_t e, int32_t *acc, size_t ld)
{
    scalar_gemm->fn(w, x, b, e, acc, ld);
    if (b <= 5 && 5 < e)
        acc[5] += 1;
}

/* Σ c·x without subtracting Σ x: right only when Σ x = 0. */
static void no_offset(const trit_packed *w, const trit_act *x, size_t b, size_t e, int32_t *acc, size_t ld)
{
    scalar_gemm->fn(w, x, b, e, acc, ld);
    for (size_t n = 0; n < x->rows; n++)
        for (size_t m = b; m < e; m++)
            acc[n * ld + m] += x->sum[n];
}

/* Stops at the last whole block of 256: tails lost. */
static void no_tail(const trit_packed *w, const trit_act *x, size_t b, size_t e, int32_t *acc, size_t ld)
{
    trit_packed cut = *w;
    trit_act xc = *x;
    cut.cols = w->cols / 256 * 256;
    xc.cols = cut.cols;
    if (cut.cols == 0) {
        for (size_t n = 0; n < x->rows; n++)
            for (size_t m = b; m < e; m++)
                acc[n * ld + m] = 0;
        return;
    }
    scalar_gemm->fn(&cut, &xc, b, e, acc, ld);
}

static void expect_refused(trit_matmul_fn fn, const char *name, const char *needle)
{
    trit_kernel k = *scalar_gemm;
    k.fn = fn;
    k.variant = name;
    char msg[512];
    tb_gate_state s = tb_gate_trit_kernel(&k, msg, sizeof msg);
    CHECK(s == TB_GATE_INCORRECT, "%s passed the gate: %s", name, msg);
    CHECK(strstr(msg, "incorrect: max |Δ|") != NULL, "%s: message '%s'", name, msg);
    CHECK(!needle || strstr(msg, needle) != NULL, "%s: message '%s' lacks '%s'", name, msg, needle);
}

int main(void)
{
    size_t n;
    const trit_kernel *ks = trit_kernels(&n);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        char msg[512];
        tb_gate_state s = tb_gate_trit_kernel(&ks[i], msg, sizeof msg);
        CHECK(s != TB_GATE_INCORRECT, "%s/%s/%s: %s", trit_op_name(ks[i].op), trit_format_name(ks[i].format),
              ks[i].variant, msg);
        checked += s == TB_GATE_OK;
    }
    CHECK(checked >= 4, "only %zu kernels ran the gate", checked);
    scalar_gemm = trit_kernel_get(TRIT_OP_GEMM, TRIT_FMT_I2, "scalar");
    CHECK(scalar_gemm != NULL, "no scalar gemm/i2");
    if (scalar_gemm) {
        expect_refused(off_by_one_row5, "row5", "first bad row 5 col 0");
        expect_refused(no_offset, "no_offset", NULL);
        expect_refused(no_tail, "no_tail", "(K=1)");
    }
    if (failures == 0)
        printf("gate: %zu kernels of ours correct, 3 wrong ones refused\n", checked);
    return failures != 0;
}
