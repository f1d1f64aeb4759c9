/* nights.h — the real-sample fixture (tests/history/data/gemv_i2_runs.tsv) and nights built from it:
 * each night draws one real run (its between-run drift hits every benchmark of the night alike) and
 * bootstraps that run's repetitions; the night's value is their median. Shared by the detection
 * evaluation and the demo history the dashboard test renders. */
#ifndef TRITBENCH_TESTS_HISTORY_NIGHTS_H
#define TRITBENCH_TESTS_HISTORY_NIGHTS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNS 32
#define MAX_ROWS 256
#define MAX_REPS 16

typedef struct row {
    char name[128];
    char family[64];
    double reps[MAX_RUNS][MAX_REPS];
    int n_reps[MAX_RUNS];
} row;

static row rows[MAX_ROWS];
static int n_rows, n_runs;

static uint64_t rng_state;
static inline uint64_t next_u64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* "gemv/i2/avx2/640x2560/threads:1" → family "gemv/i2/avx2". */
static inline void family_of(const char *name, char *out, size_t cap)
{
    const char *p = name;
    for (int slashes = 0; *p; p++)
        if (*p == '/' && ++slashes == 3)
            break;
    snprintf(out, cap, "%.*s", (int)(p - name), name);
}

static inline int load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL, *tok = strtok_r(line, "\t\n", &save);
        int run = atoi(tok);
        char *name = strtok_r(NULL, "\t\n", &save);
        if (!name || run < 0 || run >= MAX_RUNS)
            continue;
        int r;
        for (r = 0; r < n_rows && strcmp(rows[r].name, name) != 0; r++)
            ;
        if (r == n_rows) {
            if (n_rows == MAX_ROWS)
                continue;
            snprintf(rows[r].name, sizeof rows[r].name, "%s", name);
            family_of(name, rows[r].family, sizeof rows[r].family);
            n_rows++;
        }
        int k = 0;
        for (char *t; (t = strtok_r(NULL, "\t\n", &save)) && k < MAX_REPS;)
            rows[r].reps[run][k++] = strtod(t, NULL);
        rows[r].n_reps[run] = k;
        if (run + 1 > n_runs)
            n_runs = run + 1;
    }
    fclose(f);
    return 0;
}

static inline double median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One night of row r from real run `run`: n bootstrap draws of its repetitions into out[]. */
static inline int night_samples(const row *w, int run, double *out)
{
    int n = w->n_reps[run];
    for (int i = 0; i < n; i++)
        out[i] = w->reps[run][next_u64() % (uint64_t)n];
    return n;
}

/* A demo history built from the fixture: `nights` google/benchmark JSON documents (dates 2026-10-01…, one
 * commit each), each night one real run's repetitions bootstrapped, ×1.05 from night `step` on for the rows
 * of `planted_family`. drift_sd > 0 rescales each row's night-to-night movement of its median to that
 * standard deviation (the within-night spread stays as measured): this host's real drift (tens of %) would hide any 5 %
 * step, and a demo is to show one. Returns NULL-terminated malloc'd strings (caller frees), NULL on no
 * memory. Seeded: the same arguments give the same history. */
static inline double log_sd_of(const double *x, int n, double *center)
{
    double m = 0, ss = 0;
    for (int i = 0; i < n; i++)
        m += log(x[i]);
    m /= n;
    for (int i = 0; i < n; i++)
        ss += (log(x[i]) - m) * (log(x[i]) - m);
    *center = m;
    return n > 1 ? sqrt(ss / (n - 1)) : 0;
}

static inline char **demo_history(int nights, int step, const char *planted_family, double drift_sd)
{
    if (nights < 1 || nights > 128 || n_rows == 0 || n_runs == 0)
        return NULL;
    size_t per_night = (size_t)n_rows * MAX_REPS;
    double *t = malloc((size_t)nights * per_night * sizeof *t);
    int *nrep = malloc((size_t)nights * (size_t)n_rows * sizeof *nrep);
    char **docs = calloc((size_t)nights + 1, sizeof *docs);
    if (!t || !nrep || !docs) {
        free(t);
        free(nrep);
        free(docs);
        return NULL;
    }
    rng_state = 0xD3E40ull;
    for (int k = 0; k < nights; k++) {
        int run = (int)(next_u64() % (uint64_t)n_runs);
        for (int r = 0; r < n_rows; r++)
            nrep[k * n_rows + r] = night_samples(&rows[r], run, t + (size_t)k * per_night + (size_t)r * MAX_REPS);
    }
    for (int r = 0; r < n_rows; r++) {
        double med[128], tmp[MAX_REPS];
        bool ok = true;
        for (int k = 0; k < nights; k++) {
            int n = nrep[k * n_rows + r];
            ok &= n > 0;
            memcpy(tmp, t + (size_t)k * per_night + (size_t)r * MAX_REPS, (size_t)(n > 0 ? n : 0) * sizeof *tmp);
            med[k] = n > 0 ? median(tmp, n) : 1;
        }
        double c = 0, sd = ok ? log_sd_of(med, nights, &c) : 0;
        bool planted = planted_family && strcmp(rows[r].family, planted_family) == 0;
        for (int k = 0; k < nights; k++) {
            double f = drift_sd > 0 && sd > 0 ? exp((log(med[k]) - c) * (drift_sd / sd - 1)) : 1;
            if (planted && k >= step)
                f *= 1.05;
            for (int i = 0; i < nrep[k * n_rows + r]; i++)
                t[(size_t)k * per_night + (size_t)r * MAX_REPS + (size_t)i] *= f;
        }
    }
    for (int k = 0; k < nights; k++) {
        size_t cap = 8192 + per_night * 320, o = 0;
        char *s = malloc(cap);
        if (!s)
            break;
        o += (size_t)snprintf(s + o, cap - o,
                              "{\"context\": {\"date\": \"2026-10-%02dT02:00:00Z\", \"host_name\": \"demo\", \"num_cpus\": 2,"
                              " \"cpu_model\": \"AMD EPYC (fixture)\", \"isa_features\": \"avx2 avx512f\","
                              " \"compiler\": \"gcc 12.2.0\", \"git_commit\": \"%07x\", \"kernel_release\": \"6.1\"},\n"
                              "\"benchmarks\": [\n",
                              k + 1, (unsigned)(0x1a2b3c + 977 * k));
        bool first = true;
        for (int r = 0; r < n_rows; r++) {
            int n = nrep[k * n_rows + r];
            for (int i = 0; i < n; i++) {
                double v = t[(size_t)k * per_night + (size_t)r * MAX_REPS + (size_t)i];
                o += (size_t)snprintf(s + o, cap - o,
                                      "%s{\"name\": \"%s\", \"run_name\": \"%s\", \"run_type\": \"iteration\","
                                      " \"repetitions\": %d, \"repetition_index\": %d, \"threads\": 1,"
                                      " \"iterations\": 1000, \"real_time\": %.6g, \"cpu_time\": %.6g,"
                                      " \"time_unit\": \"ns\"}\n",
                                      first ? "" : ",", rows[r].name, rows[r].name, n, i, v, v);
                first = false;
            }
        }
        snprintf(s + o, cap - o, "]}\n");
        docs[k] = s;
    }
    free(t);
    free(nrep);
    return docs;
}

#endif
