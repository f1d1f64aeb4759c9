/* run_main.c — what `tritbench run` does once its flags are parsed and its registry is filled: select by
 * filter (or list), run with the console table and progress line as results arrive, write stdout in the
 * chosen format and --benchmark_out. Shared by `tritbench run` and tb_main (a user's own benchmark
 * program), so both give the same flags, output and JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/filter.h"
#include "harness/run_main.h"
#include "tritbench/atomic_file.h"
#include "tritbench/context.h"
#include "tritbench/reporters.h"

static const char *prog_name = "tritbench run";

/* What the listener needs while the run goes: the console table and the progress line. */
typedef struct run_view {
    tb_console console;
    bool console_on;      /* stdout is the console table */
    bool aggregates_only; /* --benchmark_display_aggregates_only with repetitions > 1 */
    bool progress;        /* a progress line on stderr */
    bool progress_tty;    /* redrawn in place (stderr is a terminal) or printed now and then */
    bool line_shown;      /* a redrawn line is on the screen now */
    double last_print;    /* elapsed seconds at the last printed (not redrawn) line */
    int verbosity;
} run_view;

static void clear_progress(run_view *v)
{
    if (v->line_shown) {
        fputs("\r\033[K", stderr);
        v->line_shown = false;
    }
}

static void on_records(void *user, const tb_record *recs, size_t n)
{
    run_view *v = user;
    if (!v->console_on)
        return;
    clear_progress(v); /* rows go to stdout; on one terminal they would land inside the line */
    for (size_t i = 0; i < n; i++)
        if (!v->aggregates_only || recs[i].run_type == TB_RUN_AGGREGATE)
            tb_console_row(&v->console, &recs[i]);
    fflush(stdout);
}

static void on_progress(void *user, const tb_progress *p)
{
    run_view *v = user;
    if (v->verbosity >= 1 && p->next)
        fprintf(stderr, "%s: running %s (repetition %d)\n", prog_name, p->next, p->repetition + 1);
    if (!v->progress)
        return;
    char line[512];
    tb_console_progress(line, sizeof line, p);
    if (v->progress_tty) {
        if (p->next) {
            fprintf(stderr, "\r%s\033[K", line);
            v->line_shown = true;
        } else {
            clear_progress(v);
        }
    } else if (p->done == 0 || !p->next || p->elapsed - v->last_print >= 5.0) {
        /* Logs get a line now and then, not one per repetition. */
        fprintf(stderr, "%s\n", line);
        v->last_print = p->elapsed;
    }
    fflush(stderr);
}

/* The output file must be writable, and not a directory, before minutes of benchmarking, not after. */
int tb_run_check_out_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: --benchmark_out: '%s' is a directory (name a file)\n", prog_name, path);
        return -1;
    }
    /* An existing device, FIFO or socket is written through at the end; opening it now to probe would
     * end a FIFO reader's input (it sees EOF at our close) before the results exist. Ask, do not open. */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if (access(path, W_OK) != 0) {
            fprintf(stderr, "%s: --benchmark_out: %s: %s\n", prog_name, path, strerror(errno));
            return -1;
        }
        return 0;
    }
    tb_atomic_file af;
    char err[512];
    if (tb_atomic_open(&af, path, err, sizeof err) != 0) {
        fprintf(stderr, "%s: --benchmark_out: %s\n", prog_name, err);
        return -1;
    }
    tb_atomic_abort(&af);
    return 0;
}

/* Names the filter selects: printed (--benchmark_list_tests) or measured for the console column width. */
static int select_names(const tb_registry *reg, const char *pattern, bool print, int *width, size_t *count)
{
    tb_filter f;
    char err[512];
    if (tb_filter_compile(&f, pattern, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog_name, err);
        return -1;
    }
    *width = 10;
    *count = 0;
    for (size_t i = 0; i < tb_registry_count(reg); i++) {
        const char *name = tb_registry_name(reg, i);
        if (!tb_filter_match(&f, name))
            continue;
        (*count)++;
        if (print)
            printf("%s\n", name);
        int w = tb_console_name_width(&name, 1);
        *width = w > *width ? w : *width;
    }
    tb_filter_free(&f);
    return 0;
}

/* --benchmark_context=k=v: added to the context; a key the context already has is refused (as google). */
static int add_user_context(tb_context *ctx, const tb_str_list *kv)
{
    json_t *known = tb_context_to_json(ctx);
    int rc = known ? 0 : -1;
    for (int i = 0; rc == 0 && i < kv->n; i++) {
        const char *eq = strchr(kv->items[i], '=');
        char key[64];
        size_t len = (size_t)(eq - kv->items[i]);
        if (len >= sizeof key) {
            fprintf(stderr, "%s: --benchmark_context: key '%.*s' is longer than %zu characters\n", prog_name, (int)len,
                    kv->items[i], sizeof key - 1);
            rc = -1;
            break;
        }
        memcpy(key, kv->items[i], len);
        key[len] = '\0';
        if (json_object_get(known, key)) {
            fprintf(stderr, "%s: --benchmark_context: '%s' is already in the context\n", prog_name, key);
            rc = -1;
            break;
        }
        json_object_set_new(known, key, json_null());
        tb_context_add(ctx, key, eq + 1);
    }
    json_decref(known);
    return rc;
}

static bool color_terminal(void)
{
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

/* stdout in JSON/CSV: every record, or only the aggregates under --benchmark_display_aggregates_only. */
static int write_stdout(const tb_flags *fl, const tb_context *ctx, const tb_results *all, bool aggregates_only)
{
    if (fl->format == TB_FORMAT_CONSOLE)
        return 0;
    tb_results shown = *all;
    if (aggregates_only) {
        shown.records = malloc((all->count ? all->count : 1) * sizeof *shown.records);
        if (!shown.records)
            return -1;
        shown.count = 0;
        for (size_t i = 0; i < all->count; i++)
            if (all->records[i].run_type == TB_RUN_AGGREGATE)
                shown.records[shown.count++] = all->records[i];
    }
    int rc = 0;
    if (fl->format == TB_FORMAT_CSV) {
        tb_csv_write(stdout, &shown);
    } else {
        json_t *root = tb_results_to_json(ctx, &shown);
        rc = root && json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
        json_decref(root);
        fputc('\n', stdout);
    }
    if (aggregates_only)
        free(shown.records);
    if (rc != 0 && !ferror(stdout))
        fprintf(stderr, "%s: could not write the results to stdout (out of memory)\n", prog_name);
    /* A write error (full disk, closed pipe) is reported once, at exit, by main. */
    return rc != 0 || fflush(stdout) != 0 ? -1 : 0;
}

static int run_selected(tb_flags *fl, tb_registry *reg, int width, const tb_run_hooks *hooks)
{
    static tb_context ctx;
    tb_context_collect(&ctx);
    if (hooks && hooks->add_context)
        hooks->add_context(&ctx, hooks->user);
    if (add_user_context(&ctx, &fl->context) != 0)
        return 2;
    run_view view = {0};
    view.console_on = fl->format == TB_FORMAT_CONSOLE;
    view.aggregates_only = fl->display_aggregates_only && fl->opt.repetitions > 1;
    view.progress_tty = isatty(STDERR_FILENO);
    view.progress = fl->progress == 1 || (fl->progress == -1 && view.progress_tty);
    view.verbosity = fl->verbosity;
    if (view.console_on) {
        /* Like google's ConsoleReporter: the context on stderr, the table on stdout. */
        tb_console_context(stderr, &ctx);
        tb_console_begin(&view.console, stdout, width, fl->color == 1 || (fl->color == -1 && color_terminal()),
                         fl->counters_tabular);
    }
    tb_listener listener = {on_records, &view, on_progress};
    tb_results res = {0};
    char err[512];
    int rc = tb_run(reg, &fl->opt, &listener, &res, err, sizeof err);
    clear_progress(&view);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", prog_name, err);
        tb_results_free(&res);
        return 2;
    }
    int status = 0;
    if (write_stdout(fl, &ctx, &res, view.aggregates_only) != 0)
        status = 2;
    if (fl->out_path && tb_results_write_file(fl->out_path, fl->out_format, &ctx, &res, err, sizeof err) != 0) {
        fprintf(stderr, "%s: --benchmark_out: %s\n", prog_name, err);
        status = 2;
    }
    size_t failed = 0;
    for (size_t i = 0; i < res.count; i++)
        failed += res.records[i].error_occurred;
    if (failed && status == 0) {
        fprintf(stderr, "%s: %zu run(s) failed (error_occurred)\n", prog_name, failed);
        status = 1;
    }
    tb_results_free(&res);
    return status;
}


int tb_run_registry(const char *prog, tb_flags *fl, tb_registry *reg, const tb_run_hooks *hooks)
{
    prog_name = prog;
    int width;
    size_t selected;
    if (select_names(reg, fl->opt.filter, fl->list_tests, &width, &selected) != 0)
        return 2;
    if (selected == 0) {
        fprintf(stderr, "%s: no benchmark matches --benchmark_filter=%s (%s shows them)\n", prog,
                fl->opt.filter ? fl->opt.filter : "",
                strcmp(prog, "tritbench run") == 0 ? "'tritbench list'" : "--benchmark_list_tests");
        return 2;
    }
    return fl->list_tests ? 0 : run_selected(fl, reg, width, hooks);
}

int tb_run_check_flags(const char *prog, const tb_flags *fl)
{
    prog_name = prog;
    tb_filter f;
    char err[512];
    if (tb_filter_compile(&f, fl->opt.filter, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return -1;
    }
    tb_filter_free(&f);
    if (fl->out_path && !fl->list_tests && tb_run_check_out_path(fl->out_path) != 0)
        return -1;
    return 0;
}
