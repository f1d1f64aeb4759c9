/* idx.h — reader for IDX files (the MNIST / Fashion-MNIST container), gzip-compressed or plain.
 * Only the unsigned-byte element type (0x08) is accepted: that is what the image and label files hold.
 * Every failure is an error message that names the file and the problem (missing, not gzip or corrupt
 * gzip, wrong magic, wrong number of dimensions, zero or oversized dimensions, truncated data,
 * trailing bytes); nothing is ever partially returned. */
#ifndef TRITBENCH_IDX_H
#define TRITBENCH_IDX_H

#include <stddef.h>
#include <stdint.h>

#define TB_IDX_MAX_DIMS 4
#define TB_IDX_MAX_BYTES ((size_t)1 << 31) /* refuse headers that claim more than 2 GiB */

typedef struct tb_idx {
    size_t ndims;
    size_t dims[TB_IDX_MAX_DIMS]; /* dims[0] = number of items */
    size_t count;                 /* product of dims = bytes in data */
    uint8_t *data;                /* malloc'd; free with tb_idx_free */
} tb_idx;

/* Reads `path`, which must hold exactly `want_ndims` dimensions of unsigned bytes. Returns 0, or -1
 * with the reason in err ("<path>: ..."). */
int tb_idx_read(const char *path, size_t want_ndims, tb_idx *out, char *err, size_t err_len);
void tb_idx_free(tb_idx *x);

#endif
