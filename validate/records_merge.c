/* records_merge.c — more repetitions of an instance merged with the ones it already has (validate --max-time):
 * the judge of a section then sees one list of repetitions per instance, and aggregates over all of them, as if
 * the harness had run them in one go. */
#include <stdlib.h>
#include <string.h>

#include "harness/results_internal.h"
#include "validate/vr_internal.h"

static bool has_iterations(const tb_results *res, const char *run_name)
{
    for (size_t i = 0; i < res->count; i++)
        if (res->records[i].run_type == TB_RUN_ITERATION && strcmp(res->records[i].run_name, run_name) == 0)
            return true;
    return false;
}

static bool seen_before(const tb_results *res, size_t upto, const char *run_name)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(res->records[i].run_name, run_name) == 0)
            return true;
    return false;
}

/* Appends every iteration record of run_name from src to out (renumbered from *next); 0 or -1. */
static int append_iterations(tb_results *out, const tb_results *src, const char *run_name, int *next)
{
    for (size_t i = 0; i < src->count; i++) {
        tb_record rec = src->records[i];
        if (rec.run_type != TB_RUN_ITERATION || strcmp(rec.run_name, run_name) != 0)
            continue;
        rec.repetition_index = (*next)++;
        if (tb_results_append(out, &rec) != 0)
            return -1;
    }
    return 0;
}

/* One merged instance: old repetitions, fresh ones, aggregates over the union. */
static int merge_instance(tb_results *out, const tb_results *old, const tb_results *fresh, const char *run_name)
{
    const size_t first = out->count;
    int next = 0;
    if (append_iterations(out, old, run_name, &next) != 0 || append_iterations(out, fresh, run_name, &next) != 0)
        return -1;
    for (size_t i = first; i < out->count; i++)
        out->records[i].repetitions = next;
    tb_record agg[8];
    const int n_agg = tb_make_aggregates(out->records + first, next, agg);
    for (int i = 0; i < n_agg; i++)
        if (tb_results_append(out, &agg[i]) != 0)
            return -1;
    return 0;
}

int vr_records_merge(tb_results *records, const tb_results *fresh)
{
    tb_results out;
    memset(&out, 0, sizeof out);
    int rc = 0;
    /* Instances in their first order: the old list's, then any only the fresh run has. */
    for (size_t i = 0; rc == 0 && i < records->count; i++) {
        const tb_record *rec = &records->records[i];
        if (!has_iterations(fresh, rec->run_name)) {
            rc = tb_results_append(&out, rec);
        } else if (!seen_before(records, i, rec->run_name)) {
            rc = merge_instance(&out, records, fresh, rec->run_name);
        }
    }
    for (size_t i = 0; rc == 0 && i < fresh->count; i++) {
        const tb_record *rec = &fresh->records[i];
        if (rec->run_type == TB_RUN_ITERATION && !seen_before(records, records->count, rec->run_name) &&
            !seen_before(fresh, i, rec->run_name))
            rc = merge_instance(&out, records, fresh, rec->run_name);
    }
    if (rc != 0) {
        tb_results_free(&out);
        return -1;
    }
    tb_results_free(records);
    *records = out;
    return 0;
}
