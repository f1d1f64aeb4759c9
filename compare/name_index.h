/* name_index.h — an open-addressing hash table from a string to an index (into the caller's array), for
 * pairing 100k benchmark names in linear time. Keys are borrowed: the caller keeps them alive. */
#ifndef TRITBENCH_COMPARE_NAME_INDEX_H
#define TRITBENCH_COMPARE_NAME_INDEX_H

#include <stddef.h>

typedef struct tb_name_index {
    const char **keys; /* NULL = empty slot */
    size_t *values;
    size_t cap, n;     /* cap is a power of two, kept at most half full */
} tb_name_index;

void tb_name_index_init(tb_name_index *ix);
void tb_name_index_free(tb_name_index *ix);
/* Index of name, or (size_t)-1 when absent. */
size_t tb_name_index_get(const tb_name_index *ix, const char *name);
/* Adds name → value (name must not be present yet). 0, or -1 on no memory. */
int tb_name_index_put(tb_name_index *ix, const char *name, size_t value);

#endif
