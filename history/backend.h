/* backend.h — the small vtable a history database backend fills in (SQLite, PostgreSQL). The SQL itself
 * is shared (history/schema.c, store.c, ingest.c): it is written with '?' placeholders, which the
 * PostgreSQL backend renumbers to $1…$n; parameters and results travel as text (NULL = SQL NULL). */
#ifndef TRITBENCH_HISTORY_BACKEND_H
#define TRITBENCH_HISTORY_BACKEND_H

#include <stddef.h>

/* Called once per result row; values[i] is NULL for SQL NULL. Non-zero stops the query (and is returned). */
typedef int (*hist_row_fn)(void *ud, int ncols, const char *const *values);

typedef struct hist_backend_ops {
    const char *name;
    /* Column type of a surrogate key that numbers itself. */
    const char *id_column;
    void (*close)(void *conn);
    /* Statements without parameters or results (DDL, COMMIT, ROLLBACK); several separated by ';'. */
    int (*exec)(void *conn, const char *sql, char *err, size_t err_len);
    /* Starts a transaction that will write, serialized with every other writer of this database
     * (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN + a transaction-scoped advisory lock). */
    int (*begin_write)(void *conn, char *err, size_t err_len);
    int (*query)(void *conn, const char *sql, int nparams, const char *const *params, hist_row_fn fn, void *ud,
                 char *err, size_t err_len);
} hist_backend_ops;

/* Each returns the connection (and sets *ops) or NULL with the reason. */
void *hist_sqlite_open(const char *path, const hist_backend_ops **ops, char *err, size_t err_len);
void *hist_pg_open(const char *url, const hist_backend_ops **ops, char *err, size_t err_len);

#endif
