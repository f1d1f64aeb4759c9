/* cmd_info.c — `tritbench info`: what this machine and this build can do: ISA features, topology and
 * caches (hwloc), hardware counters (PAPI), OpenBLAS and CUDA, and what the build lacks. */
#include <stdio.h>
#include <string.h>

#include "cli_names.h"
#include "commands.h"
#include "tritbench/args.h"
#include "tritbench/baselines.h"
#include "tritbench/context.h"
#include "tritbench/cpu.h"
#include "tritbench/kernels.h"
#include "tritbench_config.h"

static const tb_command info_cmd = {
    .name = "tritbench info",
    .synopsis = "",
    .about = "Prints the CPU's ISA features (and any hidden by TRIT_CPU_MASK), the hwloc topology and caches,\n"
             "the PAPI status, OpenBLAS and CUDA presence, and the features this build was made without.\n",
    .footer = "TRIT_ISA, when set, must name a kernel variant of this build that can run here (else exit 2).\n",
};

/* Is any CUDA-device kernel in the table and runnable? */
static void cuda_status(char *buf, size_t len)
{
    size_t n;
    const trit_kernel *ks = trit_kernels(&n);
    for (size_t i = 0; i < n; i++) {
        if (ks[i].device != TRIT_DEVICE_CUDA)
            continue;
        char why[200] = "";
        if (trit_kernel_runnable(&ks[i], why, sizeof why))
            snprintf(buf, len, "yes (cuda variants runnable)");
        else
            snprintf(buf, len, "built in, not runnable here: %s", why);
        return;
    }
    snprintf(buf, len, "no (%s)", TRIT_HAVE_CUDA ? "no cuda variant registered" : "built without CUDA");
}

int cmd_info(int argc, char **argv)
{
    tb_args args;
    int st = tb_args_run(&info_cmd, NULL, 0, argc, argv, &args);
    if (st >= 0)
        return st;
    if (cli_check_trit_isa("tritbench info") != 0)
        return 2;
    static tb_context ctx;
    tb_context_collect(&ctx);
    char buf[512];
    printf("tritbench %s (%s), %s build, %s\n", ctx.library_version, ctx.git_commit, TRIT_BUILD_TYPE, ctx.compiler);
    printf("cflags:        %s\n", ctx.cflags);
    printf("CPU:           %s (%s), %d CPU(s), %.0f MHz\n", ctx.cpu_model[0] ? ctx.cpu_model : "unknown",
           trit_cpu_arch(), ctx.num_cpus, ctx.mhz_per_cpu);
    trit_cpu_features_string(trit_cpu_features(), buf, sizeof buf);
    printf("ISA features:  %s\n", buf[0] ? buf : "(none the kernels use)");
    uint32_t hidden = trit_cpu_features_detected() & ~trit_cpu_features();
    if (hidden) {
        trit_cpu_features_string(hidden, buf, sizeof buf);
        printf("masked:        %s (TRIT_CPU_MASK)\n", buf);
    }
    printf("topology:      %s\n", ctx.topology);
    printf("caches:\n");
    for (int i = 0; i < ctx.n_caches; i++)
        printf("  L%d %-11s %8lld KiB, shared by %d CPU(s)\n", ctx.caches[i].level, ctx.caches[i].type,
               ctx.caches[i].size / 1024, ctx.caches[i].num_sharing);
    printf("CPU scaling:   %s\n", ctx.cpu_scaling_enabled ? "enabled (timings may be noisy)" : "not detected");
    printf("PAPI:          %s\n", ctx.perf_counters);
    printf("OpenBLAS:      %s\n", trit_have_openblas() ? "yes (cblas FP32 baselines)" : "no");
    cuda_status(buf, sizeof buf);
    printf("CUDA:          %s\n", buf);
    printf("OpenMP:        %s\n", TRIT_HAVE_OPENMP ? "yes" : "no");
    printf("missing:       %s\n", ctx.missing[0] ? ctx.missing : "nothing");
    return 0;
}
