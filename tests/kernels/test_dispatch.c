/* test_dispatch.c — run-time variant selection: the default pick, TRIT_ISA forcing a variant, an unknown
 * TRIT_ISA rejected with a message, and TRIT_CPU_MASK hiding features. meson runs this binary once per
 * environment (features are detected once per process); argv[1] says which behaviour to check.
 * Exits 77 (skip) when this machine cannot show the behaviour (e.g. no AVX-512 VNNI to force). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tritbench/cpu.h"
#include "tritbench/kernels.h"

enum { SKIP = 77 };

/* The selected kernel for every op × format, checked against `want` (NULL: only "must succeed"). */
static void expect_selected(const char *want)
{
    for (int op = 0; op < TRIT_OP_COUNT; op++)
        for (int f = 0; f < TRIT_FMT_COUNT; f++) {
            char err[256] = "";
            const trit_kernel *k = trit_kernel_select((trit_op)op, (trit_format)f, err, sizeof err);
            CHECKF(k != NULL, "%s/%s: select failed: %s", trit_op_name((trit_op)op),
                   trit_format_name((trit_format)f), err);
            if (!k)
                continue;
            char why[256];
            CHECKF(trit_kernel_runnable(k, why, sizeof why), "selected %s cannot run: %s", k->variant, why);
            CHECK(k->op == (trit_op)op && k->format == (trit_format)f);
            if (want)
                CHECKF(strcmp(k->variant, want) == 0, "selected %s, want %s", k->variant, want);
        }
}

/* Without TRIT_ISA the widest runnable CPU variant wins; on a VNNI machine that is avx512_vnni. */
static int check_default(void)
{
    const trit_kernel *vnni = trit_kernel_get(TRIT_OP_GEMV, TRIT_FMT_I2, "avx512_vnni");
    char why[256];
    if (vnni && trit_kernel_runnable(vnni, why, sizeof why))
        expect_selected("avx512_vnni");
    else
        expect_selected(NULL);
    /* Registry consistency: every entry is found by exact lookup and has a function. */
    size_t n;
    const trit_kernel *t = trit_kernels(&n);
    CHECK(n >= 4);
    for (size_t i = 0; i < n; i++) {
        CHECK(t[i].matmul != NULL && t[i].origin != NULL);
        CHECK(t[i].result == TRIT_RESULT_EXACT_INT32 || t[i].tolerance > 0.0);
        CHECKF(strcmp(t[i].variant, "avx2_vnni") != 0, "the never-built avx2_vnni is in the table");
        CHECK(trit_kernel_get(t[i].op, t[i].format, t[i].variant) == &t[i]);
        CHECK(trit_kernel_runnable(&t[i], why, sizeof why) || strlen(why) > 0);
    }
    return check_exit();
}

static int check_isa(const char *variant)
{
    const trit_kernel *k = trit_kernel_get(TRIT_OP_GEMV, TRIT_FMT_I2, variant);
    char why[256];
    if (!k) {
        printf("skip: variant %s is not compiled into this build\n", variant);
        return SKIP;
    }
    if (!trit_kernel_runnable(k, why, sizeof why)) {
        printf("skip: %s cannot run here: %s\n", variant, why);
        return SKIP;
    }
    expect_selected(variant);
    return check_exit();
}

static int check_nonsense(void)
{
    char err[256] = "";
    const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMV, TRIT_FMT_I2, err, sizeof err);
    CHECKF(k == NULL, "TRIT_ISA=nonsense selected %s", k ? k->variant : "");
    CHECKF(strstr(err, "nonsense") != NULL, "error does not name the bad value: '%s'", err);
    return check_exit();
}

/* TRIT_CPU_MASK=<feature>: the feature disappears, variants needing it are not runnable (and say the mask
 * hid it), and the default pick is one that does not need it. */
static int check_mask(const char *feature)
{
    uint32_t bit = 0;
    for (int b = 0; b < TRIT_CPU_FEATURE_COUNT; b++)
        if (strcmp(trit_cpu_feature_name(1u << b), feature) == 0)
            bit = 1u << b;
    REQUIRE(bit != 0);
    if (!(trit_cpu_features_detected() & bit)) {
        printf("skip: this CPU has no %s to hide\n", feature);
        return SKIP;
    }
    CHECK((trit_cpu_features() & bit) == 0);
    size_t n;
    const trit_kernel *t = trit_kernels(&n);
    int hidden = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].requires & bit) {
            char why[256];
            hidden++;
            CHECKF(!trit_kernel_runnable(&t[i], why, sizeof why), "%s runs although %s is masked", t[i].variant,
                   feature);
            CHECKF(strstr(why, "TRIT_CPU_MASK") != NULL, "reason does not mention the mask: '%s'", why);
        }
    }
    CHECK(hidden > 0);
    for (int op = 0; op < TRIT_OP_COUNT; op++)
        for (int f = 0; f < TRIT_FMT_COUNT; f++) {
            char err[256];
            const trit_kernel *k = trit_kernel_select((trit_op)op, (trit_format)f, err, sizeof err);
            CHECKF(k != NULL, "no kernel selected under the mask: %s", err);
            if (k)
                CHECKF(!(k->requires & bit), "selected %s needs the masked %s", k->variant, feature);
        }
    return check_exit();
}

/* TRIT_ISA names a variant whose feature the mask hides: selection must fail and say why. */
static int check_mask_forced(const char *variant)
{
    const trit_kernel *k = trit_kernel_get(TRIT_OP_GEMV, TRIT_FMT_I2, variant);
    if (!k || !(trit_cpu_features_detected() & TRIT_CPU_AVX512_VNNI)) {
        printf("skip: %s not compiled in or not on this CPU\n", variant);
        return SKIP;
    }
    char err[256] = "";
    CHECK(trit_kernel_select(TRIT_OP_GEMV, TRIT_FMT_I2, err, sizeof err) == NULL);
    CHECKF(strstr(err, variant) != NULL, "error does not name the variant: '%s'", err);
    return check_exit();
}

/* The pick is the runnable descriptor with the highest positive priority, for ternary and FP32 formats;
 * descriptors added at run time take part; priority 0 is never picked; a duplicate is refused. */
static const trit_kernel *best_by_priority(trit_op op, trit_format f)
{
    size_t n;
    const trit_kernel *t = trit_kernels(&n), *best = NULL;
    char why[256];
    for (size_t i = 0; i < n; i++)
        if (t[i].op == op && t[i].format == f && t[i].priority > 0 && trit_kernel_runnable(&t[i], why, sizeof why) &&
            (!best || t[i].priority > best->priority))
            best = &t[i];
    return best;
}

static void dummy_matmul(const trit_matmul_io *io, void *ws, size_t m_begin, size_t m_end)
{
    (void)io;
    (void)ws;
    (void)m_begin;
    (void)m_end;
}

static int check_priority(void)
{
    static const trit_format formats[] = {TRIT_FMT_I2, TRIT_FMT_T5, TRIT_FMT_FP32};
    char err[256] = "", why[256] = "";
    for (int op = 0; op < TRIT_OP_COUNT; op++)
        for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
            const trit_kernel *k = trit_kernel_select((trit_op)op, formats[f], err, sizeof err);
            CHECKF(k != NULL && k == best_by_priority((trit_op)op, formats[f]), "%s/%s: select is not the top priority",
                   trit_op_name((trit_op)op), trit_format_name(formats[f]));
            CHECKF(k == NULL || k->device == TRIT_DEVICE_CPU, "a device kernel was chosen implicitly");
        }
    const trit_kernel added[] = {
        {.op = TRIT_OP_GEMV, .format = TRIT_FMT_I2, .variant = "test_top", .origin = "test", .priority = 1000,
         .matmul = dummy_matmul},
        {.op = TRIT_OP_GEMM, .format = TRIT_FMT_I2, .variant = "test_by_name", .origin = "test", .priority = 0,
         .matmul = dummy_matmul},
    };
    CHECK(trit_kernels_add(added, 2, why, sizeof why) == 0);
    const trit_kernel *top = trit_kernel_select(TRIT_OP_GEMV, TRIT_FMT_I2, err, sizeof err);
    CHECKF(top && strcmp(top->variant, "test_top") == 0, "an added higher-priority descriptor was not chosen");
    const trit_kernel *gemm = trit_kernel_select(TRIT_OP_GEMM, TRIT_FMT_I2, err, sizeof err);
    CHECK(gemm && strcmp(gemm->variant, "test_by_name") != 0);
    CHECK(trit_kernel_get(TRIT_OP_GEMM, TRIT_FMT_I2, "test_by_name") != NULL);
    CHECK(trit_kernels_add(added, 1, why, sizeof why) == -1);
    CHECKF(strstr(why, "already") != NULL, "duplicate refused without saying so: '%s'", why);
    const trit_kernel nameless = {.op = TRIT_OP_GEMV, .format = TRIT_FMT_I2, .matmul = dummy_matmul};
    CHECK(trit_kernels_add(&nameless, 1, why, sizeof why) == -1);
    return check_exit();
}

/* TRIT_ISA=<name> also picks the FP32 baseline of that name when there is one (avx2), and leaves FP32's own
 * choice alone when there is none (avx512_vnni is a ternary-only name). */
static int check_isa_fp32(const char *variant)
{
    char err[256] = "";
    const trit_kernel *named = trit_kernel_get(TRIT_OP_GEMM, TRIT_FMT_FP32, variant);
    const trit_kernel *k = trit_kernel_select(TRIT_OP_GEMM, TRIT_FMT_FP32, err, sizeof err);
    char why[256];
    if (named && !trit_kernel_runnable(named, why, sizeof why)) {
        printf("skip: fp32 %s cannot run here\n", variant);
        return SKIP;
    }
    CHECKF(k != NULL, "fp32 select failed under TRIT_ISA=%s: %s", variant, err);
    if (k)
        CHECKF(k == (named ? named : best_by_priority(TRIT_OP_GEMM, TRIT_FMT_FP32)), "fp32 picked %s", k->variant);
    return check_exit();
}

/* TRIT_CPU_MASK with an unknown name warns once, however often features are asked for. */
static int check_mask_warn_once(void)
{
    FILE *tmp = tmpfile();
    REQUIRE(tmp);
    fflush(stderr);
    const int saved = dup(2);
    REQUIRE(saved >= 0 && dup2(fileno(tmp), 2) >= 0);
    for (int i = 0; i < 50; i++)
        (void)trit_cpu_features();
    size_t n;
    const trit_kernel *t = trit_kernels(&n);
    char why[256];
    for (size_t i = 0; i < n; i++)
        (void)trit_kernel_runnable(&t[i], why, sizeof why);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    char line[512];
    int warnings = 0;
    while (fgets(line, sizeof line, tmp))
        warnings += strstr(line, "TRIT_CPU_MASK") != NULL;
    fclose(tmp);
    CHECKF(warnings == 1, "%d TRIT_CPU_MASK warnings, want 1", warnings);
    return check_exit();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_dispatch default | isa VARIANT | nonsense | mask FEATURE | mask_forced VARIANT\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "default") == 0)
        return check_default();
    if (strcmp(mode, "nonsense") == 0)
        return check_nonsense();
    if (strcmp(mode, "priority") == 0)
        return check_priority();
    if (strcmp(mode, "mask_warn_once") == 0)
        return check_mask_warn_once();
    if (argc < 3) {
        fprintf(stderr, "test_dispatch: mode '%s' needs an argument\n", mode);
        return 2;
    }
    if (strcmp(mode, "isa") == 0)
        return check_isa(argv[2]);
    if (strcmp(mode, "mask") == 0)
        return check_mask(argv[2]);
    if (strcmp(mode, "mask_forced") == 0)
        return check_mask_forced(argv[2]);
    if (strcmp(mode, "isa_fp32") == 0)
        return check_isa_fp32(argv[2]);
    fprintf(stderr, "test_dispatch: unknown mode '%s'\n", mode);
    return 2;
}
