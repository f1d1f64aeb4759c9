/* cases.c — benchmark cases shared by suites/cuda.c, validate/sections/validate_cuda.c and
 * tests/cuda/gpu_bench.c: one implementation of Y = W·X on device-made data, timed with CUDA events. */
#include <stdlib.h>
#include <string.h>

#include "kernels/cuda/cuda_internal.h"

const char *trit_cuda_impl_name(trit_cuda_impl i)
{
    static const char *const names[TRIT_CUDA_IMPL_COUNT] = {"i2", "i2_quant", "cublas_fp32", "cublas_fp16",
                                                            "cublas_bf16"};
    return (unsigned)i < TRIT_CUDA_IMPL_COUNT ? names[i] : "?";
}

static trit_cuda_blas_type blas_type(trit_cuda_impl i)
{
    return i == TRIT_CUDA_IMPL_FP16 ? TRIT_CUDA_FP16 : i == TRIT_CUDA_IMPL_BF16 ? TRIT_CUDA_BF16 : TRIT_CUDA_FP32;
}

static bool is_i2(trit_cuda_impl i) { return i == TRIT_CUDA_IMPL_I2 || i == TRIT_CUDA_IMPL_I2_QUANT; }

/* Per-row γ around 0.02 (trained BitNet layers' mean|W|), varied so a wrong row's scale shows. */
static int set_scales(trit_cuda_weights *w, uint64_t seed)
{
    float *g = malloc(w->rows * sizeof *g);
    if (!g)
        return -1;
    uint64_t s = seed | 1;
    for (size_t m = 0; m < w->rows; m++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift64 */
        g[m] = 0.015f + 0.01f * (float)(s >> 40) / (float)(1 << 24);
    }
    const int r = trit_cuda_upload(w->scales, g, w->rows * sizeof *g);
    free(g);
    return r;
}

int trit_cuda_case_init(trit_cuda_case *c, trit_cuda_impl impl, size_t M, size_t K, size_t N, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->impl = impl;
    c->M = M, c->K = K, c->N = N;
    if ((unsigned)impl >= TRIT_CUDA_IMPL_COUNT || trit_cuda_timer_init(&c->timer) != 0 ||
        trit_cuda_weights_alloc(&c->w, M, K, TRIT_SCALE_ROW) != 0 || trit_cuda_fill_i2(&c->w, seed) != 0 ||
        set_scales(&c->w, seed) != 0 || !(c->X = trit_cuda_malloc(N * K * sizeof(float))) ||
        trit_cuda_fill_normal(c->X, N * K, seed + 1) != 0)
        goto fail;
    c->ops = 2.0 * (double)M * (double)K * (double)N;
    if (is_i2(impl)) {
        if (trit_cuda_act_alloc(&c->x, N, K) != 0 || trit_cuda_quantize(c->X, K, &c->x, NULL) != 0 ||
            !(c->y = trit_cuda_malloc(N * M * sizeof(float))))
            goto fail;
        c->weight_bytes = (double)M * (double)c->w.row_bytes;
        /* the quantizing case reads FP32 activations and writes int8 ones; the other reads int8 */
        const double act = impl == TRIT_CUDA_IMPL_I2_QUANT ? (double)N * (double)K * 5.0 : (double)N * (double)K;
        c->bytes = c->weight_bytes + act + 4.0 * (double)N * (double)M;
    } else {
        const trit_cuda_blas_type t = blas_type(impl);
        const size_t es = t == TRIT_CUDA_FP32 ? 4 : 2;
        c->Wb = trit_cuda_malloc(M * K * es);
        c->Yb = trit_cuda_malloc(N * M * es);
        c->Xb = t == TRIT_CUDA_FP32 ? (void *)c->X : trit_cuda_malloc(N * K * es);
        c->blas = trit_cuda_blas_new(NULL);
        if (!c->Wb || !c->Yb || !c->Xb || !c->blas || trit_cuda_decode_i2(&c->w, t, c->Wb) != 0 ||
            (t != TRIT_CUDA_FP32 && trit_cuda_to_half(c->X, c->Xb, N * K, t == TRIT_CUDA_BF16, NULL) != 0))
            goto fail;
        c->weight_bytes = (double)M * (double)K * (double)es;
        c->bytes = c->weight_bytes + (double)es * ((double)N * (double)K + (double)N * (double)M);
    }
    if (trit_cuda_sync() != 0)
        goto fail;
    return 0;
fail:
    trit_cuda_case_free(c);
    return -1;
}

double trit_cuda_case_run(trit_cuda_case *c, bool flush_l2)
{
    if (flush_l2 && trit_cuda_flush_l2(NULL) != 0)
        return -1.0;
    if (trit_cuda_timer_start(&c->timer, NULL) != 0)
        return -1.0;
    int r;
    if (is_i2(c->impl)) {
        r = c->impl == TRIT_CUDA_IMPL_I2_QUANT ? trit_cuda_quantize(c->X, c->K, &c->x, NULL) : 0;
        if (r == 0)
            r = c->N == 1 ? trit_cuda_gemv_i2(&c->w, &c->x, NULL, c->y, c->M, NULL)
                          : trit_cuda_gemm_i2(&c->w, &c->x, NULL, c->y, c->M, NULL);
    } else {
        r = trit_cuda_blas_gemm(c->blas, blas_type(c->impl), c->Wb, c->Xb, c->Yb, c->M, c->K, c->N);
    }
    const double t = trit_cuda_timer_stop(&c->timer, NULL);
    return r == 0 ? t : -1.0;
}

int trit_cuda_case_output(const trit_cuda_case *c, float *y_host)
{
    const size_t n = c->N * c->M;
    if (is_i2(c->impl))
        return trit_cuda_download(y_host, c->y, n * sizeof(float));
    const trit_cuda_blas_type t = blas_type(c->impl);
    if (t == TRIT_CUDA_FP32)
        return trit_cuda_download(y_host, c->Yb, n * sizeof(float));
    /* widen on the host: 2-byte FP16/BF16 → FP32 */
    uint16_t *h = malloc(n * sizeof *h);
    if (!h || trit_cuda_download(h, c->Yb, n * sizeof *h) != 0) {
        free(h);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        if (t == TRIT_CUDA_BF16) {
            bits = (uint32_t)h[i] << 16;
        } else { /* IEEE binary16 */
            const uint32_t sign = (uint32_t)(h[i] & 0x8000u) << 16, e = (h[i] >> 10) & 0x1fu, f = h[i] & 0x3ffu;
            if (e == 0x1f) {
                bits = sign | 0x7f800000u | (f << 13);
            } else if (e != 0) {
                bits = sign | ((e + 112u) << 23) | (f << 13);
            } else if (f == 0) {
                bits = sign;
            } else { /* subnormal: normalize */
                uint32_t ee = 113, ff = f;
                while (!(ff & 0x400u) && ee > 0)
                    ff <<= 1, ee--;
                bits = sign | (ee << 23) | ((ff & 0x3ffu) << 13);
            }
        }
        memcpy(&y_host[i], &bits, sizeof bits);
    }
    free(h);
    return 0;
}

void trit_cuda_case_free(trit_cuda_case *c)
{
    if (c->Xb && c->Xb != (void *)c->X)
        trit_cuda_free(c->Xb);
    trit_cuda_free(c->Wb);
    trit_cuda_free(c->Yb);
    trit_cuda_free(c->X);
    trit_cuda_free(c->y);
    trit_cuda_blas_free(c->blas);
    trit_cuda_act_free(&c->x);
    trit_cuda_weights_free(&c->w);
    trit_cuda_timer_free(&c->timer);
    memset(c, 0, sizeof *c);
}
