/* grow.h — the one growable-array step shared by the report model and the history store's result lists:
 * (items, n, cap) grown by doubling (from 16), one new zeroed slot handed back. */
#ifndef TRITBENCH_GROW_H
#define TRITBENCH_GROW_H

#include <stddef.h>

/* Appends one zeroed element of `size` bytes to *items (n used of cap) and returns it; NULL on no memory,
 * with *items, *n and *cap unchanged. */
void *tb_grow_slot(void **items, size_t *n, size_t *cap, size_t size);

#endif
