/* lm_main.c — `tritbench-lm`: runs the language-model workload (lm.h) and prints its metrics, optionally
 * as JSON and as a TSV training curve. Until it joins the validator's accuracy section this is how the
 * figures are produced. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tritbench/atomic_file.h"
#include "tritbench/lm.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tritbench-lm [--quick] [--seed N] [--threads N] [--cache-dir DIR] [--corpus DIR] [--no-cache]\n"
            "                    [--json FILE] [--curve FILE] [--layers N] [--dim N] [--steps N] [--qat-steps N]\n"
            "\n"
            "Trains a byte-level BitNet-style language model on the Debian 'fortunes' corpus (FP32, cached by seed +\n"
            "corpus hash + code version), converts it with convert's library, evaluates it on held-out documents\n"
            "through the packed ternary kernels (PTQ), fine-tunes it with the straight-through estimator (QAT) and\n"
            "evaluates again. Prints bits per byte, perplexity and next-byte accuracy of FP32, PTQ and QAT.\n"
            "  --quick        a tiny model, seconds (smoke test)\n"
            "  --json FILE    the metrics and curves as JSON;  --curve FILE  the curves as TSV (gnuplot)\n"
            "Exit: 0 done, 2 bad usage or the workload could not run (message says why).\n");
}

static int parse_size(const char *flag, const char *v, size_t *out)
{
    char *end;
    const unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || v[0] == '-' || x > (1ull << 40)) {
        fprintf(stderr, "tritbench-lm: %s: '%s' is not a non-negative integer\n", flag, v);
        return -1;
    }
    *out = (size_t)x;
    return 0;
}

static int write_curve(const char *path, const tb_lm_workload_result *r)
{
    size_t cap = 256 + 96 * (r->n_curve + r->n_qat_curve), at = 0;
    char *buf = malloc(cap), err[512];
    if (!buf)
        return -1;
    at += (size_t)snprintf(buf + at, cap - at, "# phase\tstep\ttrain_bpb\ttest_bpb  (PTQ held-out %.4f bpb)\n",
                           r->ptq.bpb);
    for (size_t i = 0; i < r->n_curve; i++)
        at += (size_t)snprintf(buf + at, cap - at, "fp32\t%zu\t%.5f\t%.5f\n", r->curve[i].step, r->curve[i].train_bpb,
                               r->curve[i].test_bpb);
    for (size_t i = 0; i < r->n_qat_curve; i++)
        at += (size_t)snprintf(buf + at, cap - at, "qat\t%zu\t%.5f\t%.5f\n", r->steps + r->qat_curve[i].step,
                               r->qat_curve[i].train_bpb, r->qat_curve[i].test_bpb);
    const int rc = tb_atomic_write(path, buf, at, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "tritbench-lm: %s\n", err);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    tb_lm_workload_opts o = {.seed = 20240229, .threads = 1, .verbose = true};
    const char *json_path = NULL, *curve_path = NULL;
    static const struct option longs[] = {
        {"quick", no_argument, 0, 'q'},         {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"cache-dir", required_argument, 0, 'c'},
        {"corpus", required_argument, 0, 'C'},  {"no-cache", no_argument, 0, 'n'},
        {"json", required_argument, 0, 'j'},    {"curve", required_argument, 0, 'k'},
        {"layers", required_argument, 0, 'L'},  {"dim", required_argument, 0, 'D'},
        {"steps", required_argument, 0, 'S'},   {"qat-steps", required_argument, 0, 'Q'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    opterr = 0;
    for (int ch; (ch = getopt_long(argc, argv, "h", longs, NULL)) != -1;) {
        size_t v = 0;
        const char *flag = optind > 1 ? argv[optind - 1] : "?";
        switch (ch) {
        case 'q': o.quick = true; break;
        case 'n': o.no_cache = true; break;
        case 'c': o.cache_dir = optarg; break;
        case 'C': o.corpus_dir = optarg; break;
        case 'j': json_path = optarg; break;
        case 'k': curve_path = optarg; break;
        case 'h': usage(stdout); return 0;
        case 's': case 't': case 'L': case 'D': case 'S': case 'Q':
            if (parse_size(flag, optarg, &v) != 0)
                return 2;
            if (ch == 's')
                o.seed = v;
            else if (ch == 't' && (v < 1 || v > 256)) {
                fprintf(stderr, "tritbench-lm: --threads: %zu is not in 1..256\n", v);
                return 2;
            } else if (ch == 't')
                o.threads = (int)v;
            else if (ch == 'L')
                o.n_layers = v;
            else if (ch == 'D')
                o.dim = v;
            else if (ch == 'S')
                o.steps = v;
            else
                o.qat_steps = v;
            break;
        default:
            fprintf(stderr, "tritbench-lm: bad option '%s' (unknown, or missing its value; see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tritbench-lm: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    tb_lm_workload_result *r = malloc(sizeof *r);
    char err[1024];
    if (!r || tb_lm_workload_run(&o, r, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench-lm: %s\n", r ? err : "out of memory");
        free(r);
        return 2;
    }
    printf("model: %zu layers x %zu wide, %zu heads, ffn %zu, context %zu; %zu parameters; kernel %s\n",
           r->cfg.n_layers, r->cfg.dim, r->cfg.n_heads, r->cfg.ffn, r->cfg.ctx, r->n_params, r->kernel);
    printf("held-out: %zu bytes scored of %zu (%zu documents)\n", r->fp32.n_tokens, r->test_bytes, r->test_docs);
    printf("%-5s %9s %11s %9s\n", "", "bits/byte", "perplexity", "top-1");
    const tb_lm_eval *e[3] = {&r->fp32, &r->ptq, &r->qat};
    static const char *const names[3] = {"FP32", "PTQ", "QAT"};
    for (int i = 0; i < 3; i++)
        printf("%-5s %9.4f %11.3f %8.2f%%\n", names[i], e[i]->bpb, e[i]->ppl, 100.0 * e[i]->top1);
    printf("degradation QAT vs FP32: %+.2f %% (goal < 10 %%); recovery of the PTQ loss: %.1f %% (goal >= 50 %%)\n",
           100.0 * r->degradation, 100.0 * r->recovery);
    printf("fp32 %s%s\nqat  %s%s\n", r->fp32_path, r->fp32_cached ? " (cached)" : "", r->qat_path,
           r->qat_cached ? " (cached)" : "");
    int rc = 0;
    if (json_path) {
        char *j = tb_lm_workload_json(r);
        if (!j || tb_atomic_write(json_path, j, strlen(j), err, sizeof err) != 0) {
            fprintf(stderr, "tritbench-lm: %s\n", j ? err : "out of memory");
            rc = 2;
        }
        free(j);
    }
    if (curve_path && write_curve(curve_path, r) != 0)
        rc = 2;
    free(r);
    return rc;
}
