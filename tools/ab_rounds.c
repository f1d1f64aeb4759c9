/* ab_rounds.c — launching the two binaries round by round and pairing their results (ab_rounds.h).
 *
 * Why rounds of whole launches: on a shared host the machine drifts between runs (load, frequency, page
 * placement of a fresh process) by more than the effects we look for, and repetitions inside one process
 * cannot see it. A round launches both binaries back to back in a random order, so whatever drifts hits
 * both sides of a round alike; the analysis then uses only the per-round ratios (paired). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ab_rounds.h"
#include "tritbench/bench.h"

static const char *const side_name[2] = {"baseline", "contender"};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double now_s(void) { return tb_clock_seconds(); }

/* BIN run ARGS… --benchmark_repetitions=R --benchmark_out=JSON --benchmark_out_format=json; stdout to
 * /dev/null, stderr to LOG. Returns the exit status, or -1 when it could not be started / was killed. */
static int launch(const ab_plan *plan, int side, const char *json, const char *log)
{
    char reps[64], out[4500];
    snprintf(reps, sizeof reps, "--benchmark_repetitions=%d", plan->reps_per_launch);
    snprintf(out, sizeof out, "--benchmark_out=%s", json);
    const size_t argc = plan->n_run_args + 5;
    char **argv = calloc(argc + 1, sizeof *argv);
    if (!argv)
        return -1;
    size_t a = 0;
    argv[a++] = (char *)plan->bin[side];
    argv[a++] = "run";
    for (size_t i = 0; i < plan->n_run_args; i++)
        argv[a++] = plan->run_args[i];
    argv[a++] = reps;
    argv[a++] = out;
    argv[a++] = "--benchmark_out_format=json";
    argv[a] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        if (logfd >= 0)
            dup2(logfd, STDERR_FILENO);
        execv(plan->bin[side], argv);
        fprintf(stderr, "tritbench ab: cannot run %s: %s\n", plan->bin[side], strerror(errno));
        _exit(127);
    }
    free(argv);
    if (pid < 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ab_run_rounds(const ab_plan *plan, cmp_file *files[2], char *err, size_t err_len)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/rounds", plan->out_dir);
    if (mkdir(plan->out_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "%s: cannot create: %s", plan->out_dir, strerror(errno));
        return -1;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    uint64_t rng = plan->seed;
    const double t_start = now_s();
    for (int k = 0; k < plan->rounds; k++) {
        const int first = (int)(splitmix64(&rng) & 1);
        for (int j = 0; j < 2; j++) {
            const int side = j == 0 ? first : 1 - first;
            char json[4400], log[4400];
            snprintf(json, sizeof json, "%s/%s-%02d.json", dir, side_name[side], k);
            snprintf(log, sizeof log, "%s/%s-%02d.log", dir, side_name[side], k);
            const int rc = launch(plan, side, json, log);
            if (rc != 0) {
                snprintf(err, err_len, "round %d: %s %s run exited with %d (its messages: %s)", k + 1,
                         side_name[side], plan->bin[side], rc, log);
                return -1;
            }
            if (cmp_load_clock(json, plan->clock, &files[side][k], err, err_len) != 0)
                return -1;
        }
        if (plan->verbose) {
            const double el = now_s() - t_start;
            fprintf(stderr, "tritbench ab: round %d/%d done (%s first), %.0f s elapsed, about %.0f s to go\n", k + 1,
                    plan->rounds, side_name[first], el, el / (k + 1) * (plan->rounds - k - 1));
        }
    }
    return 0;
}

int ab_load_rounds(const char *dir, cmp_clock clock, cmp_file *files[2], int max_rounds, int *rounds, char *err,
                   size_t err_len)
{
    int k = 0;
    for (; k < max_rounds; k++) {
        char json[2][4400];
        for (int s = 0; s < 2; s++)
            snprintf(json[s], sizeof json[s], "%s/rounds/%s-%02d.json", dir, side_name[s], k);
        if (access(json[0], F_OK) != 0 || access(json[1], F_OK) != 0)
            break;
        for (int s = 0; s < 2; s++)
            if (cmp_load_clock(json[s], clock, &files[s][k], err, err_len) != 0)
                return -1;
    }
    if (k == 0) {
        snprintf(err, err_len, "%s/rounds: no baseline-00.json and contender-00.json (not an ab result directory)", dir);
        return -1;
    }
    *rounds = k;
    return 0;
}

void ab_free_files(cmp_file *files[2], int rounds)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < rounds && files[s]; k++)
            if (files[s][k].root)
                cmp_file_free(&files[s][k]);
}

void ab_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Every benchmark name of either side, in first-seen order. */
static int collect_names(cmp_file *const files[2], int rounds, tb_name_index *ix, char ***names, size_t *n)
{
    size_t cap = 0;
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < rounds; k++)
            for (size_t i = 0; i < files[s][k].n; i++) {
                const char *name = files[s][k].b[i].name;
                if (tb_name_index_get(ix, name) != (size_t)-1)
                    continue;
                if (*n == cap) {
                    cap = cap ? 2 * cap : 256;
                    char **p = realloc(*names, cap * sizeof *p);
                    if (!p)
                        return -1;
                    *names = p;
                }
                char *copy = strdup(name);
                if (!copy || tb_name_index_put(ix, copy, *n) != 0) {
                    free(copy);
                    return -1;
                }
                (*names)[(*n)++] = copy;
            }
    return 0;
}

int ab_pair_rounds(cmp_file *const files[2], int rounds, double conf, cmp_result *res, char ***names_out,
                   size_t *n_names)
{
    memset(res, 0, sizeof *res);
    *names_out = NULL;
    *n_names = 0;
    tb_name_index ix;
    tb_name_index_init(&ix);
    double *ta = malloc((size_t)rounds * sizeof *ta), *tb = malloc((size_t)rounds * sizeof *tb);
    int rc = -1;
    if (!ta || !tb || collect_names(files, rounds, &ix, names_out, n_names) != 0)
        goto done;
    res->rows = calloc(*n_names + 1, sizeof *res->rows);
    res->only_base = calloc(*n_names + 1, sizeof *res->only_base);
    res->only_new = calloc(*n_names + 1, sizeof *res->only_new);
    if (!res->rows || !res->only_base || !res->only_new)
        goto done;
    res->noise_known = true; /* interleaved: no between-run band needed */
    for (size_t i = 0; i < *n_names; i++) {
        const char *name = (*names_out)[i];
        size_t have[2] = {0, 0}, paired = 0;
        bool invalid[2] = {false, false};
        double *meds[2] = {ta, tb};
        double med_all[2][512];
        size_t n_all[2] = {0, 0};
        for (int k = 0; k < rounds; k++) {
            const cmp_bench *b[2] = {cmp_find(&files[0][k], name), cmp_find(&files[1][k], name)};
            double m[2] = {NAN, NAN};
            for (int s = 0; s < 2; s++) {
                if (!b[s])
                    continue;
                have[s]++;
                invalid[s] |= b[s]->n_invalid > 0;
                m[s] = b[s]->n_invalid ? NAN : tb_median(b[s]->times, b[s]->n);
                if (n_all[s] < 512 && !isnan(m[s]))
                    med_all[s][n_all[s]++] = m[s];
            }
            if (b[0] && b[1] && !isnan(m[0]) && !isnan(m[1])) {
                meds[0][paired] = m[0];
                meds[1][paired] = m[1];
                paired++;
            }
        }
        if (!have[1]) {
            res->only_base[res->n_only_base++] = name;
            continue;
        }
        if (!have[0]) {
            res->only_new[res->n_only_new++] = name;
            continue;
        }
        cmp_row *row = &res->rows[res->n_rows++];
        row->name = name;
        row->n_base = have[0];
        row->n_new = have[1];
        row->q = NAN;
        row->noise_band = NAN;
        row->base = invalid[0] ? NAN : tb_median(med_all[0], n_all[0]);
        row->new_ = invalid[1] ? NAN : tb_median(med_all[1], n_all[1]);
        row->ratio = (tb_interval){.lo = NAN, .est = NAN, .hi = NAN, .p = NAN};
        if (invalid[0]) {
            row->state = CMP_INVALID_BASE;
            continue;
        }
        if (invalid[1]) {
            row->state = CMP_INVALID_NEW;
            continue;
        }
        if (paired < 2) {
            row->ratio.est = row->new_ / row->base;
            row->state = CMP_UNTESTED;
            continue;
        }
        if (tb_paired_ratio_interval(ta, tb, paired, conf, &row->ratio) != 0)
            goto done;
        if (paired < 9)
            res->few_repetitions = true;
        row->state = CMP_SAME;
    }
    rc = 0;
done:
    free(ta);
    free(tb);
    tb_name_index_free(&ix);
    if (rc != 0) {
        cmp_result_free(res);
        ab_free_names(*names_out, *n_names);
        *names_out = NULL;
        *n_names = 0;
    }
    return rc;
}

int ab_write_merged(const ab_plan *plan, int side, cmp_file *const files, const char *path, char *err,
                    size_t err_len)
{
    json_t *root = json_object(), *list = json_array();
    json_t *ctx = files[0].context ? json_deep_copy(files[0].context) : json_object();
    if (!root || !list || !ctx)
        goto oom;
    json_object_set_new(ctx, "ab_role", json_string(side_name[side]));
    json_object_set_new(ctx, "ab_binary", json_string(plan->bin[side]));
    json_object_set_new(ctx, "ab_rounds", json_integer(plan->rounds));
    json_object_set_new(ctx, "ab_repetitions_per_launch", json_integer(plan->reps_per_launch));
    json_object_set_new(ctx, "ab_seed", json_integer((json_int_t)(plan->seed & 0x7fffffffffffffffull)));
    const json_int_t total = (json_int_t)plan->rounds * plan->reps_per_launch;
    for (int k = 0; k < plan->rounds; k++) {
        json_t *bench = json_object_get(files[k].root, "benchmarks");
        size_t i;
        json_t *e;
        json_array_foreach(bench, i, e)
        {
            json_t *rt = json_object_get(e, "run_type");
            if (json_is_string(rt) && strcmp(json_string_value(rt), "aggregate") == 0)
                continue; /* per-launch aggregates describe one launch, not the whole A/B run */
            const bool failed = json_is_true(json_object_get(e, "skipped")) ||
                                json_is_true(json_object_get(e, "error_occurred"));
            if (failed && k > 0)
                continue; /* a skipped instance is written once, as in `run` */
            json_t *copy = json_deep_copy(e);
            if (!copy)
                goto oom;
            json_t *ri = json_object_get(e, "repetition_index");
            const json_int_t idx = json_is_integer(ri) ? json_integer_value(ri) : 0;
            json_object_set_new(copy, "repetition_index", json_integer((json_int_t)k * plan->reps_per_launch + idx));
            json_object_set_new(copy, "repetitions", json_integer(failed ? 1 : total));
            json_array_append_new(list, copy);
        }
    }
    json_object_set_new(root, "context", ctx);
    json_object_set_new(root, "benchmarks", list);
    if (json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        snprintf(err, err_len, "%s: cannot write", path);
        json_decref(root);
        return -1;
    }
    json_decref(root);
    return 0;
oom:
    json_decref(root);
    json_decref(list);
    json_decref(ctx);
    snprintf(err, err_len, "out of memory");
    return -1;
}
