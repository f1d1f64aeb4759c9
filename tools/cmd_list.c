/* cmd_list.c — `tritbench list`: the benchmark instance names (what --benchmark_filter selects from)
 * and the kernel variants table: compiled in, runnable here or not, and why. */
#include <stdio.h>
#include <string.h>

#include "cli_names.h"
#include "commands.h"
#include "harness/filter.h"
#include "plugin/plugins.h"
#include "plugin_cli.h"
#include "tritbench/flags.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"
#include "tritbench/suites.h"

static const tb_command list_cmd = {
    .name = "tritbench list",
    .synopsis = "[--benchmark_filter=REGEX] [--quick] [--threads=N,...] [--variants[=LIST]] [--formats=LIST]",
    .about = "Prints the benchmark instance names `tritbench run` would run (the same flags select them), then\n"
             "the kernel variants table: ternary kernels and FP32 baselines in one table (op, format, variant,\n"
             "runnable here, priority, origin, result class, why not).\n",
};

/* `list --variants` alone prints only the tables; with a LIST it selects variants as in `run`. */
typedef struct list_opts {
    bool variants_only;
    const char *variants;
} list_opts;

static int set_variants(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    list_opts *l = field;
    if (!v) {
        l->variants_only = true;
        return 0;
    }
    return tb_set_string(o, &l->variants, v, err, err_len);
}

static const tb_opt list_table[] = {
    {"variants", .kind = TB_OPTIONAL, .set = set_variants, .field = 0, .metavar = "LIST",
     .help = "alone: print only the variants tables; =LIST: include only these variants"},
};

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
        printf("  %-5s %-6s %-14s %-9s %-8d %-8s %-12s %s\n", trit_op_name(ks[i].op), trit_kernel_layout(&ks[i]),
               ks[i].variant, ok ? "yes" : "no", ks[i].priority, ks[i].origin,
               ks[i].result == TRIT_RESULT_EXACT_INT32 ? "exact-int32" : "fp32-tol", ok ? "" : why);
    }
    if (tb_plugin_kernel_count() == 0)
        return;
    printf("Plugin kernels (%zu loaded):\n", tb_plugin_kernel_count());
    printf("  %-9s %-8s %-28s %-9s %-22s %s\n", "ops", "format", "variant", "runnable", "result", "origin");
    for (size_t i = 0; i < tb_plugin_kernel_count(); i++) {
        const tb_plugin_kernel *pk = tb_plugin_kernel_at(i);
        char why[256] = "", result[32], ops[16];
        bool ok = !pk->k.available || pk->k.available(why, sizeof why);
        snprintf(ops, sizeof ops, "%s%s%s", (pk->k.ops & TBP_OP_GEMV) ? "gemv" : "",
                 (pk->k.ops & TBP_OP_GEMV) && (pk->k.ops & TBP_OP_GEMM) ? "," : "", (pk->k.ops & TBP_OP_GEMM) ? "gemm" : "");
        if (pk->k.result_class == TBP_RESULT_FP32_TOL)
            snprintf(result, sizeof result, "fp32 tol %.3g", pk->k.tolerance);
        else
            snprintf(result, sizeof result, "int32 exact");
        printf("  %-9s %-8s %-28s %-9s %-22s plugin %s %s (%s, ABI %u.%u)%s%s\n", ops, pk->format, pk->name,
               ok ? "yes" : "no", result, pk->lib->name, pk->lib->version, pk->lib->path, pk->lib->abi_major,
               pk->lib->abi_minor, ok ? "" : " — ", ok ? "" : why);
    }
}

int cmd_list(int argc, char **argv)
{
    tb_flags fl;
    char err[512];
    tb_flags_default(&fl);
    list_opts lo = {0};
    tb_str_list plugins = {0};
    tb_opt_group groups[3] = {{"list flags", list_table, TB_COUNT(list_table), &lo}};
    size_t n_groups = 1 + tb_flags_select_group(&fl, groups + 1);
    groups[n_groups++] = cli_plugin_group(&plugins);
    tb_args args;
    int st = tb_args_run(&list_cmd, groups, n_groups, argc, argv, &args);
    if (st >= 0)
        return st;
    if (cli_plugins_load("tritbench list", &plugins) != 0)
        return 2;
    fl.variants = lo.variants;
    if (cli_check_variants("tritbench list", "--variants", fl.variants) != 0 ||
        cli_check_formats("tritbench list", "--formats", fl.formats, true) != 0)
        return 2;
    tb_filter f;
    if (tb_filter_compile(&f, fl.opt.filter, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench list: %s\n", err);
        return 2;
    }
    if (!lo.variants_only) {
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
