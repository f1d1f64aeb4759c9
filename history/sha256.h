/* sha256.h — SHA-256 (FIPS 180-4) of a buffer as 64 hex digits: the content hash that makes a re-ingest
 * of the same file a no-op. */
#ifndef TRITBENCH_HISTORY_SHA256_H
#define TRITBENCH_HISTORY_SHA256_H

#include <stddef.h>

void hist_sha256_hex(const void *data, size_t len, char out[65]);

#endif
