/* registry.c — the one table of kernel variants (reference + whatever each architecture folder
 * compiled in), run-time selection by CPU features, and TRIT_ISA to force a variant. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/tables.h"
#include "tritbench/cpu.h"
#include "tritbench_config.h"

const trit_kernel trit_kernels_ref[] = {
    {TRIT_OP_GEMV, TRIT_FMT_I2, "scalar", 0, trit_matmul_i2_scalar, NULL},
    {TRIT_OP_GEMV, TRIT_FMT_T5, "scalar", 0, trit_matmul_t5_scalar, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_I2, "scalar", 0, trit_matmul_i2_scalar, NULL},
    {TRIT_OP_GEMM, TRIT_FMT_T5, "scalar", 0, trit_matmul_t5_scalar, NULL},
};
const size_t trit_kernels_ref_count = sizeof trit_kernels_ref / sizeof trit_kernels_ref[0];

#define MAX_KERNELS 256
static trit_kernel all[MAX_KERNELS];
static size_t n_all;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void append(const trit_kernel *t, size_t n)
{
    for (size_t i = 0; i < n && n_all < MAX_KERNELS; i++)
        all[n_all++] = t[i];
}

static void build_table(void)
{
    append(trit_kernels_ref, trit_kernels_ref_count);
#if TRIT_HAVE_X86_64
    append(trit_kernels_x86, trit_kernels_x86_count);
#endif
#if TRIT_HAVE_AARCH64
    append(trit_kernels_arm, trit_kernels_arm_count);
#endif
#if TRIT_HAVE_CUDA
    append(trit_kernels_cuda, trit_kernels_cuda_count);
#endif
}

const trit_kernel *trit_kernels(size_t *count)
{
    pthread_once(&once, build_table);
    *count = n_all;
    return all;
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
    snprintf(why, why_len, "yes");
    return true;
}

const trit_kernel *trit_kernel_get(trit_op op, trit_format f, const char *variant)
{
    size_t n;
    const trit_kernel *t = trit_kernels(&n);
    for (size_t i = 0; i < n; i++)
        if (t[i].op == op && t[i].format == f && strcmp(t[i].variant, variant) == 0)
            return &t[i];
    return NULL;
}

/* Preference when nothing is forced: widest CPU ISA first. The GPU is never picked implicitly:
 * its buffers live elsewhere, so callers ask for it by name. */
static const char *const preference[] = {"avx512_vnni", "avx512bw", "avx2_vnni", "avx2",
                                         "neon_dotprod", "neon",     "scalar"};

const trit_kernel *trit_kernel_select(trit_op op, trit_format f, char *err, size_t err_len)
{
    char why[256];
    const char *forced = getenv("TRIT_ISA");
    if (forced && *forced) {
        const trit_kernel *k = trit_kernel_get(op, f, forced);
        if (!k) {
            snprintf(err, err_len, "TRIT_ISA=%s: no such %s/%s variant in this build (see 'tritbench list')",
                     forced, trit_op_name(op), trit_format_name(f));
            return NULL;
        }
        if (!trit_kernel_runnable(k, why, sizeof why)) {
            snprintf(err, err_len, "TRIT_ISA=%s cannot run here: %s", forced, why);
            return NULL;
        }
        return k;
    }
    for (size_t i = 0; i < sizeof preference / sizeof preference[0]; i++) {
        const trit_kernel *k = trit_kernel_get(op, f, preference[i]);
        if (k && trit_kernel_runnable(k, why, sizeof why))
            return k;
    }
    snprintf(err, err_len, "no runnable %s/%s kernel", trit_op_name(op), trit_format_name(f));
    return NULL;
}

size_t trit_kernel_name(const trit_kernel *k, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s/%s", trit_op_name(k->op), trit_format_name(k->format), k->variant);
    return n < 0 ? 0 : (size_t)n;
}
