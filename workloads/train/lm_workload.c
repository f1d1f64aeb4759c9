/* lm_workload.c — the language-model sign-off workload end to end through the product: corpus → FP32
 * training (cached) → checkpoint → st_convert → held-out evaluation through the packed kernels (PTQ) →
 * QAT fine-tuning with the STE (cached) → st_convert → packed evaluation again; the metrics and curves. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tritbench/atomic_file.h"
#include "tritbench/kernels.h"
#include "tritbench/lm.h"
#include "tritbench/safetensors.h"

/* Full: 4 layers × 128 wide (2 heads of 64), FFN 256, context 128, 600 steps of 16 × 128 bytes (~1.2 M
 * training bytes, half an epoch) + 200 QAT steps. Measured first at the width 256: ~3 s a step on
 * this 2-core machine under the team's load (33 GFLOP a step), i.e. an hour for a useful run; width 128 is
 * ~4x cheaper a step (details in the README). Quick: a toy of the same shape family, seconds (a smoke
 * test, not a measurement). */
typedef struct workload_plan {
    tb_lm_config cfg;
    size_t steps, qat_steps, batch, eval_bytes, curve_every;
    double lr, lr_final, qat_lr, qat_lr_final;
} workload_plan;

static const workload_plan full_plan = {{4, 128, 2, 256, 128, 1e-5f, 10000.0f}, 600, 200, 16, 65536, 50,
                                        3e-3, 1e-4, 1.5e-3, 5e-5};
static const workload_plan quick_plan = {{2, 64, 2, 128, 32, 1e-5f, 10000.0f}, 80, 40, 8, 4096, 20,
                                         3e-3, 3e-4, 1.5e-3, 1e-4};

static void say(const tb_lm_workload_opts *o, const char *fmt, ...)
{
    if (!o->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("lm: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int mkdir_p(const char *path, char *err, size_t err_len)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        const char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
            snprintf(err, err_len, "%s: cannot create the directory: %s", buf, strerror(errno));
            return -1;
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

static int cache_root(const tb_lm_workload_opts *o, char *out, size_t len, char *err, size_t err_len)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (o->cache_dir && *o->cache_dir)
        snprintf(out, len, "%s", o->cache_dir);
    else if (xdg && *xdg)
        snprintf(out, len, "%s/tritbench", xdg);
    else if (home && *home)
        snprintf(out, len, "%s/.cache/tritbench", home);
    else {
        snprintf(err, err_len, "no cache directory: set XDG_CACHE_HOME or HOME, or pass one");
        return -1;
    }
    return 0;
}

static uint64_t fnv1a_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* The training curve beside a cached checkpoint (curve.tsv in its key's directory), so a run that takes the
 * model from the cache still reports the curve it was trained with. Missing or unreadable: no points. */
static void curve_path(const char *model_path, char *out, size_t len)
{
    const char *slash = strrchr(model_path, '/');
    snprintf(out, len, "%.*s/curve.tsv", slash ? (int)(slash - model_path) : 1, slash ? model_path : ".");
}

static void save_curve(const char *model_path, const tb_lm_curve_point *c, size_t n)
{
    char path[4200], err[256], buf[TB_LM_MAX_CURVE * 80 + 1];
    size_t at = 0;
    for (size_t i = 0; i < n && at < sizeof buf; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%zu\t%.17g\t%.17g\n", c[i].step, c[i].train_bpb,
                               c[i].test_bpb);
    curve_path(model_path, path, sizeof path);
    if (at < sizeof buf)
        (void)tb_atomic_write(path, buf, at, err, sizeof err); /* best effort: the curve is not the model */
}

static size_t load_curve(const char *model_path, tb_lm_curve_point *c, size_t max)
{
    char path[4200];
    curve_path(model_path, path, sizeof path);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    while (f && n < max && fscanf(f, "%zu %lf %lf", &c[n].step, &c[n].train_bpb, &c[n].test_bpb) == 3)
        n++;
    if (f)
        fclose(f);
    return n;
}

/* The model under `key` from the cache, or trained here (from `start`'s weights, else from the seed) and
 * saved there atomically. */
static int cached_or_trained(const tb_lm_workload_opts *o, const char *path, const char *key, const tb_lm *start,
                             const tb_lm_config *cfg, const tb_lm_corpus *c, const tb_lm_train_opts *to, tb_lm *m,
                             tb_lm_curve_point *curve, size_t *n_curve, bool *cached, char *err, size_t err_len)
{
    *cached = false;
    *n_curve = 0;
    struct stat sb;
    if (!o->no_cache && stat(path, &sb) == 0) {
        const int rc = tb_lm_load(m, path, key, err, err_len);
        if (rc == 0) {
            *cached = true;
            *n_curve = load_curve(path, curve, TB_LM_MAX_CURVE);
            say(o, "cached: %s", path);
            return 0;
        }
        say(o, rc < 0 ? "not using the unreadable cache entry %s (%s)" : "cache entry %s has another key: training anew",
            path, err);
    }
    if (start ? tb_lm_clone(m, start) != 0 : tb_lm_init(m, cfg, o->seed) != 0) {
        snprintf(err, err_len, "out of memory for the model");
        return -1;
    }
    say(o, "training %s: %zu steps of %zu x %zu bytes, %d thread(s)", to->quantize ? "QAT" : "FP32", to->steps,
        to->batch, to->seq, to->threads);
    if (tb_lm_train(m, c->train, c->n_train, to, curve, TB_LM_MAX_CURVE, n_curve, err, err_len) != 0 ||
        tb_lm_save(m, path, key, err, err_len) != 0) {
        tb_lm_free(m);
        return -1;
    }
    save_curve(path, curve, *n_curve);
    for (size_t i = 0; i < *n_curve; i++)
        say(o, "  step %5zu  train %.4f bpb  held-out %.4f bpb", curve[i].step, curve[i].train_bpb, curve[i].test_bpb);
    return 0;
}

/* in → out with the product's converter (layout from the config.json beside in, default excludes), then
 * the packed weights loaded into m. */
static int convert_and_load(const char *in, const char *out, tb_lm *m, char *err, size_t err_len)
{
    st_convert_opts co = {.in_path = in, .out_path = out, .format = TRIT_FMT_I2, .granularity = TRIT_SCALE_TENSOR,
                          .layout_excludes = true};
    st_convert_stats st;
    if (st_convert(&co, &st, NULL, NULL, err, err_len) != 0)
        return -1;
    if (st.n_quantized != TB_LM_N_LINEAR * m->cfg.n_layers) {
        snprintf(err, err_len, "%s: convert quantized %zu tensors, the model has %zu projections", in, st.n_quantized,
                 (size_t)TB_LM_N_LINEAR * m->cfg.n_layers);
        return -1;
    }
    return tb_lm_load_packed(m, out, err, err_len);
}

static void dir_of(const char *root, const char *key, char *dir, size_t len)
{
    snprintf(dir, len, "%s/lm-%016llx", root, (unsigned long long)fnv1a_str(key));
}

int tb_lm_workload_run(const tb_lm_workload_opts *o, tb_lm_workload_result *r, char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    workload_plan p = o->quick ? quick_plan : full_plan;
    if (o->n_layers)
        p.cfg.n_layers = o->n_layers;
    if (o->dim) {
        p.cfg.dim = o->dim;
        p.cfg.ffn = 2 * o->dim;
        p.cfg.n_heads = o->dim >= 256 ? 4 : 2;
    }
    if (o->steps)
        p.steps = o->steps;
    if (o->qat_steps)
        p.qat_steps = o->qat_steps;
    const int threads = o->threads > 0 ? o->threads : 1;
    if (tb_lm_config_check(&p.cfg, err, err_len) != 0)
        return -1;
    char root[2048];
    if (cache_root(o, root, sizeof root, err, err_len) != 0 || mkdir_p(root, err, err_len) != 0)
        return -1;
    tb_lm_corpus c;
    if (tb_lm_corpus_load(o->corpus_dir ? o->corpus_dir : tb_lm_corpus_dir(), 10, o->quick ? 1 : 2000000, &c, err,
                          err_len) != 0)
        return -1;
    r->cfg = p.cfg;
    r->n_params = tb_lm_n_params(&p.cfg);
    r->steps = p.steps;
    r->qat_steps = p.qat_steps;
    r->batch = p.batch;
    r->seq = p.cfg.ctx;
    r->corpus_hash = c.hash;
    r->train_bytes = c.n_train;
    r->test_bytes = c.n_test;
    r->train_docs = c.docs_train;
    r->test_docs = c.docs_test;
    r->eval_bytes = p.eval_bytes < c.n_test ? p.eval_bytes : c.n_test;
    say(o, "corpus %016llx: %zu train bytes (%zu docs), %zu held-out bytes (%zu docs); model %zu params",
        (unsigned long long)c.hash, c.n_train, c.docs_train, c.n_test, c.docs_test, r->n_params);

    /* Everything that decides the trained weights is in the key: a change trains anew, never mixes. */
    snprintf(r->key, sizeof r->key, "%s seed=%llu corpus=%016llx cfg=%zux%zux%zux%zux%zu steps=%zu batch=%zu lr=%g",
             TB_LM_CODE_VERSION, (unsigned long long)o->seed, (unsigned long long)c.hash, p.cfg.n_layers, p.cfg.dim,
             p.cfg.n_heads, p.cfg.ffn, p.cfg.ctx, p.steps, p.batch, p.lr);
    char qkey[256], dir[2560], qdir[2560];
    snprintf(qkey, sizeof qkey, "%s qat_steps=%zu qat_lr=%g", r->key, p.qat_steps, p.qat_lr);
    dir_of(root, r->key, dir, sizeof dir);
    dir_of(root, qkey, qdir, sizeof qdir);
    snprintf(r->fp32_path, sizeof r->fp32_path, "%s/model.safetensors", dir);
    snprintf(r->ptq_path, sizeof r->ptq_path, "%s/model-i2.safetensors", dir);
    snprintf(r->qat_path, sizeof r->qat_path, "%s/model.safetensors", qdir);
    snprintf(r->qat_packed_path, sizeof r->qat_packed_path, "%s/model-i2.safetensors", qdir);

    tb_lm fp32 = {0}, qat = {0}, more = {0};
    int rc = -1;
    const tb_lm_train_opts fo = {.steps = p.steps, .batch = p.batch, .seq = p.cfg.ctx, .lr = p.lr,
                                 .lr_final = p.lr_final, .weight_decay = 0.05, .warmup_frac = 0.05, .seed = o->seed,
                                 .quantize = false, .threads = threads, .curve_every = p.curve_every,
                                 .eval_data = c.test, .eval_n = c.n_test, .eval_bytes = p.eval_bytes / 4, .clip = 1.0};
    tb_lm_train_opts qo = fo;
    qo.steps = p.qat_steps;
    qo.lr = p.qat_lr;
    qo.lr_final = p.qat_lr_final;
    qo.quantize = true;
    qo.seed = o->seed + 1;
    qo.curve_every = p.curve_every / 2 ? p.curve_every / 2 : 1;
    char kname[128];
    const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMM, TRIT_FMT_I2, err, err_len);
    if (!k)
        goto done;
    trit_kernel_name(k, kname, sizeof kname);
    snprintf(r->kernel, sizeof r->kernel, "%s", kname);
    if (mkdir_p(dir, err, err_len) != 0 || mkdir_p(qdir, err, err_len) != 0)
        goto done;
    if (cached_or_trained(o, r->fp32_path, r->key, NULL, &p.cfg, &c, &fo, &fp32, r->curve, &r->n_curve,
                          &r->fp32_cached, err, err_len) != 0)
        goto done;
    say(o, "convert %s -> %s", r->fp32_path, r->ptq_path);
    if (convert_and_load(r->fp32_path, r->ptq_path, &fp32, err, err_len) != 0 ||
        tb_lm_evaluate(&fp32, TB_LM_FP32, c.test, c.n_test, p.cfg.ctx, p.eval_bytes, threads, &r->fp32, err,
                       err_len) != 0 ||
        tb_lm_evaluate(&fp32, TB_LM_PACKED, c.test, c.n_test, p.cfg.ctx, p.eval_bytes, threads, &r->ptq, err,
                       err_len) != 0)
        goto done;
    say(o, "held-out: FP32 %.4f bpb, PTQ (packed %s) %.4f bpb", r->fp32.bpb, r->kernel, r->ptq.bpb);
    if (cached_or_trained(o, r->qat_path, qkey, &fp32, &p.cfg, &c, &qo, &qat, r->qat_curve, &r->n_qat_curve,
                          &r->qat_cached, err, err_len) != 0)
        goto done;
    say(o, "convert %s -> %s", r->qat_path, r->qat_packed_path);
    if (convert_and_load(r->qat_path, r->qat_packed_path, &qat, err, err_len) != 0 ||
        tb_lm_evaluate(&qat, TB_LM_PACKED, c.test, c.n_test, p.cfg.ctx, p.eval_bytes, threads, &r->qat, err,
                       err_len) != 0)
        goto done;
    /* The control: the same fine-tuning without quantization, from the same FP32 weights. */
    tb_lm_train_opts mo = qo;
    mo.quantize = false;
    char mkey[300], mdir[2560], mpath[2700];
    snprintf(mkey, sizeof mkey, "%s fp32_more", qkey);
    dir_of(root, mkey, mdir, sizeof mdir);
    snprintf(mpath, sizeof mpath, "%s/model.safetensors", mdir);
    tb_lm_curve_point mcurve[TB_LM_MAX_CURVE];
    size_t n_mcurve;
    if (mkdir_p(mdir, err, err_len) != 0 ||
        cached_or_trained(o, mpath, mkey, &fp32, &p.cfg, &c, &mo, &more, mcurve, &n_mcurve, &r->fp32_more_cached, err,
                          err_len) != 0 ||
        tb_lm_evaluate(&more, TB_LM_FP32, c.test, c.n_test, p.cfg.ctx, p.eval_bytes, threads, &r->fp32_more, err,
                       err_len) != 0)
        goto done;
    r->degradation_same_steps = r->qat.bpb / r->fp32_more.bpb - 1.0;
    say(o, "held-out: FP32 trained the same extra steps %.4f bpb; QAT vs it %+.1f %%", r->fp32_more.bpb,
        100.0 * r->degradation_same_steps);
    r->degradation = r->qat.bpb / r->fp32.bpb - 1.0;
    r->recovery = r->ptq.bpb > r->fp32.bpb ? (r->ptq.bpb - r->qat.bpb) / (r->ptq.bpb - r->fp32.bpb) : NAN;
    say(o, "held-out: QAT (packed) %.4f bpb; degradation %+.1f %%, recovery %.0f %%", r->qat.bpb,
        100.0 * r->degradation, 100.0 * r->recovery);
    rc = 0;
done:
    tb_lm_free(&fp32);
    tb_lm_free(&qat);
    tb_lm_free(&more);
    tb_lm_corpus_free(&c);
    return rc;
}

static json_t *eval_json(const tb_lm_eval *e)
{
    return json_pack("{s:f, s:f, s:f, s:f, s:I}", "loss_nats", e->loss, "bpb", e->bpb, "perplexity", e->ppl, "top1",
                     e->top1, "tokens", (json_int_t)e->n_tokens);
}

static json_t *curve_json(const tb_lm_curve_point *c, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:f, s:o}", "step", (json_int_t)c[i].step, "train_bpb",
                                           c[i].train_bpb, "test_bpb",
                                           isnan(c[i].test_bpb) ? json_null() : json_real(c[i].test_bpb)));
    return a;
}

char *tb_lm_workload_json(const tb_lm_workload_result *r)
{
    json_t *j = json_pack(
        "{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:{s:s, s:I, s:I, s:I, s:I}, s:I, s:b, s:b, s:s, "
        "s:o, s:o, s:o, s:o, s:f, s:f, s:o, s:o, s:o}",
        "key", r->key, "config", "layers", (json_int_t)r->cfg.n_layers, "dim", (json_int_t)r->cfg.dim, "heads",
        (json_int_t)r->cfg.n_heads, "ffn", (json_int_t)r->cfg.ffn, "ctx", (json_int_t)r->cfg.ctx, "params",
        (json_int_t)r->n_params, "steps", (json_int_t)r->steps, "qat_steps", (json_int_t)r->qat_steps, "batch",
        (json_int_t)r->batch, "corpus", "hash", "", "train_bytes", (json_int_t)r->train_bytes, "test_bytes",
        (json_int_t)r->test_bytes, "train_docs", (json_int_t)r->train_docs, "test_docs", (json_int_t)r->test_docs,
        "eval_bytes", (json_int_t)r->eval_bytes, "fp32_cached", r->fp32_cached, "qat_cached", r->qat_cached, "kernel",
        r->kernel, "fp32", eval_json(&r->fp32), "ptq", eval_json(&r->ptq), "qat", eval_json(&r->qat), "fp32_same_extra_steps",
        eval_json(&r->fp32_more), "degradation", r->degradation, "degradation_vs_same_steps",
        r->degradation_same_steps, "recovery", isnan(r->recovery) ? json_null() : json_real(r->recovery), "curve",
        curve_json(r->curve, r->n_curve), "qat_curve", curve_json(r->qat_curve, r->n_qat_curve));
    if (!j)
        return NULL;
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)r->corpus_hash);
    json_object_set_new(json_object_get(j, "corpus"), "hash", json_string(hash));
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return text;
}
