/* cmd_validate.c — `tritbench validate`: flags → vr_options, then reports/validate_run.c does the run. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "reports/vr_internal.h"
#include "tritbench/fixtures.h"
#include "tritbench/formats.h"
#include "tritbench/kernels.h"

#define DEFAULT_SEED 20240229ULL

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tritbench validate [--profile FILE] [--suite NAME] [--variants LIST] [--formats LIST]\n"
            "                          [--threads N] [--quick] [--out DIR] [--model FILE] [--seed N]\n"
            "\n"
            "Signs off this machine's ternary kernels against a target profile: memory reduction, speedup over\n"
            "the fastest FP32 baseline measured in the same run, kernel fidelity, quantization error, sparsity,\n"
            "roofline; plus accuracy (Fashion-MNIST), end-to-end decode and CUDA sections.\n"
            "\n"
            "  --profile FILE   targets (default: fixtures/profiles/bitnet-phase4.json in the source tree)\n"
            "  --suite NAME     a section (%s, all) or a shape set for the\n"
            "                   kernels section alone (%s); default: every section, kernels on bitnet-2b\n"
            "  --variants LIST  kernel variants, comma separated (default: every runnable one)\n"
            "  --formats LIST   packed formats: i2,t5 (default: both)\n"
            "  --threads N      threads for kernels and baselines alike (default 1)\n"
            "  --quick          smoke mode: every section small, the whole run under a minute\n"
            "  --out DIR        report directory (default reports/out/<date>-<host>/, created)\n"
            "  --model FILE     also validate a safetensors checkpoint layer by layer\n"
            "  --seed N         seed of every generated input (default %llu)\n"
            "\n"
            "Writes DIR/report.md, DIR/results.json, DIR/report.html and DIR/plots/. Exit status: 0 every target\n"
            "passed (N/A rows do not fail), 1 a target failed, 2 the run could not be done (bad flag or profile).\n",
            vr_section_names(), trit_shape_sets(), DEFAULT_SEED);
}

static bool known_variant(const char *name)
{
    size_t n;
    const trit_kernel *k = trit_kernels(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(k[i].variant, name) == 0)
            return true;
    return false;
}

/* Every item of a comma list passes `ok`; else a message naming the bad item. */
static bool list_ok(const char *flag, const char *list, bool (*ok)(const char *))
{
    if (!*list) {
        fprintf(stderr, "tritbench validate: %s: empty list\n", flag);
        return false;
    }
    char item[64];
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || len >= sizeof item) {
            fprintf(stderr, "tritbench validate: %s: bad list \"%s\"\n", flag, list);
            return false;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (!ok(item)) {
            fprintf(stderr, "tritbench validate: %s: unknown name \"%s\" (see 'tritbench list')\n", flag, item);
            return false;
        }
        if (!end)
            return true;
        p = end + 1;
    }
}

static bool format_ok(const char *name)
{
    trit_format f;
    return trit_format_parse(name, &f) == 0;
}

static bool is_section(const char *s) { return vr_section_find(s) || !strcmp(s, "all"); }

/* "--name value" or "--name=value"; returns the value or NULL when this argument is not --name. */
static const char *flag_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

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

int cmd_validate(int argc, char **argv)
{
    vr_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.seed = DEFAULT_SEED;
    const char *suite = NULL;
    bool have_seed = false;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quick")) {
            o.quick = true;
        } else if ((v = flag_value(argc, argv, &i, "--profile", &missing))) {
            o.profile_path = v;
        } else if ((v = flag_value(argc, argv, &i, "--suite", &missing))) {
            suite = v;
        } else if ((v = flag_value(argc, argv, &i, "--variants", &missing))) {
            if (!list_ok("--variants", v, known_variant))
                return 2;
            o.variants = v;
        } else if ((v = flag_value(argc, argv, &i, "--formats", &missing))) {
            if (!list_ok("--formats", v, format_ok))
                return 2;
            o.formats = v;
        } else if ((v = flag_value(argc, argv, &i, "--threads", &missing))) {
            char *end;
            errno = 0;
            long t = strtol(v, &end, 10);
            if (errno || *end || end == v || t < 1 || t > 1024) {
                fprintf(stderr, "tritbench validate: --threads: \"%s\" is not a thread count (1..1024)\n", v);
                return 2;
            }
            o.threads = (int)t;
        } else if ((v = flag_value(argc, argv, &i, "--out", &missing))) {
            if (!*v) {
                fprintf(stderr, "tritbench validate: --out: empty directory name\n");
                return 2;
            }
            o.out_dir = v;
        } else if ((v = flag_value(argc, argv, &i, "--model", &missing))) {
            o.model_path = v;
        } else if ((v = flag_value(argc, argv, &i, "--seed", &missing))) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 0);
            if (errno || *end || end == v || *v == '-') {
                fprintf(stderr, "tritbench validate: --seed: \"%s\" is not a non-negative integer\n", v);
                return 2;
            }
            o.seed = s;
            have_seed = true;
        } else {
            if (missing)
                fprintf(stderr, "tritbench validate: %s needs a value\n", a);
            else
                fprintf(stderr, "tritbench validate: unknown argument \"%s\" (see --help)\n", a);
            return 2;
        }
        if (missing) {
            fprintf(stderr, "tritbench validate: %s needs a value\n", a);
            return 2;
        }
    }
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
    char cmd[4096] = "tritbench validate";
    for (int i = 1; i < argc; i++)
        append_arg(cmd, sizeof cmd, argv[i]);
    if (!have_seed) {
        char s[64];
        snprintf(s, sizeof s, "--seed=%llu", o.seed);
        append_arg(cmd, sizeof cmd, s);
    }
    return vr_run(&o, cmd);
}
