/* backend_pg.c — the PostgreSQL backend (libpq): a fleet of machines posting into one server. The shared
 * SQL's '?' placeholders become $1…$n here; writers serialize on a transaction-scoped advisory lock, so two
 * ingests at once both land whole (and never deadlock on each other's new benchmark names). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "history/backend.h"

/* Any fixed key: every tritbench writer of one database takes the same lock. */
#define HIST_PG_WRITE_LOCK 7316029

typedef struct pg_conn {
    PGconn *conn;
    const char *last_sql; /* the conversion of the last statement is reused (the same SQL repeats in loops) */
    char *converted;
} pg_conn;

static void pg_close(void *c)
{
    pg_conn *p = c;
    if (!p)
        return;
    PQfinish(p->conn);
    free(p->converted);
    free(p);
}

static void pg_error(PGconn *conn, const PGresult *r, char *err, size_t err_len)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
    snprintf(err, err_len, "postgresql: %.*s", (int)(m && *m ? strcspn(m, "\n") : 7), m && *m ? m : "unknown");
}

static int pg_exec(void *c, const char *sql, char *err, size_t err_len)
{
    pg_conn *p = c;
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : -1;
    if (rc)
        pg_error(p->conn, r, err, err_len);
    PQclear(r);
    return rc;
}

static int pg_begin_write(void *c, char *err, size_t err_len)
{
    char sql[96];
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d)", HIST_PG_WRITE_LOCK);
    return pg_exec(c, sql, err, err_len);
}

/* '?' → $n outside string literals. */
static const char *convert(pg_conn *p, const char *sql)
{
    if (p->last_sql == sql && p->converted)
        return p->converted;
    size_t n = strlen(sql);
    char *out = malloc(n * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int k = 0;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (sql[i] == '\'')
            quoted = !quoted;
        if (sql[i] == '?' && !quoted)
            o += (size_t)sprintf(out + o, "$%d", ++k);
        else
            out[o++] = sql[i];
    }
    out[o] = '\0';
    free(p->converted);
    p->converted = out;
    p->last_sql = sql;
    return out;
}

static int pg_query(void *c, const char *sql, int nparams, const char *const *params, hist_row_fn fn, void *ud,
                    char *err, size_t err_len)
{
    pg_conn *p = c;
    const char *q = convert(p, sql);
    if (!q) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    PGresult *r = PQexecParams(p->conn, q, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pg_error(p->conn, r, err, err_len);
        PQclear(r);
        return -1;
    }
    int rc = 0;
    int nc = PQnfields(r);
    if (nc > 64)
        nc = 64;
    const char *vals[64];
    for (int row = 0; fn && row < PQntuples(r) && rc == 0; row++) {
        for (int i = 0; i < nc; i++)
            vals[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
        rc = fn(ud, nc, vals);
    }
    PQclear(r);
    return rc;
}

static const hist_backend_ops pg_ops = {
    .name = "postgresql",
    .id_column = "BIGSERIAL PRIMARY KEY",
    .close = pg_close,
    .exec = pg_exec,
    .begin_write = pg_begin_write,
    .query = pg_query,
};

static void notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation already exists, skipping" and friends are not for the user */
}

void *hist_pg_open(const char *url, const hist_backend_ops **ops, char *err, size_t err_len)
{
    pg_conn *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    p->conn = PQconnectdb(url);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        const char *m = p->conn ? PQerrorMessage(p->conn) : "out of memory";
        snprintf(err, err_len, "cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"), m);
        pg_close(p);
        return NULL;
    }
    PQsetNoticeProcessor(p->conn, notice_quiet, NULL);
    if (pg_exec(p, "SET client_min_messages = warning", err, err_len) != 0) {
        pg_close(p);
        return NULL;
    }
    *ops = &pg_ops;
    return p;
}
