/* hang.c — test plugin: its entry point never returns. Loading is probed in a child with a deadline
 * (TRITBENCH_PLUGIN_TIMEOUT), so tritbench must exit 2 saying the plugin hung. */
#include <tritbench/plugin.h>
#include <unistd.h>

TRITBENCH_PLUGIN_EXPORT const tbp_plugin *tritbench_plugin_entry(const tbp_host *host)
{
    (void)host;
    for (;;)
        pause();
}
