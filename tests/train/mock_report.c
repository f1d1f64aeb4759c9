/* mock_report.c — recording implementation of the vr_* report API for section tests (mock_report.h). */
#include "mock_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mock_log mock;

struct vr_report {
    int unused;
};
struct vr_table {
    size_t n_cols;
};

static vr_report the_report;
static vr_table tables[MOCK_MAX];

vr_report *mock_report(void) { return &the_report; }

bool mock_metric(const char *key, double *value)
{
    for (size_t i = 0; i < mock.n_metrics; i++)
        if (strcmp(mock.metric_keys[i], key) == 0) {
            *value = mock.metric_values[i];
            return true;
        }
    return false;
}

const char *vr_verdict_name(vr_verdict v) { return v == VR_PASS ? "PASS" : v == VR_FAIL ? "FAIL" : "N/A"; }

vr_verdict vr_check(vr_report *r, const char *section, const char *target, const char *subject, double measured,
                    const char *na_reason)
{
    (void)r;
    if (mock.n_checks >= MOCK_MAX)
        return VR_FAIL;
    mock_check *c = &mock.checks[mock.n_checks++];
    snprintf(c->section, sizeof c->section, "%s", section);
    snprintf(c->target, sizeof c->target, "%s", target);
    snprintf(c->subject, sizeof c->subject, "%s", subject);
    snprintf(c->na_reason, sizeof c->na_reason, "%s", na_reason ? na_reason : "");
    c->measured = measured;
    c->na = na_reason != NULL;
    return c->na ? VR_NA : VR_PASS;
}

const char *vr_threshold_text(vr_report *r, const char *target, char *buf, size_t len)
{
    (void)r;
    (void)target;
    snprintf(buf, len, "?");
    return buf;
}

vr_table *vr_table_new(vr_report *r, const char *section, const char *title, size_t n_cols,
                       const char *const *headers)
{
    (void)r;
    (void)section;
    (void)title;
    (void)headers;
    if (mock.n_tables >= MOCK_MAX)
        return NULL;
    tables[mock.n_tables].n_cols = n_cols;
    return &tables[mock.n_tables++];
}

void vr_table_add_row(vr_table *t, const char *const *cells)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (!cells[i])
            return;
    mock.n_rows++;
}

void vr_note(vr_report *r, const char *section, const char *fmt, ...)
{
    (void)r;
    (void)section;
    const size_t len = strlen(mock.notes);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mock.notes + len, sizeof mock.notes - len, fmt, ap);
    va_end(ap);
    mock.n_notes++;
}

void vr_plot(vr_report *r, const char *section, const char *name, const char *title, const char *gnuplot_body,
             const char *data_tsv)
{
    (void)r;
    (void)section;
    (void)name;
    snprintf(mock.plot_title, sizeof mock.plot_title, "%s", title);
    snprintf(mock.plot_body, sizeof mock.plot_body, "%s", gnuplot_body);
    snprintf(mock.plot_tsv, sizeof mock.plot_tsv, "%s", data_tsv);
    mock.n_plots++;
}

void vr_add_records(vr_report *r, const tb_results *res)
{
    (void)r;
    (void)res;
}

void vr_metric(vr_report *r, const char *section, const char *key, double value)
{
    (void)r;
    (void)section;
    if (mock.n_metrics >= MOCK_MAX)
        return;
    snprintf(mock.metric_keys[mock.n_metrics], sizeof mock.metric_keys[0], "%s", key);
    mock.metric_values[mock.n_metrics++] = value;
}
