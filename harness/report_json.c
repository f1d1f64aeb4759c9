/* report_json.c — google/benchmark's JSON schema (json_schema_version 1) with jansson, plus
 * tritbench's context keys; the file compare.py and the validator's results.json read. */
#include <math.h>
#include <string.h>

#include "tritbench/atomic_file.h"
#include "tritbench/reporters.h"

/* JSON has no NaN or infinity: a number that is not finite is written as null. */
static json_t *number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int set(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

int tb_format_parse(const char *name, tb_format *out)
{
    static const char *const names[] = {"console", "json", "csv"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (tb_format)i;
            return 0;
        }
    }
    return -1;
}

const char *tb_format_name(tb_format f)
{
    return f == TB_FORMAT_JSON ? "json" : f == TB_FORMAT_CSV ? "csv" : "console";
}

json_t *tb_context_to_json(const tb_context *ctx)
{
    json_t *o = json_object();
    json_t *caches = json_array();
    json_t *load = json_array();
    if (!o || !caches || !load) {
        json_decref(o);
        json_decref(caches);
        json_decref(load);
        return NULL;
    }
    int bad = 0;
    bad |= set(o, "date", json_string(ctx->date));
    bad |= set(o, "host_name", json_string(ctx->host_name));
    bad |= set(o, "executable", json_string(ctx->executable));
    bad |= set(o, "num_cpus", json_integer(ctx->num_cpus));
    bad |= set(o, "mhz_per_cpu", json_integer((json_int_t)llround(ctx->mhz_per_cpu)));
    bad |= set(o, "cpu_scaling_enabled", json_boolean(ctx->cpu_scaling_enabled));
    for (int i = 0; i < ctx->n_caches; i++) {
        const tb_cache_info *c = &ctx->caches[i];
        json_t *jc = json_pack("{s:s, s:i, s:I, s:i}", "type", c->type, "level", c->level, "size",
                               (json_int_t)c->size, "num_sharing", c->num_sharing);
        bad |= jc ? json_array_append_new(caches, jc) : -1;
    }
    bad |= set(o, "caches", caches);
    for (int i = 0; i < 3; i++)
        bad |= json_array_append_new(load, number(ctx->load_avg[i]));
    bad |= set(o, "load_avg", load);
    bad |= set(o, "library_version", json_string(ctx->library_version));
    bad |= set(o, "library_build_type", json_string(ctx->library_build_type));
    bad |= set(o, "json_schema_version", json_integer(1));
    bad |= set(o, "cpu_model", json_string(ctx->cpu_model));
    bad |= set(o, "compiler", json_string(ctx->compiler));
    bad |= set(o, "cflags", json_string(ctx->cflags));
    bad |= set(o, "git_commit", json_string(ctx->git_commit));
    bad |= set(o, "topology", json_string(ctx->topology));
    bad |= set(o, "perf_counters", json_string(ctx->perf_counters));
    bad |= set(o, "have_hwloc", json_boolean(ctx->have_hwloc));
    bad |= set(o, "have_papi", json_boolean(ctx->have_papi));
    bad |= set(o, "have_openblas", json_boolean(ctx->have_openblas));
    bad |= set(o, "have_cuda", json_boolean(ctx->have_cuda));
    bad |= set(o, "missing", json_string(ctx->missing));
    for (int i = 0; i < ctx->n_extras; i++)
        bad |= set(o, ctx->extra_keys[i], json_string(ctx->extra_values[i]));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tb_record_to_json(const tb_record *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool agg = r->run_type == TB_RUN_AGGREGATE;
    int bad = 0;
    bad |= set(o, "name", json_string(r->name));
    bad |= set(o, "family_index", json_integer(r->family_index));
    bad |= set(o, "per_family_instance_index", json_integer(r->per_family_instance_index));
    bad |= set(o, "run_name", json_string(r->run_name));
    bad |= set(o, "run_type", json_string(agg ? "aggregate" : "iteration"));
    bad |= set(o, "repetitions", json_integer(r->repetitions));
    if (!agg)
        bad |= set(o, "repetition_index", json_integer(r->repetition_index));
    bad |= set(o, "threads", json_integer(r->threads));
    if (agg) {
        bad |= set(o, "aggregate_name", json_string(r->aggregate_name));
        bad |= set(o, "aggregate_unit", json_string(r->aggregate_unit));
    }
    if (r->error_occurred) {
        bad |= set(o, "error_occurred", json_true());
        bad |= set(o, "error_message", json_string(r->error_message));
    }
    if (r->skipped) {
        bad |= set(o, "skipped", json_true());
        bad |= set(o, "skip_message", json_string(r->skip_message));
    }
    bad |= set(o, "iterations", json_integer((json_int_t)r->iterations));
    bad |= set(o, "real_time", number(r->real_time));
    bad |= set(o, "cpu_time", number(r->cpu_time));
    /* A skipped or failed run measured nothing. google/benchmark still writes its zero times; compare.py
     * (1.7.1 … today) pairs every row carrying time_unit, real_time and cpu_time as a measurement and would
     * U-test the zeros, so time_unit is left out of such rows: compare.py then passes them by. real_time and
     * cpu_time stay, as its geomean reads them from every non-aggregate row. */
    if (!r->skipped && !r->error_occurred)
        bad |= set(o, "time_unit", json_string(tb_time_unit_name(r->time_unit)));
    for (int i = 0; i < r->n_counters; i++)
        bad |= set(o, r->counters[i].name, number(r->counters[i].value));
    if (r->label[0])
        bad |= set(o, "label", json_string(r->label));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A skipped/failed instance is written once, as google/benchmark reports one failing run and no
 * aggregates: its later repetitions say nothing new and would look like repeated zero-time samples. */
static bool repeated_failure(const tb_results *res, size_t i)
{
    const tb_record *r = &res->records[i];
    if (!(r->skipped || r->error_occurred) || r->run_type == TB_RUN_AGGREGATE)
        return false;
    for (size_t k = i; k-- > 0;) {
        const tb_record *e = &res->records[k];
        if ((e->skipped || e->error_occurred) && e->run_type != TB_RUN_AGGREGATE &&
            strcmp(e->run_name, r->run_name) == 0)
            return true;
    }
    return false;
}

json_t *tb_results_to_json(const tb_context *ctx, const tb_results *res)
{
    json_t *root = json_object();
    json_t *jctx = tb_context_to_json(ctx);
    json_t *list = json_array();
    if (!root || !jctx || !list) {
        json_decref(root);
        json_decref(jctx);
        json_decref(list);
        return NULL;
    }
    int bad = set(root, "context", jctx);
    for (size_t i = 0; i < res->count && !bad; i++) {
        if (repeated_failure(res, i))
            continue;
        json_t *rec = tb_record_to_json(&res->records[i]);
        bad |= rec ? json_array_append_new(list, rec) : -1;
    }
    bad |= set(root, "benchmarks", list);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int tb_results_write_file(const char *path, tb_format format, const tb_context *ctx, const tb_results *res, char *err,
                          size_t err_len)
{
    tb_atomic_file af;
    if (tb_atomic_open(&af, path, err, err_len) != 0)
        return -1;
    int rc = 0;
    if (format == TB_FORMAT_JSON) {
        json_t *root = tb_results_to_json(ctx, res);
        rc = root ? json_dumpf(root, af.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
        json_decref(root);
        if (rc == 0 && fputc('\n', af.fp) == EOF)
            rc = -1;
    } else if (format == TB_FORMAT_CSV) {
        tb_csv_write(af.fp, res);
    } else {
        int width = 10;
        for (size_t i = 0; i < res->count; i++) {
            int n = (int)strlen(res->records[i].name);
            width = n > width ? n : width;
        }
        tb_console_context(af.fp, ctx);
        tb_console_header(af.fp, width);
        for (size_t i = 0; i < res->count; i++)
            tb_console_record(af.fp, &res->records[i], width);
    }
    if (rc != 0 || ferror(af.fp)) {
        snprintf(err, err_len, "%s: could not write the results", path);
        tb_atomic_abort(&af);
        return -1;
    }
    return tb_atomic_commit(&af, err, err_len);
}
