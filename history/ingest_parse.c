/* ingest_parse.c — reading google/benchmark JSON (from `tritbench run`, `ab` or any google/benchmark
 * binary) and tritbench's validate results.json: context → machine fingerprint and run metadata, benchmark
 * rows grouped by instance. Nothing here touches the database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history/ingest_parse.h"
#include "history/sha256.h"
#include "history/store.h"
#include "tritbench/read_file.h"

double hist_unit_seconds(const char *u)
{
    if (!u || strcmp(u, "ns") == 0)
        return 1e-9;
    if (strcmp(u, "us") == 0)
        return 1e-6;
    if (strcmp(u, "ms") == 0)
        return 1e-3;
    if (strcmp(u, "s") == 0)
        return 1.0;
    return 0;
}


int hist_normalize_date(const char *in, char out[32])
{
    if (!in)
        return -1;
    int Y, M, D, h = 0, m = 0, s = 0, used = 0;
    if (sscanf(in, "%4d-%2d-%2d%n", &Y, &M, &D, &used) != 3)
        return -1;
    const char *p = in + used;
    if (*p == 'T' || *p == ' ') {
        int u2 = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &m, &s, &u2) != 3)
            return -1;
        p += 1 + u2;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
    }
    long offset = 0;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 && sscanf(p + 1, "%2d%2d", &oh, &om) != 2)
            return -1;
        offset = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    } else if (*p != 'Z' && *p != '\0') {
        return -1;
    }
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60)
        return -1;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = s};
    time_t t = timegm(&tm) - offset;
    struct tm u;
    if (!gmtime_r(&t, &u))
        return -1;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &u);
    return 0;
}

static const char *str_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The machine a file's context describes. google/benchmark binaries write no cpu_model: the host name
 * stands in, so their runs still only compare with the same host. */
static void machine_of(json_t *ctx, const hist_ingest_opts *o, hist_machine *m)
{
    memset(m, 0, sizeof *m);
    const char *cpu = str_of(ctx, "cpu_model");
    if (cpu && *cpu)
        hist_copy(m->cpu_model, sizeof m->cpu_model, cpu);
    else
        snprintf(m->cpu_model, sizeof m->cpu_model, "host %s", str_of(ctx, "host_name") ? str_of(ctx, "host_name") : "?");
    hist_copy(m->isa, sizeof m->isa, str_of(ctx, "isa_features"));
    const char *kernel = o && o->kernel ? o->kernel : str_of(ctx, "kernel_release");
    hist_copy(m->kernel, sizeof m->kernel, kernel);
    hist_copy(m->compiler, sizeof m->compiler, str_of(ctx, "compiler"));
    json_t *nc = json_object_get(ctx, "num_cpus");
    m->num_cpus = json_is_integer(nc) ? (int)json_integer_value(nc) : 0;
    char key[1024], hex[65];
    snprintf(key, sizeof key, "%s\n%s\n%d\n%s\n%s", m->cpu_model, m->isa, m->num_cpus, m->kernel, m->compiler);
    hist_sha256_hex(key, strlen(key), hex);
    snprintf(m->fingerprint, sizeof m->fingerprint, "%.16s", hex);
}

static parsed_group *group_for(parsed_file *f, const char *name)
{
    /* Files hold at most a few thousand instances, met mostly in order: look back from the newest. */
    for (size_t i = f->n_groups; i-- > 0;)
        if (strcmp(f->groups[i].name, name) == 0)
            return &f->groups[i];
    if ((f->n_groups & (f->n_groups - 1)) == 0) { /* grow at powers of two */
        parsed_group *g = realloc(f->groups, (f->n_groups ? f->n_groups * 2 : 16) * sizeof *g);
        if (!g)
            return NULL;
        f->groups = g;
    }
    parsed_group *g = &f->groups[f->n_groups++];
    memset(g, 0, sizeof *g);
    g->name = name;
    return g;
}

static int add_row(parsed_group *g, json_t *row)
{
    if (g->n == g->cap) {
        size_t c = g->cap ? g->cap * 2 : 8;
        json_t **r = realloc(g->rows, c * sizeof *r);
        if (!r)
            return -1;
        g->rows = r;
        g->cap = c;
    }
    g->rows[g->n++] = row;
    return 0;
}

static int take_row(parsed_file *f, json_t *e, size_t idx, const char *origin, char *err, size_t err_len)
{
    if (!json_is_object(e)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] is not an object", origin, idx);
        return -1;
    }
    const char *name = str_of(e, "name");
    if (!name) {
        snprintf(err, err_len, "%s: benchmarks[%zu] has no string \"name\"", origin, idx);
        return -1;
    }
    const char *run_name = str_of(e, "run_name");
    const char *type = str_of(e, "run_type");
    bool aggregate = type && strcmp(type, "aggregate") == 0;
    parsed_group *g = group_for(f, run_name ? run_name : name);
    if (!g) {
        snprintf(err, err_len, "%s: out of memory", origin);
        return -1;
    }
    if (json_is_true(json_object_get(e, "error_occurred")) || json_is_true(json_object_get(e, "skipped"))) {
        g->failed = e;
        return 0;
    }
    json_t *rt = json_object_get(e, "real_time");
    if (aggregate) {
        const char *an = str_of(e, "aggregate_name");
        if (an && strcmp(an, "median") == 0 && json_is_number(rt))
            g->median_aggregate = e;
        return 0; /* mean/stddev/cv/BigO/RMS rows: derived, recomputed from the samples */
    }
    if (!json_is_number(rt)) {
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): \"real_time\" missing or not a number", origin, idx,
                 name);
        return -1;
    }
    if (hist_unit_seconds(str_of(e, "time_unit")) == 0) {
        snprintf(err, err_len, "%s: benchmarks[%zu] (\"%s\"): unknown time_unit \"%s\"", origin, idx, name,
                 str_of(e, "time_unit"));
        return -1;
    }
    if (add_row(g, e) != 0) {
        snprintf(err, err_len, "%s: out of memory", origin);
        return -1;
    }
    return 0;
}

int hist_parse_file(const char *text, size_t len, const char *origin, const hist_ingest_opts *opts,
                    parsed_file *f, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    json_error_t je;
    f->root = json_loadb(text, len, JSON_ALLOW_NUL, &je);
    if (!f->root) {
        snprintf(err, err_len, "%s:%d:%d: invalid JSON: %s", origin, je.line, je.column, je.text);
        return -1;
    }
    json_t *bench = json_object_get(f->root, "benchmarks");
    json_t *ctx = json_object_get(f->root, "context");
    if (!json_is_array(bench) || !json_is_object(ctx)) {
        snprintf(err, err_len, "%s: not a google/benchmark or tritbench result file (no \"context\" object and "
                 "\"benchmarks\" array)", origin);
        goto fail;
    }
    const char *schema = str_of(f->root, "schema");
    f->is_validate = schema && strcmp(schema, "tritbench-validate") == 0;
    const char *date = opts && opts->date ? opts->date : str_of(ctx, "date");
    if (!date) {
        snprintf(err, err_len, "%s: the context has no \"date\": give one with --date", origin);
        goto fail;
    }
    if (hist_normalize_date(date, f->date) != 0) {
        snprintf(err, err_len, "%s: date \"%s\" is not ISO 8601 (YYYY-MM-DDTHH:MM:SS[Z|±HH:MM])", origin, date);
        goto fail;
    }
    hist_copy(f->host, sizeof f->host, opts && opts->host ? opts->host : str_of(ctx, "host_name"));
    hist_copy(f->commit, sizeof f->commit, opts && opts->commit ? opts->commit : str_of(ctx, "git_commit"));
    json_t *prof = json_object_get(f->root, "profile");
    hist_copy(f->profile, sizeof f->profile,
              opts && opts->profile ? opts->profile : json_is_object(prof) ? str_of(prof, "name") : NULL);
    machine_of(ctx, opts, &f->machine);
    size_t i;
    json_t *e;
    json_array_foreach(bench, i, e)
    {
        if (take_row(f, e, i, origin, err, err_len) != 0)
            goto fail;
    }
    return 0;
fail:
    hist_parsed_free(f);
    return -1;
}

void hist_parsed_free(parsed_file *f)
{
    for (size_t i = 0; i < f->n_groups; i++)
        free(f->groups[i].rows);
    free(f->groups);
    json_decref(f->root);
    memset(f, 0, sizeof *f);
}

int hist_fingerprint_of_file(const char *path, const char *kernel_override, char *fp, size_t fp_len, char *err,
                             size_t err_len)
{
    char *text;
    size_t len;
    if (tb_read_regular_file(path, (size_t)1 << 30, &text, &len, err, err_len) != 0)
        return -1;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_ALLOW_NUL, &je);
    free(text);
    json_t *ctx = root ? json_object_get(root, "context") : NULL;
    if (!json_is_object(ctx)) {
        snprintf(err, err_len, "%s: no \"context\" object to take the machine from", path);
        json_decref(root);
        return -1;
    }
    hist_ingest_opts o = {.kernel = kernel_override};
    hist_machine m;
    machine_of(ctx, &o, &m);
    snprintf(fp, fp_len, "%s", m.fingerprint);
    json_decref(root);
    return 0;
}
