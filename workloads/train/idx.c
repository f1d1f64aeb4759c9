/* idx.c — IDX (MNIST-family) reader over zlib: header checks, exact-size payload, gzip errors surfaced. */
#include "tritbench/idx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_TYPE_UBYTE 0x08

static int fail(char *err, size_t err_len, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_len, const char *path, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, err_len, "%s: %s", path, what);
    return -1;
}

/* Reads exactly len bytes; returns the number read (short at end of file) or -1 on a gzip error. */
static long long read_fully(gzFile gz, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        const size_t want = len - got > (1u << 30) ? (1u << 30) : len - got;
        const int n = gzread(gz, buf + got, (unsigned)want);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (long long)got;
}

static const char *gz_reason(gzFile gz)
{
    int code = Z_OK;
    const char *msg = gzerror(gz, &code);
    return (msg && *msg) ? msg : "read error";
}

static bool ends_with(const char *s, const char *suffix)
{
    const size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int read_header(gzFile gz, const char *path, size_t want_ndims, tb_idx *out, char *err, size_t err_len)
{
    uint8_t magic[4];
    const long long n = read_fully(gz, magic, sizeof magic);
    if (n < 0)
        return fail(err, err_len, path, "corrupt gzip data (%s)", gz_reason(gz));
    /* zlib reads non-gzip files transparently; a .gz name that is not gzip is a damaged download. */
    if (gzdirect(gz) && ends_with(path, ".gz"))
        return fail(err, err_len, path, "not a gzip file (bad gzip header)");
    if (n < 4)
        return fail(err, err_len, path, "truncated: %lld of 4 header bytes", n);
    if (magic[0] != 0 || magic[1] != 0)
        return fail(err, err_len, path, "wrong magic %02x%02x%02x%02x (not an IDX file)", magic[0], magic[1],
                    magic[2], magic[3]);
    if (magic[2] != IDX_TYPE_UBYTE)
        return fail(err, err_len, path, "element type 0x%02x, expected 0x08 (unsigned byte)", magic[2]);
    if (magic[3] != want_ndims)
        return fail(err, err_len, path, "%u dimensions, expected %zu", magic[3], want_ndims);
    uint8_t dims[4 * TB_IDX_MAX_DIMS];
    const long long d = read_fully(gz, dims, 4 * want_ndims);
    if (d < 0)
        return fail(err, err_len, path, "corrupt gzip data (%s)", gz_reason(gz));
    if ((size_t)d < 4 * want_ndims)
        return fail(err, err_len, path, "truncated header (%lld of %zu dimension bytes)", d, 4 * want_ndims);
    out->ndims = want_ndims;
    out->count = 1;
    for (size_t i = 0; i < want_ndims; i++) {
        const uint32_t v = (uint32_t)dims[4 * i] << 24 | (uint32_t)dims[4 * i + 1] << 16 |
                           (uint32_t)dims[4 * i + 2] << 8 | (uint32_t)dims[4 * i + 3];
        if (v == 0)
            return fail(err, err_len, path, "dimension %zu is zero", i);
        if ((size_t)v > TB_IDX_MAX_BYTES / out->count)
            return fail(err, err_len, path, "dimensions claim more than %zu bytes", TB_IDX_MAX_BYTES);
        out->dims[i] = v;
        out->count *= v;
    }
    return 0;
}

int tb_idx_read(const char *path, size_t want_ndims, tb_idx *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (!path || want_ndims == 0 || want_ndims > TB_IDX_MAX_DIMS) {
        snprintf(err, err_len, "%s: bad arguments to the IDX reader", path ? path : "(null)");
        return -1;
    }
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return fail(err, err_len, path, "cannot open (%s)", errno ? strerror(errno) : "out of memory");
    int rc = read_header(gz, path, want_ndims, out, err, err_len);
    if (rc == 0) {
        out->data = malloc(out->count);
        if (!out->data)
            rc = fail(err, err_len, path, "out of memory for %zu bytes", out->count);
    }
    if (rc == 0) {
        const long long got = read_fully(gz, out->data, out->count);
        if (got < 0)
            rc = fail(err, err_len, path, "corrupt gzip data (%s)", gz_reason(gz));
        else if ((size_t)got < out->count)
            rc = fail(err, err_len, path, "truncated: %lld of %zu data bytes", got, out->count);
    }
    if (rc == 0) {
        /* Reading past the payload makes zlib verify the gzip trailer (CRC and length). */
        uint8_t extra;
        const long long more = read_fully(gz, &extra, 1);
        if (more < 0)
            rc = fail(err, err_len, path, "corrupt gzip data (%s)", gz_reason(gz));
        else if (more > 0)
            rc = fail(err, err_len, path, "trailing bytes after %zu data bytes (wrong dimensions?)", out->count);
    }
    const int close_rc = gzclose_r(gz);
    if (rc == 0 && close_rc != Z_OK)
        rc = fail(err, err_len, path, "gzip stream ends early or is damaged (zlib error %d)", close_rc);
    if (rc != 0)
        tb_idx_free(out);
    return rc;
}

void tb_idx_free(tb_idx *x)
{
    free(x->data);
    memset(x, 0, sizeof *x);
}
