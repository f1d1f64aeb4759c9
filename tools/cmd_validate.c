/* cmd_validate.c — `tritbench validate`: flags → vr_options, then validate/validate_run.c does the run. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli_names.h"
#include "commands.h"
#include "plugin/plugins.h"
#include "plugin_cli.h"
#include "validate/vr_internal.h"
#include "tritbench/args.h"
#include "tritbench/catalog.h"

#define DEFAULT_SEED 20240229ULL

/* The flags, then what they mean for vr_options (a shape set as --suite, the default seed). */
typedef struct validate_flags {
    vr_options o;
    const char *suite;
    uint64_t seed;
    bool have_seed;
} validate_flags;

static int set_seed(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    validate_flags *f = field;
    if (tb_set_u64(opt, &f->seed, v, err, err_len) != 0)
        return -1;
    f->have_seed = true;
    return 0;
}

#define V(member) offsetof(validate_flags, member)
static const tb_opt validate_table[] = {
    {"profile", .field = V(o.profile_path), .metavar = "FILE",
     .help = "targets (default: profiles/bitnet-phase4.json in the installed datadir,\n"
             "or catalog/profiles/ of the source tree when run from the build directory)"},
    {"suite", .field = V(suite), .metavar = "NAME",
     .help = "a section or a shape set for the kernels section alone (both listed below);\n"
             "default: every section, kernels on bitnet-2b"},
    {"variants", .field = V(o.variants), .metavar = "LIST", .help = "kernel variants (default: every runnable one)"},
    {"formats", .field = V(o.formats), .metavar = "LIST", .help = "packed formats: i2,t5 (default: both)"},
    {"threads", .set = tb_set_int, .field = V(o.threads), .metavar = "N", .min = 1, .max = 1024,
     .help = "threads for kernels and baselines alike (default 1)"},
    {"quick", .kind = TB_BOOL, .field = V(o.quick), .help = "smoke mode: every section small, the whole run under a minute"},
    {"out", .field = V(o.out_dir), .metavar = "DIR",
     .help = "report directory (default reports/out/<date>-<host>/, created)"},
    {"model", .field = V(o.model_path), .metavar = "FILE", .help = "also validate a safetensors checkpoint layer by layer"},
    {"max-time", .set = tb_set_double, .field = V(o.max_time), .metavar = "SECONDS", .min = 0, .max = 86400,
     .help = "after the sections, re-measure the instances behind INCONCLUSIVE speed rows (more\n"
             "interleaved repetitions, merged with the first) and judge again, for at most\n"
             "SECONDS (default 180 for a full run, 0 = never for --quick)"},
    {"seed", .set = set_seed, .field = 0, .metavar = "N", .help = "seed of every generated input (default 20240229)"},
};

static const tb_command validate_cmd = {
    .name = "tritbench validate",
    .synopsis = "[flags]",
    .about = "Signs off this machine's ternary kernels against a target profile: memory reduction, speedup over\n"
             "the fastest FP32 baseline measured in the same run, kernel fidelity, quantization error, sparsity,\n"
             "roofline; plus accuracy (Fashion-MNIST), end-to-end decode and CUDA sections.\n",
};
#define VALIDATE_FOOTER                                                                                                \
    "Sections for --suite: %s, all. Shape sets for --suite: %s.\n\n"                                              \
    "Writes DIR/report.md, DIR/results.json, DIR/report.html and DIR/plots/. A speed row is PASS when its\n"        \
    "ratio's 95 %% confidence interval clears the threshold, FAIL when it lies on the wrong side, INCONCLUSIVE\n"     \
    "when it straddles it. Exit status: 0 no target failed (N/A and INCONCLUSIVE rows do not fail), 1 a target\n"   \
    "failed, 2 the run could not be done (bad flag, profile or --model, or a section that could not run:\n"        \
    "results.json then says \"incomplete\": true).\n"

static bool is_section(const char *s) { return vr_section_find(s) || !strcmp(s, "all"); }

/* Appends ' arg' shell-quoted when needed. */
static void append_arg(char *buf, size_t cap, const char *arg)
{
    size_t used = strlen(buf);
    bool plain = *arg != '\0';
    for (const char *c = arg; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,=:+", *c))
            plain = false;
    int n;
    if (plain) {
        n = snprintf(buf + used, cap - used, " %s", arg);
    } else {
        n = snprintf(buf + used, cap - used, " '");
        for (const char *c = arg; *c && n >= 0 && used + (size_t)n + 5 < cap; c++)
            n += *c == '\'' ? snprintf(buf + used + n, cap - used - (size_t)n, "'\\''")
                            : snprintf(buf + used + n, cap - used - (size_t)n, "%c", *c);
        if (n >= 0 && used + (size_t)n + 2 < cap)
            snprintf(buf + used + n, cap - used - (size_t)n, "'");
    }
}

/* Address space a run needs, measured as VmPeak of `validate --quick` (2.33 GiB, x86-64, 2 threads),
 * rounded up; OpenBLAS adds a 128 MiB buffer per thread. Below an `ulimit -v` this low OpenBLAS's
 * allocator retries a failed malloc forever (100 % CPU, no message), so the run is refused up front.
 * A full run needs more than this floor; the floor is what is known for sure. */
#define VALIDATE_AS_FLOOR_MIB 2560ULL
#define OPENBLAS_BUFFER_MIB 128ULL

static int check_address_space(int threads)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    const unsigned long long need_mib = VALIDATE_AS_FLOOR_MIB + OPENBLAS_BUFFER_MIB * (unsigned long long)threads;
    const unsigned long long have_mib = (unsigned long long)rl.rlim_cur >> 20;
    if (have_mib >= need_mib)
        return 0;
    fprintf(stderr,
            "tritbench validate: not enough address space: the limit (ulimit -v) is %llu MiB, the run needs at "
            "least %llu MiB (OpenBLAS would spin, not fail, below it); raise ulimit -v\n",
            have_mib, need_mib);
    return -1;
}

int cmd_validate(int argc, char **argv)
{
    validate_flags f;
    memset(&f, 0, sizeof f);
    f.o.threads = 1;
    f.o.max_time = -1; /* the default: VR_MAX_TIME_DEFAULT_FULL, or 0 with --quick */
    f.seed = DEFAULT_SEED;
    tb_str_list plugins = {0};
    const tb_opt_group groups[] = {{NULL, validate_table, TB_COUNT(validate_table), &f}, cli_plugin_group(&plugins)};
    char footer[2048];
    snprintf(footer, sizeof footer, VALIDATE_FOOTER, vr_section_names(), trit_shape_sets());
    tb_command with_footer = validate_cmd;
    with_footer.footer = footer;
    tb_args args;
    int st = tb_args_run(&with_footer, groups, TB_COUNT(groups), argc, argv, &args);
    if (st >= 0)
        return st;
    if (cli_plugins_load("tritbench validate", &plugins) != 0)
        return 2;
    if (cli_check_variants("tritbench validate", "--variants", f.o.variants) != 0 ||
        cli_check_formats("tritbench validate", "--formats", f.o.formats, false) != 0)
        return 2;
    vr_options o = f.o;
    o.seed = f.seed;
    const char *suite = f.suite;
    const bool have_seed = f.have_seed;
    /* --suite: a section name, or a shape set that means "the kernels section on these shapes". */
    o.shapes = o.quick ? "quick" : "bitnet-2b";
    if (suite) {
        size_t count;
        if (is_section(suite)) {
            o.suite = strcmp(suite, "all") == 0 ? NULL : suite;
        } else if (trit_shapes(suite, &count) != NULL) {
            o.suite = "kernels";
            o.shapes = suite;
        } else {
            fprintf(stderr,
                    "tritbench validate: --suite: \"%s\" is neither a section (%s, all) nor a shape set (%s)\n",
                    suite, vr_section_names(), trit_shape_sets());
            return 2;
        }
    }
    if (o.suite && vr_section_find(o.suite)->needs_model && !o.model_path) {
        fprintf(stderr, "tritbench validate: --suite %s needs --model FILE\n", o.suite);
        return 2;
    }
    if (check_address_space(o.threads) != 0)
        return 2;
    char cmd[4096] = "tritbench validate";
    for (int i = 1; i < argc; i++)
        append_arg(cmd, sizeof cmd, argv[i]);
    if (!have_seed) {
        char s[64];
        snprintf(s, sizeof s, "--seed=%llu", o.seed);
        append_arg(cmd, sizeof cmd, s);
    }
    /* The correctness gate before any section times anything: an incorrect kernel (ours or a plugin's)
     * fails the validation whatever the sections say. */
    const int incorrect = tb_gate_all("tritbench validate", o.variants, o.formats, NULL);
    if (incorrect < 0)
        return 2;
    int status = vr_run(&o, cmd);
    if (incorrect > 0) {
        fprintf(stderr, "tritbench validate: FAIL: %d kernel(s) incorrect against the scalar oracle (listed above; "
                "not timed, not signed off)\n", incorrect);
        if (status == 0)
            status = 1;
    }
    return status;
}
