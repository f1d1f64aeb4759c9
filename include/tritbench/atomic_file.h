/* atomic_file.h — write a file so that readers see the old file or the complete new one, never a
 * half-written one: write to a temporary file beside it, fsync, rename over the target.
 *
 * What OUT already is decides how it is written:
 *   missing or a regular file  → temporary beside it + rename (the old file survives any failure);
 *   a symlink                  → followed: its regular-file target is replaced atomically, the link stays;
 *   a directory                → refused;
 *   a device, FIFO or socket   → written through (e.g. /dev/null, /dev/stdout, a pipe with a reader),
 *                                never replaced by a regular file; refused with TB_ATOMIC_REGULAR_ONLY
 *                                (checkpoints). A FIFO without a reader is refused, never waited on.
 * Temporary files are named "<dir>/.<name>.tmp.<pid>.XXXXXX" (the name part shortened so the whole fits
 * NAME_MAX), removed on SIGINT/SIGTERM/SIGHUP, and those of a process that no longer runs are named on
 * stderr by the next open of the same target. */
#ifndef TRITBENCH_ATOMIC_FILE_H
#define TRITBENCH_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct tb_atomic_file {
    FILE *fp;            /* write here */
    char path[4096];     /* final name (a symlink's target once followed) */
    char tmp_path[4096 + 320]; /* "<dir>/.<name>.tmp.<pid>.XXXXXX"; empty when writing through */
    bool direct;         /* writing through a device / FIFO: no temporary, no rename */
    int slot;            /* signal-cleanup registration, -1 if none */
} tb_atomic_file;

enum { TB_ATOMIC_REGULAR_ONLY = 1 }; /* refuse an existing non-regular target instead of writing through */

/* Opens a temporary file in the target's directory (or the target itself, see above). Returns 0, or -1
 * with a message naming the path and the reason in err (e.g. directory missing or not writable). */
int tb_atomic_open(tb_atomic_file *af, const char *path, char *err, size_t err_len);
int tb_atomic_open_flags(tb_atomic_file *af, const char *path, int flags, char *err, size_t err_len);
/* Flushes, fsyncs, closes and renames over the target. Returns 0, or -1 (temp file removed). */
int tb_atomic_commit(tb_atomic_file *af, char *err, size_t err_len);
/* Closes and removes the temporary file; the target is untouched. */
void tb_atomic_abort(tb_atomic_file *af);
/* Whole buffer in one call. */
int tb_atomic_write(const char *path, const void *data, size_t len, char *err, size_t err_len);

#endif
