/* no_q8head.c — for the standalone libFuzzer builds of the checkpoint code (tools/fuzz-targets.sh): st_convert.c
 * links the int8 head quantizer of kernels/lowp (convert --head q8), which needs the whole dispatched kernel
 * library. No fuzz target converts with --head q8, so these definitions only have to link; reaching one is a
 * bug in the fuzz target and aborts loudly. The meson replay tests link the real kernels. */
#include <stdio.h>
#include <stdlib.h>

#include "tritbench/lowp.h"

static void unreachable(const char *fn)
{
    fprintf(stderr, "fuzz build: %s reached, but no fuzz target converts with --head q8\n", fn);
    abort();
}

int trit_q8_alloc(trit_q8_rows *w, size_t rows, size_t cols)
{
    (void)w, (void)rows, (void)cols;
    unreachable(__func__);
    return -1;
}

void trit_q8_free(trit_q8_rows *w)
{
    (void)w;
    unreachable(__func__);
}

int trit_q8_quantize_rows(trit_q8_rows *w, size_t r0, size_t n, const float *src)
{
    (void)w, (void)r0, (void)n, (void)src;
    unreachable(__func__);
    return -1;
}

/* convert --head q8r and st_q8head_load (the residual plane, the VNNI offset sums): likewise unreachable. */
int trit_q8r_alloc(trit_q8_resid *r, size_t rows, size_t cols)
{
    (void)r, (void)rows, (void)cols;
    unreachable(__func__);
    return -1;
}

void trit_q8r_free(trit_q8_resid *r)
{
    (void)r;
    unreachable(__func__);
}

int trit_q8r_quantize_rows(const trit_q8_rows *w, trit_q8_resid *r, size_t r0, size_t n, const float *src)
{
    (void)w, (void)r, (void)r0, (void)n, (void)src;
    unreachable(__func__);
    return -1;
}

void trit_q8_update_sums(trit_q8_rows *w, size_t r0, size_t n)
{
    (void)w, (void)r0, (void)n;
    unreachable(__func__);
}
