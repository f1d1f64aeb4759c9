/* validate_accuracy.c — the accuracy sign-off: Fashion-MNIST MLP trained in FP32, quantized post-training
 * (PTQ) and fine-tuned with the straight-through estimator (QAT); both ternary models are evaluated on the
 * real packed kernels. Checks "accuracy_degradation" and "qat_recovery". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/sections/section_plots.h"
#include "tritbench/train.h"
#include "tritbench/validate.h"

#define SECTION "accuracy"
#define N_LAYERS 3
#define N_CONFIGS 2
#define MAX_EPOCHS 16

/* How much training a run does. The full plan fits the 4-minute budget on 2 cores; quick is a smoke run. */
typedef struct acc_plan {
    const char *label;
    size_t max_train;      /* 0 = all 60000 */
    size_t fp32_epochs, qat_epochs, batch;
    double fp32_lr, qat_lr, lr_final, weight_decay;
} acc_plan;

static const acc_plan full_plan = {"full", 0, 10, 4, 256, 3e-3, 1e-3, 1e-5, 1e-4};
static const acc_plan quick_plan = {"QUICK (smoke run: 10000 training samples, 2 FP32 + 1 QAT epochs)", 10000, 2,
                                    1, 256, 3e-3, 1e-3, 1e-5, 1e-4};

/* The two layouts: BitNet keeps the embedding-like input layer and the head in FP32. */
typedef struct acc_config {
    const char *name;
    bool fp32_input, fp32_output;
} acc_config;

static const acc_config configs[N_CONFIGS] = {
    {"hidden ternary (BitNet layout: input + head FP32)", true, true},
    {"input + hidden ternary (head FP32)", false, true},
};

typedef struct config_result {
    double ptq_acc, qat_acc, qat_acc_t5, degradation, recovery;
    double sparsity[N_LAYERS];
    tb_epoch_stat curve[MAX_EPOCHS];
    char kernel[64];
    double seconds;
} config_result;

static void all_na(vr_report *r, const char *why)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        char subject[160];
        snprintf(subject, sizeof subject, "Fashion-MNIST MLP 784-512-256-10, %s", configs[c].name);
        vr_check(r, SECTION, "accuracy_degradation", subject, 0.0, why);
        vr_check(r, SECTION, "qat_recovery", subject, 0.0, why);
    }
    vr_note(r, SECTION, "Accuracy section not run: %s", why);
}

static tb_train_opts train_opts(const acc_plan *p, bool qat, int threads, unsigned long long seed)
{
    tb_train_opts t = {
        .epochs = qat ? p->qat_epochs : p->fp32_epochs,
        .batch = p->batch,
        .lr = qat ? p->qat_lr : p->fp32_lr,
        .lr_final = p->lr_final,
        .weight_decay = p->weight_decay,
        .quantize = qat,
        .seed = seed + (qat ? 1 : 0),
        .threads = threads,
        .max_train = p->max_train,
        .max_test = 0,
    };
    return t;
}

/* PTQ and QAT of one layout, starting from the trained FP32 model. */
static int run_config(const tb_mlp *fp32, const acc_config *cfg, const tb_dataset *train, const tb_dataset *test,
                      const acc_plan *p, int threads, unsigned long long seed, double fp32_acc, config_result *res)
{
    char err[512];
    tb_mlp m;
    double loss;
    const double t0 = tb_clock_seconds();
    if (tb_mlp_copy(&m, fp32) != 0) {
        fprintf(stderr, "accuracy: out of memory copying the model\n");
        return -1;
    }
    tb_layer_kind kinds[N_LAYERS];
    tb_mlp_kinds(N_LAYERS, cfg->fp32_input, cfg->fp32_output, kinds);
    for (size_t l = 0; l < N_LAYERS; l++)
        m.layer[l].kind = kinds[l];
    int rc = tb_evaluate_packed(&m, test, 0, TRIT_FMT_I2, threads, &res->ptq_acc, &loss, NULL, res->kernel,
                                sizeof res->kernel, err, sizeof err);
    const tb_train_opts qo = train_opts(p, true, threads, seed);
    if (rc == 0)
        rc = tb_train(&m, train, test, &qo, res->curve, err, sizeof err);
    if (rc == 0)
        rc = tb_evaluate_packed(&m, test, 0, TRIT_FMT_I2, threads, &res->qat_acc, &loss, NULL, res->kernel,
                                sizeof res->kernel, err, sizeof err);
    if (rc == 0)
        rc = tb_evaluate_packed(&m, test, 0, TRIT_FMT_T5, threads, &res->qat_acc_t5, &loss, NULL, NULL, 0, err,
                                sizeof err);
    if (rc != 0)
        fprintf(stderr, "accuracy (%s): %s\n", cfg->name, err);
    for (size_t l = 0; l < N_LAYERS; l++)
        res->sparsity[l] = tb_mlp_layer_sparsity(&m, l);
    tb_mlp_free(&m);
    res->degradation = (fp32_acc - res->qat_acc) / fp32_acc;
    res->recovery = fp32_acc > res->ptq_acc ? (res->qat_acc - res->ptq_acc) / (fp32_acc - res->ptq_acc) : NAN;
    res->seconds = tb_clock_seconds() - t0;
    return rc;
}

static void add_checks(vr_report *r, const acc_config *cfg, const config_result *res, double fp32_acc,
                       const acc_plan *p)
{
    char subject[256], why[160];
    snprintf(subject, sizeof subject, "Fashion-MNIST MLP 784-512-256-10, %s: FP32 %.2f%% → QAT %.2f%%%s", cfg->name,
             100 * fp32_acc, 100 * res->qat_acc, p == &quick_plan ? " [QUICK]" : "");
    vr_check(r, SECTION, "accuracy_degradation", subject, res->degradation, NULL);
    snprintf(subject, sizeof subject, "Fashion-MNIST MLP 784-512-256-10, %s: PTQ %.2f%% → QAT %.2f%% of FP32 %.2f%%%s",
             cfg->name, 100 * res->ptq_acc, 100 * res->qat_acc, 100 * fp32_acc, p == &quick_plan ? " [QUICK]" : "");
    if (isnan(res->recovery)) {
        snprintf(why, sizeof why, "PTQ lost nothing (PTQ %.2f%% ≥ FP32 %.2f%%): nothing to recover",
                 100 * res->ptq_acc, 100 * fp32_acc);
        vr_check(r, SECTION, "qat_recovery", subject, 0.0, why);
    } else {
        vr_check(r, SECTION, "qat_recovery", subject, res->recovery, NULL);
    }
}

static void add_tables(vr_report *r, const tb_mlp *fp32, double fp32_acc, const config_result *res)
{
    static const char *const h1[] = {"layout", "FP32", "PTQ (packed)", "QAT (packed)", "rel. degradation",
                                     "PTQ loss recovered", "kernel"};
    vr_table *t = vr_table_new(r, SECTION, "Test accuracy (10000 Fashion-MNIST test images)", 7, h1);
    for (size_t c = 0; c < N_CONFIGS && t; c++) {
        char a[32], b[32], q[32], d[32], rec[48];
        snprintf(a, sizeof a, "%.2f%%", 100 * fp32_acc);
        snprintf(b, sizeof b, "%.2f%%", 100 * res[c].ptq_acc);
        snprintf(q, sizeof q, "%.2f%%", 100 * res[c].qat_acc);
        snprintf(d, sizeof d, "%.2f%%", 100 * res[c].degradation);
        if (isnan(res[c].recovery))
            snprintf(rec, sizeof rec, "N/A (PTQ lost nothing)");
        else
            snprintf(rec, sizeof rec, "%.1f%%", 100 * res[c].recovery);
        const char *row[] = {configs[c].name, a, b, q, d, rec, res[c].kernel};
        vr_table_add_row(t, row);
    }
    static const char *const h2[] = {"layout", "layer", "shape (out×in)", "zero weights after QAT"};
    vr_table *s = vr_table_new(r, SECTION, "Ternary layer sparsity after QAT (absmean, per-tensor γ)", 4, h2);
    for (size_t c = 0; c < N_CONFIGS && s; c++)
        for (size_t l = 0; l < N_LAYERS; l++) {
            if (res[c].sparsity[l] < 0)
                continue;
            char layer[16], shape[32], z[32];
            snprintf(layer, sizeof layer, "%zu", l + 1);
            snprintf(shape, sizeof shape, "%zux%zu", fp32->layer[l].out, fp32->layer[l].in);
            snprintf(z, sizeof z, "%.1f%%", 100 * res[c].sparsity[l]);
            const char *row[] = {configs[c].name, layer, shape, z};
            vr_table_add_row(s, row);
        }
}

static void add_plot(vr_report *r, const acc_plan *p, const tb_epoch_stat *fp32_curve, const config_result *res)
{
    const char *const names[2] = {configs[0].name, configs[1].name};
    const double ptq[2] = {res[0].ptq_acc, res[1].ptq_acc};
    const tb_epoch_stat *const qat[2] = {res[0].curve, res[1].curve};
    accuracy_add_plots(r, p == &quick_plan, names, p->fp32_epochs, fp32_curve, p->qat_epochs, ptq, qat);
}

/* One thread unless asked: on a shared machine the OpenMP barriers of a second thread cost more than
 * they gain (results are the same on any thread count). */
static int section_threads(const vr_options *o) { return o->threads > 0 ? o->threads : 1; }

int vr_section_accuracy(vr_report *r, const vr_options *o)
{
    const acc_plan *p = o->quick ? &quick_plan : &full_plan;
    const char *dir = tb_fashion_dir();
    char why[1024];
    tb_dataset train, test;
    if (tb_fashion_available(dir, why, sizeof why) != 0) {
        all_na(r, why);
        return 0;
    }
    if (tb_fashion_load(dir, &train, &test, why, sizeof why) != 0) {
        fprintf(stderr, "accuracy: %s\n", why);
        all_na(r, why);
        return 0;
    }
    const int threads = section_threads(o);
    const double t_start = tb_clock_seconds();
    static const size_t sizes[N_LAYERS + 1] = {784, 512, 256, 10};
    tb_layer_kind kinds[N_LAYERS];
    tb_mlp_kinds(N_LAYERS, false, true, kinds); /* kinds only matter once quantized */
    tb_mlp fp32;
    tb_epoch_stat fp32_curve[MAX_EPOCHS];
    config_result res[N_CONFIGS];
    memset(res, 0, sizeof res);
    double fp32_acc = 0, fp32_loss = 0;
    int rc = tb_mlp_init(&fp32, sizes, N_LAYERS, kinds, o->seed);
    const tb_train_opts fo = train_opts(p, false, threads, o->seed);
    if (rc == 0 && tb_train(&fp32, &train, &test, &fo, fp32_curve, why, sizeof why) != 0) {
        fprintf(stderr, "accuracy: FP32 training: %s\n", why);
        rc = -1;
    }
    if (rc == 0 && tb_evaluate(&fp32, &test, 0, false, threads, &fp32_acc, &fp32_loss, NULL) != 0) {
        fprintf(stderr, "accuracy: FP32 evaluation failed\n");
        rc = -1;
    }
    const double t_fp32 = tb_clock_seconds() - t_start;
    for (size_t c = 0; c < N_CONFIGS && rc == 0; c++)
        rc = run_config(&fp32, &configs[c], &train, &test, p, threads, o->seed, fp32_acc, &res[c]);
    if (rc == 0) {
        for (size_t c = 0; c < N_CONFIGS; c++)
            add_checks(r, &configs[c], &res[c], fp32_acc, p);
        add_tables(r, &fp32, fp32_acc, res);
        add_plot(r, p, fp32_curve, res);
        const double last = fp32_curve[p->fp32_epochs - 1].test_acc;
        const double before = p->fp32_epochs > 1 ? fp32_curve[p->fp32_epochs - 2].test_acc : NAN;
        vr_note(r, SECTION,
                "Run: %s. MLP 784→512→256→10 (ReLU), softmax cross-entropy, AdamW (weight decay %g), batch %zu, "
                "cosine learning rate %g→%g (FP32, %zu epochs) and %g→%g (QAT, %zu epochs), seed %llu, %d thread(s), "
                "%zu training images, 10000 test images, FP32 products: %s. FP32 test accuracy %.2f%% after the last epoch, %.2f%% "
                "after the one before (%s).",
                p->label, p->weight_decay, p->batch, p->fp32_lr, p->lr_final, p->fp32_epochs, p->qat_lr, p->lr_final,
                p->qat_epochs, o->seed, threads, p->max_train ? p->max_train : train.n, tb_train_gemm_backend(),
                100 * last, 100 * before,
                fabs(last - before) < 0.005 ? "converged: the cosine schedule has annealed and the last epoch changed "
                                              "test accuracy by under 0.5 points"
                                            : "NOT converged: still moving, as a quick run is");
        vr_note(r, SECTION,
                "BitLinear: per-tensor absmean γ, ternary weights, per-token int8 activations. PTQ quantizes the "
                "trained FP32 weights as they are; QAT fine-tunes from them with the straight-through estimator "
                "(dX = dY·Wq·γ, dW = dYᵀ·X on the FP32 shadow weights, db = Σ dY). PTQ and QAT accuracies come from "
                "the real packed kernels (trit_pack → trit_bitlinear_forward, %s); the T5 format gives %.2f%% / "
                "%.2f%% for the QAT models (same ternary weights, so equal to I2). Relative degradation = "
                "(FP32 − QAT) / FP32; recovered = (QAT − PTQ) / (FP32 − PTQ).",
                res[0].kernel, 100 * res[0].qat_acc_t5, 100 * res[1].qat_acc_t5);
        vr_note(r, SECTION, "Wall time: FP32 training %.1f s, layout 1 PTQ+QAT %.1f s, layout 2 PTQ+QAT %.1f s.",
                t_fp32, res[0].seconds, res[1].seconds);
        vr_metric(r, SECTION, "fp32_accuracy", fp32_acc);
        for (size_t c = 0; c < N_CONFIGS; c++) {
            char key[64];
            static const char *const tag[N_CONFIGS] = {"hidden_ternary", "input_hidden_ternary"};
            snprintf(key, sizeof key, "%s.ptq_accuracy", tag[c]);
            vr_metric(r, SECTION, key, res[c].ptq_acc);
            snprintf(key, sizeof key, "%s.qat_accuracy", tag[c]);
            vr_metric(r, SECTION, key, res[c].qat_acc);
            snprintf(key, sizeof key, "%s.relative_degradation", tag[c]);
            vr_metric(r, SECTION, key, res[c].degradation);
            if (!isnan(res[c].recovery)) {
                snprintf(key, sizeof key, "%s.qat_recovery", tag[c]);
                vr_metric(r, SECTION, key, res[c].recovery);
            }
        }
        vr_metric(r, SECTION, "seconds", tb_clock_seconds() - t_start);
        vr_metric(r, SECTION, "quick", o->quick ? 1.0 : 0.0);
    }
    tb_mlp_free(&fp32);
    tb_dataset_free(&train);
    tb_dataset_free(&test);
    return rc;
}

static int accuracy_judge(vr_report *r, const vr_options *o, const tb_results *records)
{
    (void)records; /* the accuracy numbers are no timings: the trainer computes them here */
    return vr_section_accuracy(r, o);
}

static const char *const accuracy_targets[] = {"accuracy_degradation", "qat_recovery", NULL};

const vr_section vr_accuracy_section = {
    .name = "accuracy",
    .description = "Fashion-MNIST MLP: FP32, post-training ternary (PTQ) and QAT, on the packed kernels",
    .targets = accuracy_targets,
    .judge = accuracy_judge,
};
