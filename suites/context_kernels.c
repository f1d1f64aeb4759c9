/* context_kernels.c — what only the kernel library knows, added to a run's context: the CPU's ISA
 * features and which kernel variants are compiled in and can run here. */
#include <stdio.h>
#include <string.h>

#include "tritbench/context.h"
#include "tritbench/cpu.h"
#include "tritbench/kernels.h"
#include "tritbench/suites.h"

/* Appends to buf without ever overflowing it (a long list is cut, never a crash). */
static void append(char *buf, size_t len, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 < len)
        snprintf(buf + used, len - used, "%s", text);
}

void tb_context_add_kernel_info(struct tb_context *ctx)
{
    char buf[512];
    uint32_t detected = trit_cpu_features_detected(), usable = trit_cpu_features();
    trit_cpu_features_string(usable, buf, sizeof buf);
    tb_context_add(ctx, "isa_features", buf);
    if (detected != usable) {
        trit_cpu_features_string(detected & ~usable, buf, sizeof buf);
        tb_context_add(ctx, "isa_features_masked", buf); /* hidden by TRIT_CPU_MASK */
    }
    tb_context_add(ctx, "cpu_arch", trit_cpu_arch());

    size_t n;
    const trit_kernel *ks = trit_kernels(&n);
    char runnable[2048] = "", not_runnable[2048] = "";
    for (size_t i = 0; i < n; i++) {
        char name[64], why[128] = "", item[256];
        trit_kernel_name(&ks[i], name, sizeof name);
        if (trit_kernel_runnable(&ks[i], why, sizeof why)) {
            snprintf(item, sizeof item, "%s%s", runnable[0] ? " " : "", name);
            append(runnable, sizeof runnable, item);
        } else {
            snprintf(item, sizeof item, "%s%s (%s)", not_runnable[0] ? "; " : "", name, why);
            append(not_runnable, sizeof not_runnable, item);
        }
    }
    tb_context_add(ctx, "kernel_variants", runnable);
    tb_context_add(ctx, "kernel_variants_not_runnable", not_runnable[0] ? not_runnable : "none");
}
