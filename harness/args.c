/* args.c — the shared command-line layer over getopt_long (see include/tritbench/args.h): option
 * tables → getopt's long options, exact-name checks, setters, messages naming the flag, --help. */
#include "tritbench/args.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* getopt_long's `val` for the i-th table entry (above any short option character). */
#define VAL_BASE 1000

/* The flattened, de-duplicated view of a command's groups: entry i is opts[i] bound to fields[i]. */
typedef struct flat {
    const tb_opt **opts;
    void **fields;
    int *group;
    size_t n;
} flat;

static void fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static const tb_opt help_opt = {"help", 'h', TB_BOOL, NULL, 0, NULL, "this text", 0, 0, NULL, 0};

static ssize_t flat_find(const flat *f, const char *name, size_t len)
{
    for (size_t i = 0; i < f->n; i++)
        if (strlen(f->opts[i]->name) == len && strncmp(f->opts[i]->name, name, len) == 0)
            return (ssize_t)i;
    return -1;
}

static int flat_build(flat *f, const tb_opt_group *groups, size_t n_groups)
{
    size_t total = 1;
    for (size_t g = 0; g < n_groups; g++)
        total += groups[g].n;
    f->opts = calloc(total, sizeof *f->opts);
    f->fields = calloc(total, sizeof *f->fields);
    f->group = calloc(total, sizeof *f->group);
    f->n = 0;
    if (!f->opts || !f->fields || !f->group)
        return -1;
    for (size_t g = 0; g < n_groups; g++) {
        for (size_t i = 0; i < groups[g].n; i++) {
            const tb_opt *o = &groups[g].opts[i];
            if (flat_find(f, o->name, strlen(o->name)) >= 0)
                continue; /* an earlier group overrides it */
            f->opts[f->n] = o;
            f->fields[f->n] = groups[g].target ? (char *)groups[g].target + o->field : NULL;
            f->group[f->n] = (int)g;
            f->n++;
        }
    }
    if (flat_find(f, "help", 4) < 0) {
        f->opts[f->n] = &help_opt;
        f->fields[f->n] = NULL;
        f->group[f->n] = -1;
        f->n++;
    }
    return 0;
}

static void flat_free(flat *f)
{
    free(f->opts);
    free(f->fields);
    free(f->group);
}

static tb_opt_setter setter_of(const tb_opt *o)
{
    if (o->set)
        return o->set;
    return o->kind == TB_BOOL ? tb_set_bool : tb_set_string;
}

static int apply(const flat *f, size_t i, const char *value, tb_args *out, char *err, size_t err_len)
{
    const tb_opt *o = f->opts[i];
    if (o == &help_opt) {
        bool on;
        if (tb_parse_bool(value, &on) != 0) {
            fail(err, err_len, "--help: '%s' is not true or false", value);
            return -1;
        }
        out->help = out->help || on;
        return 0;
    }
    if (o->kind != TB_BOOL && value && !*value && !(o->flags & TB_OPT_EMPTY_OK)) {
        fail(err, err_len, "--%s: empty value", o->name);
        return -1;
    }
    char why[384] = "";
    if (setter_of(o)(o, f->fields[i], value, why, sizeof why) != 0) {
        fail(err, err_len, "--%s: %s", o->name, why[0] ? why : "bad value");
        return -1;
    }
    return 0;
}

/* Exact names only: getopt_long would accept any unambiguous prefix. Checks every "--name[=v]" that is
 * not a value of the flag before it, so the message names what the user typed. */
static int check_names(const flat *f, int argc, char **argv, char *err, size_t err_len)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return 0;
        if (strncmp(a, "--", 2) != 0)
            continue;
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        ssize_t k = flat_find(f, a + 2, len);
        if (k < 0) {
            ssize_t guess = -1;
            size_t matches = 0;
            for (size_t j = 0; j < f->n; j++)
                if (strncmp(f->opts[j]->name, a + 2, len) == 0 && len > 0) {
                    guess = (ssize_t)j;
                    matches++;
                }
            if (matches == 1)
                fail(err, err_len, "unknown flag '%.*s' (did you mean --%s? see --help)", (int)(len + 2), a,
                     f->opts[guess]->name);
            else
                fail(err, err_len, "unknown flag '%.*s' (see --help)", (int)(len + 2), a);
            return -1;
        }
        if (!eq && f->opts[k]->kind == TB_VALUE)
            i++; /* its value, whatever it looks like, is checked when the flag is applied */
    }
    return 0;
}

static size_t build_optstring(const flat *f, char *s, size_t cap)
{
    size_t n = 0;
    s[n++] = '-'; /* positionals come back in order (code 1), whatever POSIXLY_CORRECT says */
    s[n++] = ':'; /* a missing value returns ':' (not '?') and getopt prints nothing */
    for (size_t i = 0; i < f->n && n + 3 < cap; i++) {
        const tb_opt *o = f->opts[i];
        if (!o->short_name)
            continue;
        s[n++] = o->short_name;
        if (o->kind == TB_VALUE) /* short switches take no attached value */
            s[n++] = ':';
    }
    s[n] = '\0';
    return n;
}

static ssize_t by_short(const flat *f, int c)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->opts[i]->short_name && f->opts[i]->short_name == c)
            return (ssize_t)i;
    return -1;
}

static int add_positional(const tb_command *cmd, tb_args *out, const char *arg, char *err, size_t err_len)
{
    if (out->n_pos >= cmd->max_pos || out->n_pos >= TB_ARGS_MAX_POS) {
        if (cmd->max_pos == 0)
            fail(err, err_len, "unexpected argument '%s' (this command takes none; see --help)", arg);
        else if (out->n_pos >= TB_ARGS_MAX_POS)
            fail(err, err_len, "too many arguments at '%s' (at most %d %s in one call; pass a directory or split "
                               "the list)", arg, TB_ARGS_MAX_POS, cmd->pos_name ? cmd->pos_name : "arguments");
        else
            fail(err, err_len, "unexpected argument '%s' (takes %s; see --help)", arg,
                 cmd->pos_name ? cmd->pos_name : "fewer arguments");
        return -1;
    }
    out->pos[out->n_pos++] = arg;
    return 0;
}

static int parse_flat(const tb_command *cmd, const flat *f, int argc, char **argv, tb_args *out, char *err,
                      size_t err_len)
{
    if (check_names(f, argc, argv, err, err_len) != 0)
        return -1;
    struct option *lo = calloc(f->n + 1, sizeof *lo);
    char **av = calloc((size_t)argc + 1, sizeof *av); /* getopt may reorder argv: work on a copy */
    char shorts[128];
    if (!lo || !av) {
        free(lo);
        free(av);
        fail(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < f->n; i++) {
        lo[i].name = f->opts[i]->name;
        lo[i].has_arg = f->opts[i]->kind == TB_VALUE ? required_argument : optional_argument;
        lo[i].val = VAL_BASE + (int)i;
    }
    memcpy(av, argv, (size_t)argc * sizeof *av);
    build_optstring(f, shorts, sizeof shorts);
    int rc = 0;
    opterr = 0;
    optind = 0; /* glibc: a full re-initialisation (several parses per process) */
    for (;;) {
        const int before = optind > 1 ? optind : 1;
        int c = getopt_long(argc, av, shorts, lo, NULL);
        if (c == -1)
            break;
        if (c == 1) {
            if (add_positional(cmd, out, optarg, err, err_len) != 0) {
                /* "--pin true": a switch never takes a separate value; say how to give one. */
                const char *prev = optind >= 2 ? av[optind - 2] : "";
                ssize_t b = strncmp(prev, "--", 2) == 0 && !strchr(prev, '=') ? flat_find(f, prev + 2, strlen(prev + 2))
                                                                                : -1;
                if (b >= 0 && f->opts[b]->kind == TB_BOOL) {
                    size_t used = strlen(err);
                    snprintf(err + used, err_len - used, "; a switch takes its value as %s=%s", prev, optarg);
                }
                rc = -1;
                break;
            }
            continue;
        }
        ssize_t k = c >= VAL_BASE ? c - VAL_BASE : -1;
        if (c == '?' || c == ':') {
            const char *typed = optind > 0 && optind <= argc ? av[optind - 1] : "";
            if (optopt >= VAL_BASE)
                fail(err, err_len, "--%s needs a value (--%s=VALUE or --%s VALUE)", f->opts[optopt - VAL_BASE]->name,
                     f->opts[optopt - VAL_BASE]->name, f->opts[optopt - VAL_BASE]->name);
            else if (c == ':' && by_short(f, optopt) >= 0)
                fail(err, err_len, "-%c needs a value (-%c VALUE)", optopt, optopt);
            else if (optopt)
                fail(err, err_len, "unknown flag '-%c' (see --help)", optopt);
            else
                fail(err, err_len, "unknown flag '%s' (see --help)", typed);
            rc = -1;
            break;
        }
        if (k < 0)
            k = by_short(f, c);
        if (k < 0) {
            fail(err, err_len, "unknown flag '-%c' (see --help)", c);
            rc = -1;
            break;
        }
        const tb_opt *o = f->opts[k];
        const char *value = optarg;
        /* getopt takes a separate value for a required argument whatever it looks like. */
        if (o->kind == TB_VALUE && value && value == av[optind - 1] && strncmp(value, "--", 2) == 0 &&
            strcmp(value, "--") != 0) {
            fail(err, err_len, "--%s needs a value, got the flag '%s' (write --%s=%s if that is the value)", o->name,
                 value, o->name, value);
            rc = -1;
            break;
        }
        /* An optional value may follow as the next argument when it cannot be a flag. */
        if (o->kind == TB_OPTIONAL && !value && optind < argc && av[optind][0] != '-')
            value = av[optind++];
        if (apply(f, (size_t)k, value, out, err, err_len) != 0) {
            rc = -1;
            break;
        }
        if (out->n_seen < TB_ARGS_MAX_SEEN && optind > before)
            out->seen[out->n_seen++] = (struct tb_args_seen){f->group[k], before, optind - before};
        if (out->help)
            break;
    }
    if (rc == 0 && !out->help) {
        for (int i = optind; i < argc && rc == 0; i++) /* after "--" */
            rc = add_positional(cmd, out, av[i], err, err_len);
        if (rc == 0 && out->n_pos < cmd->min_pos) {
            fail(err, err_len, "missing %s (see --help)", cmd->pos_name ? cmd->pos_name : "argument");
            rc = -1;
        }
    }
    free(lo);
    free(av);
    return rc;
}

int tb_args_parse(const tb_command *cmd, const tb_opt_group *groups, size_t n_groups, int argc, char **argv,
                  tb_args *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    flat f;
    if (flat_build(&f, groups, n_groups) != 0) {
        flat_free(&f);
        fail(err, err_len, "out of memory");
        return -1;
    }
    int rc = parse_flat(cmd, &f, argc, argv, out, err, err_len);
    flat_free(&f);
    return rc;
}

int tb_args_run(const tb_command *cmd, const tb_opt_group *groups, size_t n_groups, int argc, char **argv,
                tb_args *out)
{
    char err[512];
    if (tb_args_parse(cmd, groups, n_groups, argc, argv, out, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cmd->name, err);
        return 2;
    }
    if (out->help) {
        tb_args_help(stdout, cmd, groups, n_groups);
        return 0;
    }
    return -1;
}

int tb_args_of_group(const tb_args *a, int group, char **argv, char **out, int cap)
{
    int n = 0;
    for (int i = 0; i < a->n_seen; i++)
        for (int j = 0; a->seen[i].group == group && j < a->seen[i].count && n < cap; j++)
            out[n++] = argv[a->seen[i].first + j];
    return n;
}

/* "  -o, --output=OUT" / "      --pin" / "      --variants[=LIST]" */
static int spec_text(const tb_opt *o, char *buf, size_t cap)
{
    char sh[8] = "    ";
    if (o->short_name)
        snprintf(sh, sizeof sh, "-%c, ", o->short_name);
    const char *mv = o->metavar ? o->metavar : "VALUE";
    if (o->kind == TB_VALUE)
        return snprintf(buf, cap, "  %s--%s=%s", sh, o->name, mv);
    if (o->kind == TB_OPTIONAL)
        return snprintf(buf, cap, "  %s--%s[=%s]", sh, o->name, mv);
    return snprintf(buf, cap, "  %s--%s", sh, o->name);
}

void tb_args_help(FILE *out, const tb_command *cmd, const tb_opt_group *groups, size_t n_groups)
{
    flat f;
    if (flat_build(&f, groups, n_groups) != 0) {
        flat_free(&f);
        return;
    }
    enum { MAX_COL = 34 };
    int col = 0;
    char buf[160];
    for (size_t i = 0; i < f.n; i++) {
        int w = spec_text(f.opts[i], buf, sizeof buf);
        if (w <= MAX_COL && w > col)
            col = w;
    }
    const char *synopsis = cmd->synopsis ? cmd->synopsis : "[flags]";
    fprintf(out, "usage: %s%s%s\n", cmd->name, *synopsis ? " " : "", synopsis);
    if (cmd->about)
        fprintf(out, "\n%s", cmd->about);
    int shown_group = -2;
    bool any_bool = false, any_value = false;
    for (size_t i = 0; i < f.n; i++) {
        const tb_opt *o = f.opts[i];
        if (f.group[i] != shown_group) {
            shown_group = f.group[i];
            const char *title = shown_group >= 0 && groups[shown_group].title ? groups[shown_group].title : NULL;
            if (shown_group >= 0 || i == 0)
                fprintf(out, "\n%s:\n", title ? title : "flags");
        }
        any_bool |= o->kind == TB_BOOL && o != &help_opt;
        any_value |= o->kind != TB_BOOL;
        int w = spec_text(o, buf, sizeof buf);
        fputs(buf, out);
        if (w > col)
            fprintf(out, "\n%*s", col, "");
        else
            fprintf(out, "%*s", col - w, "");
        fputs("  ", out);
        for (const char *h = o->help ? o->help : ""; *h; h++) {
            fputc(*h, out);
            if (*h == '\n')
                fprintf(out, "%*s", col + 2, "");
        }
        fputc('\n', out);
    }
    if (any_value || any_bool)
        fprintf(out, "\n%s%s%s\n", any_value ? "Values: --flag=VALUE or --flag VALUE." : "",
                any_value && any_bool ? " " : "",
                any_bool ? "Switches: --flag, or --flag=true|false (also 1|0, yes|no)." : "");
    if (cmd->footer)
        fprintf(out, "\n%s", cmd->footer);
    flat_free(&f);
}

/* --- setters --- */

int tb_parse_bool(const char *s, bool *out)
{
    if (!s || strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "yes") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "no") == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

int tb_set_string(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    if (!v) {
        fail(err, err_len, "needs a value (--%s=%s)", o->name, o->metavar ? o->metavar : "VALUE");
        return -1;
    }
    *(const char **)field = v;
    return 0;
}

int tb_set_bool(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    if (tb_parse_bool(v, (bool *)field) != 0) {
        fail(err, err_len, "'%s' is not true or false (nor 1, 0, yes, no)", v);
        return -1;
    }
    return 0;
}

int tb_set_tristate(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    bool b;
    if (v && strcmp(v, "auto") == 0) {
        *(int *)field = -1;
        return 0;
    }
    if (tb_parse_bool(v, &b) != 0) {
        fail(err, err_len, "'%s' is not auto, true or false", v);
        return -1;
    }
    *(int *)field = b;
    return 0;
}

static int parse_ll(const char *v, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long x = v ? strtoll(v, &end, 10) : 0;
    if (!v || errno || end == v || *end || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

int tb_set_int(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    long long lo = o->min, hi = o->max > o->min ? o->max : 2147483647LL, x;
    if (parse_ll(v, lo, hi, &x) != 0) {
        fail(err, err_len, "'%s' is not a whole number from %lld to %lld", v ? v : "", lo, hi);
        return -1;
    }
    *(int *)field = (int)x;
    return 0;
}

int tb_set_ulong(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    long long lo = o->min > 0 ? o->min : 0, hi = o->max > lo ? o->max : 0x7fffffffffffffffLL, x;
    if (parse_ll(v, lo, hi, &x) != 0) {
        fail(err, err_len, "'%s' is not a whole number from %lld to %lld", v ? v : "", lo, hi);
        return -1;
    }
    *(unsigned long *)field = (unsigned long)x;
    return 0;
}

int tb_set_double(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    const bool ranged = o->max > o->min;
    if (end == v || *end || errno || !isfinite(x) || (ranged && (x < (double)o->min || x > (double)o->max))) {
        if (ranged)
            fail(err, err_len, "'%s' is not a number from %lld to %lld", v, o->min, o->max);
        else
            fail(err, err_len, "'%s' is not a finite number", v);
        return -1;
    }
    *(double *)field = x;
    return 0;
}

int tb_set_u64(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    (void)o;
    char *end;
    errno = 0;
    unsigned long long x = v && *v != '-' ? strtoull(v, &end, 0) : 0;
    if (!v || *v == '-' || errno || end == v || *end) {
        fail(err, err_len, "'%s' is not a non-negative whole number", v ? v : "");
        return -1;
    }
    *(uint64_t *)field = (uint64_t)x;
    return 0;
}

int tb_set_choice(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    char names[256] = "";
    for (int i = 0; o->choices && o->choices[i]; i++) {
        if (v && strcmp(v, o->choices[i]) == 0) {
            *(int *)field = i;
            return 0;
        }
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", o->choices[i]);
    }
    fail(err, err_len, "'%s' is not one of %s", v ? v : "", names);
    return -1;
}

int tb_set_append(const tb_opt *o, void *field, const char *v, char *err, size_t err_len)
{
    tb_str_list *l = field;
    int max = l->max > 0 && l->max <= TB_STR_LIST_MAX ? l->max : TB_STR_LIST_MAX;
    if (!v) {
        fail(err, err_len, "needs a value (--%s=%s)", o->name, o->metavar ? o->metavar : "VALUE");
        return -1;
    }
    if (l->n >= max) {
        fail(err, err_len, "given more than %d times", max);
        return -1;
    }
    l->items[l->n++] = v;
    return 0;
}

/* --- comma lists --- */

/* The next item of a comma list as a span of the list itself; 0 at the end. */
static int next_span(const char **cursor, const char **start, size_t *len)
{
    const char *p = *cursor;
    if (!p)
        return 0;
    const char *end = strchr(p, ',');
    *start = p;
    *len = end ? (size_t)(end - p) : strlen(p);
    *cursor = end ? end + 1 : NULL;
    return 1;
}

int tb_list_next(const char **cursor, char *item, size_t cap)
{
    const char *start;
    size_t len;
    if (!next_span(cursor, &start, &len))
        return 0;
    if (len >= cap)
        return -1;
    memcpy(item, start, len);
    item[len] = '\0';
    return 1;
}

bool tb_list_contains(const char *list, const char *name)
{
    if (!list || !*list)
        return true;
    const size_t n = strlen(name);
    const char *start;
    size_t len;
    for (const char *cur = list; next_span(&cur, &start, &len);)
        if (len == n && strncmp(start, name, n) == 0)
            return true;
    return false;
}

int tb_close_stdout(const char *prog, int status)
{
    /* ferror catches a failure an earlier, unchecked printf hit; fclose flushes what is left. */
    const bool had_error = ferror(stdout) != 0;
    errno = 0;
    const bool close_failed = fclose(stdout) != 0;
    if (!had_error && !close_failed)
        return status;
    const int e = errno;
    if (e)
        fprintf(stderr, "%s: error writing to standard output: %s\n", prog, strerror(e));
    else
        fprintf(stderr, "%s: error writing to standard output\n", prog);
    return status ? status : 2;
}
