/* cli_names.c — --variants / --formats / TRIT_ISA checked against this build's tables. */
#include "cli_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/args.h"
#include "tritbench/baselines.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench_config.h"
#if TRIT_HAVE_CUDA
#include "kernels/cuda/trit_cuda.h"
#endif

/* Appends name to the comma-separated buf unless it is there already. */
static void add_name(char *buf, size_t cap, const char *name)
{
    if (*buf && tb_list_contains(buf, name))
        return;
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used, "%s%s", used ? "," : "", name);
}

/* The kernel variants of this build (every op and format), comma-separated. */
static void kernel_variants(char *buf, size_t cap)
{
    size_t n;
    const trit_kernel *k = trit_kernels(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        add_name(buf, cap, k[i].variant);
}

static void all_variants(char *buf, size_t cap)
{
    size_t n;
    kernel_variants(buf, cap);
    const trit_kernel *k = trit_kernels(&n);
    for (size_t i = 0; i < n; i++) { /* an added variant "<origin>:<v>" is also selected by its origin */
        const char *colon = strchr(k[i].variant, ':');
        char origin[160];
        if (colon && (size_t)(colon - k[i].variant) < sizeof origin) {
            snprintf(origin, sizeof origin, "%.*s", (int)(colon - k[i].variant), k[i].variant);
            add_name(buf, cap, origin);
        }
    }
    const trit_fp32_kernel *f = trit_fp32_kernels(&n);
    for (size_t i = 0; i < n; i++)
        add_name(buf, cap, f[i].name);
#if TRIT_HAVE_CUDA
    add_name(buf, cap, "cuda");
    for (int i = 0; i < TRIT_CUDA_IMPL_COUNT; i++)
        add_name(buf, cap, trit_cuda_impl_name((trit_cuda_impl)i));
#endif
}

static void all_formats(char *buf, size_t cap, bool baselines)
{
    buf[0] = '\0';
    for (int f = 0; f < TRIT_FMT_COUNT; f++)
        add_name(buf, cap, trit_format_name((trit_format)f));
    size_t n;
    const trit_kernel *k = trit_kernels(&n);
    for (size_t i = 0; i < n; i++) /* layouts of their own that ternary kernels read (a plugin's) */
        if (trit_format_is_ternary(k[i].format))
            add_name(buf, cap, trit_kernel_layout(&k[i]));
    if (baselines) {
        add_name(buf, cap, "fp32");
#if TRIT_HAVE_CUDA
        add_name(buf, cap, "fp16");
        add_name(buf, cap, "bf16");
#endif
    }
}

static int check_list(const char *cmd, const char *flag, const char *list, const char *known, const char *what)
{
    char item[128];
    const char *cur = list;
    int got;
    while ((got = tb_list_next(&cur, item, sizeof item)) != 0) {
        if (got < 0 || !*item) {
            fprintf(stderr, "%s: %s: '%s' is not a comma-separated list of %ss\n", cmd, flag, list, what);
            return -1;
        }
        if (!tb_list_contains(known, item)) {
            fprintf(stderr, "%s: %s: unknown %s '%s' (this build has: %s)\n", cmd, flag, what, item, known);
            return -1;
        }
    }
    return 0;
}

int cli_check_variants(const char *cmd, const char *flag, const char *list)
{
    char known[1024];
    all_variants(known, sizeof known);
    return list ? check_list(cmd, flag, list, known, "variant") : 0;
}

int cli_check_formats(const char *cmd, const char *flag, const char *list, bool baselines)
{
    char known[256];
    all_formats(known, sizeof known, baselines);
    return list ? check_list(cmd, flag, list, known, "format") : 0;
}

int cli_check_trit_isa(const char *cmd)
{
    const char *forced = getenv("TRIT_ISA");
    if (!forced || !*forced)
        return 0;
    char known[512];
    kernel_variants(known, sizeof known);
    if (!tb_list_contains(known, forced)) {
        fprintf(stderr, "%s: TRIT_ISA=%s: no such kernel variant in this build (variants: %s)\n", cmd, forced, known);
        return -1;
    }
    size_t n;
    const trit_kernel *k = trit_kernels(&n);
    char why[256] = "";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(k[i].variant, forced) != 0)
            continue;
        if (trit_kernel_runnable(&k[i], why, sizeof why))
            return 0;
    }
    fprintf(stderr, "%s: TRIT_ISA=%s cannot run here: %s\n", cmd, forced, why);
    return -1;
}
