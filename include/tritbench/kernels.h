/* kernels.h — the ternary kernel registry and the operations built on it.
 *
 * One table of variants: {op, format, variant, ISA requirements, function}. Every variant computes the
 * same integer accumulators as the scalar reference, bit for bit:
 *     acc[n·ld_acc + m] = Σ_k w[m,k] · x.q[n,k]      (int32, w ∈ {−1,0,1}, x.q ∈ [−128,127])
 * and the FP32 output is one rescale shared by all variants: y = acc · γ_m / s_n (+ bias[m]).
 * Kernels know nothing of the harness. Threads split the rows m; results do not depend on threads.
 */
#ifndef TRITBENCH_KERNELS_H
#define TRITBENCH_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tritbench/formats.h"
#include "tritbench/quant.h"

typedef enum trit_op {
    TRIT_OP_GEMV = 0, /* one activation row (decode); x->rows must be 1 */
    TRIT_OP_GEMM = 1, /* x->rows ≥ 1 activation rows (prefill) */
    TRIT_OP_COUNT
} trit_op;

/* Computes acc for output rows [m_begin, m_end) and all activation rows of x. */
typedef void (*trit_matmul_fn)(const trit_packed *w, const trit_act *x, size_t m_begin, size_t m_end,
                               int32_t *acc, size_t ld_acc);

typedef struct trit_kernel {
    trit_op op;
    trit_format format;
    const char *variant;  /* "scalar", "avx2", "avx2_vnni", "avx512bw", "avx512_vnni", "neon",
                             "neon_dotprod", "cuda" */
    uint32_t requires;    /* TRIT_CPU_* bits (cpu.h) that must all be present */
    trit_matmul_fn fn;
    /* Extra run-time check beyond the CPU bits (e.g. a CUDA device); NULL when none. Returns true if
     * runnable, else false with the reason in why. */
    bool (*available)(char *why, size_t why_len);
} trit_kernel;

const char *trit_op_name(trit_op op); /* "gemv", "gemm" */
int trit_op_parse(const char *name, trit_op *out);

/* The whole table, every variant compiled into this binary (runnable or not). */
const trit_kernel *trit_kernels(size_t *count);
/* Runnable here? If not, why (e.g. "needs avx512_vnni (CPU lacks it)"). */
bool trit_kernel_runnable(const trit_kernel *k, char *why, size_t why_len);
/* Exact lookup; NULL if that variant is not compiled in. */
const trit_kernel *trit_kernel_get(trit_op op, trit_format f, const char *variant);
/* The variant to use: TRIT_ISA=<variant> if set (NULL + error if it is unknown or cannot run here),
 * else the best runnable one on this CPU. */
const trit_kernel *trit_kernel_select(trit_op op, trit_format f, char *err, size_t err_len);
/* "kernel name" for reports: "gemv/i2/avx512_vnni". */
size_t trit_kernel_name(const trit_kernel *k, char *buf, size_t len);

/* acc (x->rows × w->rows, ld = w->rows) using `threads` threads (≥1). Returns 0, or -1 on a shape
 * mismatch (w->cols != x->cols) or a GEMV kernel given more than one row. */
int trit_matmul(const trit_kernel *k, const trit_packed *w, const trit_act *x, int threads, int32_t *acc);
/* y[n·M + m] = acc[n·M + m] · γ_m / s_n + (bias ? bias[m] : 0). */
void trit_rescale(const trit_packed *w, const trit_act *x, const int32_t *acc, const float *bias, float *y);

/* BitLinear forward: (optional RMSNorm) → activation quantization → ternary matmul → rescale. */
typedef struct trit_bitlinear {
    trit_packed w;
    float *bias;        /* NULL or w.rows floats */
    float *norm_weight; /* NULL: no RMSNorm; else w.cols floats (x ← x / rms(x) · g) */
    float norm_eps;
} trit_bitlinear;

/* Workspace for a forward of up to max_rows tokens (activations, accumulators, normalized rows). */
typedef struct trit_bitlinear_ws {
    trit_act act;
    int32_t *acc;
    float *xnorm;
    size_t max_rows;
} trit_bitlinear_ws;

int trit_bitlinear_ws_alloc(trit_bitlinear_ws *ws, const trit_bitlinear *layer, size_t max_rows);
void trit_bitlinear_ws_free(trit_bitlinear_ws *ws);
/* Y (n × w.rows) = BitLinear(X (n × w.cols)). k must match layer->w.format; n ≤ ws->max_rows.
 * GEMV kernels take n == 1 only. Returns 0 or -1. */
int trit_bitlinear_forward(const trit_kernel *k, const trit_bitlinear *layer, const float *X, size_t n, float *Y,
                           int threads, trit_bitlinear_ws *ws);

/* Aligned allocation used for all kernel buffers (TRIT_ALIGN, size rounded up); free with free(). */
void *trit_aligned_alloc(size_t bytes);

#endif
