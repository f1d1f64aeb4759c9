/* store.h — what the history modules share: the open database (backend vtable + connection) and small
 * query helpers over it. Internal to history/. */
#ifndef TRITBENCH_HISTORY_STORE_H
#define TRITBENCH_HISTORY_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "history/backend.h"
#include "tritbench/history.h"

struct hist_db {
    const hist_backend_ops *ops;
    void *conn;
};

int db_exec(hist_db *db, const char *sql, char *err, size_t err_len);
int db_query(hist_db *db, const char *sql, int n, const char *const *params, hist_row_fn fn, void *ud, char *err,
             size_t err_len);
/* First column of the first row as an integer; *found false when there is no row. */
int db_int64(hist_db *db, const char *sql, int n, const char *const *params, int64_t *out, bool *found,
             char *err, size_t err_len);
void db_rollback(hist_db *db);

/* Applies migrations up to `target` (tests use it to build an old database). */
int hist_migrate(hist_db *db, int target, char *err, size_t err_len);

/* Builds a database at an older schema version (tests of the migrations); version < 0 opens it without
 * touching the schema at all (tests that reset it). */
hist_db *hist_open_at_version(const char *spec, int version, char *err, size_t err_len);

/* Called after each benchmark instance an ingest stores, inside its transaction: tests kill the process
 * here to prove a killed ingest leaves nothing. NULL in normal use. */
extern void (*hist_ingest_test_hook)(size_t n_stored);

/* Copies src into a fixed buffer, "" for NULL. */
void hist_copy(char *dst, size_t cap, const char *src);

#endif
