/* test_dispatch.c — run-time variant selection: the default pick, TRIT_ISA forcing a variant, an unknown
 * TRIT_ISA rejected with a message, and TRIT_CPU_MASK hiding features. meson runs this binary once per
 * environment (features are detected once per process); argv[1] says which behaviour to check.
 * Exits 77 (skip) when this machine cannot show the behaviour (e.g. no AVX-512 VNNI to force). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        CHECK(t[i].fn != NULL);
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
    fprintf(stderr, "test_dispatch: unknown mode '%s'\n", mode);
    return 2;
}
