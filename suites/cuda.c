/* cuda.c — the "cuda" suite: ternary I2 GEMV/GEMM on the GPU against cuBLAS FP32 (SGEMV/SGEMM) and
 * cublasGemmEx FP16/BF16 on the same matrix, in the same run.
 *   cuda/gemv/i2/45568x8192/threads:1          cuda/gemv/cublas_fp16/45568x8192/threads:1
 *   cuda/gemm/i2_quant/6912x2560x512/threads:1 cuda/gemm/cublas_bf16/6912x2560x512/threads:1
 * Timed per launch with CUDA events (manual time), the L2 evicted before each launch (outside the
 * timed region), so the weights come from device memory as in decode. Counters: GB/s (fewest bytes the
 * call must move: weights in the implementation's format + activations + output), pct_of_copy_bw (GB/s
 * over the device-to-device copy bandwidth measured in this process), GOP/s (2·M·K·N).
 * Shapes: the distinct M×K of bitnet-2b and 100b (quick: bitnet-2b gate_up only); GEMM batches 128, 512.
 * Filters: cfg->variants "cuda" selects all of this suite; an implementation name ("i2", "cublas_fp16")
 * selects one. cfg->formats: "i2" for the ternary kernels, "fp32"/"fp16"/"bf16" for the baselines. */
#include <stdio.h>
#include <string.h>

#include "kernels/cuda/trit_cuda.h"
#include "suite_list.h"
#include "tritbench/catalog.h"

#define CASE_SEED 0x5eedc0dau

typedef struct cu_arg {
    trit_cuda_impl impl;
    size_t M, K, N;
} cu_arg;

typedef struct cu_fixture {
    trit_cuda_case c;
    double copy_gbps;
} cu_fixture;

static double copy_gbps_once(void)
{
    static double gbps; /* measured once per process: 1 GiB each way, median of 20 */
    if (gbps <= 0.0)
        gbps = trit_cuda_copy_gbps((size_t)1 << 30, 20);
    return gbps;
}

static void *cu_setup(tb_state *st)
{
    const cu_arg *a = tb_arg(st);
    char why[256];
    if (!trit_cuda_available(why, sizeof why)) {
        tb_skip(st, why);
        return NULL;
    }
    static cu_fixture fx; /* one instance runs at a time */
    fx.copy_gbps = copy_gbps_once();
    if (trit_cuda_case_init(&fx.c, a->impl, a->M, a->K, a->N, CASE_SEED) != 0) {
        char msg[320];
        snprintf(msg, sizeof msg, "CUDA setup failed: %s", trit_cuda_last_error());
        tb_skip_with_error(st, msg);
        return NULL;
    }
    return &fx;
}

static void cu_teardown(void *p)
{
    cu_fixture *fx = p;
    if (fx)
        trit_cuda_case_free(&fx->c);
}

static void cu_run(tb_state *st)
{
    cu_fixture *fx = tb_fixture(st);
    if (!fx)
        return;
    while (tb_keep_running(st)) {
        const double t = trit_cuda_case_run(&fx->c, true);
        if (t < 0) {
            char msg[320];
            snprintf(msg, sizeof msg, "CUDA launch failed: %s", trit_cuda_last_error());
            tb_skip_with_error(st, msg);
            return;
        }
        tb_set_iteration_time(st, t);
    }
    const double it = (double)tb_iterations(st);
    tb_set_bytes_processed(st, it * fx->c.bytes);
    tb_counter(st, "GB/s", it * fx->c.bytes / 1e9, TB_COUNTER_RATE);
    tb_counter(st, "GOP/s", it * fx->c.ops / 1e9, TB_COUNTER_RATE);
    if (fx->copy_gbps > 0.0) {
        tb_counter(st, "pct_of_copy_bw", it * fx->c.bytes / 1e9 / fx->copy_gbps * 100.0, TB_COUNTER_RATE);
        tb_counter(st, "copy_bw_GB/s", fx->copy_gbps, TB_COUNTER_DEFAULT);
    }
}

#define MAX_ARGS 512
static cu_arg args[MAX_ARGS];
static size_t n_args;

static bool impl_wanted(const tb_suite_config *cfg, trit_cuda_impl impl)
{
    static const char *const formats[TRIT_CUDA_IMPL_COUNT] = {"i2", "i2", "fp32", "fp16", "bf16"};
    const char *name = trit_cuda_impl_name(impl);
    const bool variant_ok = !cfg->variants || tb_list_contains(cfg->variants, "cuda") ||
                            tb_list_contains(cfg->variants, name);
    return variant_ok && tb_list_contains(cfg->formats, formats[impl]);
}

static int add(tb_registry *r, trit_cuda_impl impl, size_t M, size_t K, size_t N)
{
    if (n_args >= MAX_ARGS) {
        fprintf(stderr, "cuda suite: more than %d instances\n", MAX_ARGS);
        return -1;
    }
    cu_arg *a = &args[n_args++];
    *a = (cu_arg){impl, M, K, N};
    char family[32], shape[96];
    snprintf(family, sizeof family, "cuda/%s", N == 1 ? "gemv" : "gemm");
    if (N == 1)
        snprintf(shape, sizeof shape, "%s/%zux%zu", trit_cuda_impl_name(impl), M, K);
    else
        snprintf(shape, sizeof shape, "%s/%zux%zux%zu", trit_cuda_impl_name(impl), M, K, N);
    tb_bench_spec spec = {.family = family,
                          .args = shape,
                          .run = cu_run,
                          .setup = cu_setup,
                          .teardown = cu_teardown,
                          .arg = a,
                          .threads = 1, /* the GPU does the work; CPU thread counts do not apply */
                          .time_unit = TB_US,
                          .manual_time = true};
    return tb_register(r, &spec);
}

/* Has M×K been registered already? Layers of one model (q_proj and o_proj) or of two shape sets can share
 * a shape, and an instance name (which names only the shape) must occur once. */
static bool shape_seen(size_t (*seen)[2], size_t *n_seen, size_t cap, size_t M, size_t K)
{
    for (size_t j = 0; j < *n_seen; j++)
        if (seen[j][0] == M && seen[j][1] == K)
            return true;
    if (*n_seen < cap) {
        seen[*n_seen][0] = M;
        seen[*n_seen][1] = K;
        (*n_seen)++;
    }
    return false;
}

int tb_suite_cuda_register(tb_registry *r, const tb_suite_config *cfg)
{
    static const char *const sets[] = {"bitnet-2b", "100b"};
    static const size_t gemm_batches[] = {128, 512};
    size_t seen[64][2], n_seen = 0;
    for (size_t s = 0; s < (cfg->quick ? 1 : sizeof sets / sizeof sets[0]); s++) {
        size_t n_shapes = 0;
        const trit_shape *shapes = trit_shapes(sets[s], &n_shapes);
        for (size_t i = 0; i < n_shapes; i++) {
            if (cfg->quick && strcmp(shapes[i].layer, "gate_up") != 0)
                continue;
            if (shape_seen(seen, &n_seen, sizeof seen / sizeof seen[0], shapes[i].rows, shapes[i].cols))
                continue;
            for (int impl = 0; impl < TRIT_CUDA_IMPL_COUNT; impl++) {
                if (!impl_wanted(cfg, (trit_cuda_impl)impl))
                    continue;
                if (add(r, (trit_cuda_impl)impl, shapes[i].rows, shapes[i].cols, 1) != 0)
                    return -1;
                for (size_t b = 0; b < sizeof gemm_batches / sizeof gemm_batches[0]; b++)
                    if (add(r, (trit_cuda_impl)impl, shapes[i].rows, shapes[i].cols, gemm_batches[b]) != 0)
                        return -1;
            }
        }
    }
    return 0;
}
