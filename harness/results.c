/* results.c — the record list every reporter and the validator read, and small lookups on it. */
#include <stdlib.h>
#include <string.h>

#include "harness/results_internal.h"

void tb_options_default(tb_options *o)
{
    memset(o, 0, sizeof *o);
    o->repetitions = 1;
    o->min_time = 0.5;
    o->seed = 0x7472697462656e63ULL; /* fixed, so an interleaved order can be replayed */
}

int tb_results_append(tb_results *res, const tb_record *rec)
{
    if (res->count == res->capacity) {
        size_t cap = res->capacity ? 2 * res->capacity : 64;
        tb_record *r = realloc(res->records, cap * sizeof *r);
        if (!r)
            return -1;
        res->records = r;
        res->capacity = cap;
    }
    res->records[res->count++] = *rec;
    return 0;
}

void tb_results_free(tb_results *res)
{
    if (!res)
        return;
    free(res->records);
    res->records = NULL;
    res->count = res->capacity = 0;
}

const tb_record *tb_results_find(const tb_results *res, const char *run_name, const char *aggregate_name)
{
    const tb_record *single = NULL;
    for (size_t i = 0; i < res->count; i++) {
        const tb_record *r = &res->records[i];
        if (strcmp(r->run_name, run_name) != 0)
            continue;
        if (r->run_type == TB_RUN_AGGREGATE && aggregate_name && strcmp(r->aggregate_name, aggregate_name) == 0)
            return r;
        if (r->run_type == TB_RUN_ITERATION && r->repetitions <= 1 && !single)
            single = r;
    }
    return single;
}

double tb_record_counter(const tb_record *rec, const char *name, double missing)
{
    for (int i = 0; i < rec->n_counters; i++)
        if (strcmp(rec->counters[i].name, name) == 0)
            return rec->counters[i].value;
    return missing;
}

double tb_time_unit_seconds(tb_time_unit u)
{
    switch (u) {
    case TB_US:
        return 1e-6;
    case TB_MS:
        return 1e-3;
    case TB_S:
        return 1.0;
    case TB_NS:
    default:
        return 1e-9;
    }
}

const char *tb_time_unit_name(tb_time_unit u)
{
    switch (u) {
    case TB_US:
        return "us";
    case TB_MS:
        return "ms";
    case TB_S:
        return "s";
    case TB_NS:
    default:
        return "ns";
    }
}
