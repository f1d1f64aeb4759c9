/* plugin.h — the tritbench plugin ABI: bring your own ternary kernel, in your own packed layout.
 *
 * A plugin is a shared object that exports ONE function, named TRITBENCH_PLUGIN_ENTRY:
 *
 *     const tbp_plugin *tritbench_plugin_entry(const tbp_host *host);
 *
 * It returns a table of kernel descriptors (static storage, valid until the object is unloaded), or NULL
 * on failure (say why through host->log). `tritbench list|info|run|validate --plugin PATH` (repeatable;
 * also TRITBENCH_PLUGIN_PATH=a.so:b.so) loads it; its kernels appear beside tritbench's own, named
 * "<plugin>:<variant>", with their origin (the plugin's name, version and path) in list, JSON and reports.
 *
 * Versioning. TRITBENCH_PLUGIN_ABI_MAJOR changes when a struct changes incompatibly; a plugin built for
 * another major is refused (exit 2, the message names both versions). MINOR grows when fields are added
 * at the END of a struct: every struct starts with `struct_size` = sizeof the struct as the writer
 * compiled it, so each side reads only the fields the other one has. Fill struct_size with sizeof, always.
 *
 * What the harness hands a kernel (the same matrices our own kernels get, so every result is comparable):
 *   weights  — the ternary matrix W (rows M × cols K, int8 in {-1, 0, +1}, row-major) and its scales γ
 *              (one per tensor, or one per row). pack() turns them into the plugin's own layout ONCE,
 *              outside timing, allocating every byte it keeps through host->alloc; it reports the bytes
 *              of packed weights (codes + scales) in *weight_bytes, which must equal what it allocated
 *              through the host (checked: a mismatch refuses the kernel). Memory figures read this number.
 *   activations — per call, either quantized (TBP_ACT_INT8: int8 codes q, per-row scale s with x ≈ q / s,
 *              and Σq per row; q ∈ [-128, 127], -128 included), or FP32 (TBP_ACT_FP32: the kernel
 *              quantizes itself, and that is timed). Both are always filled in; act_input says which the
 *              kernel reads, and which one the harness times.
 * What it returns, for output rows [m_begin, m_end) of every activation row n:
 *   TBP_RESULT_INT32_EXACT — int32 accumulators acc[n·ld + m] = Σ_k W[m,k]·q[n,k]. Must equal the scalar
 *              oracle bit for bit (ternary × int8 in int32 is exact).
 *   TBP_RESULT_FP32_TOL    — FP32 outputs y[n·ld + m] ≈ γ_m · Σ_k W[m,k]·q[n,k] / s_n. Accepted when
 *              |y − y_ref| ≤ tolerance · γ_m · Σ_k |W[m,k]·q[n,k]| / s_n for every element (relative to the
 *              sum of magnitudes, as tritbench's own FP32-result kernels declare it: an all-zero row must
 *              give exactly 0); the tolerance is shown in every report.
 * Threads: the harness splits the output rows across threads and calls matmul() concurrently on disjoint
 * row ranges (each call gets its own workspace); matmul() must not write outside its rows.
 *
 * Correctness gate: before anything is timed, each kernel is run against the scalar oracle on awkward
 * shapes (K = 1, tails, odd M, all-zero rows, -128 activations, long K) in a child process; a kernel
 * that differs is not timed (its rows say "incorrect: max |Δ| …, first bad row/col …"); a plugin that
 * crashes, hangs, or has the wrong ABI makes the command exit 2 with a message. "Hangs": loading takes
 * over 30 s, or one kernel's gate over 120 s (TRITBENCH_PLUGIN_TIMEOUT=SECONDS sets both).
 *
 * Build a plugin against the installed library's flags:
 *     cc -shared -fPIC -o my.so my.c $(pkg-config --cflags tritbench)
 * (no need to link libtritbench: the ABI is this header only). Examples: examples/plugins/.
 */
#ifndef TRITBENCH_PLUGIN_H
#define TRITBENCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRITBENCH_PLUGIN_ABI_MAJOR 1
#define TRITBENCH_PLUGIN_ABI_MINOR 0
#define TRITBENCH_PLUGIN_ENTRY "tritbench_plugin_entry"

/* Operations a kernel implements (bits of tbp_kernel.ops). GEMV calls have rows == 1. */
enum { TBP_OP_GEMV = 1u << 0, TBP_OP_GEMM = 1u << 1 };

typedef enum tbp_result_class {
    TBP_RESULT_INT32_EXACT = 0, /* int32 accumulators, bit-exact against the oracle */
    TBP_RESULT_FP32_TOL = 1     /* FP32 outputs (scales applied), within the declared tolerance */
} tbp_result_class;

typedef enum tbp_act_input {
    TBP_ACT_INT8 = 0, /* reads q, scale, sum (quantized by the harness, outside timing) */
    TBP_ACT_FP32 = 1  /* reads x and quantizes itself (inside timing); result class must be FP32_TOL */
} tbp_act_input;

/* Services of the harness. Allocation is counted: pack() must allocate what it keeps through alloc. */
typedef struct tbp_host {
    uint32_t struct_size;
    uint16_t abi_major, abi_minor; /* the harness's version */
    void *ctx;                     /* pass back to the functions below */
    void *(*alloc)(void *ctx, size_t bytes, size_t align); /* align: power of two ≤ 4096; NULL on failure */
    void (*free)(void *ctx, void *p);
    void (*log)(void *ctx, const char *message); /* one line, shown with the plugin's name */
} tbp_host;

/* The ternary matrix handed to pack(). */
typedef struct tbp_weights {
    uint32_t struct_size;
    size_t rows, cols;    /* M output features, K input features */
    const int8_t *w;      /* rows × cols, row-major, values in {-1, 0, +1} */
    const float *scales;  /* γ: n_scales floats */
    size_t n_scales;      /* 1 (per tensor) or rows (per row) */
} tbp_weights;

/* One call's activations: rows N (1 for GEMV) × cols K. */
typedef struct tbp_act {
    uint32_t struct_size;
    size_t rows, cols;
    size_t stride;        /* elements between rows of q (≥ cols; q is zero beyond cols) */
    const int8_t *q;      /* TBP_ACT_INT8: rows × stride codes; 64-byte aligned */
    const float *scale;   /* s per row (x ≈ q / s) */
    const int32_t *sum;   /* Σ q per row */
    const float *x;       /* FP32 rows × cols, leading dimension cols (TBP_ACT_FP32 reads this) */
} tbp_act;

typedef struct tbp_kernel {
    uint32_t struct_size;
    const char *variant;  /* unique within the plugin: [A-Za-z0-9_.-]+, e.g. "avx2" */
    const char *format;   /* name of the packed layout, e.g. "i2", "tq2_0"; [A-Za-z0-9_.-]+ */
    uint32_t ops;         /* TBP_OP_* bits */
    uint32_t result_class; /* tbp_result_class */
    uint32_t act_input;    /* tbp_act_input */
    double tolerance;      /* TBP_RESULT_FP32_TOL: relative tolerance (see above), > 0 and < 0.5 */
    int32_t priority;      /* higher = preferred when several kernels can run one (op, format); ≤ 0: used
                              only when named (--variants, TRIT_ISA). Plugin kernels are rows of
                              tritbench's kernel table (format i2 as input, named "<plugin>:<variant>");
                              the declared priority applies once the correctness gate passed, and only
                              to TBP_RESULT_INT32_EXACT kernels (FP32 outputs are chosen only by name). */
    /* Optional: can it run on this machine? Return 1, or 0 with the reason written to why. */
    int (*available)(char *why, size_t why_len);
    /* Packs w into the kernel's layout; *packed receives the handle matmul() reads. Returns 0, or -1. */
    int (*pack)(const tbp_host *host, const tbp_weights *w, void **packed, size_t *weight_bytes);
    /* Frees what pack() allocated (through host->free). */
    void (*release)(const tbp_host *host, void *packed);
    /* Optional: bytes of scratch one matmul() call needs for weights M × K and N activation rows (NULL:
     * none). Each concurrent call gets its own. */
    size_t (*workspace_bytes)(size_t M, size_t K, size_t N);
    /* Output rows [m_begin, m_end), all activation rows: out is int32_t* or float* per result_class,
     * element (n, m) at out[n·ld_out + m]. workspace: workspace_bytes() bytes, 64-byte aligned, or NULL.
     * Returns 0, or -1 if it cannot (the run reports an error; it is not a crash). */
    int (*matmul)(const void *packed, const tbp_act *x, size_t m_begin, size_t m_end, void *out, size_t ld_out,
                  void *workspace);
} tbp_kernel;

typedef struct tbp_plugin {
    uint32_t struct_size;
    uint16_t abi_major, abi_minor; /* TRITBENCH_PLUGIN_ABI_MAJOR / _MINOR the plugin was built with */
    const char *name;     /* [A-Za-z0-9_.-]+, unique among loaded plugins: "acme" */
    const char *version;  /* free text: "1.2.0" */
    uint32_t kernel_size; /* sizeof(tbp_kernel) as the plugin compiled it (the array's element stride) */
    size_t n_kernels;
    const tbp_kernel *kernels;
} tbp_plugin;

typedef const tbp_plugin *(*tbp_entry_fn)(const tbp_host *host);

/* Declares the entry point with the right name and visibility:
 *     TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host) { ... } */
#if defined(__GNUC__)
#define TRITBENCH_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define TRITBENCH_PLUGIN_EXPORT
#endif
TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host);

#ifdef __cplusplus
}
#endif

#endif
