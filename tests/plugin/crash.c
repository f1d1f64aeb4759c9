/* crash.c — test plugin: loads fine, then its matmul dereferences NULL. The gate runs plugin kernels
 * in a child process, so tritbench must exit 2 with a message naming the kernel, not crash. */
#define tritbench_plugin_entry i2_minimal_entry
#include "../../examples/plugins/i2_minimal.c"
#undef tritbench_plugin_entry

static int crash_matmul(const void *packed, const tbp_act *x, size_t m_begin, size_t m_end, void *out,
                        size_t ld_out, void *workspace)
{
    (void)packed, (void)x, (void)m_begin, (void)m_end, (void)out, (void)ld_out;
    volatile int *nowhere = (volatile int *)workspace; /* NULL: no workspace was asked for */
    return *nowhere;
}

static tbp_kernel crash_kernels[1];
static tbp_plugin crash_plugin;

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host);
TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    (void)host;
    crash_kernels[0] = kernels[0];
    crash_kernels[0].matmul = crash_matmul;
    crash_plugin = plugin;
    crash_plugin.name = "test_crash";
    crash_plugin.kernels = crash_kernels;
    return &crash_plugin;
}
