/* gate.c — the correctness gate: every kernel, ours and plugins', against the scalar oracle on awkward
 * shapes before anything is timed. The oracle is the definition itself (Σ_k w·q in int32, no packing,
 * no blocking), so it shares no code with any kernel it judges.
 * Cases: K = 1, K tails of both block sizes, odd M, all-zero weight rows, activations at −128 (a whole
 * row of them, which breaks kernels that forget the Σx offset), per-tensor and per-row scales, long K. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugins.h"

typedef struct gate_case {
    size_t M, K, N;
    bool per_row;
    const char *what;
} gate_case;

static const gate_case cases[] = {
    {1, 1, 1, false, "K=1"},
    {5, 1, 3, true, "K=1, odd M"},
    {7, 255, 3, true, "K tail (255)"},
    {33, 257, 5, false, "odd M, K tail (257)"},
    {17, 321, 2, true, "K tail (321)"},
    {64, 1280, 4, true, "whole blocks"},
    {3, 65541, 2, false, "long K (65541)"},
};

typedef struct gate_data {
    size_t M, K, N;
    int8_t *w;      /* M × K in {−1, 0, 1}; rows m ≡ 2 (mod 4) all zero */
    float *gamma;   /* 1 or M */
    size_t n_gamma;
    trit_act x;     /* N rows; row 1 all −128, every 7th element −128 */
    float *xf;      /* N × K: q / s (what an FP32-input kernel reads) */
    int32_t *acc;   /* oracle, N × M */
} gate_data;

static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void data_free(gate_data *d)
{
    free(d->w);
    free(d->gamma);
    free(d->xf);
    free(d->acc);
    trit_act_free(&d->x);
    memset(d, 0, sizeof *d);
}

/* Fills the case's matrices and the oracle's accumulators. */
static int data_make(gate_data *d, const gate_case *c, size_t N, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->M = c->M;
    d->K = c->K;
    d->N = N;
    d->n_gamma = c->per_row ? c->M : 1;
    d->w = malloc(c->M * c->K);
    d->gamma = malloc(d->n_gamma * sizeof(float));
    d->xf = malloc(N * c->K * sizeof(float));
    d->acc = malloc(N * c->M * sizeof(int32_t));
    if (!d->w || !d->gamma || !d->xf || !d->acc || trit_act_alloc(&d->x, N, c->K) != 0) {
        data_free(d);
        return -1;
    }
    uint64_t s = seed;
    for (size_t m = 0; m < c->M; m++)
        for (size_t k = 0; k < c->K; k++)
            d->w[m * c->K + k] = m % 4 == 2 ? 0 : (int8_t)((int)(next_u64(&s) % 3) - 1);
    for (size_t i = 0; i < d->n_gamma; i++)
        d->gamma[i] = 0.25f + (float)(next_u64(&s) % 1000) / 1000.0f;
    for (size_t n = 0; n < N; n++) {
        int32_t sum = 0;
        int8_t *q = d->x.q + n * d->x.stride;
        for (size_t k = 0; k < c->K; k++) {
            int v = n == 1 || k % 7 == 3 ? -128 : (int)(next_u64(&s) % 256) - 128;
            q[k] = (int8_t)v;
            sum += v;
        }
        d->x.sum[n] = sum;
        d->x.scale[n] = 127.0f / (0.5f + (float)(next_u64(&s) % 400) / 100.0f);
        for (size_t k = 0; k < c->K; k++)
            d->xf[n * c->K + k] = (float)q[k] / d->x.scale[n];
    }
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < c->M; m++) {
            int64_t a = 0;
            for (size_t k = 0; k < c->K; k++)
                a += (int64_t)d->w[m * c->K + k] * d->x.q[n * d->x.stride + k];
            d->acc[n * c->M + m] = (int32_t)a;
        }
    return 0;
}

/* Exact comparison; 0 equal, else 1 with the message. */
static int compare_int(const gate_data *d, const int32_t *got, const gate_case *c, char *msg, size_t len)
{
    int64_t worst = 0;
    long first_m = -1, first_n = -1;
    for (size_t n = 0; n < d->N; n++)
        for (size_t m = 0; m < d->M; m++) {
            int64_t diff = llabs((long long)got[n * d->M + m] - d->acc[n * d->M + m]);
            if (diff > 0 && first_m < 0)
                first_m = (long)m, first_n = (long)n;
            worst = diff > worst ? diff : worst;
        }
    if (first_m < 0)
        return 0;
    snprintf(msg, len,
             "incorrect: max |Δ| %lld (bit-exact int32 expected), first bad row %ld col %ld (output row m, "
             "activation row n) on M=%zu K=%zu N=%zu (%s): got %d, oracle %d",
             (long long)worst, first_m, first_n, d->M, d->K, d->N, c->what, got[first_n * (long)d->M + first_m],
             d->acc[first_n * (long)d->M + first_m]);
    return 1;
}

/* FP32 outputs: |y − y_ref| ≤ tol · γ_m · Σ_k |w·q| / s_n per element (the descriptor table's definition),
 * y_ref and the bound from the quantized activations `x` the kernel was judged on. */
static int compare_fp32(const gate_data *d, const trit_act *x, const int32_t *acc, const float *got, double tol,
                        const gate_case *c, char *msg, size_t len)
{
    double worst = 0.0, worst_rel = 0.0;
    long first_m = -1, first_n = -1;
    for (size_t n = 0; n < d->N; n++)
        for (size_t m = 0; m < d->M; m++) {
            const double g_s = d->gamma[d->n_gamma > 1 ? m : 0] / x->scale[n];
            int64_t mag = 0;
            for (size_t k = 0; k < d->K; k++)
                mag += llabs((long long)d->w[m * d->K + k] * x->q[n * x->stride + k]);
            const double ref = (double)acc[n * d->M + m] * g_s, scale = (double)mag * g_s;
            const double diff = fabs((double)got[n * d->M + m] - ref);
            if (!(diff <= tol * scale)) { /* NaN is a failure too */
                if (first_m < 0)
                    first_m = (long)m, first_n = (long)n;
                if (!(diff <= worst))
                    worst = diff, worst_rel = scale > 0.0 ? diff / scale : INFINITY;
            }
        }
    if (first_m < 0)
        return 0;
    snprintf(msg, len,
             "incorrect: max |Δ| %.6g (%.3g of Σ|w·x|; declared tolerance %.3g), first bad row %ld col %ld (output "
             "row m, activation row n) on M=%zu K=%zu N=%zu (%s)",
             worst, worst_rel, tol, first_m, first_n, d->M, d->K, d->N, c->what);
    return 1;
}

tb_gate_state tb_gate_trit_kernel(const trit_kernel *k, char *msg, size_t msg_len)
{
    if ((int)k->format < 0 || (int)k->format >= TRIT_FMT_COUNT) { /* a float baseline: no ternary oracle */
        snprintf(msg, msg_len, "not a packed ternary format");
        return TB_GATE_UNAVAILABLE;
    }
    if (!trit_kernel_runnable(k, msg, msg_len))
        return TB_GATE_UNAVAILABLE;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const gate_case *c = &cases[i];
        const size_t N = k->op == TRIT_OP_GEMV ? 1 : c->N;
        gate_data d;
        trit_packed p;
        memset(&p, 0, sizeof p);
        int32_t *got = NULL;
        int bad = -1;
        if (data_make(&d, c, N, 0x9a7e0000u + i) == 0 &&
            trit_packed_alloc(&p, k->format, c->per_row ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR, c->M, c->K) == 0 &&
            trit_pack(&p, d.w, d.gamma) == 0 && (got = calloc(N * c->M, sizeof *got)) != NULL &&
            trit_matmul(k, &p, &d.x, 1, got) == 0)
            bad = compare_int(&d, got, c, msg, msg_len);
        else
            snprintf(msg, msg_len, "incorrect: the gate could not run M=%zu K=%zu N=%zu (%s): out of memory or "
                     "shape refused", c->M, c->K, N, c->what);
        free(got);
        if (p.codes)
            trit_packed_free(&p);
        data_free(&d);
        if (bad != 0)
            return TB_GATE_INCORRECT;
    }
    snprintf(msg, msg_len, "correct on %zu gate cases", sizeof cases / sizeof cases[0]);
    return TB_GATE_OK;
}

/* One plugin kernel, one op, one case: 0 equal, 1 incorrect (msg). */
static int gate_plugin_case(const tb_plugin_kernel *pk, const gate_case *c, size_t N, uint64_t seed, char *msg,
                            size_t len)
{
    const tbp_kernel *k = &pk->k;
    const tbp_host *host = tb_plugin_host(pk);
    gate_data d;
    trit_act own; /* FP32-input kernels: the reference uses the harness's quantization of x */
    memset(&own, 0, sizeof own);
    void *packed = NULL, *out = NULL, *ws = NULL;
    int32_t *ref_acc = NULL;
    int bad = 1;
    if (data_make(&d, c, N, seed) != 0) {
        snprintf(msg, len, "incorrect: out of memory for the gate case %s", c->what);
        return 1;
    }
    const size_t before = tb_plugin_host_live_bytes();
    size_t weight_bytes = 0;
    tbp_weights w = {sizeof w, c->M, c->K, d.w, d.gamma, d.n_gamma};
    if (k->pack(host, &w, &packed, &weight_bytes) != 0) {
        snprintf(msg, len, "incorrect: pack() failed on M=%zu K=%zu (%s)", c->M, c->K, c->what);
        packed = NULL;
        goto done;
    }
    const size_t allocated = tb_plugin_host_live_bytes() - before;
    if (weight_bytes != allocated) {
        snprintf(msg, len, "incorrect: reports %zu bytes of weights for M=%zu K=%zu but allocated %zu through the "
                 "host allocator", weight_bytes, c->M, c->K, allocated);
        goto done;
    }
    const trit_act *xa = &d.x;
    if (k->act_input == TBP_ACT_FP32) {
        if (trit_act_alloc(&own, N, c->K) != 0 || trit_quantize_activations(d.xf, c->K, &own) != 0) {
            snprintf(msg, len, "incorrect: could not quantize the gate activations");
            goto done;
        }
        xa = &own;
    }
    ref_acc = malloc(N * c->M * sizeof *ref_acc);
    out = calloc(N * c->M, 4);
    size_t ws_bytes = k->workspace_bytes ? k->workspace_bytes(c->M, c->K, N) : 0;
    if (ws_bytes && posix_memalign(&ws, 64, ws_bytes) != 0)
        ws = NULL;
    if (!ref_acc || !out || (ws_bytes && !ws)) {
        snprintf(msg, len, "incorrect: out of memory for the gate case %s", c->what);
        goto done;
    }
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < c->M; m++) {
            int64_t a = 0;
            for (size_t kk = 0; kk < c->K; kk++)
                a += (int64_t)d.w[m * c->K + kk] * xa->q[n * xa->stride + kk];
            ref_acc[n * c->M + m] = (int32_t)a;
        }
    tbp_act x = {sizeof x, N, c->K, xa->stride, xa->q, xa->scale, xa->sum, d.xf};
    /* Two calls over a split at an odd row: the kernel must honour row ranges (threads rely on it). */
    const size_t split = c->M > 2 ? c->M / 2 | 1 : c->M;
    if (k->matmul(packed, &x, 0, split, out, c->M, ws) != 0 ||
        (split < c->M && k->matmul(packed, &x, split, c->M, out, c->M, ws) != 0)) {
        snprintf(msg, len, "incorrect: matmul() returned an error on M=%zu K=%zu N=%zu (%s)", c->M, c->K, N,
                 c->what);
        goto done;
    }
    if (k->result_class == TBP_RESULT_INT32_EXACT) {
        memcpy(d.acc, ref_acc, N * c->M * sizeof *ref_acc);
        bad = compare_int(&d, out, c, msg, len);
    } else {
        bad = compare_fp32(&d, xa, ref_acc, out, k->tolerance, c, msg, len);
    }
done:
    if (packed)
        k->release(host, packed);
    free(ws);
    free(out);
    free(ref_acc);
    trit_act_free(&own);
    data_free(&d);
    return bad;
}

tb_gate_state tb_gate_plugin_kernel(const tb_plugin_kernel *pk, char *msg, size_t msg_len)
{
    if (pk->k.available && !pk->k.available(msg, msg_len))
        return TB_GATE_UNAVAILABLE;
    for (int op = 0; op < 2; op++) {
        if (!(pk->k.ops & (op == 0 ? TBP_OP_GEMV : TBP_OP_GEMM)))
            continue;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const size_t N = op == 0 ? 1 : cases[i].N;
            if (gate_plugin_case(pk, &cases[i], N, 0x9a7e0000u + i, msg, msg_len) != 0)
                return TB_GATE_INCORRECT;
        }
    }
    snprintf(msg, msg_len, "correct on %zu gate cases", sizeof cases / sizeof cases[0]);
    return TB_GATE_OK;
}
