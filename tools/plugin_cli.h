/* plugin_cli.h — `--plugin PATH` (repeatable) and TRITBENCH_PLUGIN_PATH for every command that takes
 * kernels: list, info, run, validate, and commands that forward run flags (ab).
 *
 *     tb_str_list plugins = {0};
 *     tb_opt_group groups[] = {..., cli_plugin_group(&plugins)};
 *     ... parse ...
 *     if (cli_plugins_load("tritbench ab", &plugins) != 0) return 2;   // message printed
 *
 * A command that runs other tritbench processes forwards --plugin as typed (tb_args_of_group on this
 * group); TRITBENCH_PLUGIN_PATH is inherited by children anyway. */
#ifndef TRITBENCH_TOOLS_PLUGIN_CLI_H
#define TRITBENCH_TOOLS_PLUGIN_CLI_H

#include "tritbench/args.h"

/* The option group binding --plugin to paths. */
tb_opt_group cli_plugin_group(tb_str_list *paths);
/* Loads TRITBENCH_PLUGIN_PATH's entries (colon-separated, empty ones ignored), then paths. Returns 0,
 * or 2 after "CMD: --plugin PATH: why" on stderr (ABI mismatch, missing symbol, crash while loading). */
int cli_plugins_load(const char *cmd, const tb_str_list *paths);

#endif
