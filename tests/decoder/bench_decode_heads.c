/* bench_decode_heads.c — decode tokens/s of one model in the configurations issue 14 compares, timed by
 * the harness (tb_run, google/benchmark semantics), one model loaded at a time:
 *     i2+fp16head  i2+q8head  i2+q8rhead  (ternary I2, embedding/lm_head FP16, int8, int8 + 4-bit residual)
 *     fp32  fp16  bf16        (every linear layer and the tables in that type)
 * and the Q8 and Q8R heads' logit error against an FP32 head over greedy decode steps (head alone, same hidden
 * states), with the rows Q8R re-scored per step. Not a test (speed is never asserted); the e2e suite takes these modes over once it offers them.
 *
 *   bench_decode_heads [--model bitnet-2b] [--ctx 128] [--threads 1] [--min-time 2] [--reps 3]
 *                      [--modes i2+fp16head,i2+q8head,i2+q8rhead,fp32,fp16,bf16] [--logit-steps 64]
 *                      [--interleave 1] [--cpu-time 1]
 * --interleave: repetitions in random order across modes (the models stay loaded meanwhile: ternary ones
 * together, a float model alone). --cpu-time (1 thread only): each token timed by the thread's CPU clock
 * instead of the wall clock — on a machine loaded by others the wall clock mostly measures the scheduler;
 * the CPU clock still includes memory contention. Say which one a figure used.
 * Hold the lock on a shared machine: flock /tmp/tritbench-bench.lock build/tests/decoder/bench_decode_heads */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tritbench/bench.h"
#include "tritbench/decoder.h"
#include "tritbench/models.h"

#define SEED 0xe2e0001u

typedef struct mode {
    const char *name;
    tb_dec_variant variant;
    tb_dec_head head;
} mode;

static const mode modes[] = {
    {"i2+fp16head", TB_DEC_TERNARY, TB_DEC_HEAD_FP16}, {"i2+q8head", TB_DEC_TERNARY, TB_DEC_HEAD_Q8},
    {"i2+q8rhead", TB_DEC_TERNARY, TB_DEC_HEAD_Q8R},
    {"fp32", TB_DEC_FP32, TB_DEC_HEAD_FP16},           {"fp16", TB_DEC_FP16, TB_DEC_HEAD_FP16},
    {"bf16", TB_DEC_BF16, TB_DEC_HEAD_FP16},
};
#define N_MODES (sizeof modes / sizeof modes[0])

typedef struct bench_arg {
    const trit_model_config *cfg;
    const mode *m;
    size_t ctx;
} bench_arg;

typedef struct fixture {
    tb_decoder *d;
    float *logits;
} fixture;

static bool cpu_time;

/* Loaded models by mode (interleaved repetitions reuse them); a float model is loaded alone. */
static tb_decoder *loaded[N_MODES];

static void unload_except(const mode *keep_kind)
{
    for (size_t i = 0; i < N_MODES; i++)
        if (loaded[i] && (keep_kind->variant != TB_DEC_TERNARY || modes[i].variant != TB_DEC_TERNARY)) {
            tb_decoder_free(loaded[i]);
            loaded[i] = NULL;
        }
}

static tb_decoder *new_model(const trit_model_config *cfg, const mode *m, size_t ctx, char *err, size_t len)
{
    tb_decoder_opts o;
    tb_decoder_opts_default(&o);
    o.variant = m->variant;
    o.head = m->head;
    o.max_ctx = ctx + 8;
    o.max_batch = 64;
    o.seed = SEED;
    return tb_decoder_new(cfg, &o, err, len);
}

static void *setup(tb_state *st)
{
    const bench_arg *a = tb_arg(st);
    fixture *fx = calloc(1, sizeof *fx);
    char err[512] = "out of memory";
    const size_t i = (size_t)(a->m - modes);
    if (fx && !loaded[i]) {
        unload_except(a->m);
        loaded[i] = new_model(a->cfg, a->m, a->ctx, err, sizeof err);
    }
    if (fx) {
        fx->d = loaded[i];
        fx->logits = malloc((size_t)a->cfg->vocab * sizeof(float));
    }
    if (!fx || !fx->d || !fx->logits || tb_decoder_set_threads(fx->d, tb_threads(st)) != 0 ||
        tb_decoder_fill_cache(fx->d, a->ctx, SEED) != 0) {
        tb_skip_with_error(st, err);
        if (fx) {
            free(fx->logits);
            free(fx);
        }
        return NULL;
    }
    return fx;
}

static void teardown(void *p)
{
    fixture *fx = p; /* the model stays loaded */
    free(fx->logits);
    free(fx);
}

static void run(tb_state *st)
{
    fixture *fx = tb_fixture(st);
    const bench_arg *a = tb_arg(st);
    if (!fx)
        return;
    int rc = 0;
    tb_decoder_reset_times(fx->d);
    while (tb_keep_running(st)) {
        const double t0 = cpu_time ? tb_clock_thread_cpu_seconds() : 0.0;
        rc |= tb_decoder_set_pos(fx->d, a->ctx);
        rc |= tb_decoder_decode(fx->d, 1, fx->logits);
        if (cpu_time)
            tb_set_iteration_time(st, tb_clock_thread_cpu_seconds() - t0);
    }
    if (rc) {
        tb_skip_with_error(st, "decode failed");
        return;
    }
    double ph[TB_DEC_PH_COUNT], total = 0;
    tb_decoder_times(fx->d, ph);
    for (int p = 0; p < TB_DEC_PH_COUNT; p++)
        total += ph[p];
    tb_counter(st, "tokens/s", (double)tb_iterations(st), TB_COUNTER_RATE);
    tb_counter(st, "lm_head_frac", total > 0 ? ph[TB_DEC_PH_LM_HEAD] / total : 0, TB_COUNTER_DEFAULT);
    tb_counter(st, "weights_GB", (double)tb_decoder_weight_bytes_actual(fx->d) / 1e9, TB_COUNTER_DEFAULT);
    tb_set_label(st, tb_decoder_kernel_desc(fx->d));
}

static int logit_error(const trit_model_config *cfg, size_t steps)
{
    static const mode q8 = {"i2+q8head", TB_DEC_TERNARY, TB_DEC_HEAD_Q8}, f32 = {"i2+fp32head", TB_DEC_TERNARY, TB_DEC_HEAD_FP32},
                      f16 = {"i2+fp16head", TB_DEC_TERNARY, TB_DEC_HEAD_FP16},
                      q8r = {"i2+q8rhead", TB_DEC_TERNARY, TB_DEC_HEAD_Q8R};
    const mode *tests[3] = {&q8, &q8r, &f16};
    char err[512];
    tb_decoder *r = new_model(cfg, &f32, steps + 16, err, sizeof err);
    if (!r) {
        fprintf(stderr, "logit error: %s\n", err);
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        tb_decoder *t = new_model(cfg, tests[i], steps + 16, err, sizeof err);
        const int32_t prompt[4] = {1, 17, 42, 99};
        tb_logit_error e;
        if (!t || tb_decoder_set_pos(r, 0) != 0 ||
            tb_decoder_logit_error(t, r, TB_LOGIT_HEAD, prompt, 4, steps, &e, err, sizeof err) != 0) {
            fprintf(stderr, "logit error: %s\n", err);
            tb_decoder_free(t);
            tb_decoder_free(r);
            return -1;
        }
        printf("logit error %s, %s head vs fp32 head, %zu greedy decode steps (same hidden states): max|d| %.4f "
               "(at the reference's top-1 %.5f) mean|d| %.5f cosine min %.6f mean %.6f top-1 %zu/%zu (%.1f %%), largest reference margin at a flip %.4f\n",
               cfg->name, tb_decoder_table_type(t), e.steps, e.max_abs, e.top_abs, e.mean_abs, e.min_cosine, e.mean_cosine,
               e.top1_agree, e.steps, 100 * e.top1_agreement, e.max_flip_margin);
        tb_dec_rescore rs;
        tb_decoder_rescore_stats(t, &rs);
        if (rs.calls)
            printf("  q8r stage 2: %.1f rows re-scored per step (max %zu; the bound admitted at most %zu), capped "
                   "at %zu of %zu steps\n", (double)rs.rescored / (double)rs.calls, rs.max_rescored, rs.max_admitted,
                   rs.capped, rs.calls);
        tb_decoder_free(t);
    }
    tb_decoder_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    const char *model = "bitnet-2b", *list = "i2+fp16head,i2+q8head,i2+q8rhead,fp32,fp16,bf16";
    size_t ctx = 128, logit_steps = 0;
    int threads = 1, reps = 3, interleave = 0;
    double min_time = 2.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "--model")) model = v;
        else if (!strcmp(f, "--modes")) list = v;
        else if (!strcmp(f, "--ctx")) ctx = strtoull(v, NULL, 10);
        else if (!strcmp(f, "--threads")) threads = atoi(v);
        else if (!strcmp(f, "--reps")) reps = atoi(v);
        else if (!strcmp(f, "--min-time")) min_time = atof(v);
        else if (!strcmp(f, "--logit-steps")) logit_steps = strtoull(v, NULL, 10);
        else if (!strcmp(f, "--interleave")) interleave = atoi(v);
        else if (!strcmp(f, "--cpu-time")) cpu_time = atoi(v) != 0;
        else {
            fprintf(stderr, "%s: unknown flag %s\n", argv[0], f);
            return 2;
        }
    }
    const trit_model_config *cfg = trit_model_config_get(model);
    if (!cfg)
        cfg = tb_decoder_test_config(model);
    if (!cfg || ctx == 0 || threads < 1 || reps < 1 || min_time <= 0 || (cpu_time && threads != 1)) {
        fprintf(stderr, "%s: bad --model/--ctx/--threads/--reps/--min-time (--cpu-time needs 1 thread)\n", argv[0]);
        return 2;
    }
    if (logit_steps)
        return logit_error(cfg, logit_steps) == 0 ? 0 : 1;
    tb_registry *r = tb_registry_new();
    static bench_arg args[N_MODES];
    char family[128], argstr[64];
    for (size_t i = 0; i < N_MODES; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, ",%s,", modes[i].name);
        char padded[512];
        snprintf(padded, sizeof padded, ",%s,", list);
        if (!strstr(padded, pat))
            continue;
        args[i] = (bench_arg){cfg, &modes[i], ctx};
        snprintf(family, sizeof family, "decode_heads/%s/%s", cfg->name, modes[i].name);
        snprintf(argstr, sizeof argstr, "ctx:%zu", ctx);
        tb_bench_spec spec = {.family = family, .args = argstr, .run = run, .setup = setup, .teardown = teardown,
                              .arg = &args[i], .threads = threads, .time_unit = TB_MS, .manual_time = cpu_time};
        if (tb_register(r, &spec) != 0)
            return 1;
    }
    tb_options o;
    tb_options_default(&o);
    o.repetitions = reps;
    o.min_time = min_time;
    o.random_interleaving = interleave != 0;
    tb_results res = {0};
    char err[256];
    if (tb_run(r, &o, NULL, &res, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("%s clock; %-30s %10s %10s %8s %8s  %s\n", cpu_time ? "thread CPU" : "wall", "instance (median of reps)", "ms/token", "tokens/s", "lm_head", "GB", "kernels");
    for (size_t i = 0; i < res.count; i++) {
        const tb_record *rec = &res.records[i];
        const bool agg = rec->run_type == TB_RUN_AGGREGATE;
        if (rec->error_occurred)
            printf("%-48s error: %s\n", rec->run_name, rec->error_message);
        else if ((reps == 1 && !agg) || (agg && strcmp(rec->aggregate_name, "median") == 0))
            printf("%-48s %10.2f %10.2f %7.1f%% %8.3f  %s\n", rec->run_name, rec->real_time,
                   tb_record_counter(rec, "tokens/s", 0), 100 * tb_record_counter(rec, "lm_head_frac", 0),
                   tb_record_counter(rec, "weights_GB", 0), rec->label);
    }
    tb_results_free(&res);
    tb_registry_free(r);
    for (size_t i = 0; i < N_MODES; i++)
        tb_decoder_free(loaded[i]);
    return 0;
}
