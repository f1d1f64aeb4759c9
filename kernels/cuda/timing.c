/* timing.c — CUDA-event timers, L2 eviction between timed runs, and the device-to-device copy
 * bandwidth that GB/s figures are judged against (measured in the same run, not taken from a datasheet). */
#include <stdlib.h>

#include "kernels/cuda/cuda_internal.h"

int trit_cuda_timer_init(trit_cuda_timer *t)
{
    t->start = t->stop = NULL;
    cudaEvent_t a, b;
    cudaError_t e = cudaEventCreate(&a);
    if (e != cudaSuccess)
        return trit_cuda_fail("cudaEventCreate", e);
    e = cudaEventCreate(&b);
    if (e != cudaSuccess) {
        (void)cudaEventDestroy(a);
        return trit_cuda_fail("cudaEventCreate", e);
    }
    t->start = a;
    t->stop = b;
    return 0;
}

void trit_cuda_timer_free(trit_cuda_timer *t)
{
    if (t->start)
        (void)cudaEventDestroy((cudaEvent_t)t->start);
    if (t->stop)
        (void)cudaEventDestroy((cudaEvent_t)t->stop);
    t->start = t->stop = NULL;
}

int trit_cuda_timer_start(trit_cuda_timer *t, trit_cuda_stream s)
{
    const cudaError_t e = cudaEventRecord((cudaEvent_t)t->start, s);
    return e == cudaSuccess ? 0 : trit_cuda_fail("cudaEventRecord", e);
}

double trit_cuda_timer_stop(trit_cuda_timer *t, trit_cuda_stream s)
{
    cudaError_t e = cudaEventRecord((cudaEvent_t)t->stop, s);
    if (e == cudaSuccess)
        e = cudaEventSynchronize((cudaEvent_t)t->stop);
    float ms = 0.0f;
    if (e == cudaSuccess)
        e = cudaEventElapsedTime(&ms, (cudaEvent_t)t->start, (cudaEvent_t)t->stop);
    if (e != cudaSuccess) {
        trit_cuda_fail("CUDA event timing", e);
        return -1.0;
    }
    return ms * 1e-3;
}

static void *flush_buf;
static size_t flush_bytes;

int trit_cuda_flush_l2(trit_cuda_stream s)
{
    if (!flush_buf) {
        int l2 = 0;
        const cudaError_t e = cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0);
        if (e != cudaSuccess)
            return trit_cuda_fail("cudaDeviceGetAttribute(L2)", e);
        flush_bytes = (size_t)(l2 > 0 ? l2 : 64 << 20) * 2; /* twice the L2: nothing of before survives */
        flush_buf = trit_cuda_malloc(flush_bytes);
        if (!flush_buf)
            return -1;
    }
    const cudaError_t e = cudaMemsetAsync(flush_buf, 0x5a, flush_bytes, s);
    return e == cudaSuccess ? 0 : trit_cuda_fail("cudaMemsetAsync (L2 flush)", e);
}

void trit_cuda_flush_free(void)
{
    trit_cuda_free(flush_buf);
    flush_buf = NULL;
    flush_bytes = 0;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double trit_cuda_copy_gbps(size_t bytes, int reps)
{
    if (reps < 1 || reps > 1000 || bytes == 0)
        return -1.0;
    double *t = malloc((size_t)reps * sizeof *t);
    void *a = trit_cuda_malloc(bytes), *b = trit_cuda_malloc(bytes);
    trit_cuda_timer tm = {0};
    double result = -1.0;
    if (!t || !a || !b || trit_cuda_memset(a, 1, bytes) != 0 || trit_cuda_timer_init(&tm) != 0)
        goto out;
    if (cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, 0) != cudaSuccess) /* warm-up */
        goto out;
    for (int r = 0; r < reps; r++) {
        if (trit_cuda_timer_start(&tm, 0) != 0 ||
            cudaMemcpyAsync((r & 1) ? a : b, (r & 1) ? b : a, bytes, cudaMemcpyDeviceToDevice, 0) != cudaSuccess)
            goto out;
        t[r] = trit_cuda_timer_stop(&tm, 0);
        if (t[r] <= 0)
            goto out;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    result = 2.0 * (double)bytes / t[reps / 2] / 1e9;
out:
    trit_cuda_timer_free(&tm);
    trit_cuda_free(a);
    trit_cuda_free(b);
    free(t);
    return result;
}
