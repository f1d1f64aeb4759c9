/* abi_mismatch.c — test plugin: claims the next major ABI version. Must be refused with exit 2 and a
 * message naming both versions. */
#include <tritbench/plugin.h>

static const tbp_plugin plugin = {
    .struct_size = sizeof(tbp_plugin),
    .abi_major = TRITBENCH_PLUGIN_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "test_abi_mismatch",
    .version = "9.9",
};

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    (void)host;
    return &plugin;
}
