/* cmd_list.c — `tritbench list`: the benchmark instance names (what --benchmark_filter selects from)
 * and the kernel variants table: compiled in, runnable here or not, and why. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "harness/filter.h"
#include "tritbench/flags.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench/suites.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: tritbench list [--benchmark_filter=REGEX] [--variants] [--quick] [--threads=N,...]\n"
                 "                      [--variants=LIST] [--formats=LIST]\n\n"
                 "Prints the benchmark instance names `tritbench run` would run, then the kernel variants\n"
                 "table (op, format, variant, priority, origin, result class, runnable here, why not) — ternary\n"
                 "kernels and FP32 baselines in one table.\n"
                 "  --variants alone prints only the variants tables.\n");
}

static void print_variants(void)
{
    size_t n;
    const trit_kernel *ks = trit_kernels(&n);
    printf("Kernel variants: one table of ternary kernels and FP32 baselines (%zu descriptors; priority picks\n"
           "the default per op/format, 0 = only when asked for by name):\n", n);
    printf("  %-5s %-6s %-14s %-9s %-8s %-8s %-12s %s\n", "op", "format", "variant", "runnable", "priority", "origin",
           "result", "why not");
    for (size_t i = 0; i < n; i++) {
        char why[256] = "";
        bool ok = trit_kernel_runnable(&ks[i], why, sizeof why);
        printf("  %-5s %-6s %-14s %-9s %-8d %-8s %-12s %s\n", trit_op_name(ks[i].op), trit_format_name(ks[i].format),
               ks[i].variant, ok ? "yes" : "no", ks[i].priority, ks[i].origin,
               ks[i].result == TRIT_RESULT_EXACT_INT32 ? "exact-int32" : "fp32-tol", ok ? "" : why);
    }
}

int cmd_list(int argc, char **argv)
{
    tb_flags fl;
    char err[512];
    bool variants_only = false;
    tb_flags_default(&fl);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--variants") == 0) {
            variants_only = true;
            continue;
        }
        int rc = tb_flags_parse_arg(&fl, argv[i], err, sizeof err);
        if (rc == 0)
            snprintf(err, sizeof err, "unknown flag or argument '%s' (see --help)", argv[i]);
        if (rc <= 0) {
            fprintf(stderr, "tritbench list: %s\n", err);
            return 2;
        }
    }
    if (fl.help) {
        usage(stdout);
        return 0;
    }
    tb_filter f;
    if (tb_filter_compile(&f, fl.opt.filter, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench list: %s\n", err);
        return 2;
    }
    if (!variants_only) {
        tb_suite_config cfg;
        tb_suite_config_from_flags(&fl, &cfg);
        tb_registry *reg = tb_registry_new();
        if (!reg || tb_suites_register_all(reg, &cfg) != 0) {
            fprintf(stderr, "tritbench list: a suite could not register its benchmarks\n");
            tb_registry_free(reg);
            tb_filter_free(&f);
            return 2;
        }
        size_t shown = 0;
        for (size_t i = 0; i < tb_registry_count(reg); i++) {
            const char *name = tb_registry_name(reg, i);
            if (tb_filter_match(&f, name)) {
                printf("%s\n", name);
                shown++;
            }
        }
        fprintf(stderr, "%zu of %zu benchmark instances\n", shown, tb_registry_count(reg));
        tb_registry_free(reg);
        printf("\n");
    }
    tb_filter_free(&f);
    print_variants();
    return 0;
}
