/* compare.c — reading result files (tritbench's results.json or google/benchmark JSON) into per-benchmark
 * samples, pairing them by name and judging each change. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"

static double unit_seconds(const char *u)
{
    if (!u || strcmp(u, "ns") == 0)
        return 1e-9;
    if (strcmp(u, "us") == 0)
        return 1e-6;
    if (strcmp(u, "ms") == 0)
        return 1e-3;
    if (strcmp(u, "s") == 0)
        return 1.0;
    return NAN;
}

static cmp_bench *find_or_add(cmp_file *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->b[i].name, name) == 0)
            return &f->b[i];
    if (f->n == f->cap) {
        size_t c = f->cap ? f->cap * 2 : 64;
        cmp_bench *p = realloc(f->b, c * sizeof *p);
        if (!p)
            return NULL;
        f->b = p;
        f->cap = c;
    }
    cmp_bench *b = &f->b[f->n];
    memset(b, 0, sizeof *b);
    b->name = strdup(name);
    if (!b->name)
        return NULL;
    f->n++;
    return b;
}

static int add_time(cmp_bench *b, double t)
{
    if (b->n == b->cap) {
        size_t c = b->cap ? b->cap * 2 : 8;
        double *p = realloc(b->times, c * sizeof *p);
        if (!p)
            return -1;
        b->times = p;
        b->cap = c;
    }
    b->times[b->n++] = t;
    return 0;
}

static const char *str_field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One benchmarks[] entry: repetitions become samples; aggregates are kept aside in case a file holds
 * nothing else (--benchmark_report_aggregates_only). */
static int take_entry(cmp_file *f, json_t *e, size_t idx, cmp_file *aggr, char *err, size_t err_len)
{
    if (!json_is_object(e)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] is not an object", f->path, idx);
        return -1;
    }
    const char *name = str_field(e, "name");
    if (!name) {
        snprintf(err, err_len, "%s: benchmarks[%zu] has no string \"name\"", f->path, idx);
        return -1;
    }
    json_t *eo = json_object_get(e, "error_occurred"), *sk = json_object_get(e, "skipped");
    if (json_is_true(eo) || json_is_true(sk)) {
        f->n_errored++;
        return 0;
    }
    const char *run_name = str_field(e, "run_name");
    const char *run_type = str_field(e, "run_type");
    json_t *rt = json_object_get(e, "real_time");
    if (!json_is_number(rt)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): \"real_time\" missing or not a number", f->path, idx,
                 name);
        return -1;
    }
    const char *unit = str_field(e, "time_unit");
    const double scale = unit_seconds(unit);
    if (isnan(scale)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): unknown time_unit \"%s\"", f->path, idx, name, unit);
        return -1;
    }
    const double t = json_number_value(rt) * scale;
    if (!(t >= 0) || !isfinite(t)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): real_time %g is not a valid time", f->path, idx, name,
                 json_number_value(rt));
        return -1;
    }
    if (run_type && strcmp(run_type, "aggregate") == 0) {
        const char *an = str_field(e, "aggregate_name");
        if (an && (strcmp(an, "median") == 0 || strcmp(an, "mean") == 0) && run_name) {
            cmp_bench *b = find_or_add(aggr, run_name);
            if (!b)
                goto oom;
            /* The median wins over the mean whatever the order. */
            if (b->n == 0 || strcmp(an, "median") == 0) {
                b->n = 0;
                if (add_time(b, t) != 0)
                    goto oom;
            }
        }
        return 0;
    }
    cmp_bench *b = find_or_add(f, run_name ? run_name : name);
    if (!b || add_time(b, t) != 0)
        goto oom;
    return 0;
oom:
    snprintf(err, err_len, "%s: out of memory", f->path);
    return -1;
}

int cmp_parse(const char *text, size_t len, const char *origin, cmp_file *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", origin);
    json_error_t je;
    f->root = json_loadb(text, len, 0, &je);
    if (!f->root) {
        snprintf(err, err_len, "%s:%d:%d: invalid JSON: %s", origin, je.line, je.column, je.text);
        return -1;
    }
    json_t *bench = json_object_get(f->root, "benchmarks");
    if (!json_is_array(bench)) {
        snprintf(err, err_len, "%s: no \"benchmarks\" array (not a google/benchmark or tritbench result file)", origin);
        cmp_file_free(f);
        return -1;
    }
    json_t *ctx = json_object_get(f->root, "context");
    f->context = json_is_object(ctx) ? ctx : NULL;
    cmp_file aggr;
    memset(&aggr, 0, sizeof aggr);
    snprintf(aggr.path, sizeof aggr.path, "%s", origin);
    size_t i;
    json_t *e;
    json_array_foreach(bench, i, e)
    {
        if (take_entry(f, e, i, &aggr, err, err_len) != 0) {
            cmp_file_free(&aggr);
            cmp_file_free(f);
            return -1;
        }
    }
    /* Benchmarks with aggregates only: one sample each (untestable, but still paired and shown). */
    for (size_t k = 0; k < aggr.n; k++) {
        bool have = false;
        for (size_t j = 0; j < f->n && !have; j++)
            have = strcmp(f->b[j].name, aggr.b[k].name) == 0;
        if (have || aggr.b[k].n == 0)
            continue;
        cmp_bench *b = find_or_add(f, aggr.b[k].name);
        if (!b || add_time(b, aggr.b[k].times[0]) != 0) {
            snprintf(err, err_len, "%s: out of memory", origin);
            cmp_file_free(&aggr);
            cmp_file_free(f);
            return -1;
        }
        b->from_aggregate = true;
    }
    cmp_file_free(&aggr);
    return 0;
}

int cmp_load(const char *path, cmp_file *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    FILE *in = fopen(path, "rb");
    if (!in) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, in);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            if (cap >= (1u << 30)) {
                free(buf);
                buf = NULL;
                break;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int read_error = ferror(in);
    fclose(in);
    if (!buf || read_error) {
        free(buf);
        snprintf(err, err_len, "%s: %s", path, read_error ? "read error" : "out of memory or over 1 GiB");
        return -1;
    }
    int rc = cmp_parse(buf, len, path, f, err, err_len);
    free(buf);
    return rc;
}

void cmp_file_free(cmp_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->b[i].name);
        free(f->b[i].times);
    }
    free(f->b);
    json_decref(f->root);
    f->b = NULL;
    f->root = NULL;
    f->context = NULL;
    f->n = f->cap = 0;
}

static const cmp_bench *lookup(const cmp_file *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->b[i].name, name) == 0)
            return &f->b[i];
    return NULL;
}

int cmp_compare(const cmp_file *base, const cmp_file *new_, double threshold, double alpha, cmp_result *out)
{
    memset(out, 0, sizeof *out);
    out->rows = calloc(base->n + 1, sizeof *out->rows);
    out->only_base = calloc(base->n + 1, sizeof *out->only_base);
    out->only_new = calloc(new_->n + 1, sizeof *out->only_new);
    if (!out->rows || !out->only_base || !out->only_new) {
        cmp_result_free(out);
        return -1;
    }
    double log_sum = 0;
    size_t n_log = 0;
    for (size_t i = 0; i < base->n; i++) {
        const cmp_bench *a = &base->b[i], *b = lookup(new_, a->name);
        if (!b) {
            out->only_base[out->n_only_base++] = a->name;
            continue;
        }
        cmp_row *row = &out->rows[out->n_rows++];
        row->name = a->name;
        row->n_base = a->n;
        row->n_new = b->n;
        row->base = vr_median(a->times, a->n);
        row->new_ = vr_median(b->times, b->n);
        row->change = row->base > 0 ? row->new_ / row->base - 1.0 : NAN;
        row->p = NAN;
        if (a->n >= 2 && b->n >= 2) {
            row->p = vr_mann_whitney_p(a->times, a->n, b->times, b->n, NULL, &row->exact);
            row->tested = !isnan(row->p);
            if (a->n < 9 || b->n < 9)
                out->few_repetitions = true;
        } else {
            out->n_untested++;
        }
        const bool significant = row->tested && row->p < alpha;
        row->regression = significant && row->change > threshold;
        row->improvement = significant && row->change < -threshold;
        out->n_regressions += row->regression;
        out->n_improvements += row->improvement;
        if (row->base > 0 && row->new_ > 0) {
            log_sum += log(row->new_ / row->base);
            n_log++;
        }
    }
    for (size_t i = 0; i < new_->n; i++)
        if (!lookup(base, new_->b[i].name))
            out->only_new[out->n_only_new++] = new_->b[i].name;
    out->geomean_change = n_log ? exp(log_sum / (double)n_log) - 1.0 : NAN;
    return 0;
}

void cmp_result_free(cmp_result *r)
{
    free(r->rows);
    free(r->only_base);
    free(r->only_new);
    memset(r, 0, sizeof *r);
}

size_t cmp_context_diff(const cmp_file *a, const cmp_file *b, const char **keys, size_t cap)
{
    static const char *const watched[] = {"host_name",   "cpu_model", "num_cpus",          "mhz_per_cpu",
                                          "compiler",    "cflags",    "library_build_type", "library_version",
                                          "git_commit",  "caches",    "cpu_scaling_enabled", "isa_features"};
    size_t n = 0;
    if (!a->context || !b->context)
        return 0;
    for (size_t i = 0; i < sizeof watched / sizeof watched[0] && n < cap; i++) {
        json_t *x = json_object_get(a->context, watched[i]), *y = json_object_get(b->context, watched[i]);
        if ((x || y) && !json_equal(x, y))
            keys[n++] = watched[i];
    }
    return n;
}
