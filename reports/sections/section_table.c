/* section_table.c — the one table of validator sections, built from the generated section_list.h, and the
 * instance lists sections declare. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/validate.h"

#define VR_SECTION(n) extern const vr_section vr_##n##_section;
#include "section_list.h"
#undef VR_SECTION

static const vr_section *const table[] = {
#define VR_SECTION(n) &vr_##n##_section,
#include "section_list.h"
#undef VR_SECTION
};

const vr_section *const *vr_sections(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

const vr_section *vr_section_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

const char *vr_section_names(void)
{
    static char buf[512];
    if (!buf[0])
        for (size_t i = 0, used = 0; i < sizeof table / sizeof table[0]; i++) {
            const int n = snprintf(buf + used, sizeof buf - used, "%s%s", i ? ", " : "", table[i]->name);
            if (n < 0 || (size_t)n >= sizeof buf - used)
                break;
            used += (size_t)n;
        }
    return buf;
}

void vr_instances_add(vr_instances *l, unsigned group, const char *fmt, ...)
{
    char name[TB_NAME_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        vr_instance *p = realloc(l->items, cap * sizeof *p);
        if (!p) {
            l->oom = true;
            return;
        }
        l->items = p;
        l->cap = cap;
    }
    vr_instance *it = &l->items[l->count++];
    memcpy(it->name, name, sizeof name);
    it->group = group;
}

void vr_instances_free(vr_instances *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}

const tb_record *vr_record(const tb_results *records, const char *instance, const char *aggregate_name)
{
    const tb_record *found = records ? tb_results_find(records, instance, aggregate_name) : NULL;
    if (found || !records)
        return found;
    /* A benchmark that failed or was skipped has no aggregates: its first run says why. */
    for (size_t i = 0; i < records->count; i++) {
        const tb_record *rec = &records->records[i];
        if (strcmp(rec->run_name, instance) == 0 && (rec->error_occurred || rec->skipped))
            return rec;
    }
    return NULL;
}
