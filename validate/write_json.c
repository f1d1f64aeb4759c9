/* write_json.c — results.json: a versioned validation document whose `context` and `benchmarks` follow
 * google/benchmark's schema (the harness's own JSON functions), so compare tools read it unchanged. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/vr_internal.h"
#include "tritbench/atomic_file.h"
#include "tritbench/reporters.h"

#define VR_JSON_SCHEMA_VERSION 1

/* JSON has no NaN/inf: write null, which readers take as "not measured". */
static json_t *number(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *target_json(const vr_target *t)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (t->has_min)
        json_object_set_new(o, "min", json_real(t->min));
    if (t->has_max)
        json_object_set_new(o, "max", json_real(t->max));
    if (t->has_optimal)
        json_object_set_new(o, "optimal", json_real(t->optimal));
    json_object_set_new(o, "unit", json_string(t->unit));
    json_object_set_new(o, "description", json_string(t->description));
    return o;
}

static json_t *checks_json(const vr_report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        json_t *o = json_object();
        if (!o)
            continue;
        json_object_set_new(o, "section", json_string(c->section));
        json_object_set_new(o, "target", json_string(c->target));
        json_object_set_new(o, "subject", json_string(c->subject));
        json_object_set_new(o, "threshold", json_string(c->threshold));
        json_object_set_new(o, "measured", c->verdict == VR_NA ? json_null() : number(c->measured));
        json_object_set_new(o, "measured_text", json_string(c->measured_text));
        json_object_set_new(o, "verdict", json_string(vr_verdict_name(c->verdict)));
        json_object_set_new(o, "optimal", json_boolean(c->optimal));
        json_object_set_new(o, "reason", json_string(c->reason));
        /* The speed verdict's confidence interval (null where the row has none, or too few repetitions gave
         * no bounded one: then the bounds are null inside it). */
        if (c->has_interval && c->verdict != VR_NA) {
            json_t *iv = json_object();
            json_object_set_new(iv, "lo", c->lo > 0 ? number(c->lo) : json_null());
            json_object_set_new(iv, "hi", number(c->hi));
            json_object_set_new(iv, "conf", number(c->conf));
            json_object_set_new(iv, "n_base", json_integer(c->n_base));
            json_object_set_new(iv, "n_subject", json_integer(c->n_subject));
            json_object_set_new(o, "interval", iv);
        } else {
            json_object_set_new(o, "interval", json_null());
        }
        json_object_set_new(o, "more_reps", json_integer(c->more_reps));
        json_object_set_new(o, "why", json_string(c->why));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *section_json(const vr_report *r, const char *name)
{
    json_t *s = json_object(), *metrics = json_object(), *tables = json_array(), *notes = json_array();
    if (!s || !metrics || !tables || !notes) {
        json_decref(s);
        json_decref(metrics);
        json_decref(tables);
        json_decref(notes);
        return NULL;
    }
    for (size_t i = 0; i < r->n_sections; i++)
        if (strcmp(r->sections[i].name, name) == 0) {
            json_object_set_new(s, "status", json_string(r->sections[i].rc == 0 ? "ran" : "failed"));
            json_object_set_new(s, "seconds", json_real(r->sections[i].seconds));
        }
    for (size_t i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].section, name) == 0)
            json_object_set_new(metrics, r->metrics[i].key, number(r->metrics[i].value));
    for (size_t i = 0; i < r->n_notes; i++)
        if (strcmp(r->notes[i].section, name) == 0)
            json_array_append_new(notes, json_string(r->notes[i].text));
    for (size_t i = 0; i < r->n_tables; i++) {
        const vr_table *t = r->tables[i];
        if (strcmp(t->section, name) != 0)
            continue;
        json_t *o = json_object(), *h = json_array(), *rows = json_array();
        for (size_t c = 0; c < t->n_cols; c++)
            json_array_append_new(h, json_string(t->headers[c] ? t->headers[c] : ""));
        for (size_t row = 0; row < t->n_rows; row++) {
            json_t *cells = json_array();
            for (size_t c = 0; c < t->n_cols; c++) {
                const char *v = t->cells[row * t->n_cols + c];
                json_array_append_new(cells, json_string(v ? v : ""));
            }
            json_array_append_new(rows, cells);
        }
        json_object_set_new(o, "title", json_string(t->title));
        json_object_set_new(o, "headers", h);
        json_object_set_new(o, "rows", rows);
        json_array_append_new(tables, o);
    }
    json_object_set_new(s, "metrics", metrics);
    json_object_set_new(s, "tables", tables);
    json_object_set_new(s, "notes", notes);
    return s;
}

/* Invalid UTF-8 in any string (a hostile table cell) makes json_string return NULL; the setters above
 * then drop that key rather than crash, so the document stays valid. */
int vr_write_json(vr_report *r, const char *dir, char *err, size_t err_len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_t *root = json_object();
    json_t *bench = json_array();
    if (!root || !bench) {
        json_decref(root);
        json_decref(bench);
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    size_t np, nf, nn;
    vr_verdict v = vr_report_verdict(r, &np, &nf, &nn);
    json_object_set_new(root, "schema", json_string("tritbench-validate"));
    json_object_set_new(root, "schema_version", json_integer(VR_JSON_SCHEMA_VERSION));
    json_object_set_new(root, "context", tb_context_to_json(&r->ctx));
    json_object_set_new(root, "command", json_string(r->command));
    json_t *prof = json_object(), *targets = json_object();
    for (size_t i = 0; i < r->profile.n_targets; i++)
        json_object_set_new(targets, r->profile.targets[i].name, target_json(&r->profile.targets[i]));
    json_object_set_new(prof, "name", json_string(r->profile.name));
    json_object_set_new(prof, "path", json_string(r->profile.path));
    json_object_set_new(prof, "description", json_string(r->profile.description));
    json_object_set_new(prof, "targets", targets);
    json_object_set_new(root, "profile", prof);
    json_t *sum = json_object();
    json_object_set_new(sum, "verdict", json_string(vr_verdict_name(v)));
    json_object_set_new(sum, "passed", json_integer((json_int_t)np));
    json_object_set_new(sum, "failed", json_integer((json_int_t)nf));
    json_object_set_new(sum, "inconclusive", json_integer((json_int_t)vr_report_count(r, VR_INCONCLUSIVE)));
    json_object_set_new(sum, "na", json_integer((json_int_t)nn));
    json_object_set_new(sum, "incomplete", json_boolean(r->incomplete || r->oom));
    json_object_set_new(root, "summary", sum);
    /* A selected section that could not run, or memory that ran out, makes the document incomplete: say so at
     * the top, with the sections not judged. */
    json_object_set_new(root, "incomplete", json_boolean(r->incomplete || r->oom));
    json_t *not_run = json_array();
    for (size_t i = 0; not_run && i < r->n_sections; i++)
        if (r->sections[i].rc != 0)
            json_array_append_new(not_run, json_string(r->sections[i].name));
    json_object_set_new(root, "sections_not_done", not_run);
    json_object_set_new(root, "checks", checks_json(r));
    json_t *sections = json_object();
    /* Every section that ran or added anything. */
    const char *names[64];
    const size_t n_names = vr_report_section_names(r, names, 64);
    for (size_t i = 0; i < n_names; i++)
        json_object_set_new(sections, names[i], section_json(r, names[i]));
    json_object_set_new(root, "sections", sections);
    json_t *plots = json_array();
    for (size_t i = 0; i < r->n_plots; i++) {
        const vr_plot_item *p = &r->plots[i];
        json_t *o = json_object();
        char png[96], svg[96], tsv[96];
        snprintf(png, sizeof png, "plots/%s.png", p->name);
        snprintf(svg, sizeof svg, "plots/%s.svg", p->name);
        snprintf(tsv, sizeof tsv, "plots/%s.tsv", p->name);
        json_object_set_new(o, "section", json_string(p->section));
        json_object_set_new(o, "name", json_string(p->name));
        json_object_set_new(o, "title", json_string(p->title));
        json_object_set_new(o, "data", json_string(tsv));
        json_object_set_new(o, "rendered", json_boolean(p->rendered));
        json_object_set_new(o, "png", p->rendered ? json_string(png) : json_null());
        json_object_set_new(o, "svg", p->rendered ? json_string(svg) : json_null());
        json_object_set_new(o, "status", json_string(p->status));
        json_array_append_new(plots, o);
    }
    json_object_set_new(root, "plots", plots);
    json_object_set_new(root, "plots_status", json_string(r->plots_status));
    for (size_t i = 0; i < r->records.count; i++)
        json_array_append_new(bench, tb_record_to_json(&r->records.records[i]));
    json_object_set_new(root, "benchmarks", bench);

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) {
        snprintf(err, err_len, "%s: out of memory while serialising", path);
        return -1;
    }
    int rc = tb_atomic_write(path, text, strlen(text), err, err_len);
    free(text);
    return rc;
}
