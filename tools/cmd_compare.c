/* cmd_compare.c — `tritbench compare BASE.json NEW.json` (two separate runs): per-benchmark ratio with its
 * interval, Benjamini–Hochberg across rows; REGRESSION only beyond threshold and between-run noise. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_output.h"
#include "tritbench/compare.h"

typedef enum { OUT_CONSOLE, OUT_JSON, OUT_MD } out_format;

static void usage(FILE *out)
{
    fputs("usage: tritbench compare BASE.json NEW.json [--threshold 5%] [--alpha 0.05] [--format console|json|md]\n"
          "\n"
          "Pairs benchmarks by name (tritbench results.json or google/benchmark JSON) and shows, per row, the\n"
          "ratio of NEW to BASE times (Hodges-Lehmann estimate) with its confidence interval at 1 - alpha, and a\n"
          "Benjamini-Hochberg q-value (false discovery rate alpha across rows). --threshold is 5% or 0.05; a bare\n"
          "10 is refused (10 % or 1000 %?).\n"
          "A row is REGRESSION only when it is significant, slower by more than the threshold AND by more than the\n"
          "between-run noise of that benchmark, which needs a history of runs. Without one, such rows are\n"
          "\"inconclusive\": two separate runs cannot resolve changes below the run-to-run spread. For a verdict\n"
          "from two builds, use `tritbench ab` (interleaved in one time window).\n"
          "Exit status: 0 no regression, 1 at least one, 2 bad input or no benchmark in common.\n",
          out);
}

static const char *value_or(const char *argv_i, const char *eq_prefix, size_t n)
{
    return strncmp(argv_i, eq_prefix, n) == 0 ? argv_i + n : NULL;
}

static void print_context_diff(const cmp_file *a, const cmp_file *b, const char **diff, size_t n)
{
    if (n == 0)
        return;
    fprintf(stderr, "note: the two runs come from different contexts:\n");
    for (size_t i = 0; i < n; i++) {
        char *x = json_dumps(json_object_get(a->context, diff[i]), JSON_ENCODE_ANY | JSON_COMPACT);
        char *y = json_dumps(json_object_get(b->context, diff[i]), JSON_ENCODE_ANY | JSON_COMPACT);
        fprintf(stderr, "  %-20s base: %.200s\n  %-20s new:  %.200s\n", diff[i], x ? x : "(absent)", "",
                y ? y : "(absent)");
        free(x);
        free(y);
    }
}

int cmd_compare(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    size_t n_files = 0;
    double threshold = 0.05, alpha = 0.05;
    out_format fmt = OUT_CONSOLE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if ((v = value_or(a, "--threshold=", 12)) || (!strcmp(a, "--threshold") && i + 1 < argc && (v = argv[++i]))) {
            if (cmp_parse_threshold(v, &threshold) != 0) {
                fprintf(stderr,
                        "tritbench compare: --threshold: \"%s\" is not a percentage like 5%% or a fraction below 1 "
                        "like 0.05 (a bare 10 could mean 10 %% or 1000 %%)\n",
                        v);
                return 2;
            }
        } else if ((v = value_or(a, "--alpha=", 8)) || (!strcmp(a, "--alpha") && i + 1 < argc && (v = argv[++i]))) {
            char *end;
            alpha = strtod(v, &end);
            if (end == v || *end || !(alpha > 0 && alpha < 1)) {
                fprintf(stderr, "tritbench compare: --alpha: \"%s\" must be a number in (0, 1)\n", v);
                return 2;
            }
        } else if ((v = value_or(a, "--format=", 9)) || (!strcmp(a, "--format") && i + 1 < argc && (v = argv[++i]))) {
            if (!strcmp(v, "console"))
                fmt = OUT_CONSOLE;
            else if (!strcmp(v, "json"))
                fmt = OUT_JSON;
            else if (!strcmp(v, "md"))
                fmt = OUT_MD;
            else {
                fprintf(stderr, "tritbench compare: --format: \"%s\" unknown (console, json, md)\n", v);
                return 2;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "tritbench compare: unknown or incomplete option \"%s\" (see --help)\n", a);
            return 2;
        } else if (n_files < 2) {
            files[n_files++] = a;
        } else {
            fprintf(stderr, "tritbench compare: more than two files given (\"%s\")\n", a);
            return 2;
        }
    }
    if (n_files != 2) {
        usage(stderr);
        return 2;
    }
    cmp_file base, new_;
    char err[1024];
    if (cmp_load(files[0], &base, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench compare: %s\n", err);
        return 2;
    }
    if (cmp_load(files[1], &new_, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench compare: %s\n", err);
        cmp_file_free(&base);
        return 2;
    }
    cmp_result res;
    const cmp_options opt = {.threshold = threshold, .alpha = alpha, .noise = NULL, .n_noise = 0};
    if (cmp_compare(&base, &new_, &opt, &res) != 0) {
        fprintf(stderr, "tritbench compare: out of memory\n");
        cmp_file_free(&base);
        cmp_file_free(&new_);
        return 2;
    }
    int rc = 0;
    if (res.n_rows == 0) {
        fprintf(stderr, "tritbench compare: %s and %s have no benchmark in common (%zu and %zu benchmarks): nothing "
                        "to compare\n", base.path, new_.path, base.n, new_.n);
        rc = 2;
        goto out;
    }
    const char *diff[16];
    size_t n_diff = cmp_context_diff(&base, &new_, diff, 16);
    if (res.few_repetitions)
        fprintf(stderr, "tritbench compare: WARNING: fewer than 9 repetitions on a side: wide intervals.\n");
    if (base.n_errored || new_.n_errored)
        fprintf(stderr, "tritbench compare: left out errored/skipped rows: %zu in base, %zu in new\n", base.n_errored,
                new_.n_errored);
    if (base.n_complexity || new_.n_complexity)
        fprintf(stderr, "tritbench compare: left out BigO/RMS rows (no time): %zu in base, %zu in new\n",
                base.n_complexity, new_.n_complexity);
    print_context_diff(&base, &new_, diff, n_diff);
    if (fmt == OUT_JSON) {
        json_t *root = cmp_result_json(&res, &opt);
        json_t *d = json_array();
        for (size_t i = 0; root && d && i < n_diff; i++) {
            json_t *o = json_object(), *x = json_object_get(base.context, diff[i]), *y = json_object_get(new_.context, diff[i]);
            json_object_set_new(o, "key", json_string(diff[i]));
            json_object_set(o, "base", x ? x : json_null());
            json_object_set(o, "new", y ? y : json_null());
            json_array_append_new(d, o);
        }
        if (root) {
            json_object_set_new(root, "base", json_string(base.path));
            json_object_set_new(root, "new", json_string(new_.path));
            json_object_set_new(root, "context_differences", d ? d : json_array());
        }
        rc = root && json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : 2;
        fputc('\n', stdout);
        json_decref(root);
    } else {
        char a_name[512], b_name[512];
        cmp_escape_name(base.path, a_name, sizeof a_name);
        cmp_escape_name(new_.path, b_name, sizeof b_name);
        if (fmt == OUT_MD) {
            printf("## Comparing `%s` to `%s`\n\n", a_name, b_name);
            cmp_print_md(stdout, &res, &opt);
        } else {
            printf("Comparing %s to %s\n", a_name, b_name);
            cmp_print_console(stdout, &res, &opt);
        }
    }
    cmp_print_summary(stderr, &res, &opt, base.path, new_.path, false);
    if (rc == 0 && res.counts[CMP_REGRESSION]) {
        fprintf(stderr, "tritbench compare: %zu regression(s) beyond %.2f %% and the between-run noise\n",
                res.counts[CMP_REGRESSION], threshold * 100);
        rc = 1;
    }
out:
    cmp_result_free(&res);
    cmp_file_free(&base);
    cmp_file_free(&new_);
    return rc;
}
