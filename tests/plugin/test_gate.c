/* test_gate.c — the correctness gate. Our kernels: every runnable variant passes; a kernel with one
 * wrong accumulator (row 5), one that forgets the Σx offset and one that ignores the K tail are refused
 * with the row named. Plugin kernels (in process, no dlopen): FP32 outputs within the declared tolerance
 * pass, 1 % off is refused, misreported weight bytes are refused, int32 outputs must be exact. */
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
static void off_by_one_row5(const trit_matmul_io *io, void *ws, size_t b, size_t e)
{
    scalar_gemm->matmul(io, ws, b, e);
    if (b <= 5 && 5 < e)
        io->acc[5] += 1;
}

/* Σ c·x without subtracting Σ x: right only when Σ x = 0. */
static void no_offset(const trit_matmul_io *io, void *ws, size_t b, size_t e)
{
    scalar_gemm->matmul(io, ws, b, e);
    const size_t ld = io->w.rows;
    for (size_t n = 0; n < io->x.rows; n++)
        for (size_t m = b; m < e; m++)
            io->acc[n * ld + m] += io->x.q->sum[n];
}

/* Stops at the last whole block of 256: tails lost. */
static void no_tail(const trit_matmul_io *io, void *ws, size_t b, size_t e)
{
    trit_packed cut = *io->w.packed;
    trit_act xc = *io->x.q;
    cut.cols = cut.cols / 256 * 256;
    xc.cols = cut.cols;
    const size_t ld = io->w.rows;
    if (cut.cols == 0) {
        for (size_t n = 0; n < io->x.rows; n++)
            for (size_t m = b; m < e; m++)
                io->acc[n * ld + m] = 0;
        return;
    }
    trit_matmul_io cio = *io;
    cio.w.packed = &cut;
    cio.w.cols = cut.cols;
    cio.x.q = &xc;
    scalar_gemm->matmul(&cio, ws, b, e);
}

static void expect_refused(trit_matmul_fn fn, const char *name, const char *needle)
{
    trit_kernel k = *scalar_gemm;
    k.matmul = fn;
    k.variant = name;
    char msg[512];
    tb_gate_state s = tb_gate_trit_kernel(&k, msg, sizeof msg);
    CHECK(s == TB_GATE_INCORRECT, "%s passed the gate: %s", name, msg);
    CHECK(strstr(msg, "incorrect: max |Δ|") != NULL, "%s: message '%s'", name, msg);
    CHECK(!needle || strstr(msg, needle) != NULL, "%s: message '%s' lacks '%s'", name, msg, needle);
}

/* --- a plugin kernel written here: W kept as int8, outputs from the definition, optionally perturbed --- */

typedef struct fake_w {
    size_t rows, cols, n_scales;
    int8_t *w;
    float *g;
} fake_w;

static size_t lie_bytes; /* added to the reported weight bytes */

static int fake_pack(const tbp_host *host, const tbp_weights *w, void **packed, size_t *weight_bytes)
{
    fake_w *f = host->alloc(host->ctx, sizeof *f, 64);
    if (!f)
        return -1;
    f->rows = w->rows, f->cols = w->cols, f->n_scales = w->n_scales;
    f->w = host->alloc(host->ctx, w->rows * w->cols, 64);
    f->g = host->alloc(host->ctx, w->n_scales * sizeof(float), 64);
    memcpy(f->w, w->w, w->rows * w->cols);
    memcpy(f->g, w->scales, w->n_scales * sizeof(float));
    *packed = f;
    *weight_bytes = sizeof *f + w->rows * w->cols + w->n_scales * sizeof(float) + lie_bytes;
    return 0;
}

static void fake_release(const tbp_host *host, void *packed)
{
    fake_w *f = packed;
    host->free(host->ctx, f->w);
    host->free(host->ctx, f->g);
    host->free(host->ctx, f);
}

static double fp32_error; /* relative perturbation of every FP32 output */

static int fake_fp32(const void *packed, const tbp_act *x, size_t b, size_t e, void *out, size_t ld, void *ws)
{
    (void)ws;
    const fake_w *f = packed;
    for (size_t n = 0; n < x->rows; n++)
        for (size_t m = b; m < e; m++) {
            int64_t a = 0;
            for (size_t k = 0; k < f->cols; k++)
                a += f->w[m * f->cols + k] * x->q[n * x->stride + k];
            const double y = (double)a * f->g[f->n_scales > 1 ? m : 0] / x->scale[n];
            ((float *)out)[n * ld + m] = (float)(y * (1.0 + fp32_error));
        }
    return 0;
}

static tb_gate_state gate_fake(double tolerance, double error, size_t lie, char *msg, size_t len)
{
    tb_plugin_kernel pk;
    memset(&pk, 0, sizeof pk);
    pk.k = (tbp_kernel){.struct_size = sizeof(tbp_kernel), .variant = "fake", .format = "int8",
                        .ops = TBP_OP_GEMV | TBP_OP_GEMM, .result_class = TBP_RESULT_FP32_TOL,
                        .act_input = TBP_ACT_INT8, .tolerance = tolerance, .pack = fake_pack,
                        .release = fake_release, .matmul = fake_fp32};
    snprintf(pk.name, sizeof pk.name, "test:fake");
    fp32_error = error;
    lie_bytes = lie;
    return tb_gate_plugin_kernel(&pk, msg, len);
}

static void plugin_cases(void)
{
    char msg[512];
    CHECK(gate_fake(1e-3, 0.0, 0, msg, sizeof msg) == TB_GATE_OK, "exact FP32 refused: %s", msg);
    CHECK(gate_fake(1e-3, 5e-4, 0, msg, sizeof msg) == TB_GATE_OK, "0.05 %% error, tolerance 0.1 %%: %s", msg);
    CHECK(gate_fake(1e-3, 1e-2, 0, msg, sizeof msg) == TB_GATE_INCORRECT, "1 %% error passed: %s", msg);
    CHECK(strstr(msg, "declared tolerance 0.001") != NULL, "message '%s'", msg);
    CHECK(gate_fake(1e-3, 0.0, 64, msg, sizeof msg) == TB_GATE_INCORRECT, "weight bytes lie passed: %s", msg);
    CHECK(strstr(msg, "allocated") != NULL, "message '%s'", msg);
    CHECK(tb_plugin_host_live_bytes() == 0, "%zu bytes of plugin allocations left", tb_plugin_host_live_bytes());
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
    plugin_cases();
    if (failures == 0)
        printf("gate: %zu kernels of ours correct, 3 wrong ones refused; plugin FP32 tolerance and bytes checked\n",
               checked);
    return failures != 0;
}
