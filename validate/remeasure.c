/* remeasure.c — what `validate --max-time` re-measures (the instances behind INCONCLUSIVE rows and their
 * baselines' competitors), and the fresh repetitions merged with the ones an instance already has: the judge
 * of a section then sees one list of repetitions per instance, and aggregates over all of them, as if the
 * harness had run them in one go. */
#include <stdlib.h>
#include <string.h>

#include "harness/results_internal.h"
#include "validate/vr_internal.h"

static const vr_instance *declared(const vr_instances *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

/* True when two instance names differ in exactly one '/'-separated component ("bitlinear/fp32/avx2/333x1000x1/
 * threads:1" and "bitlinear/fp32/openblas/333x1000x1/threads:1"): a baseline's competitors. */
static bool one_component_apart(const char *a, const char *b)
{
    int differ = 0;
    while (differ < 2) {
        const size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
        differ += la != lb || strncmp(a, b, la) != 0;
        a += la;
        b += lb;
        if (!*a || !*b)
            return differ == 1 && !*a && !*b;
        a++;
        b++;
    }
    return false;
}

/* A section picks the fastest of several baselines by median, so the baseline's competitors in its group (names
 * one component apart: the other FP32 variants, the other decoders) are re-measured with it: whichever wins
 * after the merge has as many repetitions as the subject. */
size_t vr_remeasure_plan(const vr_report *r, const char *section, const vr_instances *declared_list, vr_instances *out,
                         int *reps)
{
    size_t rows = 0;
    *reps = 3;
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        if (c->verdict != VR_INCONCLUSIVE || strcmp(c->section, section) != 0)
            continue;
        rows++;
        const vr_instance *base = declared(declared_list, c->base_instance),
                           *subj = declared(declared_list, c->subject_instance);
        if (!base || !subj)
            continue; /* not an instance of this section: nothing to re-measure */
        vr_instances_add(out, base->group, "%s", base->name);
        vr_instances_add(out, subj->group, "%s", subj->name);
        for (size_t k = 0; k < declared_list->count; k++) {
            const vr_instance *other = &declared_list->items[k];
            if (other->group == base->group && one_component_apart(other->name, base->name))
                vr_instances_add(out, base->group, "%s", other->name);
        }
        const int want = c->more_reps > 0 ? c->more_reps : 5;
        *reps = want > *reps ? want : *reps;
    }
    *reps = *reps > VR_REMEASURE_MAX_REPS ? VR_REMEASURE_MAX_REPS : *reps;
    return rows;
}

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
