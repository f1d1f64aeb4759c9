/* dataset.c — Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX, gzip) into tb_dataset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tritbench/idx.h"
#include "tritbench/train.h"

#define FASHION_MEAN 0.2860f
#define FASHION_STD 0.3530f

static const char *const fashion_files[4] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz"};

const char *tb_fashion_dir(void)
{
    const char *d = getenv("TRITBENCH_FASHION_MNIST");
    return d && *d ? d : TB_FASHION_DEFAULT_DIR;
}

int tb_fashion_available(const char *dir, char *why, size_t why_len)
{
    for (int i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, fashion_files[i]);
        if (access(path, R_OK) != 0) {
            snprintf(why, why_len, "Fashion-MNIST not found: %s is missing or unreadable (install Debian's "
                     "dataset-fashion-mnist or set TRITBENCH_FASHION_MNIST)", path);
            return -1;
        }
    }
    return 0;
}

int tb_dataset_from_idx(const uint8_t *pixels, size_t n, size_t dim, const uint8_t *labels, size_t n_labels,
                        size_t n_classes, tb_dataset *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (n != n_labels) {
        snprintf(err, err_len, "%zu images but %zu labels", n, n_labels);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= n_classes) {
            snprintf(err, err_len, "label %u of sample %zu is out of range (%zu classes)", labels[i], i, n_classes);
            return -1;
        }
    out->pixels = malloc(n * dim);
    out->labels = malloc(n);
    if (!out->pixels || !out->labels) {
        tb_dataset_free(out);
        snprintf(err, err_len, "out of memory for %zu samples", n);
        return -1;
    }
    memcpy(out->pixels, pixels, n * dim);
    memcpy(out->labels, labels, n);
    out->n = n;
    out->dim = dim;
    out->n_classes = n_classes;
    return 0;
}

static int load_split(const char *dir, const char *images, const char *labels, tb_dataset *out, char *err,
                      size_t err_len)
{
    char ipath[4096], lpath[4096], why[512];
    snprintf(ipath, sizeof ipath, "%s/%s", dir, images);
    snprintf(lpath, sizeof lpath, "%s/%s", dir, labels);
    tb_idx im, lb;
    if (tb_idx_read(ipath, 3, &im, err, err_len) != 0)
        return -1;
    if (tb_idx_read(lpath, 1, &lb, err, err_len) != 0) {
        tb_idx_free(&im);
        return -1;
    }
    int rc = 0;
    if (im.dims[1] != 28 || im.dims[2] != 28) {
        snprintf(err, err_len, "%s: images are %zux%zu, expected 28x28", ipath, im.dims[1], im.dims[2]);
        rc = -1;
    } else if (tb_dataset_from_idx(im.data, im.dims[0], 784, lb.data, lb.dims[0], 10, out, why, sizeof why) != 0) {
        snprintf(err, err_len, "%s / %s: %s", ipath, lpath, why);
        rc = -1;
    }
    tb_idx_free(&im);
    tb_idx_free(&lb);
    return rc;
}

int tb_fashion_load(const char *dir, tb_dataset *train, tb_dataset *test, char *err, size_t err_len)
{
    memset(test, 0, sizeof *test);
    if (load_split(dir, fashion_files[0], fashion_files[1], train, err, err_len) != 0)
        return -1;
    if (load_split(dir, fashion_files[2], fashion_files[3], test, err, err_len) != 0) {
        tb_dataset_free(train);
        return -1;
    }
    return 0;
}

void tb_dataset_free(tb_dataset *d)
{
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

void tb_dataset_batch(const tb_dataset *d, const size_t *idx, size_t n, float *x)
{
    const float scale = 1.0f / (255.0f * FASHION_STD), shift = FASHION_MEAN / FASHION_STD;
    for (size_t r = 0; r < n; r++) {
        const uint8_t *p = d->pixels + idx[r] * d->dim;
        for (size_t k = 0; k < d->dim; k++)
            x[r * d->dim + k] = (float)p[k] * scale - shift;
    }
}
