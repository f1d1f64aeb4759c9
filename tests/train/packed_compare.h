/* packed_compare.h — evaluates a model with fake quantization and through every runnable packed GEMM
 * variant (forced with TRIT_ISA) of both formats, and checks identical predictions and logits within
 * 1e-5 relative. Shared by the synthetic and the Fashion-MNIST tests. */
#ifndef TB_TESTS_TRAIN_PACKED_COMPARE_H
#define TB_TESTS_TRAIN_PACKED_COMPARE_H

#include <math.h>
#include <stdlib.h>

#include "tests/check.h"
#include "tritbench/kernels.h"
#include "tritbench/train.h"

static size_t argmax(const float *z, size_t C)
{
    size_t a = 0;
    for (size_t j = 1; j < C; j++)
        a = z[j] > z[a] ? j : a;
    return a;
}

/* Returns the number of kernel variants compared. */
static size_t compare_packed_to_fake(const tb_mlp *m, const tb_dataset *d, size_t n, int threads)
{
    const size_t C = m->layer[m->n_layers - 1].out;
    float *fake = malloc(n * C * sizeof(float)), *packed = malloc(n * C * sizeof(float));
    REQUIRE(fake && packed);
    double acc_f, loss_f;
    REQUIRE(tb_evaluate(m, d, n, true, threads, &acc_f, &loss_f, fake) == 0);
    size_t count, compared = 0;
    const trit_kernel *ks = trit_kernels(&count);
    for (size_t i = 0; i < count; i++) {
        char why[256], name[64], err[512];
        if (ks[i].op != TRIT_OP_GEMM || !trit_format_is_ternary(ks[i].format) ||
            !trit_kernel_runnable(&ks[i], why, sizeof why))
            continue;
        REQUIRE(setenv("TRIT_ISA", ks[i].variant, 1) == 0);
        double acc_p, loss_p;
        const int rc = tb_evaluate_packed(m, d, n, ks[i].format, threads, &acc_p, &loss_p, packed, name, sizeof name,
                                          err, sizeof err);
        CHECKF(rc == 0, "%s: %s", ks[i].variant, err);
        if (rc != 0)
            continue;
        compared++;
        size_t bad_logits = 0, bad_pred = 0;
        double worst = 0;
        for (size_t s = 0; s < n; s++) {
            bad_pred += argmax(fake + s * C, C) != argmax(packed + s * C, C);
            for (size_t j = 0; j < C; j++) {
                const double a = fake[s * C + j], b = packed[s * C + j], diff = fabs(a - b);
                const double rel = diff / (fabs(a) > 1e-30 ? fabs(a) : 1e-30);
                worst = rel > worst && diff > 0 ? rel : worst;
                bad_logits += diff > 1e-5 * fabs(a);
            }
        }
        CHECKF(bad_pred == 0, "%s: %zu of %zu predictions differ", name, bad_pred, n);
        CHECKF(bad_logits == 0, "%s: %zu logits differ by more than 1e-5 relative (worst %g)", name, bad_logits, worst);
        CHECKF(acc_p == acc_f && fabs(loss_p - loss_f) <= 1e-6 * loss_f, "%s: accuracy %g vs %g, loss %g vs %g", name,
               acc_p, acc_f, loss_p, loss_f);
    }
    REQUIRE(unsetenv("TRIT_ISA") == 0);
    free(fake);
    free(packed);
    return compared;
}

#endif
