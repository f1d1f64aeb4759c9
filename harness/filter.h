/* filter.h — --benchmark_filter matching: POSIX ERE like google/benchmark's; "all", "" and NULL match
 * everything, and a leading '-' negates (google's negative filter). */
#ifndef TRITBENCH_HARNESS_FILTER_H
#define TRITBENCH_HARNESS_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tb_filter {
    regex_t re;
    bool compiled; /* false: matches all */
    bool negate;
} tb_filter;

/* Returns 0, or -1 with regerror's text (and the pattern) in err. */
int tb_filter_compile(tb_filter *f, const char *pattern, char *err, size_t err_len);
bool tb_filter_match(const tb_filter *f, const char *name);
void tb_filter_free(tb_filter *f);

#endif
