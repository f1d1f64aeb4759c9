/* gpu_bench.c — the CUDA figures in one run, for tools/gpu-check.sh on a GPU machine (not a meson
 * test: it times things). Device-to-device copy bandwidth, then GEMV and GEMM per implementation
 * (ternary I2 kernels and cuBLAS FP32/FP16/BF16 on the same matrix), medians of CUDA-event timings
 * with the L2 evicted before each launch, and the output error of each against cuBLAS FP32.
 * Usage: gpu_bench [--quick] [--reps N]. Exit 0, 1 on a CUDA failure, 2 on usage, 77 without a device. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cuda/trit_cuda.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct result {
    double median, min, max; /* seconds */
    double bytes, ops;
    double nmse; /* vs cuBLAS FP32 on the same inputs; NAN when not measured */
} result;

/* Median of `reps` timed launches after 3 untimed ones. 0 or -1. */
static int time_case(trit_cuda_case *c, int reps, result *r)
{
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t)
        return -1;
    for (int i = 0; i < 3; i++)
        if (trit_cuda_case_run(c, true) < 0) {
            free(t);
            return -1;
        }
    for (int i = 0; i < reps; i++)
        if ((t[i] = trit_cuda_case_run(c, true)) < 0) {
            free(t);
            return -1;
        }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    r->median = t[reps / 2];
    r->min = t[0];
    r->max = t[reps - 1];
    r->bytes = c->bytes;
    r->ops = c->ops;
    free(t);
    return 0;
}

static double nmse(const float *y, const float *ref, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)y[i] - (double)ref[i];
        num += d * d;
        den += (double)ref[i] * ref[i];
    }
    return den > 0 ? num / den : NAN;
}

/* All implementations of one shape; fills res[impl]. 0 or -1. */
static int run_shape(size_t M, size_t K, size_t N, int reps, result res[TRIT_CUDA_IMPL_COUNT])
{
    float *ref = malloc(M * N * sizeof *ref), *y = malloc(M * N * sizeof *y);
    if (!ref || !y)
        return -1;
    const trit_cuda_impl order[TRIT_CUDA_IMPL_COUNT] = {TRIT_CUDA_IMPL_FP32, TRIT_CUDA_IMPL_FP16, TRIT_CUDA_IMPL_BF16,
                                                        TRIT_CUDA_IMPL_I2, TRIT_CUDA_IMPL_I2_QUANT};
    int rc = 0;
    for (int o = 0; o < TRIT_CUDA_IMPL_COUNT && rc == 0; o++) {
        const trit_cuda_impl impl = order[o];
        trit_cuda_case c;
        if (trit_cuda_case_init(&c, impl, M, K, N, 42) != 0) {
            fprintf(stderr, "gpu_bench: %s %zux%zu N=%zu setup: %s\n", trit_cuda_impl_name(impl), M, K, N,
                    trit_cuda_last_error());
            rc = -1;
            break;
        }
        if (time_case(&c, reps, &res[impl]) != 0 ||
            trit_cuda_case_output(&c, impl == TRIT_CUDA_IMPL_FP32 ? ref : y) != 0) {
            fprintf(stderr, "gpu_bench: %s %zux%zu N=%zu: %s\n", trit_cuda_impl_name(impl), M, K, N,
                    trit_cuda_last_error());
            rc = -1;
        }
        res[impl].nmse = impl == TRIT_CUDA_IMPL_FP32 ? 0.0 : nmse(y, ref, M * N);
        trit_cuda_case_free(&c);
    }
    free(ref);
    free(y);
    return rc;
}

static void print_shape(const char *op, size_t M, size_t K, size_t N, const result res[TRIT_CUDA_IMPL_COUNT],
                        double copy_gbps)
{
    for (int i = 0; i < TRIT_CUDA_IMPL_COUNT; i++) {
        const result *r = &res[i];
        const double gbps = r->bytes / r->median / 1e9;
        printf("%-4s %6zux%-6zu N=%-4zu %-12s median %9.2f us  [min %9.2f max %9.2f]  %7.1f GB/s (%5.1f%% of copy)"
               "  %8.1f TOPS  x%5.2f vs fp32  x%5.2f vs fp16  x%5.2f vs bf16  nmse %.2e\n",
               op, M, K, N, trit_cuda_impl_name((trit_cuda_impl)i), r->median * 1e6, r->min * 1e6, r->max * 1e6,
               gbps, 100.0 * gbps / copy_gbps, r->ops / r->median / 1e12,
               res[TRIT_CUDA_IMPL_FP32].median / r->median, res[TRIT_CUDA_IMPL_FP16].median / r->median,
               res[TRIT_CUDA_IMPL_BF16].median / r->median, r->nmse);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    bool quick = false;
    int reps = 30;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = true;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc && atoi(argv[i + 1]) >= 1 && atoi(argv[i + 1]) <= 1000)
            reps = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: gpu_bench [--quick] [--reps N (1..1000)]\n");
            return 2;
        }
    }
    char why[256];
    if (!trit_cuda_available(why, sizeof why)) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    trit_cuda_info info;
    if (trit_cuda_get_info(&info) != 0)
        return 1;
    printf("device: %s, sm_%d%d, %d SMs, L2 %.1f MB, %.1f GiB, driver %d, runtime %d\n", info.name, info.sm_major,
           info.sm_minor, info.multiprocessors, info.l2_bytes / 1e6, info.global_mem_bytes / 1073741824.0,
           info.driver_version, info.runtime_version);
    const double copy = trit_cuda_copy_gbps((size_t)1 << 30, 20);
    if (copy <= 0) {
        fprintf(stderr, "gpu_bench: copy bandwidth: %s\n", trit_cuda_last_error());
        return 1;
    }
    printf("device-to-device copy: %.1f GB/s (read + write, 1 GiB, median of 20)\n", copy);

    static const size_t gemv_shapes[][2] = {{45568, 8192}, {6912, 2560}, {2560, 6912}, {14336, 4096}};
    static const size_t gemm_shapes[][3] = {{45568, 8192, 512}, {14336, 4096, 512}, {6912, 2560, 512},
                                            {14336, 4096, 128}};
    const size_t n_gemv = quick ? 1 : 4, n_gemm = quick ? 1 : 4;
    result res[TRIT_CUDA_IMPL_COUNT];
    int rc = 0;
    for (size_t s = 0; s < n_gemv && rc == 0; s++) {
        memset(res, 0, sizeof res);
        rc = run_shape(gemv_shapes[s][0], gemv_shapes[s][1], 1, reps, res);
        if (rc == 0)
            print_shape("gemv", gemv_shapes[s][0], gemv_shapes[s][1], 1, res, copy);
    }
    for (size_t s = 0; s < n_gemm && rc == 0; s++) {
        memset(res, 0, sizeof res);
        rc = run_shape(gemm_shapes[s][0], gemm_shapes[s][1], gemm_shapes[s][2], reps / 3 + 3, res);
        if (rc == 0)
            print_shape("gemm", gemm_shapes[s][0], gemm_shapes[s][1], gemm_shapes[s][2], res, copy);
    }
    /* Kernel configurations (TRIT_CUDA_GEMV_ROWS, TRIT_CUDA_GEMM_TILE / _STAGES), i2 only, issue shapes. */
    static const struct {
        const char *var, *value;
        size_t N;
    } sweeps[] = {{"TRIT_CUDA_GEMV_ROWS", "1", 1},  {"TRIT_CUDA_GEMV_ROWS", "2", 1},  {"TRIT_CUDA_GEMV_ROWS", "4", 1},
                  {"TRIT_CUDA_GEMV_ROWS", "8", 1},  {"TRIT_CUDA_GEMM_TILE", "256", 512}, {"TRIT_CUDA_GEMM_TILE", "256", 128},
                  {"TRIT_CUDA_GEMM_TILE", "128", 128},
                  {"TRIT_CUDA_GEMM_TILE", "128", 512}, {"TRIT_CUDA_GEMM_STAGES", "2", 512},
                  {"TRIT_CUDA_GEMM_STAGES", "4", 512}};
    for (size_t i = 0; i < sizeof sweeps / sizeof sweeps[0] && rc == 0 && !quick; i++) {
        setenv(sweeps[i].var, sweeps[i].value, 1);
        if (strcmp(sweeps[i].var, "TRIT_CUDA_GEMM_STAGES") == 0)
            setenv("TRIT_CUDA_GEMM_TILE", "128", 1); /* stages apply to the 128 tile */
        trit_cuda_case c;
        result r;
        if (trit_cuda_case_init(&c, TRIT_CUDA_IMPL_I2, 45568, 8192, sweeps[i].N, 42) != 0 ||
            time_case(&c, sweeps[i].N == 1 ? reps : 10, &r) != 0) {
            fprintf(stderr, "gpu_bench: %s=%s: %s\n", sweeps[i].var, sweeps[i].value, trit_cuda_last_error());
            rc = -1;
        } else {
            printf("sweep %s=%s i2 45568x8192 N=%zu: median %.2f us, %.1f GB/s (%.1f%% of copy), %.1f TOPS\n",
                   sweeps[i].var, sweeps[i].value, sweeps[i].N, r.median * 1e6, r.bytes / r.median / 1e9,
                   100.0 * r.bytes / r.median / 1e9 / copy, r.ops / r.median / 1e12);
        }
        trit_cuda_case_free(&c);
        unsetenv(sweeps[i].var);
        unsetenv("TRIT_CUDA_GEMM_TILE");
    }
    trit_cuda_flush_free();
    return rc == 0 ? 0 : 1;
}
