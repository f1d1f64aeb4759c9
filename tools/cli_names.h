/* cli_names.h — checks of names the user gives the CLI (--variants, --formats, TRIT_ISA) against
 * what this build has, so a typo is named before anything runs instead of selecting nothing. */
#ifndef TRITBENCH_TOOLS_CLI_NAMES_H
#define TRITBENCH_TOOLS_CLI_NAMES_H

#include <stdbool.h>

/* Every item of the comma list is a kernel variant, an FP32 baseline or a CUDA implementation of this
 * build. Else prints "CMD: FLAG: unknown variant 'X' (this build has: ...)" and returns -1. */
int cli_check_variants(const char *cmd, const char *flag, const char *list);
/* Every item is a packed format (i2, t5), or with `baselines` also fp32/fp16/bf16. Else a message, -1. */
int cli_check_formats(const char *cmd, const char *flag, const char *list, bool baselines);
/* TRIT_ISA, when set, names a kernel variant of this build that can run here. Else a message naming
 * the variants that exist (or why it cannot run), -1. */
int cli_check_trit_isa(const char *cmd);

#endif
