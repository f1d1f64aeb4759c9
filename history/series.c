/* series.c — series out of the store (one point per run of a benchmark on a machine, its median over the
 * repetitions and their spread), change detection over all of them, and the between-run noise learned. */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history/store.h"

typedef struct loader {
    regex_t re;
    bool have_re;
    bool all_machines;
    hist_series *s;
    size_t n, cap;
    char last_name[512];
    bool last_match;
    bool oom;
} loader;

static double num(const char *v)
{
    return v ? strtod(v, NULL) : NAN;
}

static hist_series *series_for(loader *L, const char *name, const char *fp, const char *cpu)
{
    if (L->n) {
        hist_series *cur = &L->s[L->n - 1];
        if (strcmp(cur->benchmark, name) == 0 && (L->all_machines || strcmp(cur->fingerprint, fp) == 0))
            return cur;
    }
    if (L->n == L->cap) {
        size_t c = L->cap ? L->cap * 2 : 64;
        hist_series *p = realloc(L->s, c * sizeof *p);
        if (!p)
            return NULL;
        L->s = p;
        L->cap = c;
    }
    hist_series *s = &L->s[L->n];
    memset(s, 0, sizeof *s);
    s->benchmark = strdup(name);
    if (!s->benchmark)
        return NULL;
    hist_copy(s->fingerprint, sizeof s->fingerprint, L->all_machines ? "*" : fp);
    hist_copy(s->cpu_model, sizeof s->cpu_model, L->all_machines ? "all machines" : cpu);
    L->n++;
    return s;
}

/* name, fingerprint, cpu_model, run id, date, commit, median, min, max, cv, n_samples */
static int take_point(void *ud, int nc, const char *const *v)
{
    loader *L = ud;
    if (nc < 11 || !v[0] || !v[6])
        return 0;
    if (L->have_re) {
        if (strcmp(v[0], L->last_name) != 0) {
            hist_copy(L->last_name, sizeof L->last_name, v[0]);
            L->last_match = regexec(&L->re, v[0], 0, NULL, 0) == 0;
        }
        if (!L->last_match)
            return 0;
    }
    hist_series *s = series_for(L, v[0], v[1] ? v[1] : "", v[2]);
    if (!s) {
        L->oom = true;
        return 1;
    }
    if ((s->n & (s->n - 1)) == 0) {
        hist_point *p = realloc(s->points, (s->n ? s->n * 2 : 8) * sizeof *p);
        if (!p) {
            L->oom = true;
            return 1;
        }
        s->points = p;
    }
    hist_point *p = &s->points[s->n++];
    memset(p, 0, sizeof *p);
    p->run_id = strtoll(v[3], NULL, 10);
    hist_copy(p->date, sizeof p->date, v[4]);
    hist_copy(p->commit, sizeof p->commit, v[5]);
    p->median = num(v[6]);
    p->lo = num(v[7]);
    p->hi = num(v[8]);
    p->cv = num(v[9]);
    p->n_reps = v[10] ? atoi(v[10]) : 0;
    return 0;
}

int hist_load_series(hist_db *db, const char *regex, const char *fingerprint, bool all_machines,
                     hist_series **out, size_t *n, char *err, size_t err_len)
{
    *out = NULL;
    *n = 0;
    loader L;
    memset(&L, 0, sizeof L);
    L.all_machines = all_machines;
    if (regex && *regex) {
        int rc = regcomp(&L.re, regex, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &L.re, why, sizeof why);
            snprintf(err, err_len, "invalid benchmark regex '%s': %s", regex, why);
            return -1;
        }
        L.have_re = true;
    }
#define SERIES_COLUMNS                                                                                          \
    "SELECT b.name, m.fingerprint, m.cpu_model, r.id, r.date, r.git_commit, s.median_time, s.min_time,"         \
    " s.max_time, s.cv, s.n_samples FROM results s JOIN runs r ON r.id = s.run_id"                               \
    " JOIN benchmarks b ON b.id = s.benchmark_id JOIN machines m ON m.id = r.machine_id"                         \
    " WHERE s.status = 'ok' AND s.median_time > 0"
    int rc;
    if (fingerprint) {
        const char *p[] = {fingerprint};
        rc = db_query(db, SERIES_COLUMNS " AND m.fingerprint = ? ORDER BY b.name, r.date, r.id", 1, p, take_point,
                      &L, err, err_len);
    } else if (all_machines) {
        rc = db_query(db, SERIES_COLUMNS " ORDER BY b.name, r.date, r.id", 0, NULL, take_point, &L, err, err_len);
    } else {
        rc = db_query(db, SERIES_COLUMNS " ORDER BY b.name, m.fingerprint, r.date, r.id", 0, NULL, take_point, &L,
                      err, err_len);
    }
    if (L.have_re)
        regfree(&L.re);
    if (L.oom) {
        snprintf(err, err_len, "out of memory loading series");
        rc = -1;
    }
    if (rc != 0) {
        hist_series_free(L.s, L.n);
        return -1;
    }
    *out = L.s;
    *n = L.n;
    return 0;
}

void hist_series_free(hist_series *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].benchmark);
        free(s[i].points);
    }
    free(s);
}

static double *medians_of(const hist_series *s)
{
    double *x = malloc((s->n ? s->n : 1) * sizeof *x);
    for (size_t i = 0; x && i < s->n; i++)
        x[i] = s->points[i].median;
    return x;
}

int hist_detect_all(const hist_series *s, size_t n, const hist_cp_params *p, hist_finding **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        double *x = medians_of(&s[i]);
        hist_change *cps = malloc((s[i].n / 2 + 1) * sizeof *cps);
        int k = x && cps ? hist_detect_changes(x, s[i].n, p, cps, s[i].n / 2 + 1) : -1;
        free(x);
        if (k < 0) {
            free(cps);
            free(*out);
            *out = NULL;
            *n_out = 0;
            return -1;
        }
        for (int j = 0; j < k; j++) {
            if (*n_out == cap) {
                cap = cap ? cap * 2 : 32;
                hist_finding *f = realloc(*out, cap * sizeof *f);
                if (!f) {
                    free(cps);
                    free(*out);
                    *out = NULL;
                    *n_out = 0;
                    return -1;
                }
                *out = f;
            }
            hist_finding *f = &(*out)[(*n_out)++];
            f->series = &s[i];
            f->cp = cps[j];
            f->regression = cps[j].change > 0; /* times: slower after */
            f->is_new = false;
        }
        /* New tonight: the same change (±1 night, same direction) is not found without the newest night. */
        if (k > 0 && s[i].n > 1) {
            double *y = medians_of(&s[i]);
            hist_change *old = malloc((s[i].n / 2 + 1) * sizeof *old);
            int ko = y && old ? hist_detect_changes(y, s[i].n - 1, p, old, s[i].n / 2 + 1) : -1;
            for (size_t j = *n_out - (size_t)k; j < *n_out; j++) {
                bool seen = false;
                for (int m = 0; m < ko && !seen; m++)
                    seen = old[m].index + 1 >= (*out)[j].cp.index && old[m].index <= (*out)[j].cp.index + 1 &&
                           (old[m].change > 0) == (*out)[j].regression;
                (*out)[j].is_new = !seen;
            }
            free(y);
            free(old);
        }
        free(cps);
    }
    return 0;
}

static int cmp_noise(const void *a, const void *b)
{
    return strcmp(((const hist_noise *)a)->benchmark, ((const hist_noise *)b)->benchmark);
}

int hist_learned_noise(hist_db *db, const char *fingerprint, hist_noise **out, size_t *n, char *err,
                       size_t err_len)
{
    *out = NULL;
    *n = 0;
    hist_series *s;
    size_t ns;
    if (hist_load_series(db, NULL, fingerprint, fingerprint == NULL, &s, &ns, err, err_len) != 0)
        return -1;
    hist_noise *v = calloc(ns ? ns : 1, sizeof *v);
    if (!v) {
        hist_series_free(s, ns);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < ns; i++) {
        double *x = medians_of(&s[i]);
        hist_change *cps = malloc((s[i].n / 2 + 1) * sizeof *cps);
        int nc = x && cps ? hist_detect_changes(x, s[i].n, NULL, cps, s[i].n / 2 + 1) : -1;
        double sd = nc >= 0 ? hist_between_run_noise(x, s[i].n, cps, (size_t)nc) : NAN;
        free(x);
        free(cps);
        if (nc < 0) {
            hist_series_free(s, ns);
            hist_noise_free(v, k);
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        if (isnan(sd))
            continue;
        v[k].benchmark = s[i].benchmark;
        s[i].benchmark = NULL; /* moved */
        v[k].rel_sd = sd;
        v[k].nights = s[i].n;
        k++;
    }
    hist_series_free(s, ns);
    qsort(v, k, sizeof *v, cmp_noise); /* byte order, whatever the server's collation: hist_noise_find bisects */
    *out = v;
    *n = k;
    return 0;
}

const hist_noise *hist_noise_find(const hist_noise *v, size_t n, const char *benchmark)
{
    /* Sorted by name (the series query orders by it): binary search. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].benchmark, benchmark);
        if (c == 0)
            return &v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void hist_noise_free(hist_noise *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].benchmark);
    free(v);
}
