/* validate_cuda.c — the validator's GPU rows: device memory reduction, speed of the ternary CUDA
 * kernels against cuBLAS FP32 and FP16/BF16 (the cuda suite's instances: CUDA-event timings with the L2
 * evicted, interleaved, medians), fidelity against an FP64 evaluation of the same quantized math, and the GEMV
 * bandwidth against the device's measured copy bandwidth (the roofline). Without a device (or a CUDA
 * build): one N/A row saying why. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/validate.h"
#include "tritbench_config.h"

#define VC_SECTION "cuda"

#if TRIT_HAVE_CUDA
#include "kernels/cuda/trit_cuda.h"

/* The suite's instance name of one implementation on one shape. */
static void instance_of(char *buf, size_t len, trit_cuda_impl impl, size_t M, size_t K, size_t N)
{
    if (N == 1)
        snprintf(buf, len, "cuda/gemv/%s/%zux%zu/threads:1", trit_cuda_impl_name(impl), M, K);
    else
        snprintf(buf, len, "cuda/gemm/%s/%zux%zux%zu/threads:1", trit_cuda_impl_name(impl), M, K, N);
}

/* NMSE of the kernel's FP32 output against Σ w·q · γ / s in FP64 over the first `rows` rows (the same
 * quantized operands, read back from the device). −1 on a CUDA error. */
static double fidelity(const trit_cuda_case *c, size_t rows)
{
    const trit_cuda_weights *w = &c->w;
    const trit_cuda_act *x = &c->x;
    const size_t M = c->M, N = c->N;
    uint8_t *codes = malloc(rows * w->row_bytes);
    float *gamma = malloc(rows * sizeof *gamma), *s = malloc(N * sizeof *s), *y = malloc(N * M * sizeof *y);
    int8_t *q = malloc(N * x->stride);
    double num = 0.0, den = 0.0, result = -1.0;
    if (!codes || !gamma || !s || !y || !q || trit_cuda_download(codes, w->codes, rows * w->row_bytes) != 0 ||
        trit_cuda_download(gamma, w->scales, rows * sizeof *gamma) != 0 ||
        trit_cuda_download(s, x->scale, N * sizeof *s) != 0 || trit_cuda_download(q, x->q, N * x->stride) != 0 ||
        trit_cuda_case_output(c, y) != 0)
        goto out;
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < rows; m++) {
            const uint8_t *row = codes + m * w->row_bytes;
            double acc = 0.0;
            for (size_t k = 0; k < c->K; k++) {
                const unsigned code = (row[(k / 256) * 64 + k % 64] >> (2 * ((k % 256) / 64))) & 3u;
                acc += ((double)code - 1.0) * (double)q[n * x->stride + k];
            }
            const double ref = acc * (double)gamma[m] / (double)s[n];
            const double d = (double)y[n * M + m] - ref;
            num += d * d;
            den += ref * ref;
        }
    result = den > 0.0 ? num / den : 0.0;
out:
    free(codes);
    free(gamma);
    free(s);
    free(y);
    free(q);
    return result;
}

typedef struct vc_shape {
    const char *name;
    size_t M, K;
} vc_shape;

/* One shape and batch, judged from the cuda suite's records (medians of CUDA-event timings); the fidelity and
 * the device bytes come from one untimed case of the ternary kernel. */
static int measure_shape(vr_report *r, vr_table *t_speed, vr_table *t_roof, const vc_shape *sh, size_t N,
                         const tb_results *records, double *copy_out)
{
    double tm[TRIT_CUDA_IMPL_COUNT] = {0}, bytes[TRIT_CUDA_IMPL_COUNT] = {0};
    double fid = NAN, packed = 0.0, copy_gbps = 0.0;
    const char *op = N == 1 ? "gemv" : "gemm";
    char subject[160];
    snprintf(subject, sizeof subject, "%s/i2/cuda %s %zux%zu N=%zu", op, sh->name, sh->M, sh->K, N);
    for (int i = 0; i < TRIT_CUDA_IMPL_COUNT; i++) {
        char name[TB_NAME_MAX];
        instance_of(name, sizeof name, (trit_cuda_impl)i, sh->M, sh->K, N);
        const tb_record *med = vr_record(records, name, "median");
        if (!med || med->error_occurred || med->skipped) {
            char why[320];
            snprintf(why, sizeof why, "%.40s: %.250s", trit_cuda_impl_name((trit_cuda_impl)i),
                     !med ? "no result from the harness (cuda suite)"
                          : med->error_occurred ? med->error_message : med->skip_message);
            vr_check(r, VC_SECTION, "cuda_speedup_fp32", subject, NAN, why);
            return 0;
        }
        tm[i] = med->real_time * tb_time_unit_seconds(med->time_unit);
        bytes[i] = tb_record_counter(med, "GB/s", 0.0) * 1e9 * tm[i];
        copy_gbps = tb_record_counter(med, "copy_bw_GB/s", copy_gbps);
    }
    *copy_out = copy_gbps;
    trit_cuda_case c;
    if (trit_cuda_case_init(&c, TRIT_CUDA_IMPL_I2, sh->M, sh->K, N, 0x5eedc0da) != 0) {
        fprintf(stderr, "tritbench validate: cuda: i2 setup: %s\n", trit_cuda_last_error());
        return -1;
    }
    packed = (double)c.w.rows * (double)c.w.row_bytes + (double)c.w.rows * sizeof(float);
    /* FP64 on the host: bound the work to ~16M multiply-adds (all of N, the first rows) */
    size_t rows = (size_t)(16e6 / ((double)sh->K * (double)N));
    rows = rows < 1 ? 1 : rows > sh->M ? sh->M : rows;
    fid = fidelity(&c, rows);
    trit_cuda_case_free(&c);
    if (fid < 0) {
        fprintf(stderr, "tritbench validate: cuda: i2: %s\n", trit_cuda_last_error());
        return -1;
    }
    char cells[12][48];
    const double s32 = tm[TRIT_CUDA_IMPL_FP32] / tm[TRIT_CUDA_IMPL_I2];
    const double s16 = tm[TRIT_CUDA_IMPL_FP16] / tm[TRIT_CUDA_IMPL_I2];
    const double sbf = tm[TRIT_CUDA_IMPL_BF16] / tm[TRIT_CUDA_IMPL_I2];
    /* Speed verdicts: each speedup's 95 % interval over every repetition of the baseline and the i2 kernel. */
    char inst[TRIT_CUDA_IMPL_COUNT][TB_NAME_MAX];
    for (int i = 0; i < TRIT_CUDA_IMPL_COUNT; i++)
        instance_of(inst[i], sizeof inst[i], (trit_cuda_impl)i, sh->M, sh->K, N);
    static const struct {
        const char *target;
        trit_cuda_impl base;
    } speed[] = {{"cuda_speedup_fp32", TRIT_CUDA_IMPL_FP32},
                 {"cuda_speedup_fp16", TRIT_CUDA_IMPL_FP16},
                 {"cuda_speedup_bf16", TRIT_CUDA_IMPL_BF16}};
    for (size_t i = 0; i < sizeof speed / sizeof speed[0]; i++)
        vr_check_speedup(r, VC_SECTION, speed[i].target, subject, records, inst[speed[i].base],
                         inst[TRIT_CUDA_IMPL_I2], NULL, NULL);
    vr_check(r, VC_SECTION, "cuda_fidelity", subject, fid, NULL);
    if (N == 1) {
        char ms[160];
        snprintf(ms, sizeof ms, "i2 on the device, %s %zux%zu", sh->name, sh->M, sh->K);
        vr_check(r, VC_SECTION, "cuda_memory_reduction", ms, 4.0 * (double)sh->M * (double)sh->K / packed, NULL);
    }
    snprintf(cells[0], 48, "%s %zux%zu", sh->name, sh->M, sh->K);
    snprintf(cells[1], 48, "%s", op);
    snprintf(cells[2], 48, "%zu", N);
    for (int i = 0; i < TRIT_CUDA_IMPL_COUNT; i++)
        snprintf(cells[3 + i], 48, "%.2f µs", tm[i] * 1e6);
    snprintf(cells[8], 48, "%.2f×", s32);
    snprintf(cells[9], 48, "%.2f×", s16);
    snprintf(cells[10], 48, "%.2f×", sbf);
    snprintf(cells[11], 48, "%.1f", 2.0 * (double)sh->M * (double)sh->K * (double)N / tm[TRIT_CUDA_IMPL_I2] / 1e12);
    const char *row[12];
    for (int i = 0; i < 12; i++)
        row[i] = cells[i];
    vr_table_add_row(t_speed, row);
    if (N == 1 && copy_gbps > 0) {
        const double gbps = bytes[TRIT_CUDA_IMPL_I2] / tm[TRIT_CUDA_IMPL_I2] / 1e9;
        char c0[64], c1[32], c2[32], c3[32];
        snprintf(c0, sizeof c0, "%s %zux%zu", sh->name, sh->M, sh->K);
        snprintf(c1, sizeof c1, "%.1f", gbps);
        snprintf(c2, sizeof c2, "%.1f", copy_gbps);
        snprintf(c3, sizeof c3, "%.1f %%", 100.0 * gbps / copy_gbps);
        const char *rr[4] = {c0, c1, c2, c3};
        vr_table_add_row(t_roof, rr);
        char key[96];
        snprintf(key, sizeof key, "gemv_pct_of_copy_bw.%zux%zu", sh->M, sh->K);
        vr_metric(r, VC_SECTION, key, 100.0 * gbps / copy_gbps);
    }
    char key[96];
    snprintf(key, sizeof key, "%s_speedup_fp16.%zux%zux%zu", op, sh->M, sh->K, N);
    vr_metric(r, VC_SECTION, key, s16);
    snprintf(key, sizeof key, "%s_speedup_fp32.%zux%zux%zu", op, sh->M, sh->K, N);
    vr_metric(r, VC_SECTION, key, s32);
    return 0;
}

static const vc_shape quick_shapes[] = {{"bitnet-2b gate_up", 6912, 2560}};
static const vc_shape full_shapes[] = {{"bitnet-2b gate_up", 6912, 2560}, {"100b gate_up", 45568, 8192}};
static const size_t batches[] = {1, 128, 512};

static size_t n_shapes_of(const vr_options *o) { return o->quick ? 1 : 2; }
static size_t n_batches_of(const vr_options *o) { return o->quick ? 2 : 3; }

/* Every implementation of one shape and batch in one interleaved group (the cuda suite's instances). */
static int cuda_instances(const vr_options *o, vr_instances *out)
{
    char why[256];
    if (!trit_cuda_available(why, sizeof why))
        return 0; /* the judge says why */
    const vc_shape *shapes = o->quick ? quick_shapes : full_shapes;
    out->repetitions = o->quick ? 3 : 5;
    out->min_time = o->quick ? 0.01 : 0.05;
    unsigned g = 0;
    for (size_t s = 0; s < n_shapes_of(o); s++)
        for (size_t b = 0; b < n_batches_of(o); b++, g++)
            for (int i = 0; i < TRIT_CUDA_IMPL_COUNT; i++) {
                char name[TB_NAME_MAX];
                instance_of(name, sizeof name, (trit_cuda_impl)i, shapes[s].M, shapes[s].K, batches[b]);
                vr_instances_add(out, g, "%s", name);
            }
    return 0;
}

static int cuda_judge(vr_report *r, const vr_options *o, const tb_results *records)
{
    char why[256];
    if (!trit_cuda_available(why, sizeof why)) {
        vr_check(r, VC_SECTION, "cuda_speedup_fp32", "gemv/i2/cuda", NAN, why);
        return 0;
    }
    trit_cuda_info info;
    if (trit_cuda_get_info(&info) != 0) {
        fprintf(stderr, "tritbench validate: cuda: %s\n", trit_cuda_last_error());
        return -1;
    }
    static const char *const h_speed[] = {"Shape", "Op", "N", "i2", "i2+quant", "cuBLAS FP32", "cuBLAS FP16",
                                          "cuBLAS BF16", "vs FP32", "vs FP16", "vs BF16", "i2 TOPS"};
    static const char *const h_roof[] = {"Shape", "i2 GEMV GB/s", "Copy GB/s", "% of copy"};
    vr_table *t_speed = vr_table_new(r, VC_SECTION, "CUDA: ternary kernels against cuBLAS (same run)", 12, h_speed);
    vr_table *t_roof = vr_table_new(r, VC_SECTION, "CUDA roofline: GEMV bytes moved vs device copy bandwidth", 4,
                                    h_roof);
    const vc_shape *shapes = o->quick ? quick_shapes : full_shapes;
    double copy = 0.0;
    for (size_t s = 0; s < n_shapes_of(o); s++)
        for (size_t b = 0; b < n_batches_of(o); b++)
            if (measure_shape(r, t_speed, t_roof, &shapes[s], batches[b], records, &copy) != 0)
                return -1;
    vr_metric(r, VC_SECTION, "copy_bw_GBps", copy);
    vr_note(r, VC_SECTION,
            "%s (sm_%d%d, %d SMs, L2 %.0f MB). Every implementation multiplies the same ternary matrix and "
            "activations (made on the device); times are the cuda suite's instances (`tritbench run "
            "--benchmark_filter='^cuda/'`): CUDA-event timings of single launches with the L2 evicted before each, "
            "implementations interleaved in one harness run per shape, median of the repetitions. i2 = ternary "
            "kernel on int8 activations with the rescale fused; i2+quant adds the device activation quantization. "
            "Device-to-device copy bandwidth in this run: %.0f GB/s (read + write). Fidelity: NMSE against FP64 of "
            "the same quantized math.",
            info.name, info.sm_major, info.sm_minor, info.multiprocessors, info.l2_bytes / 1e6, copy);
    trit_cuda_flush_free();
    return 0;
}

#else /* built without CUDA */

static int cuda_judge(vr_report *r, const vr_options *o, const tb_results *records)
{
    (void)o;
    (void)records;
    vr_check(r, VC_SECTION, "cuda_speedup_fp32", "gemv/i2/cuda", NAN,
             "built without CUDA (nvcc not found or -Dcuda=disabled)");
    return 0;
}

#endif

static const char *const cuda_targets[] = {"cuda_memory_reduction", "cuda_speedup_fp32", "cuda_speedup_fp16",
                                           "cuda_speedup_bf16", "cuda_fidelity", NULL};

const vr_section vr_cuda_section = {
    .name = "cuda",
    .description = "GPU rows: ternary CUDA kernels against cuBLAS FP32/FP16/BF16, device memory, fidelity",
    .targets = cuda_targets,
#if TRIT_HAVE_CUDA
    .instances = cuda_instances,
#endif
    .judge = cuda_judge,
};
