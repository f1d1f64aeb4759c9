/* report_view.h — what a person signing off reads first, computed once for report.md and report.html so the
 * two never disagree: the overall verdict and its counts, one summary row per target, the checks in
 * failures-first order, one sentence per FAIL / INCONCLUSIVE, and the failures-first row order of a table. */
#ifndef TRITBENCH_VALIDATE_REPORT_VIEW_H
#define TRITBENCH_VALIDATE_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "validate/vr_internal.h"

typedef struct vr_view_counts {
    size_t pass, fail, inconclusive, na, total;
} vr_view_counts;

/* Counts per verdict; returns the banner word: "FAIL" (any FAIL, or memory ran out while building the report),
 * "PASS with INCONCLUSIVE", "PASS", or "N/A" (nothing was judged). */
const char *vr_view_verdict(const vr_report *r, vr_view_counts *c);
/* CSS class / colour key of a verdict: "fail", "inconclusive", "pass", "na". */
const char *vr_view_class(vr_verdict v);
/* Rank for failures-first order: FAIL 0, INCONCLUSIVE 1, PASS 2, N/A 3. */
int vr_view_rank(vr_verdict v);

/* Check indices, failures first (FAIL, INCONCLUSIVE, PASS, N/A), otherwise in the order the sections added
 * them. idx holds r->n_checks entries. */
void vr_view_order(const vr_report *r, size_t *idx);

/* One row per (section, target), in the order targets first appear. */
typedef struct vr_view_target {
    const char *section, *target, *threshold;
    size_t rows, pass, fail, inconclusive, na;
    double min, max;         /* over the measured rows (not N/A); NaN when none */
    const char *unit;        /* the profile target's unit ("x", "fraction", "") */
    size_t worst;            /* index of the check closest to (or furthest past) its threshold; SIZE_MAX: none */
    size_t first_na;         /* the first N/A row (its reason explains an all-N/A target); SIZE_MAX: none */
    vr_verdict verdict;      /* FAIL if any failed, else INCONCLUSIVE if any, else PASS if any, else N/A */
} vr_view_target;
/* Allocates *out (free() it); returns the count, 0 with *out NULL on no checks or no memory. */
size_t vr_view_targets(const vr_report *r, vr_view_target **out);

/* The sentence for "What failed and why": the section's `why` when it wrote one, else composed from the
 * row — measured vs threshold, by how much, the interval, the reason. */
void vr_view_why(const vr_report *r, const vr_check_row *c, char *buf, size_t len);
/* The profile's description of a check's target when this is the first FAIL / INCONCLUSIVE of that target in
 * `order` (what the number measures: said once per target in "What failed and why"); NULL otherwise. */
const char *vr_view_first_description(const vr_report *r, const size_t *order, size_t k);
/* "[1.74×, 1.91×] (95 %)" or "" when the row has no interval. */
void vr_view_interval(const vr_report *r, const vr_check_row *c, char *buf, size_t len);

/* Row order of a section table, failures first by its "Verdict" column (FAIL, INCONCLUSIVE, then the
 * information-only "FAIL (info)" …, PASS, N/A and reasons last); stable. idx holds t->n_rows entries. */
void vr_view_table_order(const vr_table *t, size_t *idx);

/* The machine context as key/value rows, in one order for report.md and report.html: emit(out, key, value)
 * once per row (values plain text; each writer escapes them its way). */
typedef void (*vr_view_emit)(void *out, const char *key, const char *value);
void vr_view_context(const tb_context *c, vr_view_emit emit, void *out);

/* A target's measured min–max in its unit ("16.00× – 20.00×", one value when equal, "—" when none). */
void vr_view_range(const vr_view_target *t, char *buf, size_t len);
/* Its worst subject as plain text: "subject (measured)", "N/A: reason", or "—". Returns true for the N/A
 * form (the HTML mutes it). */
bool vr_view_worst(const vr_report *r, const vr_view_target *t, char *buf, size_t len);

#endif
