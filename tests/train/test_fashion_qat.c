/* test_fashion_qat.c — on the real Fashion-MNIST (exit 77 when the package is absent): a short FP32 run
 * then a short QAT run learn (test accuracy well above chance), and the QAT model through the packed
 * kernels predicts exactly what its fake-quantized evaluation predicts on the first 2000 test images. */
#include "packed_compare.h"

int main(void)
{
    char why[1024];
    const char *dir = tb_fashion_dir();
    if (tb_fashion_available(dir, why, sizeof why) != 0) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    tb_dataset train, test;
    REQUIRE(tb_fashion_load(dir, &train, &test, why, sizeof why) == 0);
    CHECK(train.n == 60000 && test.n == 10000 && train.dim == 784 && train.n_classes == 10);
    const size_t sizes[4] = {784, 512, 256, 10};
    tb_layer_kind kinds[3];
    tb_mlp_kinds(3, false, true, kinds);
    tb_mlp m;
    REQUIRE(tb_mlp_init(&m, sizes, 3, kinds, 1) == 0);
    tb_train_opts o = {.epochs = 1, .batch = 128, .lr = 2e-3, .lr_final = 1e-4, .weight_decay = 1e-4,
                       .quantize = false, .seed = 2, .threads = 2, .max_train = 4000};
    REQUIRE(tb_train(&m, &train, NULL, &o, NULL, why, sizeof why) == 0);
    double acc, loss;
    REQUIRE(tb_evaluate(&m, &test, 0, false, 2, &acc, &loss, NULL) == 0);
    CHECKF(acc > 0.7, "FP32 test accuracy %.3f after 4000 samples", acc);
    o.quantize = true;
    o.lr = 5e-4;
    REQUIRE(tb_train(&m, &train, NULL, &o, NULL, why, sizeof why) == 0);
    REQUIRE(tb_evaluate(&m, &test, 0, true, 2, &acc, &loss, NULL) == 0);
    CHECKF(acc > 0.7, "QAT test accuracy %.3f", acc);
    CHECK(compare_packed_to_fake(&m, &test, 2000, 2) >= 2); /* 2000: the scalar variants are slow */
    tb_mlp_free(&m);
    tb_dataset_free(&train);
    tb_dataset_free(&test);
    return check_exit();
}
