/* args.h — the one command-line parser of every tritbench command: a thin layer over getopt_long.
 *
 * A command declares its options as a table (data); the layer gives every command the same rules:
 *   - value flags: --flag=VALUE and --flag VALUE (a separate VALUE that starts with "--" is refused,
 *     it is almost always a forgotten value; write --flag=--x to mean it); short names: -o VALUE, -oVALUE;
 *   - boolean flags as google/benchmark spells them: --flag, --flag=true|false|1|0|yes|no;
 *   - exact names only (no getopt abbreviations: --bench is refused, as google/benchmark refuses it);
 *   - every error names the flag ("tritbench run: --threads: '0' is not ..."), exit status 2;
 *   - --help / -h printed from the same tables; positional arguments counted against the command's limits.
 *
 * Use (see tools/cmd_validate.c for a whole command, harness/flags.c for a shared table):
 *
 *     typedef struct my_opts { const char *profile; int threads; bool quick; tb_str_list tags; } my_opts;
 *     static const tb_opt my_table[] = {
 *         {"profile", .kind = TB_VALUE, .field = offsetof(my_opts, profile), .metavar = "FILE",
 *          .help = "targets file"},                                   // .set NULL = tb_set_string
 *         {"threads", .kind = TB_VALUE, .set = tb_set_int, .field = offsetof(my_opts, threads), .metavar = "N",
 *          .min = 1, .max = 1024, .help = "threads"},
 *         {"quick", .kind = TB_BOOL, .field = offsetof(my_opts, quick), .help = "smoke mode"}, // tb_set_bool
 *         {"tag", .kind = TB_VALUE, .set = tb_set_append, .field = offsetof(my_opts, tags), .metavar = "T",
 *          .help = "repeatable"},
 *     };
 *     my_opts o = {.threads = 1};                                       // defaults before parsing
 *     const tb_opt_group groups[] = {{NULL, my_table, TB_COUNT(my_table), &o}};
 *     static const tb_command cmd = {.name = "tritbench mine", .synopsis = "[flags] FILE", .about = "...",
 *                                    .min_pos = 1, .max_pos = 1};
 *     tb_args a;
 *     int st = tb_args_run(&cmd, groups, TB_COUNT(groups), argc, argv, &a);
 *     if (st >= 0) return st;             // 0 after --help, 2 after an error (message printed)
 *     ... a.pos[0] is FILE; o holds the flags ...
 *
 * Groups are tables bound to a target struct; a command may stack its own table on a shared one
 * (tb_flags_groups() gives `run`'s). When two groups define the same name, the first one wins.
 * Setters receive the value (NULL for a bare boolean) and the field (target + .field); on a bad value
 * they write the reason ("'x' is not a whole number from 1 to 512") and return -1; the layer prefixes
 * the flag. tb_args_parse is the same without printing (for tests). A command that wraps another stacks
 * the other's tables under its own and forwards what the user gave for them: tb_args_of_group().
 */
#ifndef TRITBENCH_ARGS_H
#define TRITBENCH_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TB_COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* Positional arguments one command line may carry (history ingest takes files: a night's folder has dozens). */
#define TB_ARGS_MAX_POS 1024
#define TB_STR_LIST_MAX 32

typedef enum tb_opt_kind {
    TB_VALUE = 0, /* needs a value: --f=v or --f v */
    TB_BOOL,      /* --f, --f=true|false|1|0|yes|no (never a separate value, as google/benchmark) */
    TB_OPTIONAL,  /* --f alone (value NULL), --f=v, or --f v when v does not start with '-' */
} tb_opt_kind;

enum {
    TB_OPT_EMPTY_OK = 1 << 0, /* --f= (empty value) is allowed; by default it is an error */
};

typedef struct tb_opt tb_opt;
/* Applies `value` (NULL: a bare TB_BOOL/TB_OPTIONAL) to `field`. 0, or -1 with the reason in err. */
typedef int (*tb_opt_setter)(const tb_opt *opt, void *field, const char *value, char *err, size_t err_len);

struct tb_opt {
    const char *name;       /* long name without "--": "benchmark_filter" */
    char short_name;        /* 'o' for -o; 0 = none */
    tb_opt_kind kind;
    tb_opt_setter set;      /* NULL: tb_set_bool for TB_BOOL, tb_set_string otherwise */
    size_t field;           /* offsetof(target type, member) */
    const char *metavar;    /* "N", "FILE" in --help (values only) */
    const char *help;       /* one line; '\n' continues it, indented */
    long long min, max;     /* tb_set_int / tb_set_ulong range [min, max]; max 0 = the type's largest */
    const char *const *choices; /* tb_set_choice: NULL-terminated names; the field (int) gets the index */
    unsigned flags;         /* TB_OPT_* */
};

typedef struct tb_opt_group {
    const char *title; /* heading in --help ("google/benchmark flags"); NULL = "flags" */
    const tb_opt *opts;
    size_t n;
    void *target; /* the struct the .field offsets point into */
} tb_opt_group;

typedef struct tb_command {
    const char *name;     /* "tritbench run": the prefix of every message */
    const char *synopsis; /* after the name in the usage line: "[flags] IN" */
    const char *about;    /* paragraph(s) between the usage line and the flags */
    const char *footer;   /* after the flags (exit status, files written); may be NULL */
    int min_pos, max_pos; /* positional arguments allowed */
    const char *pos_name; /* what they are, for messages ("IN"); NULL = none taken */
} tb_command;

#define TB_ARGS_MAX_SEEN 128

typedef struct tb_args {
    const char *pos[TB_ARGS_MAX_POS]; /* positional arguments, in order */
    int n_pos;
    bool help; /* --help was given (tb_args_parse only; tb_args_run prints it) */
    /* Each flag as typed: argv[first .. first+count) set an option of groups[group] (-1: --help). */
    struct tb_args_seen {
        int group, first, count;
    } seen[TB_ARGS_MAX_SEEN];
    int n_seen;
} tb_args;

/* A repeatable value flag's values (tb_set_append), in order. */
typedef struct tb_str_list {
    const char *items[TB_STR_LIST_MAX];
    int n;
    int max; /* 0 = TB_STR_LIST_MAX */
} tb_str_list;

/* Parses argv[1..argc) (argv[0] is the command) into the groups' targets. argv is not modified.
 * Returns 0, or -1 with err naming the flag or argument. On --help sets out->help and returns 0 at once. */
int tb_args_parse(const tb_command *cmd, const tb_opt_group *groups, size_t n_groups, int argc, char **argv,
                  tb_args *out, char *err, size_t err_len);
/* tb_args_parse, then: --help → help on stdout, returns 0; error → "NAME: message" on stderr, returns 2;
 * else -1 (go on). */
int tb_args_run(const tb_command *cmd, const tb_opt_group *groups, size_t n_groups, int argc, char **argv,
                tb_args *out);
/* The arguments, as typed (a flag with its separate value), that set options of groups[group], in order:
 * what a command wrapping another forwards to it (e.g. `ab` passes its run flags to two `tritbench run`s).
 * argv is the one given to tb_args_parse. Returns how many were written to out (at most cap). */
int tb_args_of_group(const tb_args *a, int group, char **argv, char **out, int cap);
/* The --help text generated from the tables. */
void tb_args_help(FILE *out, const tb_command *cmd, const tb_opt_group *groups, size_t n_groups);

/* Built-in setters. */
int tb_set_string(const tb_opt *o, void *field, const char *v, char *err, size_t err_len); /* const char * */
int tb_set_bool(const tb_opt *o, void *field, const char *v, char *err, size_t err_len);   /* bool */
/* int: -1 auto (the caller's default), 0, 1; accepts auto plus the boolean spellings. */
int tb_set_tristate(const tb_opt *o, void *field, const char *v, char *err, size_t err_len);
int tb_set_int(const tb_opt *o, void *field, const char *v, char *err, size_t err_len);   /* int in [min,max] */
int tb_set_ulong(const tb_opt *o, void *field, const char *v, char *err, size_t err_len); /* unsigned long */
int tb_set_double(const tb_opt *o, void *field, const char *v, char *err, size_t err_len); /* finite; [min,max] if max > min */
int tb_set_u64(const tb_opt *o, void *field, const char *v, char *err, size_t err_len);   /* uint64_t, 0x ok */
int tb_set_choice(const tb_opt *o, void *field, const char *v, char *err, size_t err_len); /* int index */
int tb_set_append(const tb_opt *o, void *field, const char *v, char *err, size_t err_len); /* tb_str_list */

/* google/benchmark's boolean spellings: NULL (bare), true/false, 1/0, yes/no. 0 or -1. */
int tb_parse_bool(const char *s, bool *out);

/* Comma lists ("1,2", "avx2,scalar"): the one splitter every command and suite uses.
 * tb_list_next copies the next item of *cursor into item (at most cap-1 bytes) and advances; returns
 * 1 (an item, possibly empty), 0 at the end, -1 if an item does not fit. */
int tb_list_next(const char **cursor, char *item, size_t cap);
/* Is `name` an item of the comma list? A NULL or empty list contains everything. */
bool tb_list_contains(const char *list, const char *name);

/* Flushes and closes stdout once, at exit: a full disk or a closed pipe is an error the user must see.
 * Returns `status`, or 2 (after a message "PROG: error writing to standard output: ...") when writing
 * failed and status was 0. */
int tb_close_stdout(const char *prog, int status);

#endif
