/* cmd_lm.c — `tritbench lm`: runs the language-model workload (lm.h: train or take from the cache, convert,
 * PTQ and QAT through the packed kernels) and prints its metrics, optionally as JSON and as a TSV training
 * curve. Until it joins the validator's accuracy section this is how the figures are produced. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tritbench/args.h"
#include "tritbench/atomic_file.h"
#include "tritbench/lm.h"

typedef struct lm_flags {
    tb_lm_workload_opts o;
    const char *json_path, *curve_path;
    unsigned long n_layers, dim, steps, qat_steps;
} lm_flags;

#define L(member) offsetof(lm_flags, member)
static const tb_opt lm_table[] = {
    {"quick", .kind = TB_BOOL, .field = L(o.quick), .help = "a tiny model, seconds (a smoke test, not a measurement)"},
    {"seed", .set = tb_set_u64, .field = L(o.seed), .metavar = "N", .help = "initialisation and data order"},
    {"threads", .set = tb_set_int, .field = L(o.threads), .metavar = "N", .min = 1, .max = 256,
     .help = "threads (the results do not depend on it; OMP_WAIT_POLICY=passive helps on a busy machine)"},
    {"cache-dir", .field = L(o.cache_dir), .metavar = "DIR",
     .help = "trained checkpoints (default $XDG_CACHE_HOME/tritbench, else ~/.cache/tritbench)"},
    {"corpus", .field = L(o.corpus_dir), .metavar = "DIR",
     .help = "fortune files (default $TRITBENCH_LM_CORPUS, else /usr/share/games/fortunes)"},
    {"no-cache", .kind = TB_BOOL, .field = L(o.no_cache), .help = "train even when the cache has the model"},
    {"json", .field = L(json_path), .metavar = "FILE", .help = "the metrics and curves as JSON"},
    {"curve", .field = L(curve_path), .metavar = "FILE", .help = "the training curves as TSV (for gnuplot)"},
    {"layers", .set = tb_set_ulong, .field = L(n_layers), .metavar = "N", .max = 8, .help = "experiment: layers"},
    {"dim", .set = tb_set_ulong, .field = L(dim), .metavar = "N", .max = 1024, .help = "experiment: width"},
    {"steps", .set = tb_set_ulong, .field = L(steps), .metavar = "N", .max = 1000000, .help = "experiment: FP32 steps"},
    {"qat-steps", .set = tb_set_ulong, .field = L(qat_steps), .metavar = "N", .max = 1000000,
     .help = "experiment: QAT steps"},
};

static const tb_command lm_cmd = {
    .name = "tritbench lm",
    .synopsis = "[flags]",
    .about = "Trains a byte-level BitNet-style language model on the Debian 'fortunes' corpus in FP32 (cached by\n"
             "seed + corpus hash + code version + configuration), converts it with convert's library, scores\n"
             "held-out documents through the packed ternary kernels (PTQ), fine-tunes it with the straight-through\n"
             "estimator (QAT), converts and scores again: bits per byte, perplexity, next-byte accuracy.\n",
    .footer = "Exit: 0 done, 2 bad usage or the workload could not run (the message says why).\n",
    .max_pos = 0,
};

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
        fprintf(stderr, "tritbench lm: %s\n", err);
    free(buf);
    return rc;
}

int cmd_lm(int argc, char **argv)
{
    lm_flags f = {.o = {.seed = 20240229, .threads = 1, .verbose = true}};
    const tb_opt_group groups[] = {{NULL, lm_table, TB_COUNT(lm_table), &f}};
    tb_args args;
    const int parsed = tb_args_run(&lm_cmd, groups, TB_COUNT(groups), argc, argv, &args);
    if (parsed >= 0)
        return parsed;
    tb_lm_workload_opts o = f.o;
    o.n_layers = f.n_layers;
    o.dim = f.dim;
    o.steps = f.steps;
    o.qat_steps = f.qat_steps;
    const char *json_path = f.json_path, *curve_path = f.curve_path;
    tb_lm_workload_result *r = malloc(sizeof *r);
    char err[1024];
    if (!r || tb_lm_workload_run(&o, r, err, sizeof err) != 0) {
        fprintf(stderr, "tritbench lm: %s\n", r ? err : "out of memory");
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
    printf("%-5s %9.4f %11.3f %8.2f%%   (control: FP32 trained the same %zu extra steps as QAT)\n", "FP32+",
           r->fp32_more.bpb, r->fp32_more.ppl, 100.0 * r->fp32_more.top1, r->qat_steps);
    printf("degradation QAT vs FP32: %+.2f %% (goal < 10 %%); vs FP32+: %+.2f %%; recovery of the PTQ loss: %.1f %% "
           "(goal >= 50 %%)\n",
           100.0 * r->degradation, 100.0 * r->degradation_same_steps, 100.0 * r->recovery);
    printf("fp32 %s%s\nqat  %s%s\n", r->fp32_path, r->fp32_cached ? " (cached)" : "", r->qat_path,
           r->qat_cached ? " (cached)" : "");
    int rc = 0;
    if (json_path) {
        char *j = tb_lm_workload_json(r);
        if (!j || tb_atomic_write(json_path, j, strlen(j), err, sizeof err) != 0) {
            fprintf(stderr, "tritbench lm: %s\n", j ? err : "out of memory");
            rc = 2;
        }
        free(j);
    }
    if (curve_path && write_curve(curve_path, r) != 0)
        rc = 2;
    free(r);
    return rc;
}
