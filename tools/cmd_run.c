/* cmd_run.c — `tritbench run`: register every suite, run what --benchmark_filter selects, print the
 * console table (or JSON/CSV) and write --benchmark_out. google/benchmark's flags and output. */
#include <stdio.h>

#include "cli_names.h"
#include "commands.h"
#include "harness/run_main.h"
#include "plugin/plugins.h"
#include "plugin_cli.h"
#include "tritbench/context.h"
#include "tritbench/flags.h"
#include "tritbench/suites.h"
#include "tritbench_config.h"

static const tb_command run_cmd = {
    .name = "tritbench run",
    .synopsis = "[flags]",
    .about = "Runs the benchmark suites (stream, quant, gemv, gemm, bitlinear, e2e, ...); instance names read\n"
             "<suite>/<what>/<args>/threads:<N>. Flags as google/benchmark spells them, plus tritbench's.\n",
    .footer = "Every kernel (ours and plugins') is checked against the scalar oracle before anything is timed; one\n"
              "that differs is not timed and its rows say \"incorrect: ...\". Console rows appear as each instance\n"
              "finishes (the context goes to stderr). Exit status: 0 done, 1 a benchmark failed or a kernel is\n"
              "incorrect, 2 bad usage, a plugin that cannot load or crashed, or a run that could not be done.\n",
};

/* Everything a user can get wrong is reported here, before any benchmark runs. */
static int check_flags(const tb_flags *fl)
{
    if (cli_check_trit_isa("tritbench run") != 0 || cli_check_variants("tritbench run", "--variants", fl->variants) ||
        cli_check_formats("tritbench run", "--formats", fl->formats, true) != 0)
        return -1;
#if !TRIT_HAVE_HWLOC
    if (fl->opt.pin) {
        fprintf(stderr, "tritbench run: --pin needs hwloc, and this build has none\n");
        return -1;
    }
#endif
    return tb_run_check_flags("tritbench run", fl);
}

static void add_context(tb_context *ctx, void *user)
{
    (void)user;
    tb_context_add_kernel_info(ctx);
    tb_plugins_add_context(ctx);
}

int cmd_run(int argc, char **argv)
{
    tb_flags fl;
    tb_flags_default(&fl);
    tb_str_list plugins = {0};
    tb_opt_group groups[TB_FLAGS_GROUPS + 1];
    size_t n_groups = tb_flags_groups(&fl, groups);
    groups[n_groups++] = cli_plugin_group(&plugins);
    tb_args args;
    int st = tb_args_run(&run_cmd, groups, n_groups, argc, argv, &args);
    if (st >= 0)
        return st;
    if (cli_plugins_load("tritbench run", &plugins) != 0)
        return 2;
    if (check_flags(&fl) != 0)
        return 2;
    tb_suite_config cfg;
    tb_suite_config_from_flags(&fl, &cfg);
    tb_registry *reg = tb_registry_new();
    if (!reg || tb_suites_register_all(reg, &cfg) != 0) {
        fprintf(stderr, "tritbench run: a suite could not register its benchmarks\n");
        tb_registry_free(reg);
        return 2;
    }
    int status;
    /* The gate before any timing (not for --benchmark_list_tests, which runs nothing). */
    int incorrect = fl.list_tests ? 0 : tb_gate_all("tritbench run", fl.variants, fl.formats, reg);
    if (incorrect < 0) {
        status = 2;
    } else {
        const tb_run_hooks hooks = {add_context, NULL};
        status = tb_run_registry("tritbench run", &fl, reg, &hooks);
        if (status == 0 && incorrect > 0)
            status = 1;
    }
    tb_registry_free(reg);
    return status;
}
