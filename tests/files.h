/* files.h — what tests that write reports need: a whole file as a string, and a temporary tree removed. */
#ifndef TRITBENCH_TESTS_FILES_H
#define TRITBENCH_TESTS_FILES_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* The file's bytes with a terminating NUL (malloc'd), or NULL when it cannot be read whole. */
static inline char *test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
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
