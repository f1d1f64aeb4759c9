/* report_view.c — the first screen of the report, shared by report.md and report.html (report_view.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/report_view.h"

const char *vr_view_verdict(const vr_report *r, vr_view_counts *c)
{
    /* The decision is vr_report_verdict's (the exit code's); this only names it for a person. */
    vr_view_counts k = {vr_report_count(r, VR_PASS), vr_report_count(r, VR_FAIL), vr_report_count(r, VR_INCONCLUSIVE),
                        vr_report_count(r, VR_NA), r->n_checks};
    if (c)
        *c = k;
    switch (vr_report_verdict(r, NULL, NULL, NULL)) {
    case VR_FAIL: return "FAIL";
    case VR_INCONCLUSIVE: return "PASS with INCONCLUSIVE";
    case VR_PASS: return "PASS";
    default: return "N/A";
    }
}

const char *vr_view_class(vr_verdict v)
{
    switch (v) {
    case VR_FAIL: return "fail";
    case VR_INCONCLUSIVE: return "inconclusive";
    case VR_PASS: return "pass";
    default: return "na";
    }
}

int vr_view_rank(vr_verdict v)
{
    switch (v) {
    case VR_FAIL: return 0;
    case VR_INCONCLUSIVE: return 1;
    case VR_PASS: return 2;
    default: return 3;
    }
}

void vr_view_order(const vr_report *r, size_t *idx)
{
    /* Stable counting sort by rank: the sections' own order is kept inside each verdict. */
    size_t k = 0;
    for (int rank = 0; rank < 4; rank++)
        for (size_t i = 0; i < r->n_checks; i++)
            if (vr_view_rank(r->checks[i].verdict) == rank)
                idx[k++] = i;
}

/* How far a measured value sits inside its target, relative to the threshold: < 0 outside (a miss), the
 * smallest value is the row closest to failing. NaN when it cannot be said. */
static double margin(const vr_target *t, double v)
{
    if (!t || !isfinite(v))
        return NAN;
    double m = INFINITY;
    if (t->has_min)
        m = fmin(m, (v - t->min) / (t->min != 0 ? fabs(t->min) : 1.0));
    if (t->has_max)
        m = fmin(m, (t->max - v) / (t->max != 0 ? fabs(t->max) : 1.0));
    return m;
}

size_t vr_view_targets(const vr_report *r, vr_view_target **out)
{
    *out = NULL;
    if (r->n_checks == 0)
        return 0;
    vr_view_target *v = calloc(r->n_checks, sizeof *v);
    double *worst_m = malloc(r->n_checks * sizeof *worst_m);
    int *worst_rank = malloc(r->n_checks * sizeof *worst_rank);
    if (!v || !worst_m || !worst_rank) {
        free(v);
        free(worst_m);
        free(worst_rank);
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        size_t k = 0;
        while (k < n && !(strcmp(v[k].section, c->section) == 0 && strcmp(v[k].target, c->target) == 0))
            k++;
        if (k == n) {
            const vr_target *t = vr_profile_find(&r->profile, c->target);
            v[n] = (vr_view_target){.section = c->section, .target = c->target, .threshold = c->threshold,
                                    .min = NAN, .max = NAN, .unit = t ? t->unit : "", .worst = SIZE_MAX, .first_na = SIZE_MAX,
                                    .verdict = VR_NA};
            worst_m[n] = INFINITY;
            worst_rank[n] = 4;
            n++;
        }
        vr_view_target *g = &v[k];
        g->rows++;
        switch (c->verdict) {
        case VR_PASS: g->pass++; break;
        case VR_FAIL: g->fail++; break;
        case VR_INCONCLUSIVE: g->inconclusive++; break;
        default:
            if (!g->na++)
                g->first_na = i;
            break;
        }
        if (c->verdict != VR_NA && isfinite(c->measured)) {
            g->min = isnan(g->min) ? c->measured : fmin(g->min, c->measured);
            g->max = isnan(g->max) ? c->measured : fmax(g->max, c->measured);
        }
        /* Worst: a FAIL before an INCONCLUSIVE before a PASS; among equals the smallest margin. */
        const int rank = vr_view_rank(c->verdict);
        const double m = margin(vr_profile_find(&r->profile, c->target), c->measured);
        if (rank < 3 && (rank < worst_rank[k] || (rank == worst_rank[k] && isfinite(m) && m < worst_m[k]))) {
            worst_rank[k] = rank;
            worst_m[k] = isfinite(m) ? m : -INFINITY;
            g->worst = i;
        }
    }
    for (size_t k = 0; k < n; k++)
        v[k].verdict = v[k].fail ? VR_FAIL : v[k].inconclusive ? VR_INCONCLUSIVE : v[k].pass ? VR_PASS : VR_NA;
    free(worst_m);
    free(worst_rank);
    *out = v;
    return n;
}

const char *vr_view_first_description(const vr_report *r, const size_t *order, size_t k)
{
    const vr_check_row *c = &r->checks[order[k]];
    for (size_t j = 0; j < k; j++) {
        const vr_check_row *p = &r->checks[order[j]];
        if (strcmp(p->target, c->target) == 0 && strcmp(p->section, c->section) == 0)
            return NULL;
    }
    const vr_target *t = vr_profile_find(&r->profile, c->target);
    return t && t->description[0] ? t->description : NULL;
}

void vr_view_interval(const vr_report *r, const vr_check_row *c, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!c->has_interval || !isfinite(c->lo) || !isfinite(c->hi))
        return;
    const vr_target *t = vr_profile_find(&r->profile, c->target);
    char lo[48], hi[48];
    vr_format_value(t ? t->unit : "", c->lo, lo, sizeof lo);
    vr_format_value(t ? t->unit : "", c->hi, hi, sizeof hi);
    snprintf(buf, len, "[%s, %s] (%.0f %%)", lo, hi, (c->conf > 0 && c->conf < 1 ? c->conf : 0.95) * 100.0);
}

/* "by how much": the distance to the violated (or nearest) bound, in the target's unit and relative to it. */
static void shortfall(const vr_target *t, double v, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!t || !isfinite(v))
        return;
    const bool below = t->has_min && v < t->min, above = t->has_max && v > t->max;
    const double bound = below ? t->min : above ? t->max : (t->has_min ? t->min : t->max);
    const char *word = below ? "short of it" : above ? "over it" : "inside it";
    char d[48];
    if (strcmp(t->unit, "fraction") == 0)
        snprintf(d, sizeof d, "%.2f points", fabs(v - bound) * 100.0);
    else
        vr_format_value(t->unit, fabs(v - bound), d, sizeof d);
    if (bound != 0)
        snprintf(buf, len, "%s %s (%.1f %%)", d, word, fabs(v - bound) / fabs(bound) * 100.0);
    else
        snprintf(buf, len, "%s %s", d, word);
}

void vr_view_why(const vr_report *r, const vr_check_row *c, char *buf, size_t len)
{
    if (c->why[0]) {
        snprintf(buf, len, "%s", c->why);
        return;
    }
    const vr_target *t = vr_profile_find(&r->profile, c->target);
    char by[160], iv[128];
    size_t n;
    if (c->verdict == VR_NA || !isfinite(c->measured) || !t) {
        snprintf(buf, len, "%s: %s.", c->measured_text[0] ? c->measured_text : "no measurement",
                 c->reason[0] ? c->reason : "no reason recorded");
        return;
    }
    shortfall(t, c->measured, by, sizeof by);
    vr_view_interval(r, c, iv, sizeof iv);
    snprintf(buf, len, "measured %s against %s: %s", c->measured_text, c->threshold, by);
    n = strlen(buf);
    if (iv[0] && n < len)
        snprintf(buf + n, len - n, "; interval %s%s", iv,
                 c->verdict == VR_INCONCLUSIVE ? ", which straddles the threshold" : "");
    n = strlen(buf);
    if (c->verdict == VR_INCONCLUSIVE && c->more_reps > 0 && n < len)
        snprintf(buf + n, len - n, "; about %d more repetitions per side would settle it", c->more_reps);
    n = strlen(buf);
    if (c->reason[0] && n < len)
        snprintf(buf + n, len - n, "; %s", c->reason);
    n = strlen(buf);
    if (n < len)
        snprintf(buf + n, len - n, ".");
}

/* Failures first in a table's Verdict column; sign-off words before the "(info)" ones. */
static int cell_rank(const char *s)
{
    const bool info = strstr(s, "(info)") != NULL;
    if (strncmp(s, "FAIL", 4) == 0)
        return info ? 2 : 0;
    if (strncmp(s, "INCONCLUSIVE", 12) == 0)
        return info ? 3 : 1;
    if (strncmp(s, "PASS", 4) == 0)
        return info ? 5 : 4;
    return 6; /* N/A, or the reason a row could not be measured */
}

void vr_view_table_order(const vr_table *t, size_t *idx)
{
    size_t col = SIZE_MAX;
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->headers[c], "Verdict") == 0)
            col = c;
    if (col == SIZE_MAX) {
        for (size_t i = 0; i < t->n_rows; i++)
            idx[i] = i;
        return;
    }
    size_t k = 0;
    for (int rank = 0; rank <= 6; rank++)
        for (size_t i = 0; i < t->n_rows; i++)
            if (cell_rank(t->cells[i * t->n_cols + col] ? t->cells[i * t->n_cols + col] : "") == rank)
                idx[k++] = i;
}

void vr_view_context(const tb_context *c, vr_view_emit emit, void *out)
{
    char b[1100];
#define KV(k, fmt, v)                                                                                           \
    do {                                                                                                        \
        snprintf(b, sizeof b, fmt, v);                                                                          \
        emit(out, k, b);                                                                                        \
    } while (0)
    KV("date", "%s", c->date);
    KV("host", "%s", c->host_name);
    KV("CPU", "%s", c->cpu_model);
    KV("CPUs", "%d", c->num_cpus);
    KV("MHz per CPU", "%.0f", c->mhz_per_cpu);
    KV("CPU scaling", "%s", c->cpu_scaling_enabled ? "enabled (timings are noisier)" : "disabled");
    for (int i = 0; i < c->n_caches && i < 16; i++) {
        char cache[128];
        snprintf(cache, sizeof cache, "L%d %s %lld KiB (shared by %d)", c->caches[i].level, c->caches[i].type,
                 c->caches[i].size / 1024, c->caches[i].num_sharing);
        KV("cache", "%s", cache);
    }
    KV("load average", "%.2f", c->load_avg[0]);
    KV("topology", "%s", c->topology);
    KV("hardware counters", "%s", c->perf_counters);
    KV("compiler", "%s", c->compiler);
    KV("flags", "%s", c->cflags);
    KV("build type", "%s", c->library_build_type);
    KV("tritbench version", "%s", c->library_version);
    KV("git commit", "%s", c->git_commit);
    KV("built without", "%s", c->missing[0] ? c->missing : "nothing");
#undef KV
    for (int i = 0; i < c->n_extras && i < TB_CONTEXT_MAX_EXTRAS; i++)
        emit(out, c->extra_keys[i], c->extra_values[i]);
}

void vr_view_range(const vr_view_target *t, char *buf, size_t len)
{
    if (!isfinite(t->min)) {
        snprintf(buf, len, "—");
        return;
    }
    char lo[48], hi[48];
    vr_format_value(t->unit, t->min, lo, sizeof lo);
    vr_format_value(t->unit, t->max, hi, sizeof hi);
    if (t->min == t->max)
        snprintf(buf, len, "%s", lo);
    else
        snprintf(buf, len, "%s – %s", lo, hi);
}

bool vr_view_worst(const vr_report *r, const vr_view_target *t, char *buf, size_t len)
{
    if (t->worst != SIZE_MAX) {
        snprintf(buf, len, "%s (%s)", r->checks[t->worst].subject, r->checks[t->worst].measured_text);
        return false;
    }
    if (t->first_na != SIZE_MAX) {
        snprintf(buf, len, "N/A: %s", r->checks[t->first_na].reason);
        return true;
    }
    snprintf(buf, len, "—");
    return false;
}
