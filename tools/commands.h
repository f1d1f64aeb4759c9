/* commands.h — the `tritbench` subcommands. Each takes argv after the command name (argv[0] is the
 * command) and returns the process exit code: 0 success, 1 a failed verdict/regression, 2 usage or
 * a run that could not be done. */
#ifndef TRITBENCH_COMMANDS_H
#define TRITBENCH_COMMANDS_H

int cmd_list(int argc, char **argv);     /* tools/cmd_list.c */
int cmd_info(int argc, char **argv);     /* tools/cmd_info.c */
int cmd_run(int argc, char **argv);      /* tools/cmd_run.c */
int cmd_validate(int argc, char **argv); /* tools/cmd_validate.c */
int cmd_compare(int argc, char **argv);  /* tools/cmd_compare.c */
int cmd_convert(int argc, char **argv);  /* tools/cmd_convert.c */
int cmd_lm(int argc, char **argv);       /* tools/cmd_lm.c */

#endif
