/* kernels.h — the kernel descriptor table and the operations built on it.
 *
 * ONE table of descriptors (trit_kernel) holds everything that computes a matmul Y = X · Wᵀ
 * (W: M × K, X: N × K activation rows, results N × M with ld = M): the ternary variants (formats I2, T5),
 * the FP32 baselines (format "fp32"; "fp16"/"bf16" have their slots) and device kernels (CUDA). A row is
 * named op/format/variant ("gemv/i2/avx512_vnni", "gemm/fp32/openblas"). Everything a caller or a suite
 * needs to know about a kernel is data in its descriptor; trit_kernel_select is the only place that
 * chooses one, and trit_kernel_run the only place that calls one.
 *
 * Result classes:
 *   TRIT_RESULT_EXACT_INT32 — int32 accumulators, equal to the scalar oracle bit for bit:
 *       acc[n·M + m] = Σ_k w[m,k] · x.q[n,k]      (w ∈ {−1,0,1}, x.q ∈ [−128,127])
 *     and the FP32 output is one rescale shared by all variants: y = acc · γ_m / s_n (+ bias[m]).
 *   TRIT_RESULT_FP32 — FP32 outputs within the declared tolerance of the exact sum:
 *       |y[n·M + m] − Σ_k w·x| ≤ tolerance · Σ_k |w·x|
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
    TRIT_OP_GEMV = 0, /* one activation row (decode); N must be 1 */
    TRIT_OP_GEMM = 1, /* N ≥ 1 activation rows (prefill) */
    TRIT_OP_COUNT
} trit_op;

typedef enum trit_result_class {
    TRIT_RESULT_EXACT_INT32 = 0, /* int32 accumulators, bit-exact against the scalar oracle */
    TRIT_RESULT_FP32 = 1         /* FP32 outputs within trit_kernel.tolerance */
} trit_result_class;

/* Where a kernel's buffers live. trit_kernel_run takes host memory for all of them (a device kernel
 * copies), but only CPU kernels are timed through it: the cuda suite keeps device-resident buffers. */
typedef enum trit_device { TRIT_DEVICE_CPU = 0, TRIT_DEVICE_CUDA = 1 } trit_device;

/* trit_kernel.flags */
enum {
    /* The kernel parallelises by itself (OpenBLAS, a GPU): trit_kernel_run calls it once for all rows
     * with io->threads, instead of splitting rows over OpenMP threads. */
    TRIT_KERNEL_OWN_THREADS = 1u << 0,
};

/* Weights as the caller holds them (M × K). */
typedef struct trit_weights {
    const trit_packed *packed; /* ternary formats: the canonical layout (formats.h) */
    const void *dense;         /* float formats: row-major M × K (float for fp32; uint16_t for fp16/bf16) */
    size_t rows, cols;         /* M, K */
} trit_weights;

/* Activations as the caller holds them (N × K). */
typedef struct trit_acts {
    const trit_act *q;   /* ternary formats: int8 + scale + Σx per row (quant.h) */
    const float *dense;  /* float formats: row-major N × K FP32 */
    size_t rows;         /* N */
} trit_acts;

/* What a kernel's functions see for one call. */
typedef struct trit_matmul_io {
    trit_weights w;
    const void *repacked; /* the variant's own weight layout (repack), NULL when it has none */
    trit_acts x;
    const void *prepared; /* this call's activation preparation (prepare), NULL when none */
    int32_t *acc;         /* TRIT_RESULT_EXACT_INT32: N × M, ld = M */
    float *y;             /* TRIT_RESULT_FP32: N × M, ld = M */
    int threads;          /* for TRIT_KERNEL_OWN_THREADS kernels; others are already split */
    const void *ctx;      /* the descriptor's ctx (added descriptors; NULL for ours) */
    int *failed;          /* a kernel that cannot compute sets *failed = 1 (atomically): the run returns -1 */
} trit_matmul_io;

/* Results for output rows [m_begin, m_end) and every activation row. workspace: this thread's
 * workspace_bytes, NULL when the kernel declares none. */
typedef void (*trit_matmul_fn)(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end);

typedef struct trit_kernel trit_kernel;

struct trit_kernel {
    /* Identity. */
    trit_op op;
    trit_format format;  /* the weights the caller holds: TRIT_FMT_I2/T5 (packed), TRIT_FMT_FP32, ... */
    const char *variant; /* "scalar", "avx2", "avx512bw", "avx512_vnni", "neon", "neon_dotprod", "cuda",
                            "avx512" / "openblas" (fp32), ... unique per op × format */
    const char *origin;  /* "builtin", or the plugin that brought it */

    /* Choice. */
    int priority;        /* trit_kernel_select prefers the runnable one with the highest priority;
                            ≤ 0: never chosen implicitly, only when asked for by name (TRIT_ISA, get) */
    trit_device device;
    uint32_t flags;      /* TRIT_KERNEL_* */
    uint32_t requires;   /* TRIT_CPU_* bits (cpu.h) that must all be present */
    /* Extra run-time check beyond the CPU bits (e.g. a CUDA device); NULL when none. Returns true if
     * runnable, else false with the reason in why. */
    bool (*available)(char *why, size_t why_len);

    /* The work. Optional members are NULL when unused. */
    /* Weight repack into the variant's own layout: done once per weight matrix, outside timing, into
     * repack_bytes(w) bytes the library allocates (TRIT_ALIGN) and counts as the variant's weight memory.
     * Returns 0 or -1. A ternary kernel's input is the canonical packed matrix (trit_unpack recovers the
     * int8 matrix and scales); a float kernel's is the dense matrix. */
    size_t (*repack_bytes)(const trit_weights *w);
    int (*repack)(const trit_weights *w, void *out);
    /* Per-call activation preparation (e.g. lookup tables): done once per call before the row split,
     * inside timing, into prepare_bytes(io) bytes the library provides. */
    size_t (*prepare_bytes)(const trit_matmul_io *io);
    void (*prepare)(const trit_matmul_io *io, void *out);
    /* Scratch per thread for a call of this shape; the library provides it (NULL → none). */
    size_t (*workspace_bytes)(size_t M, size_t K, size_t N);
    trit_matmul_fn matmul;

    /* The result. */
    trit_result_class result;
    double tolerance;    /* TRIT_RESULT_FP32: bound relative to Σ|w·x| (see above); 0 for exact kernels. A
                            ternary kernel with FP32 results returns y = γ_m·Σ_k w·x.q / s_n, within
                            tolerance · γ_m·Σ_k |w·x.q| / s_n. */

    /* Descriptors added at run time (plugins, trit_kernels_add) carry state: ctx is handed to the *_ctx
     * hooks below and to matmul as io->ctx. NULL members are unused; ours leave all of them NULL. */
    const void *ctx;
    /* The weight layout the kernel really reads when it is not `format` itself (a plugin's own packed
     * layout, e.g. "tq2_0"): it names the kernel's rows and is what --formats selects. NULL: the format. */
    const char *layout;
    bool (*available_ctx)(const void *ctx, char *why, size_t why_len); /* as available */
    /* A repack that allocates its layout itself (e.g. through the plugin's allocator) and reports the
     * bytes it keeps in *bytes (the variant's weight memory); freed with release. Returns 0 or -1.
     * Used instead of repack_bytes/repack when set. */
    int (*repack_ctx)(const void *ctx, const trit_weights *w, void **repacked, size_t *bytes);
    void (*release)(const void *ctx, void *repacked);
    size_t (*workspace_bytes_ctx)(const void *ctx, size_t M, size_t K, size_t N); /* as workspace_bytes */
};

const char *trit_op_name(trit_op op); /* "gemv", "gemm" */
int trit_op_parse(const char *name, trit_op *out);

/* The whole table, every descriptor compiled into this binary or added (runnable or not). Pointers into
 * it stay valid for the life of the process. */
const trit_kernel *trit_kernels(size_t *count);
/* Appends descriptors (e.g. a plugin's) to the table; they are copied. Returns 0, or -1 (with the reason
 * in why) on a duplicate op/format/variant, a descriptor without matmul, or a full table. */
int trit_kernels_add(const trit_kernel *table, size_t n, char *why, size_t why_len);
/* Runnable here? If not, why (e.g. "needs avx512_vnni (this CPU/OS lacks it)"). */
bool trit_kernel_runnable(const trit_kernel *k, char *why, size_t why_len);
/* Exact lookup; NULL if no such descriptor. */
const trit_kernel *trit_kernel_get(trit_op op, trit_format f, const char *variant);
/* The one place that chooses: TRIT_ISA=<variant> if set and op × format has such a variant (NULL + error
 * if it cannot run here; an error too for a ternary format without it), else the runnable descriptor of
 * op × format with the highest positive priority. */
const trit_kernel *trit_kernel_select(trit_op op, trit_format f, char *err, size_t err_len);
/* "kernel name" for reports: "gemv/i2/avx512_vnni" ("gemv/tq2_0/acme:avx2" for a kernel with its own
 * layout). */
size_t trit_kernel_name(const trit_kernel *k, char *buf, size_t len);
/* The layout a kernel reads: k->layout, else its format's name. */
const char *trit_kernel_layout(const trit_kernel *k);
/* Sets the priority of the added descriptor op/format/variant (e.g. once a plugin kernel passed the
 * correctness gate). Returns 0, or -1 if there is no such descriptor. */
int trit_kernels_set_priority(trit_op op, trit_format f, const char *variant, int priority);

/* Weights bound to a kernel: the repack done once. Bytes = the caller's weights (packed alloc_bytes or
 * M·K·element size) when the kernel reads them directly, else the repacked layout's. */
typedef struct trit_bound_weights {
    const trit_kernel *k;
    trit_weights w;
    void *repacked;
    size_t repacked_bytes;
} trit_bound_weights;

int trit_kernel_bind(const trit_kernel *k, const trit_weights *w, trit_bound_weights *out);
void trit_kernel_unbind(trit_bound_weights *b);
size_t trit_bound_weight_bytes(const trit_bound_weights *b);

/* Runs bound weights on activations: per-call preparation, workspace, the row split over `threads`
 * OpenMP threads (≥ 1; row chunks rounded to 16; results independent of the thread count). out_acc for
 * exact kernels, out_y for FP32-result kernels (N × M). Returns 0, or -1 on a shape/format mismatch, a
 * GEMV given N ≠ 1, a missing output, or no memory for preparation/workspace. */
int trit_kernel_run(const trit_bound_weights *b, const trit_acts *x, int threads, int32_t *out_acc, float *out_y);

/* Ternary convenience: acc (x->rows × w->rows) with an exact kernel (binds and unbinds per call when the
 * kernel repacks: correct, but callers that time bind once). Returns 0 or -1 as trit_kernel_run. */
int trit_matmul(const trit_kernel *k, const trit_packed *w, const trit_act *x, int threads, int32_t *acc);
/* Float convenience: Y (N × M) = X (N × K) · Wᵀ with an FP32-format kernel. Returns 0 or -1. */
int trit_sgemm(const trit_kernel *k, const float *W, const float *X, size_t M, size_t K, size_t N, int threads,
               float *Y);
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
/* Y (n × w.rows) = BitLinear(X (n × w.cols)). k must be an exact kernel of layer->w.format;
 * n ≤ ws->max_rows. GEMV kernels take n == 1 only. Returns 0 or -1. */
int trit_bitlinear_forward(const trit_kernel *k, const trit_bitlinear *layer, const float *X, size_t n, float *Y,
                           int threads, trit_bitlinear_ws *ws);

/* Aligned allocation used for all kernel buffers (TRIT_ALIGN, size rounded up); free with free(). */
void *trit_aligned_alloc(size_t bytes);

#endif
