/* grow.c — tb_grow_slot (include/tritbench/grow.h). */
#include "tritbench/grow.h"

#include <stdlib.h>
#include <string.h>

void *tb_grow_slot(void **items, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        const size_t c = *cap ? *cap * 2 : 16;
        void *p = realloc(*items, c * size);
        if (!p)
            return NULL;
        *items = p;
        *cap = c;
    }
    void *slot = (char *)*items + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}
