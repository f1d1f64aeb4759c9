/* cmd_ab.c — `tritbench ab BASELINE CONTENDER [run flags]`: two tritbench binaries (two builds, or one
 * build twice) measured interleaved in one time window, a paired ratio with its interval per benchmark,
 * Benjamini–Hochberg across rows; exit 1 on a significant slowdown beyond the threshold. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ab_rounds.h"
#include "commands.h"
#include "compare_output.h"

static void usage(FILE *out)
{
    fputs("usage: tritbench ab BASELINE CONTENDER [--rounds N] [--threshold 1%] [--alpha 0.05] [--seed S]\n"
          "                     [--out DIR] [--format console|json] [run flags...]\n"
          "\n"
          "Runs `BASELINE run` and `CONTENDER run` (two tritbench binaries, or the same one twice) in N rounds;\n"
          "each round launches both, in a random order, so drift of the machine hits both sides alike. The\n"
          "run flags (--benchmark_filter, --benchmark_min_time, --threads, ...) go to every launch.\n"
          "--benchmark_repetitions=N means N rounds (N samples per side, one launch each) unless --rounds is\n"
          "given; then each launch runs N repetitions and its median is that round's sample. Default 10 rounds.\n"
          "\n"
          "Per benchmark: the contender/baseline time ratio (Hodges-Lehmann estimate over the per-round ratios)\n"
          "with its confidence interval at 1 - alpha, and a q-value (Wilcoxon signed rank, Benjamini-Hochberg\n"
          "across rows, false discovery rate alpha). REGRESSION: q < alpha and slower by more than --threshold\n"
          "(5% or 0.05; default 1%). With fewer than 6 rounds no row can reach alpha = 0.05.\n"
          "Writes DIR/baseline.json and DIR/contender.json (google/benchmark JSON, every round's repetitions),\n"
          "DIR/comparison.json and the per-launch files under DIR/rounds (DIR default: ab-results).\n"
          "Exit status: 0 no significant slowdown beyond the threshold, 1 one or more, 2 could not run.\n",
          out);
}

static const char *value_of(int argc, char **argv, int *i, const char *flag)
{
    const size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int check_binary(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "tritbench ab: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
        fprintf(stderr, "tritbench ab: %s: not an executable file\n", path);
        return -1;
    }
    return 0;
}

static void load_line(char *buf, size_t len)
{
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = 0;
    if (f) {
        if (!fgets(buf, (int)len, f))
            buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
}

int cmd_ab(int argc, char **argv)
{
    ab_plan plan = {.rounds = 0, .reps_per_launch = 1, .out_dir = "ab-results", .verbose = 1};
    double threshold = 0.01, alpha = 0.05;
    int json_out = 0, user_reps = 0;
    bool seed_given = false;
    const char *bins[2] = {NULL, NULL};
    int n_bins = 0;
    char **run_args = calloc((size_t)argc + 1, sizeof *run_args);
    if (!run_args)
        return 2;
    size_t n_run = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(run_args);
            return 0;
        }
        if ((v = value_of(argc, argv, &i, "--rounds"))) {
            char *end;
            long r = strtol(v, &end, 10);
            if (end == v || *end || r < 2 || r > 512) {
                fprintf(stderr, "tritbench ab: --rounds: \"%s\" is not a whole number from 2 to 512\n", v);
                goto usage_error;
            }
            plan.rounds = (int)r;
        } else if ((v = value_of(argc, argv, &i, "--threshold"))) {
            if (cmp_parse_threshold(v, &threshold) != 0) {
                fprintf(stderr,
                        "tritbench ab: --threshold: \"%s\" is not a percentage like 2%% or a fraction below 1 like 0.02 "
                        "(a bare 10 could mean 10 %% or 1000 %%)\n",
                        v);
                goto usage_error;
            }
        } else if ((v = value_of(argc, argv, &i, "--alpha"))) {
            char *end;
            alpha = strtod(v, &end);
            if (end == v || *end || !(alpha > 0 && alpha < 1)) {
                fprintf(stderr, "tritbench ab: --alpha: \"%s\" must be a number in (0, 1)\n", v);
                goto usage_error;
            }
        } else if ((v = value_of(argc, argv, &i, "--seed"))) {
            char *end;
            errno = 0;
            plan.seed = strtoull(v, &end, 10);
            if (end == v || *end || errno) {
                fprintf(stderr, "tritbench ab: --seed: \"%s\" is not a whole number\n", v);
                goto usage_error;
            }
            seed_given = true;
        } else if ((v = value_of(argc, argv, &i, "--out"))) {
            plan.out_dir = v;
        } else if ((v = value_of(argc, argv, &i, "--format"))) {
            if (!strcmp(v, "json"))
                json_out = 1;
            else if (strcmp(v, "console") != 0) {
                fprintf(stderr, "tritbench ab: --format: \"%s\" unknown (console, json)\n", v);
                goto usage_error;
            }
        } else if (!strcmp(a, "--quiet")) {
            plan.verbose = 0;
        } else if (!strncmp(a, "--benchmark_repetitions=", 24)) {
            char *end;
            long r = strtol(a + 24, &end, 10);
            if (end == a + 24 || *end || r < 1 || r > 512) {
                fprintf(stderr, "tritbench ab: --benchmark_repetitions: \"%s\" is not a whole number from 1 to 512\n",
                        a + 24);
                goto usage_error;
            }
            user_reps = (int)r;
        } else if (!strncmp(a, "--benchmark_out", 15) || !strncmp(a, "--benchmark_format", 18)) {
            fprintf(stderr, "tritbench ab: %s: ab writes the result files itself (see --out)\n", a);
            goto usage_error;
        } else if (a[0] == '-') {
            run_args[n_run++] = argv[i]; /* a run flag: `run` itself checks it in the first launch */
        } else if (n_bins < 2) {
            bins[n_bins++] = a;
        } else {
            fprintf(stderr, "tritbench ab: more than two binaries given (\"%s\")\n", a);
            goto usage_error;
        }
    }
    if (n_bins != 2) {
        usage(stderr);
        goto usage_error;
    }
    if (check_binary(bins[0]) != 0 || check_binary(bins[1]) != 0)
        goto usage_error;
    if (plan.rounds == 0)
        plan.rounds = user_reps ? (user_reps < 2 ? 2 : user_reps) : 10;
    else if (user_reps)
        plan.reps_per_launch = user_reps;
    if (!seed_given)
        plan.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    plan.bin[0] = bins[0];
    plan.bin[1] = bins[1];
    plan.run_args = run_args;
    plan.n_run_args = n_run;

    char load_before[128], load_after[128], err[4600];
    load_line(load_before, sizeof load_before);
    if (plan.verbose)
        fprintf(stderr, "tritbench ab: %d rounds x 2 launches (%d repetition(s) each), seed %llu, load %s\n",
                plan.rounds, plan.reps_per_launch, (unsigned long long)plan.seed, load_before);
    cmp_file *files[2] = {calloc((size_t)plan.rounds, sizeof(cmp_file)), calloc((size_t)plan.rounds, sizeof(cmp_file))};
    cmp_result res = {0};
    char **names = NULL;
    size_t n_names = 0;
    int rc = 2;
    if (!files[0] || !files[1]) {
        fprintf(stderr, "tritbench ab: out of memory\n");
        goto done;
    }
    if (ab_run_rounds(&plan, files, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench ab: could not run: %s\n", err);
        goto done;
    }
    load_line(load_after, sizeof load_after);
    char path[4200];
    for (int s = 0; s < 2; s++) {
        snprintf(path, sizeof path, "%s/%s.json", plan.out_dir, s ? "contender" : "baseline");
        if (ab_write_merged(&plan, s, files[s], path, err, sizeof err) != 0) {
            fprintf(stderr, "tritbench ab: %s\n", err);
            goto done;
        }
    }
    const cmp_options opt = {.threshold = threshold, .alpha = alpha};
    if (ab_pair_rounds(files, plan.rounds, 1.0 - alpha, &res, &names, &n_names) != 0 ||
        cmp_judge(&res, &opt, true) != 0) {
        fprintf(stderr, "tritbench ab: out of memory\n");
        goto done;
    }
    if (res.n_rows == 0) {
        fprintf(stderr, "tritbench ab: the two binaries ran no benchmark in common (check --benchmark_filter)\n");
        goto done;
    }
    json_t *cj = cmp_result_json(&res, &opt);
    if (cj) {
        json_object_set_new(cj, "baseline", json_string(bins[0]));
        json_object_set_new(cj, "contender", json_string(bins[1]));
        json_object_set_new(cj, "rounds", json_integer(plan.rounds));
        json_object_set_new(cj, "repetitions_per_launch", json_integer(plan.reps_per_launch));
        json_object_set_new(cj, "seed", json_integer((json_int_t)(plan.seed & 0x7fffffffffffffffull)));
        json_object_set_new(cj, "load_before", json_string(load_before));
        json_object_set_new(cj, "load_after", json_string(load_after));
        snprintf(path, sizeof path, "%s/comparison.json", plan.out_dir);
        if (json_dump_file(cj, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            fprintf(stderr, "tritbench ab: %s: cannot write\n", path);
    }
    rc = 0;
    if (json_out) {
        if (!cj || json_dumpf(cj, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            rc = 2;
        fputc('\n', stdout);
    } else {
        char a_name[512], b_name[512];
        cmp_escape_name(bins[0], a_name, sizeof a_name);
        cmp_escape_name(bins[1], b_name, sizeof b_name);
        printf("A/B: %s (baseline) vs %s (contender), %d interleaved rounds, seed %llu\n", a_name, b_name,
               plan.rounds, (unsigned long long)plan.seed);
        printf("load average before: %s; after: %s\n", load_before, load_after);
        cmp_print_console(stdout, &res, &opt);
    }
    json_decref(cj);
    if (res.few_repetitions)
        fprintf(stderr, "tritbench ab: fewer than 9 paired rounds: wide intervals, only large changes resolve\n");
    cmp_print_summary(stderr, &res, &opt, "baseline", "contender", true);
    if (rc == 0 && res.counts[CMP_REGRESSION]) {
        fprintf(stderr, "tritbench ab: %zu significant slowdown(s) beyond %.2f %%\n", res.counts[CMP_REGRESSION],
                threshold * 100);
        rc = 1;
    }
done:
    cmp_result_free(&res);
    ab_free_names(names, n_names);
    ab_free_files(files, plan.rounds);
    free(files[0]);
    free(files[1]);
    free(run_args);
    return rc;
usage_error:
    free(run_args);
    return 2;
}
