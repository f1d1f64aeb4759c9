/* i2_minimal.c — the smallest useful tritbench kernel plugin: tritbench's own I2 layout, scalar C,
 * exact int32 accumulators. Read this first; tq2_0_blocks.c shows a foreign layout with FP32 outputs.
 *
 * Build against an installed tritbench (the ABI is one header; nothing to link):
 *     cc -O2 -shared -fPIC -o i2_minimal.so i2_minimal.c $(pkg-config --cflags tritbench)
 *     tritbench run --plugin ./i2_minimal.so --benchmark_filter=example_i2 --quick
 *
 * I2 (tritbench's formats.h): 2-bit codes c = w + 1, rows of 64-byte blocks of 256 weights; byte j of
 * block b holds the codes of k = 256·b + j + 64·i in bits [2i, 2i+1], i = 0..3. Padding weights are 0. */
#include <stdint.h>
#include <string.h>

#include <tritbench/plugin.h>

typedef struct i2_matrix {
    size_t rows, cols, row_bytes, n_scales;
    uint8_t *codes; /* rows × row_bytes */
    float *scales;  /* kept for completeness: an int32 kernel does not need γ */
} i2_matrix;

static int i2_pack(const tbp_host *host, const tbp_weights *w, void **packed, size_t *weight_bytes)
{
    const size_t blocks = (w->cols + 255) / 256, row_bytes = blocks * 64;
    i2_matrix *mt = host->alloc(host->ctx, sizeof *mt, 64);
    if (!mt)
        return -1;
    mt->rows = w->rows;
    mt->cols = w->cols;
    mt->row_bytes = row_bytes;
    mt->n_scales = w->n_scales;
    mt->codes = host->alloc(host->ctx, w->rows * row_bytes, 64);
    mt->scales = host->alloc(host->ctx, w->n_scales * sizeof(float), 64);
    if (!mt->codes || !mt->scales) {
        host->free(host->ctx, mt->codes);
        host->free(host->ctx, mt->scales);
        host->free(host->ctx, mt);
        return -1;
    }
    memcpy(mt->scales, w->scales, w->n_scales * sizeof(float));
    memset(mt->codes, 0x55, w->rows * row_bytes); /* code 1 (w = 0) in every 2-bit field: padding */
    for (size_t m = 0; m < w->rows; m++)
        for (size_t k = 0; k < w->cols; k++) {
            uint8_t *byte = mt->codes + m * row_bytes + (k / 256) * 64 + (k % 64);
            const unsigned shift = 2u * (unsigned)((k % 256) / 64);
            const unsigned code = (unsigned)(w->w[m * w->cols + k] + 1);
            *byte = (uint8_t)((*byte & ~(3u << shift)) | (code << shift));
        }
    *packed = mt;
    *weight_bytes = sizeof *mt + w->rows * row_bytes + w->n_scales * sizeof(float);
    return 0;
}

static void i2_release(const tbp_host *host, void *packed)
{
    i2_matrix *mt = packed;
    host->free(host->ctx, mt->codes);
    host->free(host->ctx, mt->scales);
    host->free(host->ctx, mt);
}

/* acc[n·ld + m] = Σ_k w[m,k]·q[n,k], computed as Σ c·q − Σ q (the I2 offset trick). */
static int i2_matmul(const void *packed, const tbp_act *x, size_t m_begin, size_t m_end, void *out, size_t ld_out,
                     void *workspace)
{
    (void)workspace;
    const i2_matrix *mt = packed;
    int32_t *acc = out;
    for (size_t n = 0; n < x->rows; n++) {
        const int8_t *q = x->q + n * x->stride;
        for (size_t m = m_begin; m < m_end; m++) {
            const uint8_t *row = mt->codes + m * mt->row_bytes;
            int32_t sum = 0;
            for (size_t k = 0; k < mt->cols; k++)
                sum += (int32_t)((row[(k / 256) * 64 + k % 64] >> (2 * ((k % 256) / 64))) & 3) * q[k];
            acc[n * ld_out + m] = sum - x->sum[n];
        }
    }
    return 0;
}

static const tbp_kernel kernels[] = {{
    .struct_size = sizeof(tbp_kernel),
    .variant = "scalar",
    .format = "i2",
    .ops = TBP_OP_GEMV | TBP_OP_GEMM,
    .result_class = TBP_RESULT_INT32_EXACT,
    .act_input = TBP_ACT_INT8,
    .pack = i2_pack,
    .release = i2_release,
    .matmul = i2_matmul,
}};

static const tbp_plugin plugin = {
    .struct_size = sizeof(tbp_plugin),
    .abi_major = TRITBENCH_PLUGIN_ABI_MAJOR,
    .abi_minor = TRITBENCH_PLUGIN_ABI_MINOR,
    .name = "example_i2",
    .version = "1.0",
    .kernel_size = sizeof(tbp_kernel),
    .n_kernels = sizeof kernels / sizeof kernels[0],
    .kernels = kernels,
};

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    return host->abi_major == TRITBENCH_PLUGIN_ABI_MAJOR ? &plugin : NULL;
}
