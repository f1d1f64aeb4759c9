/* device.c — the CUDA variant's host side: device detection, device buffers for packed weights and
 * activations, argument checks before each launch, and CUDA-event timing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cuda/cuda_internal.h"

/* Defaults chosen from the H100 timings in kernels/cuda/NOTES.md; the environment overrides them for
 * tuning runs (tests/cuda/gpu_bench.c sweeps them). */
#define TRIT_CUDA_DEFAULT_GEMM_TILE 0 /* automatic: by the grid size (i2_gemm.cu) */
#define TRIT_CUDA_DEFAULT_GEMV_ROWS 4

static _Thread_local char last_error[256];

int trit_cuda_fail(const char *what, cudaError_t e)
{
    snprintf(last_error, sizeof last_error, "%s: %s", what, cudaGetErrorString(e));
    return -1;
}

int trit_cuda_check_launch(const char *kernel)
{
    const cudaError_t e = cudaGetLastError();
    return e == cudaSuccess ? 0 : trit_cuda_fail(kernel, e);
}

const char *trit_cuda_last_error(void) { return last_error; }

int trit_cuda_gemm_stages(void)
{
    const char *v = getenv("TRIT_CUDA_GEMM_STAGES");
    if (v && (strcmp(v, "2") == 0 || strcmp(v, "4") == 0))
        return v[0] - '0';
    return 3;
}

int trit_cuda_gemm_tile(void)
{
    const char *v = getenv("TRIT_CUDA_GEMM_TILE");
    if (v && strcmp(v, "128") == 0)
        return 128;
    if (v && strcmp(v, "256") == 0)
        return 256;
    return TRIT_CUDA_DEFAULT_GEMM_TILE;
}

int trit_cuda_gemv_rows(void)
{
    const char *v = getenv("TRIT_CUDA_GEMV_ROWS");
    if (v && (strcmp(v, "1") == 0 || strcmp(v, "2") == 0 || strcmp(v, "4") == 0 || strcmp(v, "8") == 0))
        return v[0] - '0';
    return TRIT_CUDA_DEFAULT_GEMV_ROWS;
}

bool trit_cuda_available(char *why, size_t why_len)
{
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n < 1) {
        if (why && why_len)
            snprintf(why, why_len, "no CUDA device: %s",
                     e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount returned 0 devices");
        return false;
    }
    struct cudaDeviceProp p;
    const cudaError_t e2 = cudaGetDeviceProperties(&p, 0);
    if (e2 != cudaSuccess) {
        if (why && why_len)
            snprintf(why, why_len, "no CUDA device: %s", cudaGetErrorString(e2));
        return false;
    }
    if (p.major < 8) { /* the GEMM needs the sm_80 int8 MMA; only sm_80/sm_90 code is built */
        if (why && why_len)
            snprintf(why, why_len, "CUDA device %s is sm_%d%d; the cuda variant needs sm_80 or newer", p.name,
                     p.major, p.minor);
        return false;
    }
    return true;
}

int trit_cuda_get_info(trit_cuda_info *info)
{
    memset(info, 0, sizeof *info);
    struct cudaDeviceProp p;
    const cudaError_t e = cudaGetDeviceProperties(&p, 0);
    if (e != cudaSuccess)
        return trit_cuda_fail("cudaGetDeviceProperties", e);
    snprintf(info->name, sizeof info->name, "%s", p.name);
    info->sm_major = p.major;
    info->sm_minor = p.minor;
    info->multiprocessors = p.multiProcessorCount;
    info->l2_bytes = (size_t)p.l2CacheSize;
    info->global_mem_bytes = p.totalGlobalMem;
    if (cudaDriverGetVersion(&info->driver_version) != cudaSuccess)
        info->driver_version = 0;
    if (cudaRuntimeGetVersion(&info->runtime_version) != cudaSuccess)
        info->runtime_version = 0;
    return 0;
}

void *trit_cuda_malloc(size_t bytes)
{
    void *p = NULL;
    const cudaError_t e = cudaMalloc(&p, bytes ? bytes : 1);
    if (e != cudaSuccess) {
        trit_cuda_fail("cudaMalloc", e);
        return NULL;
    }
    return p;
}

void trit_cuda_free(void *p)
{
    if (p)
        (void)cudaFree(p);
}

int trit_cuda_upload(void *dst, const void *src, size_t bytes)
{
    const cudaError_t e = cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice);
    return e == cudaSuccess ? 0 : trit_cuda_fail("cudaMemcpy host→device", e);
}

int trit_cuda_download(void *dst, const void *src, size_t bytes)
{
    const cudaError_t e = cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost);
    return e == cudaSuccess ? 0 : trit_cuda_fail("cudaMemcpy device→host", e);
}

int trit_cuda_memset(void *dst, int value, size_t bytes)
{
    const cudaError_t e = cudaMemset(dst, value, bytes);
    return e == cudaSuccess ? 0 : trit_cuda_fail("cudaMemset", e);
}

int trit_cuda_sync(void)
{
    const cudaError_t e = cudaDeviceSynchronize();
    return e == cudaSuccess ? 0 : trit_cuda_fail("cudaDeviceSynchronize", e);
}

int trit_cuda_weights_upload(trit_cuda_weights *dw, const trit_packed *w, size_t m_begin, size_t m_end)
{
    memset(dw, 0, sizeof *dw);
    if (!w || w->format != TRIT_FMT_I2 || m_begin > m_end || m_end > w->rows || !w->codes || !w->scales ||
        w->row_bytes < w->cols_padded / 4 || w->cols_padded % TRIT_I2_BLOCK != 0 || w->row_bytes % 16 != 0) {
        snprintf(last_error, sizeof last_error, "weights upload: not an I2 matrix or bad row range");
        return -1;
    }
    const size_t rows = m_end - m_begin;
    const bool per_row = w->granularity == TRIT_SCALE_ROW;
    const size_t n_scales = per_row ? rows : 1;
    dw->rows = rows;
    dw->cols = w->cols;
    dw->cols_padded = w->cols_padded;
    dw->row_bytes = w->row_bytes;
    dw->granularity = w->granularity;
    dw->codes = trit_cuda_malloc(rows * w->row_bytes);
    dw->scales = trit_cuda_malloc(n_scales * sizeof(float));
    if (!dw->codes || !dw->scales ||
        trit_cuda_upload(dw->codes, w->codes + m_begin * w->row_bytes, rows * w->row_bytes) != 0 ||
        trit_cuda_upload(dw->scales, w->scales + (per_row ? m_begin : 0), n_scales * sizeof(float)) != 0) {
        trit_cuda_weights_free(dw);
        return -1;
    }
    return 0;
}

int trit_cuda_weights_alloc(trit_cuda_weights *dw, size_t rows, size_t cols, trit_granularity g)
{
    memset(dw, 0, sizeof *dw);
    const size_t blocks = (cols + TRIT_I2_BLOCK - 1) / TRIT_I2_BLOCK;
    if (rows == 0 || cols == 0 || blocks > SIZE_MAX / TRIT_BLOCK_BYTES / rows) {
        snprintf(last_error, sizeof last_error, "weights alloc: bad shape %zu x %zu", rows, cols);
        return -1;
    }
    dw->rows = rows;
    dw->cols = cols;
    dw->cols_padded = blocks * TRIT_I2_BLOCK;
    dw->row_bytes = blocks * TRIT_BLOCK_BYTES;
    dw->granularity = g;
    dw->codes = trit_cuda_malloc(rows * dw->row_bytes);
    dw->scales = trit_cuda_malloc((g == TRIT_SCALE_ROW ? rows : 1) * sizeof(float));
    if (!dw->codes || !dw->scales) {
        trit_cuda_weights_free(dw);
        return -1;
    }
    return 0;
}

void trit_cuda_weights_free(trit_cuda_weights *dw)
{
    trit_cuda_free(dw->codes);
    trit_cuda_free(dw->scales);
    memset(dw, 0, sizeof *dw);
}

int trit_cuda_act_alloc(trit_cuda_act *a, size_t rows, size_t cols)
{
    memset(a, 0, sizeof *a);
    const size_t stride = (cols + TRIT_ACT_K_ALIGN - 1) / TRIT_ACT_K_ALIGN * TRIT_ACT_K_ALIGN;
    if (cols == 0 || rows == 0 || stride < cols || rows > SIZE_MAX / stride) {
        snprintf(last_error, sizeof last_error, "activation alloc: bad shape %zu x %zu", rows, cols);
        return -1;
    }
    a->rows = rows;
    a->cols = cols;
    a->stride = stride;
    a->q = trit_cuda_malloc(rows * stride);
    a->scale = trit_cuda_malloc(rows * sizeof(float));
    a->sum = trit_cuda_malloc(rows * sizeof(int32_t));
    a->error = trit_cuda_malloc(sizeof(int));
    if (!a->q || !a->scale || !a->sum || !a->error || trit_cuda_memset(a->q, 0, rows * stride) != 0 ||
        trit_cuda_memset(a->error, 0, sizeof(int)) != 0) {
        trit_cuda_act_free(a);
        return -1;
    }
    return 0;
}

void trit_cuda_act_free(trit_cuda_act *a)
{
    trit_cuda_free(a->q);
    trit_cuda_free(a->scale);
    trit_cuda_free(a->sum);
    trit_cuda_free(a->error);
    memset(a, 0, sizeof *a);
}

int trit_cuda_act_upload(trit_cuda_act *a, const trit_act *x)
{
    if (x->rows != a->rows || x->cols != a->cols || x->stride != a->stride) {
        snprintf(last_error, sizeof last_error, "activation upload: shape mismatch");
        return -1;
    }
    if (trit_cuda_upload(a->q, x->q, x->rows * x->stride) != 0 ||
        trit_cuda_upload(a->scale, x->scale, x->rows * sizeof(float)) != 0 ||
        trit_cuda_upload(a->sum, x->sum, x->rows * sizeof(int32_t)) != 0)
        return -1;
    return 0;
}

int trit_cuda_act_download(trit_act *x, const trit_cuda_act *a)
{
    if (x->rows != a->rows || x->cols != a->cols || x->stride != a->stride) {
        snprintf(last_error, sizeof last_error, "activation download: shape mismatch");
        return -1;
    }
    if (trit_cuda_download(x->q, a->q, x->rows * x->stride) != 0 ||
        trit_cuda_download(x->scale, a->scale, x->rows * sizeof(float)) != 0 ||
        trit_cuda_download(x->sum, a->sum, x->rows * sizeof(int32_t)) != 0)
        return -1;
    return 0;
}

int trit_cuda_quantize(const float *X, size_t ld_x, trit_cuda_act *a, trit_cuda_stream s)
{
    if (!X || !a || !a->q || ld_x < a->cols) {
        snprintf(last_error, sizeof last_error, "quantize: bad arguments");
        return -1;
    }
    return trit_cuda_launch_quantize(X, ld_x, a, s);
}

int trit_cuda_act_check(const trit_cuda_act *a)
{
    int flag = 0;
    if (trit_cuda_download(&flag, a->error, sizeof flag) != 0)
        return -1;
    if (flag) {
        snprintf(last_error, sizeof last_error, "quantize: non-finite activation");
        return -1;
    }
    return 0;
}

static int check_shapes(const char *op, const trit_cuda_weights *w, const trit_cuda_act *x, const void *acc,
                        const void *y, size_t ld)
{
    if (!w || !x || !w->codes || !x->q || (!acc && !y) || w->cols != x->cols || x->stride < w->cols_padded ||
        x->stride % 16 != 0 || ld < w->rows) {
        snprintf(last_error, sizeof last_error, "%s: shape mismatch (weights %zu x %zu, activations %zu x %zu)", op,
                 w ? w->rows : 0, w ? w->cols : 0, x ? x->rows : 0, x ? x->cols : 0);
        return -1;
    }
    return 0;
}

int trit_cuda_gemv_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y, size_t ld,
                      trit_cuda_stream s)
{
    if (check_shapes("gemv", w, x, acc, y, ld) != 0)
        return -1;
    if (x->rows != 1) {
        snprintf(last_error, sizeof last_error, "gemv: %zu activation rows (needs 1)", x->rows);
        return -1;
    }
    return w->rows ? trit_cuda_launch_gemv_i2(w, x, acc, y, s) : 0;
}

int trit_cuda_gemm_i2(const trit_cuda_weights *w, const trit_cuda_act *x, int32_t *acc, float *y, size_t ld,
                      trit_cuda_stream s)
{
    if (check_shapes("gemm", w, x, acc, y, ld) != 0)
        return -1;
    return w->rows && x->rows ? trit_cuda_launch_gemm_i2(w, x, acc, y, ld, s) : 0;
}

int trit_cuda_to_half(const float *src, void *dst, size_t n, bool bf16, trit_cuda_stream s)
{
    return trit_cuda_launch_to_half(src, dst, n, bf16, s);
}
