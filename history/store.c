/* store.c — opening a history database (which backend, migrations) and the query helpers the other
 * history modules share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history/store.h"
#include "history_config.h"

bool hist_have_sqlite(void)
{
    return HIST_HAVE_SQLITE;
}

bool hist_have_postgresql(void)
{
    return HIST_HAVE_POSTGRESQL;
}

const char *hist_missing_backends(void)
{
    return HIST_MISSING;
}

void hist_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static bool is_pg_url(const char *spec)
{
    return strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0;
}

static hist_db *open_at(const char *spec, int version, char *err, size_t err_len);

hist_db *hist_open(const char *spec, char *err, size_t err_len)
{
    return open_at(spec, hist_schema_latest(), err, err_len);
}

hist_db *hist_open_at_version(const char *spec, int version, char *err, size_t err_len)
{
    return open_at(spec, version, err, err_len);
}

static hist_db *open_at(const char *spec, int version, char *err, size_t err_len)
{
    if (!spec || !*spec) {
        snprintf(err, err_len, "no history database given (--db FILE or --db postgresql://…)");
        return NULL;
    }
    hist_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    if (is_pg_url(spec)) {
#if HIST_HAVE_POSTGRESQL
        db->conn = hist_pg_open(spec, &db->ops, err, err_len);
#else
        snprintf(err, err_len, "%s: this tritbench was built without PostgreSQL support (install libpq-dev and "
                 "reconfigure with -Dpostgresql=enabled)", spec);
#endif
    } else {
#if HIST_HAVE_SQLITE
        db->conn = hist_sqlite_open(spec, &db->ops, err, err_len);
#else
        snprintf(err, err_len, "%s: this tritbench was built without SQLite support (install libsqlite3-dev and "
                 "reconfigure with -Dsqlite=enabled)", spec);
#endif
    }
    if (!db->conn) {
        free(db);
        return NULL;
    }
    if (version >= 0 && hist_migrate(db, version, err, err_len) != 0) {
        hist_close(db);
        return NULL;
    }
    return db;
}

void hist_close(hist_db *db)
{
    if (!db)
        return;
    if (db->ops)
        db->ops->close(db->conn);
    free(db);
}

const char *hist_backend_name(const hist_db *db)
{
    return db->ops->name;
}

int db_exec(hist_db *db, const char *sql, char *err, size_t err_len)
{
    return db->ops->exec(db->conn, sql, err, err_len);
}

int db_query(hist_db *db, const char *sql, int n, const char *const *params, hist_row_fn fn, void *ud, char *err,
             size_t err_len)
{
    return db->ops->query(db->conn, sql, n, params, fn, ud, err, err_len);
}

void db_rollback(hist_db *db)
{
    char ignored[256];
    db_exec(db, "ROLLBACK", ignored, sizeof ignored);
}

typedef struct int_row {
    int64_t v;
    bool found;
} int_row;

static int take_int(void *ud, int nc, const char *const *v)
{
    int_row *r = ud;
    if (!r->found && nc > 0 && v[0]) {
        r->v = strtoll(v[0], NULL, 10);
        r->found = true;
    }
    return 0;
}

int db_int64(hist_db *db, const char *sql, int n, const char *const *params, int64_t *out, bool *found,
             char *err, size_t err_len)
{
    int_row r = {0, false};
    if (db_query(db, sql, n, params, take_int, &r, err, err_len) != 0)
        return -1;
    *out = r.v;
    *found = r.found;
    return 0;
}
