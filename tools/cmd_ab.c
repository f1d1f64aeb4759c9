/* cmd_ab.c — `tritbench ab BASELINE CONTENDER [run flags]`: two tritbench binaries (two builds, or one
 * build twice) measured interleaved in one time window, a paired ratio with its interval per benchmark,
 * Benjamini–Hochberg across rows; exit 1 on a significant slowdown beyond the threshold. */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ab_rounds.h"
#include "commands.h"
#include "plugin_cli.h"
#include "compare_output.h"
#include "tritbench/args.h"
#include "tritbench/flags.h"

typedef struct ab_flags {
    int rounds;
    double threshold, alpha;
    uint64_t seed;
    bool have_seed, quiet;
    const char *out, *from;
    int format; /* 0 console, 1 json */
    int clock;  /* cmp_clock */
} ab_flags;

static int set_seed(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    ab_flags *f = field;
    if (tb_set_u64(opt, &f->seed, v, err, err_len) != 0)
        return -1;
    f->have_seed = true;
    return 0;
}

static const char *const format_names[] = {"console", "json", NULL};
static const char *const clock_names[] = {"real", "cpu", NULL};

#define A(member) offsetof(ab_flags, member)
static const tb_opt ab_table[] = {
    {"rounds", .set = tb_set_int, .field = A(rounds), .metavar = "N", .min = 2, .max = 512,
     .help = "rounds (launches per side); default: --benchmark_repetitions, else 10"},
    {"threshold", .set = cmp_set_threshold, .field = A(threshold), .metavar = "T",
     .help = "smallest slowdown that counts: 1% or 0.01 (default 1%)"},
    {"alpha", .set = cmp_set_alpha, .field = A(alpha), .metavar = "A",
     .help = "false discovery rate across rows; intervals at 1 - A (default 0.05)"},
    {"seed", .set = set_seed, .field = 0, .metavar = "S", .help = "order of the rounds (default: from the clock, printed)"},
    {"out", .field = A(out), .metavar = "DIR", .help = "where the result files go (default ab-results, created)"},
    {"format", .set = tb_set_choice, .field = A(format), .metavar = "F", .choices = format_names,
     .help = "console (default) or json, on stdout"},
    {"time", .set = tb_set_choice, .field = A(clock), .metavar = "T", .choices = clock_names,
     .help = "the time compared: cpu (default: leaves out waiting for a CPU on a loaded host)\n"
             "or real (wall clock)"},
    {"from", .field = A(from), .metavar = "DIR", .help = "judge the rounds of an earlier run in DIR again, without running"},
    {"quiet", .kind = TB_BOOL, .field = A(quiet), .help = "no progress lines on stderr"},
};

static const tb_command ab_cmd = {
    .name = "tritbench ab",
    .synopsis = "[flags] BASELINE CONTENDER [run flags]",
    .about =
        "Runs `BASELINE run` and `CONTENDER run` (two tritbench binaries, or the same one twice) in N rounds;\n"
        "each round launches both, in a random order, so drift of the machine hits both sides alike. The run\n"
        "flags go to every launch. --benchmark_repetitions=N means N rounds (one launch per side per round)\n"
        "unless --rounds is given; then each launch runs N repetitions and its median is that round's sample.\n"
        "\n"
        "Per benchmark: the contender/baseline time ratio (Hodges-Lehmann estimate over the per-round ratios)\n"
        "with its confidence interval at 1 - alpha, and a q-value (Wilcoxon signed rank, Benjamini-Hochberg\n"
        "across rows). REGRESSION: q < alpha and the whole interval slower by more than --threshold;\n"
        "inconclusive: significant, but the interval reaches back inside the threshold (more rounds decide).\n"
        "With fewer than 6 rounds no row can reach alpha = 0.05; use 9 or more (16 resolve 3 %, README).\n",
    .footer = "Writes DIR/baseline.json and DIR/contender.json (google/benchmark JSON, every round's repetitions),\n"
              "DIR/comparison.json and the per-launch files under DIR/rounds.\n"
              "Exit status: 0 no significant slowdown beyond the threshold, 1 one or more, 2 could not run.\n",
    .min_pos = 0, /* 2, unless --from */
    .max_pos = 2,
    .pos_name = "BASELINE CONTENDER",
};

/* The run flag as typed ("--benchmark_out=x" or "--benchmark_out"): its name without dashes and value. */
static bool flag_named(const char *arg, const char *name)
{
    const size_t n = strlen(name);
    return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, n) == 0 && (arg[2 + n] == '\0' || arg[2 + n] == '=');
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

/* The load averages a previous `ab` recorded in DIR/comparison.json; "not recorded" when absent. */
static void recorded_load(const char *dir, char *before, char *after, size_t len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/comparison.json", dir);
    json_t *j = json_load_file(path, 0, NULL);
    const char *b = j ? json_string_value(json_object_get(j, "load_before")) : NULL;
    const char *a = j ? json_string_value(json_object_get(j, "load_after")) : NULL;
    snprintf(before, len, "%s", b ? b : "not recorded");
    snprintf(after, len, "%s", a ? a : "not recorded");
    json_decref(j);
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
    ab_flags f = {.threshold = 0.01, .alpha = 0.05, .out = "ab-results", .clock = CMP_CPU_TIME};
    tb_flags run_flags;
    tb_flags_default(&run_flags);
    tb_str_list plugins = {0};
    tb_opt_group groups[2 + TB_FLAGS_GROUPS] = {{"ab flags", ab_table, TB_COUNT(ab_table), &f}};
    size_t n_groups = 1 + tb_flags_groups(&run_flags, groups + 1);
    groups[n_groups++] = cli_plugin_group(&plugins); /* forwarded as typed to every launch, as run flags are */
    tb_args args;
    const int st = tb_args_run(&ab_cmd, groups, n_groups, argc, argv, &args);
    if (st >= 0)
        return st;
    /* Load here too: a plugin that cannot load stops ab before any launch, with the loader's message. */
    if (cli_plugins_load("tritbench ab", &plugins) != 0)
        return 2;
    if (!f.from && args.n_pos != 2) {
        fprintf(stderr, "tritbench ab: missing BASELINE CONTENDER (see --help)\n");
        return 2;
    }
    ab_plan plan = {.rounds = f.rounds, .reps_per_launch = 1, .out_dir = f.out, .verbose = !f.quiet,
                    .seed = f.seed, .clock = (cmp_clock)f.clock};
    const double threshold = f.threshold, alpha = f.alpha;
    const int json_out = f.format == 1;
    const bool seed_given = f.have_seed;
    const char *bins[2] = {args.n_pos == 2 ? args.pos[0] : "(baseline)", args.n_pos == 2 ? args.pos[1] : "(contender)"};
    /* The run flags as typed, forwarded to every launch, except what ab decides itself. */
    char **run_args = calloc((size_t)argc + 1, sizeof *run_args);
    if (!run_args)
        return 2;
    size_t n_run = 0;
    int user_reps = 0;
    for (size_t g = 1; g < n_groups; g++) {
        char *typed[TB_ARGS_MAX_SEEN * 2];
        const int n = tb_args_of_group(&args, (int)g, argv, typed, (int)TB_COUNT(typed));
        for (int i = 0; i < n; i++) {
            if (flag_named(typed[i], "benchmark_out") || flag_named(typed[i], "benchmark_out_format") ||
                flag_named(typed[i], "benchmark_format")) {
                fprintf(stderr, "tritbench ab: %s: ab writes the result files itself (see --out)\n", typed[i]);
                goto usage_error;
            }
            if (flag_named(typed[i], "benchmark_repetitions")) {
                user_reps = run_flags.opt.repetitions;
                if (!strchr(typed[i], '='))
                    i++; /* its separate value */
                continue;
            }
            run_args[n_run++] = typed[i];
        }
    }
    if (!f.from && (check_binary(bins[0]) != 0 || check_binary(bins[1]) != 0))
        goto usage_error;
    if (f.from && plan.rounds == 0)
        plan.rounds = 512; /* as many as the directory holds */
    else if (plan.rounds == 0)
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
    if (plan.verbose && !f.from)
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
    if (f.from) {
        plan.out_dir = f.from;
        if (ab_load_rounds(f.from, plan.clock, files, plan.rounds, &plan.rounds, err, sizeof err) != 0) {
            fprintf(stderr, "tritbench ab: %s\n", err);
            goto done;
        }
    } else if (ab_run_rounds(&plan, files, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench ab: could not run: %s\n", err);
        goto done;
    }
    load_line(load_after, sizeof load_after);
    char path[4200];
    if (f.from) /* the load while the rounds ran, as recorded then; this moment's load says nothing */
        recorded_load(f.from, load_before, load_after, sizeof load_before);
    for (int s = 0; s < 2 && !f.from; s++) {
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
        json_object_set_new(cj, "time", json_string(plan.clock == CMP_CPU_TIME ? "cpu_time" : "real_time"));
        snprintf(path, sizeof path, "%s/comparison.json", plan.out_dir);
        if (!f.from && json_dump_file(cj, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
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
        const char *clock = plan.clock == CMP_CPU_TIME ? "CPU time" : "real time";
        if (f.from)
            printf("A/B: the %d interleaved rounds in %s judged again, %s\n", plan.rounds, f.from, clock);
        else
            printf("A/B: %s (baseline) vs %s (contender), %d interleaved rounds, seed %llu, %s\n", a_name, b_name,
                   plan.rounds, (unsigned long long)plan.seed, clock);
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
