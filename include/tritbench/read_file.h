/* read_file.h — read a whole input file (a result file, a profile) safely: regular files only, never
 * blocking on a FIFO (opened O_NONBLOCK, then fstat), at most a size cap, NUL-terminated. The one reader that
 * `compare`, `ab` and the history store use for what users hand them. */
#ifndef TRITBENCH_READ_FILE_H
#define TRITBENCH_READ_FILE_H

#include <stddef.h>

/* 0 with *text (malloc'd, NUL-terminated; free it) and *len, or -1 with "PATH: why" in err (not a regular
 * file — a pipe, device or directory —, larger than max_bytes, unreadable, no memory). */
int tb_read_regular_file(const char *path, size_t max_bytes, char **text, size_t *len, char *err, size_t err_len);

#endif
