/* filter.c — --benchmark_filter as a POSIX extended regular expression searched in each name. */
#include "harness/filter.h"

#include <stdio.h>
#include <string.h>

int tb_filter_compile(tb_filter *f, const char *pattern, char *err, size_t err_len)
{
    memset(f, 0, sizeof *f);
    if (!pattern || !*pattern || strcmp(pattern, "all") == 0)
        return 0;
    if (pattern[0] == '-') {
        f->negate = true;
        pattern++;
    }
    int rc = regcomp(&f->re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &f->re, msg, sizeof msg);
        snprintf(err, err_len, "--benchmark_filter: bad regular expression '%s': %s", pattern, msg);
        return -1;
    }
    f->compiled = true;
    return 0;
}

bool tb_filter_match(const tb_filter *f, const char *name)
{
    if (!f->compiled)
        return !f->negate;
    bool hit = regexec(&f->re, name, 0, NULL, 0) == 0;
    return f->negate ? !hit : hit;
}

void tb_filter_free(tb_filter *f)
{
    if (f->compiled)
        regfree(&f->re);
    f->compiled = false;
}
