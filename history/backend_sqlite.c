/* backend_sqlite.c — the SQLite backend (the embedded default: a file path, zero set-up). Prepared
 * statements are cached by their SQL text, so an ingest of thousands of rows prepares each statement once. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "history/backend.h"

#define STMT_CACHE 48

typedef struct sqlite_conn {
    sqlite3 *db;
    struct {
        const char *sql; /* the caller's string: statements are static text, so the pointer is the key */
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE];
    int n_cached;
} sqlite_conn;

static void sq_close(void *c)
{
    sqlite_conn *s = c;
    if (!s)
        return;
    for (int i = 0; i < s->n_cached; i++)
        sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    free(s);
}

static int sq_exec(void *c, const char *sql, char *err, size_t err_len)
{
    sqlite_conn *s = c;
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, err_len, "sqlite: %s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int sq_begin_write(void *c, char *err, size_t err_len)
{
    return sq_exec(c, "BEGIN IMMEDIATE", err, err_len);
}

static sqlite3_stmt *statement(sqlite_conn *s, const char *sql, char *err, size_t err_len)
{
    for (int i = 0; i < s->n_cached; i++)
        if (s->cache[i].sql == sql)
            return s->cache[i].stmt;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, err_len, "sqlite: %s (in: %.120s)", sqlite3_errmsg(s->db), sql);
        return NULL;
    }
    if (s->n_cached < STMT_CACHE) {
        s->cache[s->n_cached].sql = sql;
        s->cache[s->n_cached].stmt = st;
        s->n_cached++;
    }
    return st;
}

static bool is_cached(const sqlite_conn *s, const sqlite3_stmt *st)
{
    for (int i = 0; i < s->n_cached; i++)
        if (s->cache[i].stmt == st)
            return true;
    return false;
}

static int sq_query(void *c, const char *sql, int nparams, const char *const *params, hist_row_fn fn, void *ud,
                    char *err, size_t err_len)
{
    sqlite_conn *s = c;
    sqlite3_stmt *st = statement(s, sql, err, err_len);
    if (!st)
        return -1;
    int rc = 0;
    for (int i = 0; i < nparams && rc == 0; i++) {
        int r = params[i] ? sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT)
                          : sqlite3_bind_null(st, i + 1);
        if (r != SQLITE_OK) {
            snprintf(err, err_len, "sqlite: binding parameter %d: %s", i + 1, sqlite3_errmsg(s->db));
            rc = -1;
        }
    }
    const char *vals[64];
    while (rc == 0) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
            break;
        if (r != SQLITE_ROW) {
            snprintf(err, err_len, "sqlite: %s (in: %.120s)", sqlite3_errmsg(s->db), sql);
            rc = -1;
            break;
        }
        int nc = sqlite3_column_count(st);
        if (nc > 64)
            nc = 64;
        for (int i = 0; i < nc; i++)
            vals[i] = (const char *)sqlite3_column_text(st, i);
        if (fn) {
            int u = fn(ud, nc, vals);
            if (u != 0) {
                rc = u;
                break;
            }
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (!is_cached(s, st))
        sqlite3_finalize(st);
    return rc;
}

static const hist_backend_ops sqlite_ops = {
    .name = "sqlite",
    .id_column = "INTEGER PRIMARY KEY",
    .close = sq_close,
    .exec = sq_exec,
    .begin_write = sq_begin_write,
    .query = sq_query,
};

void *hist_sqlite_open(const char *path, const hist_backend_ops **ops, char *err, size_t err_len)
{
    sqlite_conn *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, err_len, "%s: cannot open the SQLite database: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sq_close(s);
        return NULL;
    }
    /* Another writer holds the lock: wait for it rather than fail (concurrent ingests both land).
     * WAL lets readers (report, detect) run beside a writer; foreign keys are off by default in SQLite. */
    sqlite3_busy_timeout(s->db, 60000);
    if (sq_exec(s, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", err,
                err_len) != 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, err_len, "%s: not a usable SQLite database: %s", path, why);
        sq_close(s);
        return NULL;
    }
    *ops = &sqlite_ops;
    return s;
}
