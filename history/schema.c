/* schema.c — the history schema, one list of migrations for both backends. A database records the version
 * it is at (meta.schema_version); opening it applies the missing migrations in one write transaction, so
 * two processes opening a new database at once migrate it once. Never edit a released migration: add one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history/store.h"

/* "{ID}" stands for the backend's self-numbering key column. */
static const char *const migrations[] = {
    /* 1: runs, machines, benchmarks, per-repetition samples and counters, validation verdicts. */
    "CREATE TABLE machines ("
    "  id {ID}, fingerprint TEXT NOT NULL UNIQUE, cpu_model TEXT, isa_features TEXT, num_cpus INTEGER,"
    "  kernel TEXT, compiler TEXT);"
    "CREATE TABLE runs ("
    "  id {ID}, content_hash TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, source TEXT, date TEXT NOT NULL,"
    "  host TEXT, machine_id BIGINT NOT NULL REFERENCES machines(id), git_commit TEXT, profile TEXT,"
    "  tags TEXT, context TEXT, ingested_at TEXT);"
    "CREATE TABLE benchmarks (id {ID}, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE results ("
    "  id {ID}, run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  benchmark_id BIGINT NOT NULL REFERENCES benchmarks(id), threads INTEGER, repetitions INTEGER,"
    "  time_unit TEXT, label TEXT, status TEXT NOT NULL, message TEXT, n_samples INTEGER NOT NULL,"
    "  median_time DOUBLE PRECISION, min_time DOUBLE PRECISION, max_time DOUBLE PRECISION,"
    "  cv DOUBLE PRECISION);"
    "CREATE TABLE samples ("
    "  result_id BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE, repetition INTEGER NOT NULL,"
    "  iterations BIGINT, real_time DOUBLE PRECISION, cpu_time DOUBLE PRECISION,"
    "  PRIMARY KEY (result_id, repetition));"
    "CREATE TABLE counters ("
    "  result_id BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE, repetition INTEGER NOT NULL,"
    "  name TEXT NOT NULL, value DOUBLE PRECISION, PRIMARY KEY (result_id, repetition, name));"
    "CREATE TABLE verdicts ("
    "  id {ID}, run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, section TEXT, target TEXT,"
    "  subject TEXT, threshold TEXT, measured TEXT, verdict TEXT, reason TEXT)",
    /* 2: the lookups series and run listings make. */
    "CREATE INDEX results_by_benchmark ON results(benchmark_id, run_id);"
    "CREATE INDEX results_by_run ON results(run_id);"
    "CREATE INDEX runs_by_machine_date ON runs(machine_id, date);"
    "CREATE INDEX verdicts_by_run ON verdicts(run_id)",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int hist_schema_latest(void)
{
    return N_MIGRATIONS;
}

static char *expand(const char *sql, const char *id_column)
{
    size_t cap = strlen(sql) * 2 + 64, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = sql; *p;) {
        if (strncmp(p, "{ID}", 4) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%s", id_column);
            p += 4;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

/* The version recorded, 0 for an empty database; -1 on error. */
static int current_version(hist_db *db, char *err, size_t err_len)
{
    if (db_exec(db, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", err,
                err_len) != 0)
        return -1;
    int64_t v = 0;
    bool found = false;
    const char *sql = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'";
    if (db_int64(db, sql, 0, NULL, &v, &found, err, err_len) != 0)
        return -1;
    return found ? (int)v : 0;
}

int hist_schema_version(hist_db *db)
{
    char err[256];
    return current_version(db, err, sizeof err);
}

int hist_migrate(hist_db *db, int target, char *err, size_t err_len)
{
    if (target > N_MIGRATIONS)
        target = N_MIGRATIONS;
    if (db->ops->begin_write(db->conn, err, err_len) != 0)
        return -1;
    int v = current_version(db, err, err_len);
    if (v < 0)
        goto fail;
    if (v > N_MIGRATIONS) {
        snprintf(err, err_len,
                 "the history database is at schema version %d, newer than this tritbench (%d): upgrade tritbench",
                 v, N_MIGRATIONS);
        goto fail;
    }
    for (int i = v; i < target; i++) {
        char *sql = expand(migrations[i], db->ops->id_column);
        if (!sql) {
            snprintf(err, err_len, "out of memory");
            goto fail;
        }
        int rc = db_exec(db, sql, err, err_len);
        free(sql);
        if (rc != 0) {
            char why[512];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, err_len, "migration to schema version %d failed: %s", i + 1, why);
            goto fail;
        }
    }
    if (target > v) {
        char ver[16];
        snprintf(ver, sizeof ver, "%d", target);
        const char *p[] = {ver};
        if (db_query(db, "DELETE FROM meta WHERE key = 'schema_version'", 0, NULL, NULL, NULL, err, err_len) != 0 ||
            db_query(db, "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", 1, p, NULL, NULL, err,
                     err_len) != 0)
            goto fail;
    }
    return db_exec(db, "COMMIT", err, err_len);
fail:
    db_rollback(db);
    return -1;
}
