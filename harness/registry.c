/* registry.c — registered benchmark instances and their full names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/state.h"

tb_registry *tb_registry_new(void)
{
    return calloc(1, sizeof(tb_registry));
}

void tb_registry_free(tb_registry *r)
{
    if (!r)
        return;
    free(r->items);
    free(r);
}

static int copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

int tb_register(tb_registry *r, const tb_bench_spec *spec)
{
    if (!r || !spec || !spec->family || !*spec->family || !spec->run || spec->threads < 1 ||
        spec->time_unit < TB_NS || spec->time_unit > TB_S || spec->min_time < 0.0)
        return -1;
    if (r->count == r->capacity) {
        size_t cap = r->capacity ? 2 * r->capacity : 64;
        tb_instance *items = realloc(r->items, cap * sizeof *items);
        if (!items)
            return -1;
        r->items = items;
        r->capacity = cap;
    }
    tb_instance *in = &r->items[r->count];
    memset(in, 0, sizeof *in);
    in->spec = *spec;
    if (copy_str(in->family, sizeof in->family, spec->family) != 0)
        return -1;
    in->spec.family = in->family;
    int n;
    if (spec->args && *spec->args) {
        if (copy_str(in->args, sizeof in->args, spec->args) != 0)
            return -1;
        in->spec.args = in->args;
        n = snprintf(in->name, sizeof in->name, "%s/%s/threads:%d", in->family, in->args, spec->threads);
    } else {
        in->spec.args = NULL;
        n = snprintf(in->name, sizeof in->name, "%s/threads:%d", in->family, spec->threads);
    }
    /* Aggregates append "_median" and friends; leave room so those names are never cut. */
    if (n < 0 || (size_t)n + 16 >= sizeof in->name)
        return -1;
    r->count++;
    return 0;
}

size_t tb_registry_count(const tb_registry *r)
{
    return r ? r->count : 0;
}

const char *tb_registry_name(const tb_registry *r, size_t i)
{
    return (r && i < r->count) ? r->items[i].name : NULL;
}

int tb_registry_refuse(tb_registry *r, size_t i, const char *message)
{
    if (!r || i >= r->count || !message || !*message)
        return -1;
    snprintf(r->items[i].refused, sizeof r->items[i].refused, "%s", message);
    return 0;
}
