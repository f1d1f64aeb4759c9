/* test_packed_eval.c — a QAT-trained model (seeded synthetic data, full 784-512-256-10 shapes) evaluated
 * through every runnable packed kernel gives the same predictions as its fake-quantized evaluation, with
 * logits within 1e-5 relative; and the packed path really depends on the weights (a perturbed copy
 * changes its logits). */
#include <string.h>

#include "packed_compare.h"
#include "synthetic.h"

int main(void)
{
    tb_dataset d;
    synthetic_dataset(&d, 512, 784, 10, 21);
    const size_t sizes[4] = {784, 512, 256, 10};
    for (int layout = 0; layout < 3; layout++) {
        tb_layer_kind kinds[3];
        tb_mlp_kinds(3, layout == 0, layout != 2, kinds);
        tb_mlp m;
        REQUIRE(tb_mlp_init(&m, sizes, 3, kinds, 100 + (uint64_t)layout) == 0);
        char err[256];
        tb_train_opts o = {.epochs = 1, .batch = 64, .lr = 1e-3, .lr_final = 1e-4, .weight_decay = 1e-4,
                           .quantize = true, .seed = 4, .threads = 2};
        REQUIRE(tb_train(&m, &d, NULL, &o, NULL, err, sizeof err) == 0);
        const size_t n = compare_packed_to_fake(&m, &d, d.n, 2);
        CHECKF(n >= 2, "only %zu packed variants compared (the scalar I2 and T5 ones always run)", n);

        /* The comparison can fail: flipping one hidden-layer weight's sign changes the packed logits. */
        float *fake = malloc(d.n * 10 * sizeof(float)), *packed = malloc(d.n * 10 * sizeof(float));
        REQUIRE(fake && packed);
        double a, l;
        REQUIRE(tb_evaluate(&m, &d, 0, true, 1, &a, &l, fake) == 0);
        size_t big = 0;
        for (size_t i = 0; i < m.layer[1].in * m.layer[1].out; i++)
            big = m.layer[1].W[i] * m.layer[1].W[i] > m.layer[1].W[big] * m.layer[1].W[big] ? i : big;
        m.layer[1].W[big] = -m.layer[1].W[big];
        char name[64];
        REQUIRE(tb_evaluate_packed(&m, &d, 0, TRIT_FMT_I2, 1, &a, &l, packed, name, sizeof name, err, sizeof err) == 0);
        CHECK(memcmp(fake, packed, d.n * 10 * sizeof(float)) != 0);
        free(fake);
        free(packed);
        tb_mlp_free(&m);
    }
    tb_dataset_free(&d);
    return check_exit();
}
