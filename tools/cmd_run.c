/* cmd_run.c — `tritbench run`: register every suite, run what --benchmark_filter selects, print the
 * console table (or JSON/CSV) and write --benchmark_out. google/benchmark's flags and output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "harness/filter.h"
#include "tritbench/atomic_file.h"
#include "tritbench/context.h"
#include "tritbench/flags.h"
#include "tritbench/reporters.h"
#include "tritbench/suites.h"
#include "tritbench_config.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: tritbench run [flags]\n\n"
                 "Runs the benchmark suites (stream, quant, gemv, gemm, bitlinear, e2e, ...); instance names read\n"
                 "<suite>/<what>/<args>/threads:<N>. Flags as google/benchmark spells them, plus tritbench's:\n\n");
    tb_flags_print_help(out);
}

typedef struct console_sink {
    int name_width;
} console_sink;

static void print_records(void *user, const tb_record *recs, size_t n)
{
    console_sink *c = user;
    for (size_t i = 0; i < n; i++)
        tb_console_record(stdout, &recs[i], c->name_width);
    fflush(stdout);
}

/* The output file must be writable before minutes of benchmarking, not after. */
static int check_out_path(const char *path)
{
    tb_atomic_file af;
    char err[512];
    if (tb_atomic_open(&af, path, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench run: --benchmark_out: %s\n", err);
        return -1;
    }
    tb_atomic_abort(&af);
    return 0;
}

/* Names the filter selects (for the console column width); -1 if the filter does not compile. */
static int selected_width(const tb_registry *reg, const char *pattern, int *width, size_t *count)
{
    tb_filter f;
    char err[512];
    if (tb_filter_compile(&f, pattern, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench run: %s\n", err);
        return -1;
    }
    *width = 10;
    *count = 0;
    for (size_t i = 0; i < tb_registry_count(reg); i++) {
        const char *name = tb_registry_name(reg, i);
        if (!tb_filter_match(&f, name))
            continue;
        (*count)++;
        int w = tb_console_name_width(&name, 1);
        *width = w > *width ? w : *width;
    }
    tb_filter_free(&f);
    return 0;
}

static int write_stdout(const tb_flags *fl, const tb_context *ctx, const tb_results *res)
{
    if (fl->format == TB_FORMAT_CSV) {
        tb_csv_write(stdout, res);
    } else if (fl->format == TB_FORMAT_JSON) {
        json_t *root = tb_results_to_json(ctx, res);
        if (!root || json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            json_decref(root);
            fprintf(stderr, "tritbench run: could not write JSON to stdout\n");
            return -1;
        }
        json_decref(root);
        fputc('\n', stdout);
    }
    return fflush(stdout) == 0 ? 0 : -1;
}

int cmd_run(int argc, char **argv)
{
    tb_flags fl;
    char err[512];
    tb_flags_default(&fl);
    if (tb_flags_parse(&fl, argc, argv, 1, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench run: %s\n", err);
        return 2;
    }
    if (fl.help) {
        usage(stdout);
        return 0;
    }
    {
        tb_filter f; /* a bad regex is a usage error, reported before anything runs */
        if (tb_filter_compile(&f, fl.opt.filter, err, sizeof err) != 0) {
            fprintf(stderr, "tritbench run: %s\n", err);
            return 2;
        }
        tb_filter_free(&f);
    }
#if !TRIT_HAVE_HWLOC
    if (fl.opt.pin) {
        fprintf(stderr, "tritbench run: --pin needs hwloc, and this build has none\n");
        return 2;
    }
#endif
    if (fl.out_path && check_out_path(fl.out_path) != 0)
        return 2;
    tb_suite_config cfg;
    tb_suite_config_from_flags(&fl, &cfg);

    tb_registry *reg = tb_registry_new();
    if (!reg || tb_suites_register_all(reg, &cfg) != 0) {
        fprintf(stderr, "tritbench run: a suite could not register its benchmarks\n");
        tb_registry_free(reg);
        return 2;
    }
    int width;
    size_t selected;
    if (selected_width(reg, fl.opt.filter, &width, &selected) != 0) {
        tb_registry_free(reg);
        return 2;
    }
    if (selected == 0) {
        fprintf(stderr, "tritbench run: no benchmark matches --benchmark_filter=%s ('tritbench list' shows them)\n",
                fl.opt.filter ? fl.opt.filter : "");
        tb_registry_free(reg);
        return 2;
    }

    static tb_context ctx;
    tb_context_collect(&ctx);
    tb_context_add_kernel_info(&ctx);
    console_sink sink = {width};
    tb_listener listener = {print_records, &sink};
    if (fl.format == TB_FORMAT_CONSOLE) {
        /* Like google's ConsoleReporter: the context on stderr, the table on stdout. */
        tb_console_context(stderr, &ctx);
        tb_console_header(stdout, width);
    }
    tb_results res = {0};
    int rc = tb_run(reg, &fl.opt, fl.format == TB_FORMAT_CONSOLE ? &listener : NULL, &res, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "tritbench run: %s\n", err);
        tb_results_free(&res);
        tb_registry_free(reg);
        return 2;
    }
    int status = 0;
    if (write_stdout(&fl, &ctx, &res) != 0)
        status = 2;
    if (fl.out_path && tb_results_write_file(fl.out_path, fl.out_format, &ctx, &res, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench run: --benchmark_out: %s\n", err);
        status = 2;
    }
    size_t failed = 0;
    for (size_t i = 0; i < res.count; i++)
        failed += res.records[i].error_occurred;
    if (failed && status == 0) {
        fprintf(stderr, "tritbench run: %zu run(s) failed (error_occurred)\n", failed);
        status = 1;
    }
    tb_results_free(&res);
    tb_registry_free(reg);
    return status;
}
