/* test_train_loss.c — tiny training runs on a seeded synthetic set: FP32 and QAT loss must fall and the
 * model must learn; same seed → bit-identical weights, also with 2 threads instead of 1; another
 * shuffling seed → different weights. */
#include <math.h>
#include <string.h>

#include "synthetic.h"

static int same_weights(const tb_mlp *a, const tb_mlp *b)
{
    for (size_t l = 0; l < a->n_layers; l++) {
        const tb_linear *x = &a->layer[l], *y = &b->layer[l];
        if (memcmp(x->W, y->W, x->in * x->out * sizeof(float)) != 0 || memcmp(x->b, y->b, x->out * sizeof(float)) != 0)
            return 0;
    }
    return 1;
}

static void train_and_check_falls(bool quantize)
{
    tb_dataset d;
    synthetic_dataset(&d, 600, 64, 4, 7);
    const size_t sizes[4] = {64, 32, 16, 4};
    tb_layer_kind kinds[3];
    tb_mlp_kinds(3, false, true, kinds);
    tb_mlp m;
    REQUIRE(tb_mlp_init(&m, sizes, 3, kinds, 11) == 0);
    double acc0, loss0, acc1, loss1;
    REQUIRE(tb_evaluate(&m, &d, 0, quantize, 1, &acc0, &loss0, NULL) == 0);
    tb_train_opts o = {.epochs = 4, .batch = 32, .lr = 3e-3, .lr_final = 1e-4, .weight_decay = 1e-4,
                       .quantize = quantize, .seed = 5, .threads = 1};
    tb_epoch_stat curve[4];
    char err[256];
    REQUIRE(tb_train(&m, &d, &d, &o, curve, err, sizeof err) == 0);
    REQUIRE(tb_evaluate(&m, &d, 0, quantize, 1, &acc1, &loss1, NULL) == 0);
    CHECKF(loss1 < 0.5 * loss0, "%s: loss %.4f → %.4f did not fall by half", quantize ? "QAT" : "FP32", loss0, loss1);
    CHECKF(curve[3].train_loss < curve[0].train_loss, "%s: epoch loss %.4f → %.4f", quantize ? "QAT" : "FP32",
           curve[0].train_loss, curve[3].train_loss);
    CHECKF(acc1 > 0.9 && acc1 > acc0, "%s: accuracy %.3f → %.3f", quantize ? "QAT" : "FP32", acc0, acc1);
    CHECK(fabs(curve[3].test_acc - acc1) < 1e-12); /* the curve's last point is the final model */
    tb_mlp_free(&m);
    tb_dataset_free(&d);
}

static void train_once(tb_mlp *m, const tb_dataset *d, int threads, uint64_t shuffle_seed)
{
    const size_t sizes[4] = {784, 512, 256, 10};
    tb_layer_kind kinds[3];
    tb_mlp_kinds(3, false, true, kinds);
    REQUIRE(tb_mlp_init(m, sizes, 3, kinds, 3) == 0);
    char err[256];
    tb_train_opts f = {.epochs = 1, .batch = 128, .lr = 2e-3, .lr_final = 1e-4, .weight_decay = 1e-4,
                       .quantize = false, .seed = shuffle_seed, .threads = threads};
    REQUIRE(tb_train(m, d, NULL, &f, NULL, err, sizeof err) == 0);
    f.quantize = true;
    REQUIRE(tb_train(m, d, NULL, &f, NULL, err, sizeof err) == 0);
}

int main(void)
{
    train_and_check_falls(false);
    train_and_check_falls(true);

    /* Full-size layers so the GEMMs are big enough to be split across threads. */
    tb_dataset d;
    synthetic_dataset(&d, 384, 784, 10, 9);
    tb_mlp a, b, c, e;
    train_once(&a, &d, 1, 1);
    train_once(&b, &d, 1, 1);
    train_once(&c, &d, 2, 1);
    train_once(&e, &d, 1, 2);
    CHECKF(same_weights(&a, &b), "two identical single-thread runs gave different weights");
    CHECKF(same_weights(&a, &c), "2 threads gave different weights than 1 thread");
    CHECKF(!same_weights(&a, &e), "the shuffling seed has no effect");
    tb_mlp_free(&a);
    tb_mlp_free(&b);
    tb_mlp_free(&c);
    tb_mlp_free(&e);
    tb_dataset_free(&d);

    /* Bad arguments are refused, not crashed on. */
    tb_mlp m;
    const size_t sizes[4] = {64, 32, 16, 4};
    tb_layer_kind kinds[3];
    tb_mlp_kinds(3, true, true, kinds);
    CHECK(kinds[0] == TB_LAYER_FP32 && kinds[1] == TB_LAYER_BITLINEAR && kinds[2] == TB_LAYER_FP32);
    REQUIRE(tb_mlp_init(&m, sizes, 3, kinds, 1) == 0);
    tb_dataset wrong;
    synthetic_dataset(&wrong, 10, 32, 4, 1);
    char err[256];
    tb_train_opts o = {.epochs = 1, .batch = 8, .lr = 1e-3, .threads = 1};
    CHECK(tb_train(&m, &wrong, NULL, &o, NULL, err, sizeof err) == -1);
    tb_dataset_free(&wrong);
    tb_mlp_free(&m);
    return check_exit();
}
