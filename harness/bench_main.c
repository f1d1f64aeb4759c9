/* bench_main.c — tb_main: a user's own benchmark program with `tritbench run`'s flags, console table,
 * JSON/CSV output and --benchmark_out, so its files go through `tritbench compare` like ours. */
#include <string.h>

#include "harness/run_main.h"
#include "tritbench/args.h"

int tb_main(int argc, char **argv, tb_registry *reg)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "benchmark";
    const char *slash = strrchr(prog, '/');
    prog = slash ? slash + 1 : prog;
    tb_flags fl;
    tb_flags_default(&fl);
    tb_opt_group groups[TB_FLAGS_GROUPS];
    const tb_command cmd = {
        .name = prog,
        .synopsis = "[flags]",
        .about = "A benchmark program built on tritbench (tb_main): google/benchmark's flags and output, the\n"
                 "same JSON `tritbench compare` reads. --threads, --quick, --variants and --formats are tritbench's\n"
                 "suite selectors and do nothing here unless the program reads them.\n",
        .footer = "Exit status: 0 done, 1 a benchmark failed (error_occurred), 2 bad usage or the run could not\n"
                  "be done.\n",
    };
    tb_args args;
    int st = tb_args_run(&cmd, groups, tb_flags_groups(&fl, groups), argc, argv, &args);
    if (st < 0)
        st = tb_run_check_flags(prog, &fl) != 0 ? 2 : tb_run_registry(prog, &fl, reg, NULL);
    return tb_close_stdout(prog, st);
}
