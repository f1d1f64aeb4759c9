/* tq2_0_blocks.c — a kernel plugin with a third-party-style layout: 256-weight blocks carrying their own
 * FP16 scale, laid out as ggml's TQ2_0 is described (written from the format's description):
 *
 *   block (66 bytes) = qs[64] (2-bit codes c = w + 1) followed by d (IEEE FP16, the block's scale γ);
 *   qs holds two 128-weight halves of 32 bytes; in half h, byte m (0..31) holds the code of weight
 *   k = 128·h + 32·l + m of the block in bits [2l, 2l+1], l = 0..3.
 *   A row of K weights is ceil(K/256) consecutive blocks (padding weights 0); rows follow one another.
 *
 * Because γ lives in each block as FP16, the kernel returns FP32 outputs y = Σ_b d_b·(Σ c·q − Σ q)/s
 * (the tolerance class): FP16 rounds γ to 11 significant bits (relative error ≤ 2^-11 ≈ 4.9e-4), so
 * |y − y_ref| ≤ 4.9e-4·|y_ref| ≤ 4.9e-4·Σ|w·x|, and the declared tolerance is 1e-3. Two kernels:
 *   "scalar"      reads tritbench's int8 activations (q, s, Σq; quantized outside timing);
 *   "scalar_f32"  reads the FP32 activations and quantizes them itself, per row, into its workspace
 *                 (absmax, round half to even; timed), as a kernel with its own activation format would.
 *
 *     cc -O2 -shared -fPIC -o tq2_0_blocks.so tq2_0_blocks.c $(pkg-config --cflags tritbench)
 *     tritbench run --plugin ./tq2_0_blocks.so --formats=tq2_0 --quick */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <tritbench/plugin.h>

#define QK 256
#define BLOCK_BYTES 66 /* 64 code bytes + 2 bytes of FP16 scale */

/* float → IEEE half, round to nearest even (normal and subnormal results; γ is never huge). */
static uint16_t to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const int exp = (int)((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffffu;
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00u); /* too large: infinity */
    if (exp <= 0) {                        /* subnormal half, or zero */
        if (exp < -10)
            return (uint16_t)sign;
        mant |= 0x800000u;
        const unsigned shift = (unsigned)(14 - exp);
        uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1)))
            h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((uint32_t)exp << 10) | (mant >> 13), rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1)))
        h++; /* may carry into the exponent: still the right rounding */
    return (uint16_t)(sign | h);
}

static float from_half(uint16_t h)
{
    const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v = exp == 0 ? ldexpf((float)mant, -24) : ldexpf((float)(mant | 0x400), exp - 25);
    return (h & 0x8000u) ? -v : v;
}

typedef struct tq2_matrix {
    size_t rows, cols, blocks_per_row;
    uint8_t *data; /* rows × blocks_per_row × 66 bytes */
} tq2_matrix;

static int tq2_pack(const tbp_host *host, const tbp_weights *w, void **packed, size_t *weight_bytes)
{
    const size_t nb = (w->cols + QK - 1) / QK, bytes = w->rows * nb * BLOCK_BYTES;
    tq2_matrix *mt = host->alloc(host->ctx, sizeof *mt, 64);
    if (!mt)
        return -1;
    mt->data = host->alloc(host->ctx, bytes, 64);
    if (!mt->data) {
        host->free(host->ctx, mt);
        return -1;
    }
    mt->rows = w->rows;
    mt->cols = w->cols;
    mt->blocks_per_row = nb;
    for (size_t m = 0; m < w->rows; m++) {
        const uint16_t d = to_half(w->scales[w->n_scales > 1 ? m : 0]);
        for (size_t b = 0; b < nb; b++) {
            uint8_t *blk = mt->data + (m * nb + b) * BLOCK_BYTES;
            memset(blk, 0, 64);
            for (size_t i = 0; i < QK; i++) {
                const size_t k = b * QK + i;
                const unsigned code = k < w->cols ? (unsigned)(w->w[m * w->cols + k] + 1) : 1u;
                const size_t h = i / 128, l = (i % 128) / 32, j = i % 32;
                blk[32 * h + j] |= (uint8_t)(code << (2 * l));
            }
            memcpy(blk + 64, &d, 2); /* little-endian FP16, as ggml stores it on x86/ARM */
        }
    }
    *packed = mt;
    *weight_bytes = sizeof *mt + bytes;
    return 0;
}

static void tq2_release(const tbp_host *host, void *packed)
{
    tq2_matrix *mt = packed;
    host->free(host->ctx, mt->data);
    host->free(host->ctx, mt);
}

/* The block sums of one row of int8 activations against row m of the matrix, scaled by d. */
static float tq2_row(const tq2_matrix *mt, size_t m, const int8_t *q)
{
    float total = 0.0f;
    for (size_t b = 0; b < mt->blocks_per_row; b++) {
        const uint8_t *blk = mt->data + (m * mt->blocks_per_row + b) * BLOCK_BYTES;
        const size_t k0 = b * QK, kn = mt->cols - k0 < QK ? mt->cols - k0 : QK;
        int32_t cq = 0, sq = 0; /* Σ c·q and Σ q over the block */
        for (size_t i = 0; i < kn; i++) {
            const int c = (blk[32 * (i / 128) + i % 32] >> (2 * ((i % 128) / 32))) & 3;
            cq += c * q[k0 + i];
            sq += q[k0 + i];
        }
        uint16_t d;
        memcpy(&d, blk + 64, 2);
        total += from_half(d) * (float)(cq - sq);
    }
    return total;
}

static int tq2_matmul(const void *packed, const tbp_act *x, size_t m_begin, size_t m_end, void *out, size_t ld_out,
                      void *workspace)
{
    (void)workspace;
    const tq2_matrix *mt = packed;
    float *y = out;
    for (size_t n = 0; n < x->rows; n++)
        for (size_t m = m_begin; m < m_end; m++)
            y[n * ld_out + m] = tq2_row(mt, m, x->q + n * x->stride) / x->scale[n];
    return 0;
}

/* Workspace: one row of int8 codes per activation row. */
static size_t tq2_f32_workspace(size_t M, size_t K, size_t N)
{
    (void)M;
    return N * K;
}

static int tq2_f32_matmul(const void *packed, const tbp_act *x, size_t m_begin, size_t m_end, void *out,
                          size_t ld_out, void *workspace)
{
    const tq2_matrix *mt = packed;
    int8_t *q = workspace;
    float *y = out;
    for (size_t n = 0; n < x->rows; n++) {
        const float *xr = x->x + n * x->cols;
        float amax = 1e-5f;
        for (size_t k = 0; k < x->cols; k++)
            amax = fabsf(xr[k]) > amax ? fabsf(xr[k]) : amax;
        const float s = 127.0f / amax;
        for (size_t k = 0; k < x->cols; k++) {
            float v = nearbyintf(xr[k] * s);
            q[n * x->cols + k] = (int8_t)(v > 127.0f ? 127.0f : v < -128.0f ? -128.0f : v);
        }
        for (size_t m = m_begin; m < m_end; m++)
            y[n * ld_out + m] = tq2_row(mt, m, q + n * x->cols) / s;
    }
    return 0;
}

static const tbp_kernel kernels[] = {{
    .struct_size = sizeof(tbp_kernel),
    .variant = "scalar",
    .format = "tq2_0",
    .ops = TBP_OP_GEMV | TBP_OP_GEMM,
    .result_class = TBP_RESULT_FP32_TOL,
    .act_input = TBP_ACT_INT8,
    .tolerance = 1e-3,
    .pack = tq2_pack,
    .release = tq2_release,
    .matmul = tq2_matmul,
}, {
    .struct_size = sizeof(tbp_kernel),
    .variant = "scalar_f32",
    .format = "tq2_0",
    .ops = TBP_OP_GEMV | TBP_OP_GEMM,
    .result_class = TBP_RESULT_FP32_TOL,
    .act_input = TBP_ACT_FP32,
    .tolerance = 1e-3,
    .pack = tq2_pack,
    .release = tq2_release,
    .workspace_bytes = tq2_f32_workspace,
    .matmul = tq2_f32_matmul,
}};

static const tbp_plugin plugin = {
    .struct_size = sizeof(tbp_plugin),
    .abi_major = TRITBENCH_PLUGIN_ABI_MAJOR,
    .abi_minor = TRITBENCH_PLUGIN_ABI_MINOR,
    .name = "example_tq2",
    .version = "1.0",
    .kernel_size = sizeof(tbp_kernel),
    .n_kernels = sizeof kernels / sizeof kernels[0],
    .kernels = kernels,
};

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    return host->abi_major == TRITBENCH_PLUGIN_ABI_MAJOR ? &plugin : NULL;
}
