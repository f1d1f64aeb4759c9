/* report.c — the validator's report model (validate.h): checks against the profile, tables, notes,
 * plots, metrics and benchmark records, held in memory until the writers turn them into files. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/vr_internal.h"

const char *vr_verdict_name(vr_verdict v)
{
    switch (v) {
    case VR_PASS: return "PASS";
    case VR_FAIL: return "FAIL";
    case VR_INCONCLUSIVE: return "INCONCLUSIVE";
    default: return "N/A";
    }
}

/* Grows a (ptr, n, cap) array by one slot; returns the new slot zeroed, or NULL. */
static void *grow(void **items, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
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

static void copy_trunc(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Text that reaches report.md, report.html, results.json and the console: control bytes (terminal escapes
 * such as ESC ] 0 ; … BEL in a tensor name) become a visible \xHH, so no file or terminal interprets them.
 * Newlines are kept where a paragraph may have them. Returns the length written (dst may be NULL to count). */
static size_t clean_text(char *dst, size_t cap, const char *src, bool keep_newlines)
{
    size_t j = 0;
    for (const unsigned char *c = (const unsigned char *)(src ? src : ""); *c; c++) {
        char esc[8];
        const bool ctrl = (*c < 0x20 && !(keep_newlines && *c == '\n')) || *c == 0x7f;
        const size_t n = ctrl ? (size_t)snprintf(esc, sizeof esc, "\\x%02x", *c) : 1;
        if (dst && j + n < cap)
            memcpy(dst + j, ctrl ? esc : (const char *)c, n);
        else if (dst)
            break;
        j += n;
    }
    if (dst && cap)
        dst[j < cap ? j : cap - 1] = '\0';
    return j;
}

static void copy_clean(char *dst, size_t cap, const char *src) { clean_text(dst, cap, src, false); }

static char *dup_clean(const char *src, bool keep_newlines)
{
    const size_t n = clean_text(NULL, 0, src, keep_newlines);
    char *d = malloc(n + 1);
    if (d)
        clean_text(d, n + 1, src, keep_newlines);
    return d;
}

size_t vr_tsv_field(char *dst, size_t cap, const char *src)
{
    size_t j = 0;
    for (const unsigned char *c = (const unsigned char *)(src ? src : ""); *c && j + 5 < cap; c++) {
        const char *rep = *c == '\t' ? "\\t" : *c == '\n' ? "\\n" : *c == '\r' ? "\\r" : *c == '\\' ? "\\\\" : NULL;
        if (rep) {
            memcpy(dst + j, rep, 2);
            j += 2;
        } else if (*c < 0x20 || *c == 0x7f) {
            j += (size_t)snprintf(dst + j, cap - j, "\\x%02x", *c);
        } else {
            dst[j++] = (char)*c;
        }
    }
    if (cap)
        dst[j] = '\0';
    return j;
}

vr_report *vr_report_new(vr_profile *profile)
{
    vr_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (profile) {
        r->profile = *profile;
        memset(profile, 0, sizeof *profile);
    }
    return r;
}

static void table_free(vr_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_cols; i++)
        free(t->headers[i]);
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->headers);
    free(t->cells);
    free(t);
}

void vr_report_free(vr_report *r)
{
    if (!r)
        return;
    vr_profile_free(&r->profile);
    free(r->checks);
    for (size_t i = 0; i < r->n_tables; i++)
        table_free(r->tables[i]);
    free(r->tables);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i].text);
    free(r->notes);
    for (size_t i = 0; i < r->n_plots; i++) {
        free(r->plots[i].body);
        free(r->plots[i].data);
    }
    free(r->plots);
    free(r->metrics);
    free(r->records.records);
    free(r);
}

void vr_report_section_done(vr_report *r, const char *name, int rc, double seconds)
{
    if (r->n_sections >= sizeof r->sections / sizeof r->sections[0])
        return;
    vr_section_status *s = &r->sections[r->n_sections++];
    copy_trunc(s->name, sizeof s->name, name);
    s->rc = rc;
    s->seconds = seconds;
}

vr_verdict vr_check(vr_report *r, const char *section, const char *target, const char *subject, double measured,
                    const char *na_reason)
{
    if (!r)
        return VR_FAIL;
    vr_check_row *c = grow((void **)&r->checks, &r->n_checks, &r->cap_checks, sizeof *c);
    if (!c) {
        r->oom = true;
        return VR_FAIL;
    }
    copy_trunc(c->section, sizeof c->section, section);
    copy_trunc(c->target, sizeof c->target, target);
    copy_clean(c->subject, sizeof c->subject, subject);
    c->measured = measured;
    const vr_target *t = vr_profile_find(&r->profile, target);
    if (t) {
        vr_target_threshold_text(t, c->threshold, sizeof c->threshold);
        c->has_optimal = t->has_optimal;
    } else {
        copy_trunc(c->threshold, sizeof c->threshold, "?");
    }
    if (na_reason) {
        c->verdict = VR_NA;
        copy_clean(c->reason, sizeof c->reason, na_reason);
        copy_trunc(c->measured_text, sizeof c->measured_text, "—");
        /* A missing target stays loud even when the measurement itself was not possible. */
        if (!t) {
            c->verdict = VR_FAIL;
            char why[200];
            copy_clean(why, sizeof why, na_reason);
            snprintf(c->reason, sizeof c->reason, "no such target in the profile (and: %s)", why);
        }
        return c->verdict;
    }
    vr_format_value(t ? t->unit : "", measured, c->measured_text, sizeof c->measured_text);
    if (!t) {
        c->verdict = VR_FAIL;
        copy_trunc(c->reason, sizeof c->reason, "no such target in the profile");
        fprintf(stderr, "tritbench validate: target \"%s\" (%s) is not in the profile %s: FAIL\n", target ? target : "",
                section ? section : "", r->profile.path);
        return VR_FAIL;
    }
    c->verdict = vr_target_verdict(t, measured);
    if (!isfinite(measured))
        copy_trunc(c->reason, sizeof c->reason, "measurement is not a finite number");
    c->optimal = vr_target_optimal(t, measured);
    if (c->verdict == VR_PASS && t->has_optimal && !c->optimal)
        copy_trunc(c->reason, sizeof c->reason, "below the optimal level");
    return c->verdict;
}

const char *vr_profile_head(const vr_report *r)
{
    return r && r->profile.head[0] ? r->profile.head : "fp16";
}

const char *vr_threshold_text(vr_report *r, const char *target, char *buf, size_t len)
{
    const vr_target *t = r ? vr_profile_find(&r->profile, target) : NULL;
    if (!t) {
        copy_trunc(buf, len, "?");
        return buf;
    }
    vr_target_threshold_text(t, buf, len);
    return buf;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s ? s : "", n + 1);
    return d;
}

vr_table *vr_table_new(vr_report *r, const char *section, const char *title, size_t n_cols,
                       const char *const *headers)
{
    if (!r || n_cols == 0 || !headers)
        return NULL;
    vr_table *t = calloc(1, sizeof *t);
    vr_table **slot = t ? grow((void **)&r->tables, &r->n_tables, &r->cap_tables, sizeof *slot) : NULL;
    if (!slot) {
        free(t);
        r->oom = true;
        return NULL;
    }
    *slot = t;
    copy_trunc(t->section, sizeof t->section, section);
    copy_clean(t->title, sizeof t->title, title);
    t->headers = calloc(n_cols, sizeof *t->headers);
    if (!t->headers) {
        r->oom = true;
        return t; /* n_cols stays 0: rows are ignored */
    }
    t->n_cols = n_cols;
    for (size_t i = 0; i < n_cols; i++)
        t->headers[i] = dup_clean(headers[i], false);
    return t;
}

void vr_table_add_row(vr_table *t, const char *const *cells)
{
    if (!t || !cells || t->n_cols == 0)
        return;
    if (t->n_rows == t->cap_rows) {
        size_t c = t->cap_rows ? t->cap_rows * 2 : 16;
        char **p = realloc(t->cells, c * t->n_cols * sizeof *p);
        if (!p)
            return;
        t->cells = p;
        t->cap_rows = c;
    }
    for (size_t i = 0; i < t->n_cols; i++)
        t->cells[t->n_rows * t->n_cols + i] = dup_clean(cells[i], false);
    t->n_rows++;
}

void vr_note(vr_report *r, const char *section, const char *fmt, ...)
{
    if (!r || !fmt)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *text = malloc((size_t)n + 1);
    if (!text) {
        r->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    char *clean = dup_clean(text, true);
    free(text);
    text = clean;
    if (!text) {
        r->oom = true;
        return;
    }
    vr_note_item *it = grow((void **)&r->notes, &r->n_notes, &r->cap_notes, sizeof *it);
    if (!it) {
        free(text);
        r->oom = true;
        return;
    }
    copy_trunc(it->section, sizeof it->section, section);
    it->text = text;
}

/* Plot names become file names: keep them to [A-Za-z0-9_-]. */
static void sanitize_name(char *dst, size_t cap, const char *src)
{
    size_t j = 0;
    for (size_t i = 0; src && src[i] && j + 1 < cap; i++) {
        char c = src[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        dst[j++] = ok ? c : '_';
    }
    dst[j] = '\0';
    if (j == 0)
        copy_trunc(dst, cap, "plot");
}

void vr_plot(vr_report *r, const char *section, const char *name, const char *title, const char *gnuplot_body,
             const char *data_tsv)
{
    if (!r || !gnuplot_body || !data_tsv)
        return;
    vr_plot_item *p = grow((void **)&r->plots, &r->n_plots, &r->cap_plots, sizeof *p);
    if (!p) {
        r->oom = true;
        return;
    }
    copy_trunc(p->section, sizeof p->section, section);
    char base[48];
    sanitize_name(base, sizeof base, name);
    /* Two sections may pick the same name: the section prefix keeps the files apart. */
    char sec[16];
    sanitize_name(sec, sizeof sec, section);
    size_t sl = strlen(sec);
    if (strncmp(base, sec, sl) == 0 && base[sl] == '_')
        snprintf(p->name, sizeof p->name, "%s", base);
    else
        snprintf(p->name, sizeof p->name, "%s_%s", sec, base);
    copy_clean(p->title, sizeof p->title, title);
    p->body = dup_str(gnuplot_body);
    p->data = dup_str(data_tsv);
    copy_trunc(p->status, sizeof p->status, "not rendered yet");
    if (!p->body || !p->data)
        r->oom = true;
}

int vr_records_append(tb_results *dst, const tb_results *src)
{
    if (!src || src->count == 0)
        return 0;
    if (dst->count + src->count > dst->capacity) {
        size_t c = dst->capacity ? dst->capacity : 64;
        while (c < dst->count + src->count)
            c *= 2;
        tb_record *p = realloc(dst->records, c * sizeof *p);
        if (!p)
            return -1;
        dst->records = p;
        dst->capacity = c;
    }
    memcpy(dst->records + dst->count, src->records, src->count * sizeof *src->records);
    dst->count += src->count;
    return 0;
}

void vr_add_records(vr_report *r, const tb_results *res)
{
    if (r && res && vr_records_append(&r->records, res) != 0)
        r->oom = true;
}

void vr_metric(vr_report *r, const char *section, const char *key, double value)
{
    if (!r)
        return;
    vr_metric_item *m = grow((void **)&r->metrics, &r->n_metrics, &r->cap_metrics, sizeof *m);
    if (!m) {
        r->oom = true;
        return;
    }
    copy_trunc(m->section, sizeof m->section, section);
    copy_trunc(m->key, sizeof m->key, key);
    m->value = value;
}

vr_verdict vr_report_verdict(const vr_report *r, size_t *n_pass, size_t *n_fail, size_t *n_na)
{
    size_t p = 0, f = 0, na = 0;
    for (size_t i = 0; i < r->n_checks; i++) {
        if (r->checks[i].verdict == VR_PASS)
            p++;
        else if (r->checks[i].verdict == VR_FAIL)
            f++;
        else
            na++;
    }
    if (n_pass)
        *n_pass = p;
    if (n_fail)
        *n_fail = f;
    if (n_na)
        *n_na = na;
    if (f || r->oom)
        return VR_FAIL;
    return p ? VR_PASS : VR_NA;
}

/* Sections in the order they ran, then any that only added content (a section may name another). */
size_t vr_report_section_names(const vr_report *r, const char **names, size_t cap)
{
    size_t n = 0;
#define ADD(s)                                                                                                  \
    do {                                                                                                        \
        size_t k_ = 0;                                                                                          \
        while (k_ < n && strcmp(names[k_], (s)) != 0)                                                           \
            k_++;                                                                                               \
        if (k_ == n && n < cap)                                                                                 \
            names[n++] = (s);                                                                                   \
    } while (0)
    for (size_t i = 0; i < r->n_sections; i++)
        ADD(r->sections[i].name);
    for (size_t i = 0; i < r->n_checks; i++)
        ADD(r->checks[i].section);
    for (size_t i = 0; i < r->n_tables; i++)
        ADD(r->tables[i]->section);
    for (size_t i = 0; i < r->n_notes; i++)
        ADD(r->notes[i].section);
    for (size_t i = 0; i < r->n_plots; i++)
        ADD(r->plots[i].section);
#undef ADD
    return n;
}
