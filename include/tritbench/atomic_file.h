/* atomic_file.h — write a file so that readers see the old file or the complete new one, never a
 * half-written one: write to a temporary file beside it, fsync, rename over the target. */
#ifndef TRITBENCH_ATOMIC_FILE_H
#define TRITBENCH_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct tb_atomic_file {
    FILE *fp;            /* write here */
    char path[4096];     /* final name */
    char tmp_path[4096]; /* "<dir>/.<name>.tmp.XXXXXX" */
} tb_atomic_file;

/* Opens a temporary file in the target's directory. Returns 0, or -1 with a message naming the
 * path and the reason in err (e.g. directory missing or not writable). */
int tb_atomic_open(tb_atomic_file *af, const char *path, char *err, size_t err_len);
/* Flushes, fsyncs, closes and renames over the target. Returns 0, or -1 (temp file removed). */
int tb_atomic_commit(tb_atomic_file *af, char *err, size_t err_len);
/* Closes and removes the temporary file; the target is untouched. */
void tb_atomic_abort(tb_atomic_file *af);
/* Whole buffer in one call. */
int tb_atomic_write(const char *path, const void *data, size_t len, char *err, size_t err_len);

#endif
