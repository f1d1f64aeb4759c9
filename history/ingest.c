/* ingest.c — storing a parsed result file in one write transaction: the machine (by fingerprint), the run
 * (by content hash: the same file twice adds nothing), each instance's repetition samples, counters and the
 * statistics series read (median, min, max, cv), and validate's verdicts. Any failure rolls everything back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history/ingest_parse.h"
#include "history/sha256.h"
#include "history/stats.h"
#include "history/store.h"
#include "tritbench/read_file.h"

void (*hist_ingest_test_hook)(size_t n_stored);

/* Keys of a benchmarks[] row that are not user counters. */
static bool standard_key(const char *k)
{
    static const char *const keys[] = {"name", "family_index", "per_family_instance_index", "run_name",
                                       "run_type", "repetitions", "repetition_index", "threads",
                                       "aggregate_name", "aggregate_unit", "error_occurred", "error_message",
                                       "skipped", "skip_message", "iterations", "real_time", "cpu_time",
                                       "time_unit", "label"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i]) == 0)
            return true;
    return false;
}

static const char *str_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Text of a number for a parameter; NULL (SQL NULL) for NaN, JSON null or a missing value. */
static const char *num_text(char *buf, size_t cap, double v)
{
    if (isnan(v))
        return NULL;
    snprintf(buf, cap, "%.17g", v);
    return buf;
}

static const char *int_text(char *buf, size_t cap, json_t *v)
{
    if (!json_is_integer(v))
        return NULL;
    snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    return buf;
}

static int64_t insert_returning(hist_db *db, const char *sql, int n, const char *const *p, char *err, size_t len)
{
    int64_t id;
    bool found;
    if (db_int64(db, sql, n, p, &id, &found, err, len) != 0)
        return -1;
    if (!found) {
        snprintf(err, len, "insert returned no id");
        return -1;
    }
    return id;
}

static int64_t machine_id(hist_db *db, const hist_machine *m, char *err, size_t len)
{
    int64_t id;
    bool found;
    const char *fp[] = {m->fingerprint};
    if (db_int64(db, "SELECT id FROM machines WHERE fingerprint = ?", 1, fp, &id, &found, err, len) != 0)
        return -1;
    if (found)
        return id;
    char ncpu[16];
    snprintf(ncpu, sizeof ncpu, "%d", m->num_cpus);
    const char *p[] = {m->fingerprint, m->cpu_model, m->isa, ncpu, m->kernel, m->compiler};
    return insert_returning(db,
                            "INSERT INTO machines (fingerprint, cpu_model, isa_features, num_cpus, kernel, compiler)"
                            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                            6, p, err, len);
}

static int64_t benchmark_id(hist_db *db, const char *name, char *err, size_t len)
{
    int64_t id;
    bool found;
    const char *p[] = {name};
    if (db_int64(db, "SELECT id FROM benchmarks WHERE name = ?", 1, p, &id, &found, err, len) != 0)
        return -1;
    if (found)
        return id;
    return insert_returning(db, "INSERT INTO benchmarks (name) VALUES (?) RETURNING id", 1, p, err, len);
}

static int store_counters(hist_db *db, const char *rid, int rep, json_t *row, char *err, size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach(row, k, v)
    {
        if (standard_key(k) || !(json_is_number(v) || json_is_null(v)))
            continue;
        char repb[16], vb[40];
        snprintf(repb, sizeof repb, "%d", rep);
        const char *p[] = {rid, repb, k, json_is_number(v) ? num_text(vb, sizeof vb, json_number_value(v)) : NULL};
        if (db_query(db, "INSERT INTO counters (result_id, repetition, name, value) VALUES (?, ?, ?, ?)", 4, p,
                     NULL, NULL, err, len) != 0)
            return -1;
    }
    return 0;
}

static int store_group(hist_db *db, const char *run_id, const parsed_group *g, hist_ingest_result *res,
                       char *err, size_t len)
{
    int64_t bid = benchmark_id(db, g->name, err, len);
    if (bid < 0)
        return -1;
    json_t *const *rows = g->rows;
    size_t n = g->n;
    json_t *agg_row = g->median_aggregate;
    if (n == 0 && agg_row) { /* aggregates only (--benchmark_report_aggregates_only): the median stands in */
        rows = &agg_row;
        n = 1;
    }
    json_t *first = n ? rows[0] : g->failed;
    if (!first)
        return 0; /* only derived rows (BigO/RMS): nothing measured to keep */
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        t[i] = json_number_value(json_object_get(rows[i], "real_time")) *
               hist_unit_seconds(str_of(rows[i], "time_unit"));
    hist_stats st;
    hist_stats_of(t, n, &st);
    free(t);
    const char *status = n ? "ok" : json_is_true(json_object_get(g->failed, "skipped")) ? "skipped" : "error";
    const char *message = n ? NULL : str_of(g->failed, "skip_message") ? str_of(g->failed, "skip_message")
                                                                       : str_of(g->failed, "error_message");
    char bidb[24], thr[24], reps[24], nsb[24], med[40], mn[40], mx[40], cvb[40];
    snprintf(bidb, sizeof bidb, "%lld", (long long)bid);
    snprintf(nsb, sizeof nsb, "%zu", n);
    const char *p[] = {run_id,
                       bidb,
                       int_text(thr, sizeof thr, json_object_get(first, "threads")),
                       int_text(reps, sizeof reps, json_object_get(first, "repetitions")),
                       str_of(first, "time_unit"),
                       str_of(first, "label"),
                       status,
                       message,
                       nsb,
                       n ? num_text(med, sizeof med, st.median) : NULL,
                       n ? num_text(mn, sizeof mn, st.min) : NULL,
                       n ? num_text(mx, sizeof mx, st.max) : NULL,
                       n ? num_text(cvb, sizeof cvb, st.cv) : NULL};
    int64_t rid = insert_returning(db,
                                   "INSERT INTO results (run_id, benchmark_id, threads, repetitions, time_unit, label,"
                                   " status, message, n_samples, median_time, min_time, max_time, cv)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                   13, p, err, len);
    if (rid < 0)
        return -1;
    char ridb[24];
    snprintf(ridb, sizeof ridb, "%lld", (long long)rid);
    for (size_t i = 0; i < n; i++) {
        json_t *r = rows[i];
        double scale = hist_unit_seconds(str_of(r, "time_unit"));
        json_t *ri = json_object_get(r, "repetition_index");
        int rep = json_is_integer(ri) && rows != &agg_row ? (int)json_integer_value(ri) : (int)i;
        /* Two rows claiming one repetition index (hand-merged files): keep both, numbered by position. */
        for (size_t j = 0; j < i; j++) {
            json_t *rj = json_object_get(rows[j], "repetition_index");
            if (json_is_integer(rj) && (int)json_integer_value(rj) == rep) {
                rep = (int)(i + 100000);
                break;
            }
        }
        char repb[16], it[24], rt[40], ct[40];
        snprintf(repb, sizeof repb, "%d", rep);
        json_t *cpu = json_object_get(r, "cpu_time");
        const char *sp[] = {ridb, repb, int_text(it, sizeof it, json_object_get(r, "iterations")),
                            num_text(rt, sizeof rt, json_number_value(json_object_get(r, "real_time")) * scale),
                            json_is_number(cpu) ? num_text(ct, sizeof ct, json_number_value(cpu) * scale) : NULL};
        if (db_query(db, "INSERT INTO samples (result_id, repetition, iterations, real_time, cpu_time)"
                         " VALUES (?, ?, ?, ?, ?)",
                     5, sp, NULL, NULL, err, len) != 0)
            return -1;
        if (store_counters(db, ridb, rep, r, err, len) != 0)
            return -1;
        res->n_samples++;
    }
    res->n_benchmarks++;
    return 0;
}

static int store_verdicts(hist_db *db, const char *run_id, json_t *checks, hist_ingest_result *res, char *err,
                          size_t len)
{
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        if (!json_is_object(c))
            continue;
        const char *p[] = {run_id,
                           str_of(c, "section"),
                           str_of(c, "target"),
                           str_of(c, "subject"),
                           str_of(c, "threshold"),
                           str_of(c, "measured_text"),
                           str_of(c, "verdict"),
                           str_of(c, "reason")};
        if (db_query(db, "INSERT INTO verdicts (run_id, section, target, subject, threshold, measured, verdict,"
                         " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     8, p, NULL, NULL, err, len) != 0)
            return -1;
        res->n_verdicts++;
    }
    return 0;
}

static int store(hist_db *db, const parsed_file *f, const char *hash, const char *origin,
                 const hist_ingest_opts *opts, hist_ingest_result *res, char *err, size_t len)
{
    const char *hp[] = {hash};
    bool found;
    if (db_int64(db, "SELECT id FROM runs WHERE content_hash = ?", 1, hp, &res->run_id, &found, err, len) != 0)
        return -1;
    if (found) {
        res->duplicate = true;
        return 0;
    }
    int64_t mid = machine_id(db, &f->machine, err, len);
    if (mid < 0)
        return -1;
    char midb[24], now[32];
    snprintf(midb, sizeof midb, "%lld", (long long)mid);
    time_t t = time(NULL);
    struct tm u;
    gmtime_r(&t, &u);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &u);
    char *ctx = json_dumps(json_object_get(f->root, "context"), JSON_COMPACT | JSON_SORT_KEYS);
    const char *p[] = {hash, res->kind, origin, f->date, f->host, midb, f->commit, f->profile,
                       opts && opts->tags ? opts->tags : "", ctx, now};
    res->run_id = insert_returning(db,
                                   "INSERT INTO runs (content_hash, kind, source, date, host, machine_id, git_commit,"
                                   " profile, tags, context, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                   " RETURNING id",
                                   11, p, err, len);
    free(ctx);
    if (res->run_id < 0)
        return -1;
    char rid[24];
    snprintf(rid, sizeof rid, "%lld", (long long)res->run_id);
    for (size_t i = 0; i < f->n_groups; i++) {
        if (store_group(db, rid, &f->groups[i], res, err, len) != 0)
            return -1;
        if (hist_ingest_test_hook)
            hist_ingest_test_hook(i + 1);
    }
    json_t *checks = json_object_get(f->root, "checks");
    if (json_is_array(checks) && store_verdicts(db, rid, checks, res, err, len) != 0)
        return -1;
    return 0;
}

int hist_ingest_buffer(hist_db *db, const char *text, size_t len, const char *origin, const hist_ingest_opts *opts,
                       hist_ingest_result *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    parsed_file f;
    if (hist_parse_file(text, len, origin, opts, &f, err, err_len) != 0)
        return -1;
    snprintf(out->kind, sizeof out->kind, "%s", f.is_validate ? "validate" : "benchmark");
    /* The overrides are part of what was stored: the same file with another --commit is another run. */
    char *keyed = malloc(len + 1024);
    if (!keyed) {
        hist_parsed_free(&f);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    memcpy(keyed, text, len);
    int extra = snprintf(keyed + len, 1024, "\n%s\n%s\n%s\n%s\n%s\n%s", f.date, f.host, f.commit, f.profile,
                         f.machine.fingerprint, opts && opts->tags ? opts->tags : "");
    char hash[65];
    hist_sha256_hex(keyed, len + (size_t)(extra < 1024 ? extra : 1023), hash);
    free(keyed);
    int rc = db->ops->begin_write(db->conn, err, err_len);
    if (rc == 0) {
        char why[768];
        rc = store(db, &f, hash, origin, opts, out, why, sizeof why);
        if (rc == 0)
            rc = db_exec(db, "COMMIT", why, sizeof why);
        if (rc != 0) {
            db_rollback(db);
            snprintf(err, err_len, "%s: not ingested (nothing stored): %s", origin, why);
            out->n_benchmarks = out->n_samples = out->n_verdicts = 0;
        }
    }
    hist_parsed_free(&f);
    return rc;
}

int hist_ingest_file(hist_db *db, const char *path, const hist_ingest_opts *opts, hist_ingest_result *out,
                     char *err, size_t err_len)
{
    char *text;
    size_t len;
    if (tb_read_regular_file(path, (size_t)1 << 30, &text, &len, err, err_len) != 0)
        return -1;
    int rc = hist_ingest_buffer(db, text, len, path, opts, out, err, err_len);
    free(text);
    return rc;
}
