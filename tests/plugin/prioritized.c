/* prioritized.c — test plugin: the minimal I2 example declaring priority 7, so a test can see the
 * declared priority reach the kernel table once the correctness gate passed. */
#define tritbench_plugin_entry i2_minimal_entry
#include "../../examples/plugins/i2_minimal.c"
#undef tritbench_plugin_entry

static tbp_kernel prio_kernels[1];
static tbp_plugin prio_plugin;

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host);
TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    (void)host;
    prio_kernels[0] = kernels[0];
    prio_kernels[0].priority = 7;
    prio_plugin = plugin;
    prio_plugin.name = "test_prioritized";
    prio_plugin.kernels = prio_kernels;
    return &prio_plugin;
}
