/* cmd_compare.c — `tritbench compare BASE.json NEW.json`: per-benchmark time change, Mann–Whitney U
 * p-value, geometric mean; exit 1 on a significant regression beyond the threshold. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "reports/compare.h"

typedef enum { OUT_CONSOLE, OUT_JSON, OUT_MD } out_format;

static void usage(FILE *out)
{
    fputs("usage: tritbench compare BASE.json NEW.json [--threshold 5%] [--alpha 0.05] [--format console|json|md]\n"
          "\n"
          "Pairs benchmarks by name (tritbench results.json or google/benchmark JSON), shows the change of the\n"
          "median real time, a two-sided Mann-Whitney U p-value where both sides have >= 2 repetitions\n"
          "(9+ recommended), and the geometric mean of the changes. A change is a regression when it is slower\n"
          "by more than --threshold AND significant at --alpha.\n"
          "Exit status: 0 no significant regression, 1 at least one, 2 bad input.\n",
          out);
}

/* "5%", "5 %", "0.05" (a fraction) — the percent sign makes it a percentage. */
static int parse_threshold(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s)
        return -1;
    while (*end == ' ')
        end++;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || !(v >= 0) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static const char *value_or(const char *argv_i, const char *eq_prefix, size_t n)
{
    return strncmp(argv_i, eq_prefix, n) == 0 ? argv_i + n : NULL;
}

static void fmt_time(double s, char *buf, size_t len)
{
    if (isnan(s))
        snprintf(buf, len, "n/a");
    else if (s < 1e-6)
        snprintf(buf, len, "%.1f ns", s * 1e9);
    else if (s < 1e-3)
        snprintf(buf, len, "%.2f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, len, "%.3f ms", s * 1e3);
    else
        snprintf(buf, len, "%.3f s", s);
}

static const char *status_of(const cmp_row *r)
{
    return r->regression ? "REGRESSION" : r->improvement ? "improved" : r->tested ? "same" : "untested";
}

static void print_console(const cmp_file *a, const cmp_file *b, const cmp_result *res, double thr, double alpha)
{
    printf("Comparing %s to %s (threshold %.2f %%, alpha %.3g)\n", a->path, b->path, thr * 100, alpha);
    size_t w = 9;
    for (size_t i = 0; i < res->n_rows; i++)
        if (strlen(res->rows[i].name) > w)
            w = strlen(res->rows[i].name);
    printf("%-*s %12s %12s %9s %9s %5s  %s\n", (int)w, "Benchmark", "Base", "New", "Change", "p-value", "n", "Status");
    for (size_t i = 0; i < res->n_rows; i++) {
        const cmp_row *r = &res->rows[i];
        char t0[32], t1[32], p[32], n[32];
        fmt_time(r->base, t0, sizeof t0);
        fmt_time(r->new_, t1, sizeof t1);
        if (r->tested)
            snprintf(p, sizeof p, "%.4f", r->p);
        else
            snprintf(p, sizeof p, "-");
        snprintf(n, sizeof n, "%zu/%zu", r->n_base, r->n_new);
        printf("%-*s %12s %12s %+8.2f%% %9s %5s  %s\n", (int)w, r->name, t0, t1, r->change * 100, p, n,
               status_of(r));
    }
    printf("\nGeometric mean of changes: %+.2f %% over %zu pairs\n", res->geomean_change * 100, res->n_rows);
    for (size_t i = 0; i < res->n_only_base; i++)
        printf("only in %s: %s\n", a->path, res->only_base[i]);
    for (size_t i = 0; i < res->n_only_new; i++)
        printf("only in %s: %s\n", b->path, res->only_new[i]);
}

static void print_md(const cmp_file *a, const cmp_file *b, const cmp_result *res, double thr, double alpha)
{
    printf("## Comparing `%s` to `%s`\n\nThreshold %.2f %%, alpha %.3g.\n\n", a->path, b->path, thr * 100, alpha);
    printf("| Benchmark | Base | New | Change | p-value | n | Status |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < res->n_rows; i++) {
        const cmp_row *r = &res->rows[i];
        char t0[32], t1[32];
        fmt_time(r->base, t0, sizeof t0);
        fmt_time(r->new_, t1, sizeof t1);
        printf("| %s | %s | %s | %+.2f %% | ", r->name, t0, t1, r->change * 100);
        if (r->tested)
            printf("%.4f", r->p);
        else
            printf("—");
        printf(" | %zu/%zu | %s |\n", r->n_base, r->n_new, status_of(r));
    }
    printf("\nGeometric mean of changes: %+.2f %% over %zu pairs.\n", res->geomean_change * 100, res->n_rows);
    for (size_t i = 0; i < res->n_only_base; i++)
        printf("\n- only in base: `%s`", res->only_base[i]);
    for (size_t i = 0; i < res->n_only_new; i++)
        printf("\n- only in new: `%s`", res->only_new[i]);
    printf("\n");
}

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static int print_json(const cmp_file *a, const cmp_file *b, const cmp_result *res, double thr, double alpha,
                      const char **diff, size_t n_diff)
{
    json_t *root = json_object(), *rows = json_array(), *ob = json_array(), *on = json_array(), *d = json_array();
    if (!root || !rows || !ob || !on || !d)
        return -1;
    for (size_t i = 0; i < res->n_rows; i++) {
        const cmp_row *r = &res->rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(r->name));
        json_object_set_new(o, "base_median_s", num(r->base));
        json_object_set_new(o, "new_median_s", num(r->new_));
        json_object_set_new(o, "change", num(r->change));
        json_object_set_new(o, "p_value", r->tested ? num(r->p) : json_null());
        json_object_set_new(o, "exact", json_boolean(r->exact));
        json_object_set_new(o, "n_base", json_integer((json_int_t)r->n_base));
        json_object_set_new(o, "n_new", json_integer((json_int_t)r->n_new));
        json_object_set_new(o, "status", json_string(status_of(r)));
        json_array_append_new(rows, o);
    }
    for (size_t i = 0; i < res->n_only_base; i++)
        json_array_append_new(ob, json_string(res->only_base[i]));
    for (size_t i = 0; i < res->n_only_new; i++)
        json_array_append_new(on, json_string(res->only_new[i]));
    for (size_t i = 0; i < n_diff; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(diff[i]));
        json_object_set(o, "base", json_object_get(a->context, diff[i]) ? json_object_get(a->context, diff[i]) : json_null());
        json_object_set(o, "new", json_object_get(b->context, diff[i]) ? json_object_get(b->context, diff[i]) : json_null());
        json_array_append_new(d, o);
    }
    json_object_set_new(root, "base", json_string(a->path));
    json_object_set_new(root, "new", json_string(b->path));
    json_object_set_new(root, "threshold", json_real(thr));
    json_object_set_new(root, "alpha", json_real(alpha));
    json_object_set_new(root, "comparisons", rows);
    json_object_set_new(root, "geomean_change", num(res->geomean_change));
    json_object_set_new(root, "regressions", json_integer((json_int_t)res->n_regressions));
    json_object_set_new(root, "only_in_base", ob);
    json_object_set_new(root, "only_in_new", on);
    json_object_set_new(root, "context_differences", d);
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(root);
    return rc;
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
            if (parse_threshold(v, &threshold) != 0) {
                fprintf(stderr, "tritbench compare: --threshold: \"%s\" is not a percentage like 5%% or a fraction\n", v);
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
    if (cmp_compare(&base, &new_, threshold, alpha, &res) != 0) {
        fprintf(stderr, "tritbench compare: out of memory\n");
        cmp_file_free(&base);
        cmp_file_free(&new_);
        return 2;
    }
    const char *diff[16];
    size_t n_diff = cmp_context_diff(&base, &new_, diff, 16);
    int rc = 0;
    if (res.n_rows == 0)
        fprintf(stderr, "tritbench compare: warning: no benchmark names in common\n");
    if (res.few_repetitions)
        fprintf(stderr, "tritbench compare: WARNING: results unreliable! 9+ repetitions recommended.\n");
    if (res.n_untested)
        fprintf(stderr, "tritbench compare: %zu pair(s) have fewer than 2 repetitions on a side: no significance test, "
                        "never counted as regressions\n",
                res.n_untested);
    if (base.n_errored || new_.n_errored)
        fprintf(stderr, "tritbench compare: left out errored/skipped rows: %zu in base, %zu in new\n", base.n_errored,
                new_.n_errored);
    print_context_diff(&base, &new_, diff, n_diff);
    if (fmt == OUT_JSON)
        rc = print_json(&base, &new_, &res, threshold, alpha, diff, n_diff) == 0 ? 0 : 2;
    else if (fmt == OUT_MD)
        print_md(&base, &new_, &res, threshold, alpha);
    else
        print_console(&base, &new_, &res, threshold, alpha);
    if (rc == 0 && res.n_regressions) {
        fprintf(stderr, "tritbench compare: %zu significant regression(s) beyond %.2f %%\n", res.n_regressions,
                threshold * 100);
        rc = 1;
    }
    cmp_result_free(&res);
    cmp_file_free(&base);
    cmp_file_free(&new_);
    return rc;
}
