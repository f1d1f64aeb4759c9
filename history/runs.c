/* runs.c — the stored runs: listing, one run's metadata and verdicts, and its export back to
 * google/benchmark JSON (context as ingested, one iteration row per repetition with its counters). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/grow.h"
#include "history/ingest_parse.h"
#include "history/store.h"

#define RUN_COLUMNS                                                                                             \
    "SELECT r.id, r.date, r.host, r.git_commit, r.kind, r.profile, r.tags, m.fingerprint, m.cpu_model,"         \
    " r.source,"                                                                                                 \
    " (SELECT COUNT(*) FROM results s WHERE s.run_id = r.id),"                                                   \
    " (SELECT COALESCE(SUM(s.n_samples), 0) FROM results s WHERE s.run_id = r.id),"                              \
    " (SELECT COUNT(*) FROM verdicts v WHERE v.run_id = r.id),"                                                  \
    " (SELECT COUNT(*) FROM verdicts v WHERE v.run_id = r.id AND v.verdict = 'FAIL')"                            \
    " FROM runs r JOIN machines m ON m.id = r.machine_id"

typedef struct run_list {
    hist_run *v;
    size_t n, cap;
} run_list;

static int take_run(void *ud, int nc, const char *const *v)
{
    run_list *L = ud;
    if (nc < 14)
        return 0;
    hist_run *r = tb_grow_slot((void **)&L->v, &L->n, &L->cap, sizeof *r);
    if (!r)
        return 1;
    r->id = strtoll(v[0], NULL, 10);
    hist_copy(r->date, sizeof r->date, v[1]);
    hist_copy(r->host, sizeof r->host, v[2]);
    hist_copy(r->commit, sizeof r->commit, v[3]);
    hist_copy(r->kind, sizeof r->kind, v[4]);
    hist_copy(r->profile, sizeof r->profile, v[5]);
    hist_copy(r->tags, sizeof r->tags, v[6]);
    hist_copy(r->fingerprint, sizeof r->fingerprint, v[7]);
    hist_copy(r->cpu_model, sizeof r->cpu_model, v[8]);
    hist_copy(r->source, sizeof r->source, v[9]);
    r->n_benchmarks = v[10] ? strtoll(v[10], NULL, 10) : 0;
    r->n_samples = v[11] ? strtoll(v[11], NULL, 10) : 0;
    r->n_verdicts = v[12] ? strtoll(v[12], NULL, 10) : 0;
    r->n_failed = v[13] ? strtoll(v[13], NULL, 10) : 0;
    return 0;
}

int hist_list_runs(hist_db *db, hist_run **out, size_t *n, char *err, size_t err_len)
{
    run_list L = {0};
    int rc = db_query(db, RUN_COLUMNS " ORDER BY r.date, r.id", 0, NULL, take_run, &L, err, err_len);
    if (rc != 0) {
        if (rc > 0)
            snprintf(err, err_len, "out of memory");
        free(L.v);
        return -1;
    }
    *out = L.v;
    *n = L.n;
    return 0;
}

int hist_get_run(hist_db *db, int64_t id, hist_run *out, char *err, size_t err_len)
{
    char idb[24];
    snprintf(idb, sizeof idb, "%lld", (long long)id);
    const char *p[] = {idb};
    run_list L = {0};
    if (db_query(db, RUN_COLUMNS " WHERE r.id = ?", 1, p, take_run, &L, err, err_len) != 0) {
        free(L.v);
        return -1;
    }
    int found = L.n > 0;
    if (found)
        *out = L.v[0];
    free(L.v);
    return found;
}

typedef struct verdict_list {
    hist_verdict *v;
    size_t n, cap;
} verdict_list;

static int take_verdict(void *ud, int nc, const char *const *v)
{
    verdict_list *L = ud;
    if (nc < 7)
        return 0;
    hist_verdict *r = tb_grow_slot((void **)&L->v, &L->n, &L->cap, sizeof *r);
    if (!r)
        return 1;
    hist_copy(r->section, sizeof r->section, v[0]);
    hist_copy(r->target, sizeof r->target, v[1]);
    hist_copy(r->subject, sizeof r->subject, v[2]);
    hist_copy(r->threshold, sizeof r->threshold, v[3]);
    hist_copy(r->measured, sizeof r->measured, v[4]);
    hist_copy(r->verdict, sizeof r->verdict, v[5]);
    hist_copy(r->reason, sizeof r->reason, v[6]);
    return 0;
}

int hist_run_verdicts(hist_db *db, int64_t id, hist_verdict **out, size_t *n, char *err, size_t err_len)
{
    char idb[24];
    snprintf(idb, sizeof idb, "%lld", (long long)id);
    const char *p[] = {idb};
    verdict_list L = {0};
    int rc = db_query(db,
                      "SELECT section, target, subject, threshold, measured, verdict, reason FROM verdicts"
                      " WHERE run_id = ? ORDER BY id",
                      1, p, take_verdict, &L, err, err_len);
    if (rc != 0) {
        if (rc > 0)
            snprintf(err, err_len, "out of memory");
        free(L.v);
        return -1;
    }
    *out = L.v;
    *n = L.n;
    return 0;
}

/* ---- export ---- */

typedef struct exporter {
    json_t *list;
    json_t *by_result; /* result id → its JSON rows, to attach counters */
    bool oom;
} exporter;

/* result id, name, threads, repetitions, time_unit, label, status, message, repetition, iterations,
 * real_time, cpu_time (seconds; NULL when the result has no sample) */
static int take_row(void *ud, int nc, const char *const *v)
{
    exporter *E = ud;
    if (nc < 12)
        return 0;
    const char *unit = v[4] ? v[4] : "ns";
    double scale = hist_unit_seconds(unit);
    if (scale == 0)
        scale = 1e-9, unit = "ns";
    json_t *o = json_object();
    if (!o) {
        E->oom = true;
        return 1;
    }
    json_object_set_new(o, "name", json_string(v[1]));
    json_object_set_new(o, "run_name", json_string(v[1]));
    json_object_set_new(o, "run_type", json_string("iteration"));
    json_object_set_new(o, "repetitions", json_integer(v[3] ? atoll(v[3]) : 1));
    json_object_set_new(o, "threads", json_integer(v[2] ? atoll(v[2]) : 1));
    if (v[8])
        json_object_set_new(o, "repetition_index", json_integer(atoll(v[8])));
    if (v[6] && strcmp(v[6], "error") == 0) {
        json_object_set_new(o, "error_occurred", json_true());
        json_object_set_new(o, "error_message", json_string(v[7] ? v[7] : ""));
    } else if (v[6] && strcmp(v[6], "skipped") == 0) {
        json_object_set_new(o, "skipped", json_true());
        json_object_set_new(o, "skip_message", json_string(v[7] ? v[7] : ""));
    }
    json_object_set_new(o, "iterations", json_integer(v[9] ? atoll(v[9]) : 0));
    json_object_set_new(o, "real_time", json_real(v[10] ? strtod(v[10], NULL) / scale : 0));
    json_object_set_new(o, "cpu_time", json_real(v[11] ? strtod(v[11], NULL) / scale : 0));
    json_object_set_new(o, "time_unit", json_string(unit));
    if (v[5] && *v[5])
        json_object_set_new(o, "label", json_string(v[5]));
    json_array_append_new(E->list, o);
    char key[48];
    snprintf(key, sizeof key, "%s/%s", v[0], v[8] ? v[8] : "-");
    json_object_set(E->by_result, key, o);
    return 0;
}

static int take_counter(void *ud, int nc, const char *const *v)
{
    exporter *E = ud;
    if (nc < 4 || !v[2])
        return 0;
    char key[48];
    snprintf(key, sizeof key, "%s/%s", v[0], v[1]);
    json_t *o = json_object_get(E->by_result, key);
    if (o)
        json_object_set_new(o, v[2], v[3] ? json_real(strtod(v[3], NULL)) : json_null());
    return 0;
}

typedef struct ctx_holder {
    json_t *ctx;
} ctx_holder;

static int take_ctx(void *ud, int nc, const char *const *v)
{
    ctx_holder *h = ud;
    if (nc >= 1 && v[0] && !h->ctx) {
        json_error_t je;
        json_t *c = json_loads(v[0], 0, &je);
        if (json_is_object(c))
            h->ctx = c;
        else
            json_decref(c);
    }
    return 0;
}

int hist_export_run(hist_db *db, int64_t id, char **json, char *err, size_t err_len)
{
    *json = NULL;
    char idb[24];
    snprintf(idb, sizeof idb, "%lld", (long long)id);
    const char *p[] = {idb};
    hist_run run;
    int found = hist_get_run(db, id, &run, err, err_len);
    if (found <= 0) {
        if (found == 0)
            snprintf(err, err_len, "no run %lld in the history (see 'history list')", (long long)id);
        return -1;
    }
    json_t *root = json_object();
    exporter E = {json_array(), json_object(), false};
    ctx_holder h = {NULL};
    int rc = -1;
    if (!root || !E.list || !E.by_result) {
        snprintf(err, err_len, "out of memory");
        goto done;
    }
    /* The context as ingested (the fingerprint's inputs travel in it), with the run's stored metadata. */
    if (db_query(db, "SELECT context FROM runs WHERE id = ?", 1, p, take_ctx, &h, err, err_len) != 0)
        goto done;
    json_t *ctx = h.ctx ? h.ctx : json_object();
    h.ctx = NULL;
    json_object_set_new(ctx, "date", json_string(run.date));
    json_object_set_new(ctx, "host_name", json_string(run.host));
    json_object_set_new(ctx, "git_commit", json_string(run.commit));
    json_object_set_new(root, "context", ctx);
    if (db_query(db,
                 "SELECT s.id, b.name, s.threads, s.repetitions, s.time_unit, s.label, s.status, s.message,"
                 " p.repetition, p.iterations, p.real_time, p.cpu_time FROM results s"
                 " JOIN benchmarks b ON b.id = s.benchmark_id"
                 " LEFT JOIN samples p ON p.result_id = s.id WHERE s.run_id = ? ORDER BY s.id, p.repetition",
                 1, p, take_row, &E, err, err_len) != 0 ||
        db_query(db,
                 "SELECT c.result_id, c.repetition, c.name, c.value FROM counters c JOIN results s"
                 " ON s.id = c.result_id WHERE s.run_id = ? ORDER BY c.result_id, c.repetition, c.name",
                 1, p, take_counter, &E, err, err_len) != 0)
        goto done;
    if (E.oom) {
        snprintf(err, err_len, "out of memory");
        goto done;
    }
    json_object_set(root, "benchmarks", E.list);
    *json = json_dumps(root, JSON_INDENT(2));
    rc = *json ? 0 : -1;
    if (rc)
        snprintf(err, err_len, "out of memory");
done:
    json_decref(h.ctx);
    json_decref(root);
    json_decref(E.list);
    json_decref(E.by_result);
    return rc;
}
