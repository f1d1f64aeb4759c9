/* name_index.c — FNV-1a hashing with linear probing (name_index.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare/name_index.h"

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void tb_name_index_init(tb_name_index *ix) { memset(ix, 0, sizeof *ix); }

void tb_name_index_free(tb_name_index *ix)
{
    free(ix->keys);
    free(ix->values);
    memset(ix, 0, sizeof *ix);
}

size_t tb_name_index_get(const tb_name_index *ix, const char *name)
{
    if (ix->cap == 0)
        return (size_t)-1;
    for (size_t i = (size_t)hash_name(name) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        if (!ix->keys[i])
            return (size_t)-1;
        if (strcmp(ix->keys[i], name) == 0)
            return ix->values[i];
    }
}

static void insert_slot(const char **keys, size_t *values, size_t cap, const char *name, size_t value)
{
    size_t i = (size_t)hash_name(name) & (cap - 1);
    while (keys[i])
        i = (i + 1) & (cap - 1);
    keys[i] = name;
    values[i] = value;
}

int tb_name_index_put(tb_name_index *ix, const char *name, size_t value)
{
    if (2 * (ix->n + 1) > ix->cap) {
        const size_t cap = ix->cap ? 2 * ix->cap : 64;
        const char **keys = calloc(cap, sizeof *keys);
        size_t *values = calloc(cap, sizeof *values);
        if (!keys || !values) {
            free(keys);
            free(values);
            return -1;
        }
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->keys[i])
                insert_slot(keys, values, cap, ix->keys[i], ix->values[i]);
        free(ix->keys);
        free(ix->values);
        ix->keys = keys;
        ix->values = values;
        ix->cap = cap;
    }
    insert_slot(ix->keys, ix->values, ix->cap, name, value);
    ix->n++;
    return 0;
}
