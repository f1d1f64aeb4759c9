/* plugin_cli.c — the --plugin flag and TRITBENCH_PLUGIN_PATH (see plugin_cli.h). */
#include "plugin_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugins.h"

#define MAX_PATHS 16

static const tb_opt plugin_table[] = {
    {"plugin", .kind = TB_VALUE, .set = tb_set_append, .field = 0, .metavar = "PATH",
     .help = "load a kernel plugin (shared object, include/tritbench/plugin.h); repeatable;\n"
             "also TRITBENCH_PLUGIN_PATH=a.so:b.so"},
};

tb_opt_group cli_plugin_group(tb_str_list *paths)
{
    return (tb_opt_group){"plugin flags", plugin_table, TB_COUNT(plugin_table), paths};
}

int cli_plugins_load(const char *cmd, const tb_str_list *paths)
{
    static char env_copy[8192];
    const char *list[MAX_PATHS + TB_STR_LIST_MAX];
    size_t n = 0;
    const char *env = getenv("TRITBENCH_PLUGIN_PATH");
    if (env && *env) {
        if (strlen(env) >= sizeof env_copy) {
            fprintf(stderr, "%s: TRITBENCH_PLUGIN_PATH is longer than %zu characters\n", cmd, sizeof env_copy - 1);
            return 2;
        }
        snprintf(env_copy, sizeof env_copy, "%s", env);
        char *save = NULL;
        for (char *p = strtok_r(env_copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
            if (n == MAX_PATHS) {
                fprintf(stderr, "%s: TRITBENCH_PLUGIN_PATH names more than %d plugins\n", cmd, MAX_PATHS);
                return 2;
            }
            list[n++] = p;
        }
    }
    for (int i = 0; paths && i < paths->n; i++)
        list[n++] = paths->items[i];
    char err[1024];
    if (n && tb_plugins_load(list, n, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cmd, err);
        return 2;
    }
    return 0;
}
