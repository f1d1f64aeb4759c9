/* files.h — what tests that write reports need: a whole file as a string, and a temporary tree removed. */
#ifndef TRITBENCH_TESTS_FILES_H
#define TRITBENCH_TESTS_FILES_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "tritbench/read_file.h"

/* The file's bytes with a terminating NUL (malloc'd), or NULL when it cannot be read whole: the project's one
 * whole-file reader (read_file.h), with a cap no test output comes near. */
static inline char *test_slurp(const char *path)
{
    char *text, err[256];
    size_t len;
    return tb_read_regular_file(path, (size_t)1 << 30, &text, &len, err, sizeof err) == 0 ? text : NULL;
}

static inline int test_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* dir and everything below it, depth first, symlinks not followed: nftw's result. */
static inline int test_remove_tree(const char *dir)
{
    return nftw(dir, test_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
