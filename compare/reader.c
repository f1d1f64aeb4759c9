/* reader.c — result files (tritbench's results.json or google/benchmark JSON) into per-benchmark samples.
 * Follows what google/benchmark's JSON reporter writes: iteration rows are samples; mean/median
 * aggregates stand in only when a file holds nothing else; BigO/RMS rows carry no real_time and are left
 * out; error_occurred/skipped rows are left out; NaN/Infinity are bare tokens in its output. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tritbench/compare.h"
#include "tritbench/read_file.h"

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

const cmp_bench *cmp_find(const cmp_file *f, const char *name)
{
    size_t i = tb_name_index_get(&f->index, name);
    return i == (size_t)-1 ? NULL : &f->b[i];
}

static cmp_bench *find_or_add(cmp_file *f, const char *name)
{
    size_t i = tb_name_index_get(&f->index, name);
    if (i != (size_t)-1)
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
    if (!b->name || tb_name_index_put(&f->index, b->name, f->n) != 0) {
        free(b->name);
        return NULL;
    }
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
    if (!(t > 0) || !isfinite(t))
        b->n_invalid++;
    return 0;
}

static const char *str_field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool is_complexity_row(json_t *e)
{
    const char *an = str_field(e, "aggregate_name");
    return json_object_get(e, "big_o") || json_object_get(e, "rms") ||
           (an && (strcmp(an, "BigO") == 0 || strcmp(an, "RMS") == 0));
}

/* One benchmarks[] entry: repetitions become samples; aggregates are kept aside in case a file holds
 * nothing else (--benchmark_report_aggregates_only). */
static int take_entry(cmp_file *f, json_t *e, size_t idx, cmp_file *aggr, cmp_clock clock, char *err, size_t err_len)
{
    const char *field = clock == CMP_CPU_TIME ? "cpu_time" : "real_time";
    if (!json_is_object(e)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] is not an object", f->path, idx);
        return -1;
    }
    const char *name = str_field(e, "name");
    if (!name) {
        snprintf(err, err_len, "%s: benchmarks[%zu] has no string \"name\"", f->path, idx);
        return -1;
    }
    if (json_is_true(json_object_get(e, "error_occurred")) || json_is_true(json_object_get(e, "skipped"))) {
        f->n_errored++;
        return 0;
    }
    if (is_complexity_row(e)) {
        f->n_complexity++;
        return 0;
    }
    const char *run_name = str_field(e, "run_name");
    const char *run_type = str_field(e, "run_type");
    const bool aggregate = run_type && strcmp(run_type, "aggregate") == 0;
    const char *an = str_field(e, "aggregate_name");
    if (aggregate && !(an && (strcmp(an, "median") == 0 || strcmp(an, "mean") == 0)))
        return 0; /* stddev, cv (a percentage), user statistics: not a time of the benchmark */
    json_t *rt = json_object_get(e, field);
    double value;
    if (json_is_number(rt))
        value = json_number_value(rt);
    else if (json_is_null(rt))
        value = NAN; /* NaN / Infinity in google/benchmark's text */
    else {
        char shown[128];
        cmp_escape_name(name, shown, sizeof shown);
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): \"%s\" missing or not a number", f->path, idx,
                 shown, field);
        return -1;
    }
    const char *unit = str_field(e, "time_unit");
    const double scale = unit_seconds(unit);
    if (isnan(scale)) {
        char shown[128], shown_unit[64];
        cmp_escape_name(name, shown, sizeof shown);
        cmp_escape_name(unit, shown_unit, sizeof shown_unit);
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): unknown time_unit \"%s\"", f->path, idx, shown,
                 shown_unit);
        return -1;
    }
    const double t = value * scale;
    if (t < 0) {
        char shown[128];
        cmp_escape_name(name, shown, sizeof shown);
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): negative %s %g", f->path, idx, shown, field, value);
        return -1;
    }
    if (aggregate) {
        if (run_name) {
            cmp_bench *b = find_or_add(aggr, run_name);
            if (!b)
                goto oom;
            /* The median wins over the mean whatever the order. */
            if (b->n == 0 || strcmp(an, "median") == 0) {
                b->n = 0;
                b->n_invalid = 0;
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

/* google/benchmark writes non-finite doubles as bare NaN, Infinity, -Infinity (not JSON): rewrite them,
 * outside strings, as null. Returns a malloc'd copy (length in *out_len) or NULL on no memory. */
static char *nonfinite_to_null(const char *text, size_t len, size_t *out_len)
{
    char *out = malloc(len + len / 2 + 16); /* "NaN" → "null" grows 3 → 4 at worst */
    if (!out)
        return NULL;
    size_t o = 0;
    bool in_string = false;
    for (size_t i = 0; i < len;) {
        const char c = text[i];
        if (in_string) {
            out[o++] = c;
            if (c == '\\' && i + 1 < len)
                out[o++] = text[++i];
            else if (c == '"')
                in_string = false;
            i++;
            continue;
        }
        static const char *const tokens[] = {"-Infinity", "Infinity", "-NaN", "NaN"};
        bool replaced = false;
        for (size_t k = 0; k < 4 && !replaced; k++) {
            const size_t tl = strlen(tokens[k]);
            if (len - i >= tl && memcmp(text + i, tokens[k], tl) == 0) {
                memcpy(out + o, "null", 4);
                o += 4;
                i += tl;
                replaced = true;
            }
        }
        if (replaced)
            continue;
        if (c == '"')
            in_string = true;
        out[o++] = c;
        i++;
    }
    *out_len = o;
    return out;
}

int cmp_parse_clock(const char *text, size_t len, const char *origin, cmp_clock clock, cmp_file *f, char *err,
                    size_t err_len)
{
    memset(f, 0, sizeof *f);
    tb_name_index_init(&f->index);
    snprintf(f->path, sizeof f->path, "%s", origin);
    size_t clean_len;
    char *clean = nonfinite_to_null(text, len, &clean_len);
    if (!clean) {
        snprintf(err, err_len, "%s: out of memory", origin);
        return -1;
    }
    json_error_t je;
    f->root = json_loadb(clean, clean_len, 0, &je);
    free(clean);
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
    tb_name_index_init(&aggr.index);
    snprintf(aggr.path, sizeof aggr.path, "%s", origin);
    size_t i;
    json_t *e;
    json_array_foreach(bench, i, e)
    {
        if (take_entry(f, e, i, &aggr, clock, err, err_len) != 0) {
            cmp_file_free(&aggr);
            cmp_file_free(f);
            return -1;
        }
    }
    /* Benchmarks with aggregates only: one sample each (untestable, but still paired and shown). */
    for (size_t k = 0; k < aggr.n; k++) {
        if (cmp_find(f, aggr.b[k].name) || aggr.b[k].n == 0)
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

int cmp_parse(const char *text, size_t len, const char *origin, cmp_file *f, char *err, size_t err_len)
{
    return cmp_parse_clock(text, len, origin, CMP_REAL_TIME, f, err, err_len);
}

int cmp_load(const char *path, cmp_file *f, char *err, size_t err_len)
{
    return cmp_load_clock(path, CMP_REAL_TIME, f, err, err_len);
}

int cmp_load_clock(const char *path, cmp_clock clock, cmp_file *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    char *buf;
    size_t len;
    if (tb_read_regular_file(path, (size_t)1 << 30, &buf, &len, err, err_len) != 0)
        return -1;
    int rc = cmp_parse_clock(buf, len, path, clock, f, err, err_len);
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
    tb_name_index_free(&f->index);
    json_decref(f->root);
    f->b = NULL;
    f->root = NULL;
    f->context = NULL;
    f->n = f->cap = 0;
}

void cmp_escape_name(const char *name, char *out, size_t out_len)
{
    if (out_len == 0)
        return;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    for (; *s && o + 1 < out_len; s++) {
        char piece[8];
        if (*s < 0x20 || *s == 0x7f) {
            snprintf(piece, sizeof piece, "\\x%02x", *s);
        } else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) { /* C1 controls (CSI = U+009B) in UTF-8 */
            snprintf(piece, sizeof piece, "\\u%04x", s[1]);
            s++;
        } else if (*s == '\\') {
            snprintf(piece, sizeof piece, "\\\\");
        } else {
            snprintf(piece, sizeof piece, "%c", *s);
        }
        const size_t pl = strlen(piece);
        if (o + pl >= out_len)
            break;
        memcpy(out + o, piece, pl);
        o += pl;
    }
    out[o] = 0;
}
