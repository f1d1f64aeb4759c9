/* registry.c — the one kernel table (reference + whatever each architecture folder and OpenBLAS compiled
 * in + descriptors added at run time), lookup, and the only place that chooses a kernel: TRIT_ISA forces
 * a variant, otherwise the runnable descriptor with the highest priority wins. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/tables.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

TRIT_ROWS_ADAPTER(i2_scalar, trit_matmul_i2_scalar)
TRIT_ROWS_ADAPTER(t5_scalar, trit_matmul_t5_scalar)
TRIT_SGEMM_ADAPTER(fp32_scalar, trit_sgemm_scalar_rows)

const trit_kernel trit_kernels_ref[] = {
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_I2, "scalar", 1, 0, i2_scalar),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMV, TRIT_FMT_T5, "scalar", 1, 0, t5_scalar),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_I2, "scalar", 1, 0, i2_scalar),
    TRIT_EXACT_KERNEL(TRIT_OP_GEMM, TRIT_FMT_T5, "scalar", 1, 0, t5_scalar),
    TRIT_FP32_KERNEL(TRIT_OP_GEMV, "scalar", 1, 0, fp32_scalar),
    TRIT_FP32_KERNEL(TRIT_OP_GEMM, "scalar", 1, 0, fp32_scalar),
};
const size_t trit_kernels_ref_count = sizeof trit_kernels_ref / sizeof trit_kernels_ref[0];

#define MAX_KERNELS 256
static trit_kernel all[MAX_KERNELS];
static size_t n_all;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t add_lock = PTHREAD_MUTEX_INITIALIZER;

static void append(const trit_kernel *t, size_t n)
{
    for (size_t i = 0; i < n && n_all < MAX_KERNELS; i++)
        all[n_all++] = t[i];
}

static void build_table(void)
{
    append(trit_kernels_ref, trit_kernels_ref_count);
#if TRIT_HAVE_X86_64
    for (size_t u = 0; u < trit_kernels_x86_n_units; u++)
        append(trit_kernels_x86_units[u].table, *trit_kernels_x86_units[u].count);
#endif
#if TRIT_HAVE_AARCH64
    append(trit_kernels_arm, trit_kernels_arm_count);
#endif
#if TRIT_HAVE_CUDA
    append(trit_kernels_cuda, trit_kernels_cuda_count);
#endif
    append(trit_kernels_lowp, trit_kernels_lowp_count);
#if TRIT_HAVE_OPENBLAS
    append(trit_kernels_openblas, trit_kernels_openblas_count);
#endif
}

const trit_kernel *trit_kernels(size_t *count)
{
    pthread_once(&once, build_table);
    pthread_mutex_lock(&add_lock);
    *count = n_all;
    pthread_mutex_unlock(&add_lock);
    return all;
}

int trit_kernels_add(const trit_kernel *table, size_t n, char *why, size_t why_len)
{
    pthread_once(&once, build_table);
    pthread_mutex_lock(&add_lock);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const trit_kernel *k = &table[i];
        if (!k->variant || !k->matmul || (unsigned)k->op >= TRIT_OP_COUNT) {
            snprintf(why, why_len, "descriptor %zu: no variant name, no matmul function or a bad op", i);
            rc = -1;
        } else if (trit_kernel_get(k->op, k->format, k->variant)) {
            snprintf(why, why_len, "%s/%s/%s is already in the table", trit_op_name(k->op),
                     trit_format_name(k->format), k->variant);
            rc = -1;
        } else if (n_all >= MAX_KERNELS) {
            snprintf(why, why_len, "the kernel table is full (%d descriptors)", MAX_KERNELS);
            rc = -1;
        } else {
            all[n_all++] = *k;
        }
    }
    pthread_mutex_unlock(&add_lock);
    return rc;
}

static const char *const op_names[TRIT_OP_COUNT] = {"gemv", "gemm"};

const char *trit_op_name(trit_op op) { return (unsigned)op < TRIT_OP_COUNT ? op_names[op] : "?"; }

int trit_op_parse(const char *name, trit_op *out)
{
    for (int i = 0; i < TRIT_OP_COUNT; i++)
        if (name && strcmp(name, op_names[i]) == 0) {
            *out = (trit_op)i;
            return 0;
        }
    return -1;
}

bool trit_kernel_runnable(const trit_kernel *k, char *why, size_t why_len)
{
    const uint32_t have = trit_cpu_features();
    const uint32_t lacking = k->requires & ~have;
    if (lacking) {
        char names[256];
        trit_cpu_features_string(lacking, names, sizeof names);
        const uint32_t hidden = lacking & trit_cpu_features_detected();
        snprintf(why, why_len, "needs %s (%s)", names,
                 hidden == lacking ? "hidden by TRIT_CPU_MASK" : "this CPU/OS lacks it");
        return false;
    }
    if (k->available && !k->available(why, why_len))
        return false;
    if (k->available_ctx && !k->available_ctx(k->ctx, why, why_len))
        return false;
    snprintf(why, why_len, "yes");
    return true;
}

/* Called with or without add_lock: reads only entries below a count taken once (entries never move). */
const trit_kernel *trit_kernel_get(trit_op op, trit_format f, const char *variant)
{
    pthread_once(&once, build_table);
    const size_t n = n_all;
    for (size_t i = 0; i < n && variant; i++)
        if (all[i].op == op && all[i].format == f && strcmp(all[i].variant, variant) == 0)
            return &all[i];
    return NULL;
}

const trit_kernel *trit_kernel_select(trit_op op, trit_format f, char *err, size_t err_len)
{
    char why[256];
    const char *forced = getenv("TRIT_ISA");
    if (forced && *forced) {
        const trit_kernel *k = trit_kernel_get(op, f, forced);
        if (k) {
            if (trit_kernel_runnable(k, why, sizeof why))
                return k;
            snprintf(err, err_len, "TRIT_ISA=%s cannot run here: %s", forced, why);
            return NULL;
        }
        /* TRIT_ISA names ternary variants; a float baseline without that name keeps its own choice. */
        if (trit_format_is_ternary(f)) {
            snprintf(err, err_len, "TRIT_ISA=%s: no such %s/%s variant in this build (see 'tritbench list')",
                     forced, trit_op_name(op), trit_format_name(f));
            return NULL;
        }
    }
    size_t n;
    const trit_kernel *t = trit_kernels(&n);
    const trit_kernel *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (t[i].op == op && t[i].format == f && t[i].priority > 0 &&
            (!best || t[i].priority > best->priority) && trit_kernel_runnable(&t[i], why, sizeof why))
            best = &t[i];
    if (!best)
        snprintf(err, err_len, "no runnable %s/%s kernel", trit_op_name(op), trit_format_name(f));
    return best;
}

size_t trit_kernel_name(const trit_kernel *k, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s/%s", trit_op_name(k->op), trit_kernel_layout(k), k->variant);
    return n < 0 ? 0 : (size_t)n;
}

const char *trit_kernel_layout(const trit_kernel *k)
{
    return k->layout ? k->layout : trit_format_name(k->format);
}

int trit_kernels_set_priority(trit_op op, trit_format f, const char *variant, int priority)
{
    pthread_mutex_lock(&add_lock);
    /* trit_kernel_get hands out const pointers into `all`: this is the one writer, under the lock. */
    const trit_kernel *k = trit_kernel_get(op, f, variant);
    if (k)
        all[k - all].priority = priority;
    pthread_mutex_unlock(&add_lock);
    return k ? 0 : -1;
}
