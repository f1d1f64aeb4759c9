/* report.c — the validator's report model (validate.h): checks against the profile, tables, notes,
 * plots, metrics and benchmark records, held in memory until the writers turn them into files. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/grow.h"
#include "validate/vr_internal.h"
#include "tritbench/interval.h"

const char *vr_verdict_name(vr_verdict v)
{
    switch (v) {
    case VR_PASS: return "PASS";
    case VR_FAIL: return "FAIL";
    case VR_INCONCLUSIVE: return "INCONCLUSIVE";
    default: return "N/A";
    }
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

/* How far `measured` is from the bound of t it misses or sits nearest to: "11.0 % below the threshold ≥ 2.00×". */
static void distance_text(const vr_target *t, double measured, char *buf, size_t len)
{
    double thr;
    if (t->has_min && t->has_max)
        thr = measured < t->min ? t->min : measured > t->max ? t->max
              : (measured - t->min < t->max - measured ? t->min : t->max);
    else
        thr = t->has_min ? t->min : t->max;
    const double rel = thr != 0 ? fabs(measured - thr) / fabs(thr) : fabs(measured - thr);
    char th[48];
    vr_format_value(t->unit, thr, th, sizeof th);
    const char *side = measured < thr ? "below" : "above";
    const char *op = t->has_min && t->has_max ? "" : t->has_min ? "≥ " : "≤ ";
    if (thr != 0)
        snprintf(buf, len, "%.1f %% %s the threshold %s%s", 100.0 * rel, side, op, th);
    else
        snprintf(buf, len, "%.3g %s the threshold %s", rel, side, th);
}

/* The row's one-sentence reason for a FAIL or INCONCLUSIVE verdict: measured vs threshold, by how much, the
 * interval and what it came from. A section may append what the figure depends on (vr_check_why). */
static void compose_why(vr_check_row *c, const vr_target *t)
{
    c->why[0] = '\0';
    if (!t || (c->verdict != VR_FAIL && c->verdict != VR_INCONCLUSIVE))
        return;
    if (!isfinite(c->measured)) {
        snprintf(c->why, sizeof c->why, "measured %s, not a finite number, against %s", c->measured_text, c->threshold);
        return;
    }
    char dist[160];
    distance_text(t, c->measured, dist, sizeof dist);
    int n = snprintf(c->why, sizeof c->why, "measured %s, %s", c->measured_text, dist);
    if (!c->has_interval || n < 0 || (size_t)n >= sizeof c->why)
        return;
    char lo[48], hi[48];
    vr_format_value(t->unit, c->lo, lo, sizeof lo);
    vr_format_value(t->unit, c->hi, hi, sizeof hi);
    const bool bounded = c->lo > 0 && isfinite(c->hi);
    if (!bounded)
        n += snprintf(c->why + n, sizeof c->why - (size_t)n,
                      "; %d + %d repetitions are too few for a %.0f %% interval, so the verdict is open", c->n_base,
                      c->n_subject, 100 * c->conf);
    else if (c->verdict == VR_FAIL)
        n += snprintf(c->why + n, sizeof c->why - (size_t)n,
                      "; its %.0f %% interval %s – %s lies entirely on the failing side", 100 * c->conf, lo, hi);
    else
        n += snprintf(c->why + n, sizeof c->why - (size_t)n, "; its %.0f %% interval %s – %s straddles the threshold",
                      100 * c->conf, lo, hi);
    if (n > 0 && (size_t)n < sizeof c->why && c->verdict == VR_INCONCLUSIVE && c->more_reps > 0)
        n += snprintf(c->why + n, sizeof c->why - (size_t)n,
                      ", about %d more repetition%s per side would settle it", c->more_reps,
                      c->more_reps == 1 ? "" : "s");
    if (n > 0 && (size_t)n < sizeof c->why && bounded)
        n += snprintf(c->why + n, sizeof c->why - (size_t)n,
                      " (Hodges-Lehmann on log times, %d + %d interleaved repetitions", c->n_base, c->n_subject);
    if (n > 0 && (size_t)n < sizeof c->why && bounded && c->base_instance[0] && c->subject_instance[0])
        n += snprintf(c->why + n, sizeof c->why - (size_t)n, " of %s against %s", c->subject_instance,
                      c->base_instance);
    if (n > 0 && (size_t)n < sizeof c->why && bounded)
        snprintf(c->why + n, sizeof c->why - (size_t)n, ")");
}

/* A new sign-off row with what every check has: names, the profile's threshold, the measured text. *tp gets
 * the target (NULL when the profile lacks it). NULL on no memory. */
static vr_check_row *new_row(vr_report *r, const char *section, const char *target, const char *subject,
                             double measured, const vr_target **tp)
{
    vr_check_row *c = tb_grow_slot((void **)&r->checks, &r->n_checks, &r->cap_checks, sizeof *c);
    if (!c) {
        r->oom = true;
        return NULL;
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
    *tp = t;
    return c;
}

static vr_verdict missing_target(vr_report *r, vr_check_row *c, const char *target, const char *section)
{
    c->verdict = VR_FAIL;
    copy_trunc(c->reason, sizeof c->reason, "no such target in the profile");
    snprintf(c->why, sizeof c->why, "the profile %.300s has no target \"%.64s\"", r->profile.path,
             target ? target : "");
    fprintf(stderr, "tritbench validate: target \"%s\" (%s) is not in the profile %s: FAIL\n", target ? target : "",
            section ? section : "", r->profile.path);
    return VR_FAIL;
}

vr_verdict vr_check(vr_report *r, const char *section, const char *target, const char *subject, double measured,
                    const char *na_reason)
{
    if (!r)
        return VR_FAIL;
    const vr_target *t;
    vr_check_row *c = new_row(r, section, target, subject, measured, &t);
    if (!c)
        return VR_FAIL;
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
            snprintf(c->why, sizeof c->why, "the profile %.300s has no target \"%.64s\"", r->profile.path,
             target ? target : "");
        }
        return c->verdict;
    }
    vr_format_value(t ? t->unit : "", measured, c->measured_text, sizeof c->measured_text);
    if (!t)
        return missing_target(r, c, target, section);
    c->verdict = vr_target_verdict(t, measured);
    if (!isfinite(measured))
        copy_trunc(c->reason, sizeof c->reason, "measurement is not a finite number");
    c->optimal = vr_target_optimal(t, measured);
    if (c->verdict == VR_PASS && t->has_optimal && !c->optimal)
        copy_trunc(c->reason, sizeof c->reason, "below the optimal level");
    compose_why(c, t);
    return c->verdict;
}

/* ln where both values are positive (ratios), else the value itself: the interval of a ratio is symmetric in
 * log space, which is where its half-width shrinks as 1/sqrt(n). */
static double scale_of(double v, bool logs) { return logs ? log(v) : v; }

vr_verdict vr_interval_verdict(const vr_target *t, double estimate, double lo, double hi, int n, int *more_reps)
{
    if (more_reps)
        *more_reps = 0;
    if (!t || !isfinite(estimate))
        return VR_FAIL;
    const bool bounded = isfinite(lo) && isfinite(hi) && lo > 0 && lo <= hi;
    if (!bounded) {
        /* Too few repetitions for any interval at this level: 5 per side reach 95 % with room to spare. */
        if (more_reps)
            *more_reps = n < 5 ? 5 - n : 0;
        return VR_INCONCLUSIVE;
    }
    if (vr_target_verdict(t, lo) == VR_PASS && vr_target_verdict(t, hi) == VR_PASS)
        return VR_PASS;
    if ((t->has_min && hi < t->min) || (t->has_max && lo > t->max))
        return VR_FAIL;
    /* Straddles a bound: the one inside [lo, hi] (the lower bound first for a range). */
    const double thr = t->has_min && lo < t->min && t->min <= hi ? t->min : t->max;
    const bool logs = estimate > 0 && thr > 0 && lo > 0;
    const double d = fabs(scale_of(estimate, logs) - scale_of(thr, logs));
    const double w = thr < estimate ? scale_of(estimate, logs) - scale_of(lo, logs)
                                    : scale_of(hi, logs) - scale_of(estimate, logs);
    if (more_reps && n > 0 && d > 0 && w > 0) {
        const double need = (double)n * (w / d) * (w / d) - (double)n;
        *more_reps = need > 100000 ? 100000 : need < 1 ? 1 : (int)ceil(need);
    }
    return VR_INCONCLUSIVE;
}

vr_verdict vr_check_interval(vr_report *r, const char *section, const char *target, const char *subject,
                             double estimate, double lo, double hi, double conf, int n_base, int n_subject,
                             const char *base_instance, const char *subject_instance)
{
    if (!r)
        return VR_FAIL;
    const vr_target *t;
    vr_check_row *c = new_row(r, section, target, subject, estimate, &t);
    if (!c)
        return VR_FAIL;
    c->has_interval = true;
    c->lo = lo;
    c->hi = hi;
    c->conf = conf;
    c->n_base = n_base;
    c->n_subject = n_subject;
    copy_clean(c->base_instance, sizeof c->base_instance, base_instance);
    copy_clean(c->subject_instance, sizeof c->subject_instance, subject_instance);
    vr_format_value(t ? t->unit : "", estimate, c->measured_text, sizeof c->measured_text);
    if (!t)
        return missing_target(r, c, target, section);
    c->verdict = vr_interval_verdict(t, estimate, lo, hi, n_base < n_subject ? n_base : n_subject, &c->more_reps);
    if (!isfinite(estimate))
        copy_trunc(c->reason, sizeof c->reason, "measurement is not a finite number");
    c->optimal = c->verdict == VR_PASS && vr_target_optimal(t, estimate);
    if (c->verdict == VR_PASS && t->has_optimal && !c->optimal)
        copy_trunc(c->reason, sizeof c->reason, "below the optimal level");
    compose_why(c, t);
    return c->verdict;
}

size_t vr_repetition_times(const tb_results *records, const char *instance, double *t, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; records && instance && i < records->count && n < cap; i++) {
        const tb_record *rec = &records->records[i];
        if (rec->run_type != TB_RUN_ITERATION || rec->error_occurred || rec->skipped ||
            strcmp(rec->run_name, instance) != 0)
            continue;
        const double s = rec->real_time * tb_time_unit_seconds(rec->time_unit);
        if (s > 0 && isfinite(s))
            t[n++] = s;
    }
    return n;
}

#define VR_MAX_REPS 512 /* the harness aggregates at most this many repetitions of one instance */

/* The estimate and interval every speed figure of a report shows (sign-off rows and section tables alike), so a
 * table never prints a ratio of medians beside a check that judged a different number. Returns the number of
 * repetitions on each side through nb_out and ns_out; lo and hi are 0 and ∞ when no interval could be formed. */
static double speedup_estimate(const tb_results *records, const char *base_instance, const char *subject_instance,
                               double *lo, double *hi, size_t *nb_out, size_t *ns_out, bool *oom)
{
    *lo = 0;
    *hi = INFINITY;
    *nb_out = *ns_out = 0;
    double *base = malloc(2 * VR_MAX_REPS * sizeof *base);
    if (!base) {
        *oom = true;
        return NAN;
    }
    double *subj = base + VR_MAX_REPS;
    const size_t nb = vr_repetition_times(records, base_instance, base, VR_MAX_REPS);
    const size_t ns = vr_repetition_times(records, subject_instance, subj, VR_MAX_REPS);
    /* Speedup = time(base) / time(subject): the ratio b/a with the subject as the "baseline" side a. */
    tb_interval iv;
    double est = NAN;
    if (nb >= 2 && ns >= 2 && tb_ratio_interval_ex(subj, ns, base, nb, 0.95, &iv) == 0) {
        est = iv.est;
        if (iv.bounded) {
            *lo = iv.lo;
            *hi = iv.hi;
        }
    } else if (nb > 0 && ns > 0) {
        est = tb_median(base, nb) / tb_median(subj, ns);
    }
    free(base);
    *nb_out = nb;
    *ns_out = ns;
    return est;
}

double vr_speedup_estimate(const tb_results *records, const char *base_instance, const char *subject_instance)
{
    double lo, hi;
    size_t nb, ns;
    bool oom = false;
    return speedup_estimate(records, base_instance, subject_instance, &lo, &hi, &nb, &ns, &oom);
}

vr_verdict vr_check_speedup(vr_report *r, const char *section, const char *target, const char *subject,
                            const tb_results *records, const char *base_instance, const char *subject_instance,
                            const char *na_reason, double *speedup)
{
    if (speedup)
        *speedup = NAN;
    if (na_reason)
        return vr_check(r, section, target, subject, NAN, na_reason);
    double lo, hi;
    size_t nb, ns;
    bool oom = false;
    const double est = speedup_estimate(records, base_instance, subject_instance, &lo, &hi, &nb, &ns, &oom);
    if (oom) {
        if (r)
            r->oom = true;
        return VR_FAIL;
    }
    if (speedup)
        *speedup = est;
    return vr_check_interval(r, section, target, subject, est, lo, hi, 0.95, (int)nb, (int)ns, base_instance,
                             subject_instance);
}

void vr_check_why(vr_report *r, const char *fmt, ...)
{
    if (!r || r->n_checks == 0 || !fmt)
        return;
    vr_check_row *c = &r->checks[r->n_checks - 1];
    if (c->verdict != VR_FAIL && c->verdict != VR_INCONCLUSIVE)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char clean[512];
    copy_clean(clean, sizeof clean, text);
    const size_t n = strlen(c->why);
    snprintf(c->why + n, sizeof c->why - n, "%s%s", n ? "; " : "", clean);
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
    vr_table **slot = t ? tb_grow_slot((void **)&r->tables, &r->n_tables, &r->cap_tables, sizeof *slot) : NULL;
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
    vr_note_item *it = tb_grow_slot((void **)&r->notes, &r->n_notes, &r->cap_notes, sizeof *it);
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
    vr_plot_item *p = tb_grow_slot((void **)&r->plots, &r->n_plots, &r->cap_plots, sizeof *p);
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
    vr_metric_item *m = tb_grow_slot((void **)&r->metrics, &r->n_metrics, &r->cap_metrics, sizeof *m);
    if (!m) {
        r->oom = true;
        return;
    }
    copy_trunc(m->section, sizeof m->section, section);
    copy_trunc(m->key, sizeof m->key, key);
    m->value = value;
}

size_t vr_report_count(const vr_report *r, vr_verdict v)
{
    size_t n = 0;
    for (size_t i = 0; r && i < r->n_checks; i++)
        n += r->checks[i].verdict == v;
    return n;
}

vr_verdict vr_report_verdict(const vr_report *r, size_t *n_pass, size_t *n_fail, size_t *n_na)
{
    const size_t p = vr_report_count(r, VR_PASS), f = vr_report_count(r, VR_FAIL), na = vr_report_count(r, VR_NA);
    if (n_pass)
        *n_pass = p;
    if (n_fail)
        *n_fail = f;
    if (n_na)
        *n_na = na;
    if (f || r->oom)
        return VR_FAIL;
    if (vr_report_count(r, VR_INCONCLUSIVE))
        return VR_INCONCLUSIVE;
    return p ? VR_PASS : VR_NA;
}

void vr_report_drop_section(vr_report *r, const char *section)
{
    if (!r || !section)
        return;
    size_t k = 0;
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].section, section) != 0)
            r->checks[k++] = r->checks[i];
    r->n_checks = k;
    k = 0;
    for (size_t i = 0; i < r->n_tables; i++) {
        if (strcmp(r->tables[i]->section, section) == 0)
            table_free(r->tables[i]);
        else
            r->tables[k++] = r->tables[i];
    }
    r->n_tables = k;
    k = 0;
    for (size_t i = 0; i < r->n_notes; i++) {
        if (strcmp(r->notes[i].section, section) == 0)
            free(r->notes[i].text);
        else
            r->notes[k++] = r->notes[i];
    }
    r->n_notes = k;
    k = 0;
    for (size_t i = 0; i < r->n_plots; i++) {
        if (strcmp(r->plots[i].section, section) == 0) {
            free(r->plots[i].body);
            free(r->plots[i].data);
        } else {
            r->plots[k++] = r->plots[i];
        }
    }
    r->n_plots = k;
    k = 0;
    for (size_t i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metrics[i].section, section) != 0)
            r->metrics[k++] = r->metrics[i];
    r->n_metrics = k;
}

int vr_exit_code(const vr_report *r, bool wrote)
{
    if (!r || r->incomplete || !wrote)
        return 2;
    return vr_report_verdict(r, NULL, NULL, NULL) == VR_FAIL ? 1 : 0;
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
