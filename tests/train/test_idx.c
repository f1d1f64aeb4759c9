/* test_idx.c — the IDX reader and the Fashion-MNIST loader on good and broken files written to a temp
 * dir: gzip and plain, truncated, wrong magic/type/dims, zero dims, trailing bytes, bad gzip, bad CRC,
 * missing files, labels out of range. Every error must name the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/check.h"
#include "tritbench/idx.h"
#include "tritbench/train.h"

static char dir[4096];

static void path_of(char *out, size_t len, const char *name) { snprintf(out, len, "%s/%s", dir, name); }

static void write_raw(const char *name, const void *data, size_t len)
{
    char p[4200];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    REQUIRE(f);
    REQUIRE(fwrite(data, 1, len, f) == len);
    REQUIRE(fclose(f) == 0);
}

static void write_gz(const char *name, const void *data, size_t len)
{
    char p[4200];
    path_of(p, sizeof p, name);
    gzFile g = gzopen(p, "wb");
    REQUIRE(g);
    REQUIRE(len == 0 || gzwrite(g, data, (unsigned)len) == (int)len);
    REQUIRE(gzclose(g) == Z_OK);
}

static size_t read_raw(const char *name, uint8_t *buf, size_t cap)
{
    char p[4200];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "rb");
    REQUIRE(f);
    const size_t n = fread(buf, 1, cap, f);
    REQUIRE(fclose(f) == 0);
    return n;
}

/* An IDX image file: n images of r × c bytes, header dims as given (may lie). */
static size_t make_images(uint8_t *buf, uint8_t type, uint8_t ndims, const uint32_t *dims, size_t payload)
{
    size_t o = 0;
    buf[o++] = 0;
    buf[o++] = 0;
    buf[o++] = type;
    buf[o++] = ndims;
    for (size_t i = 0; i < ndims; i++) {
        buf[o++] = (uint8_t)(dims[i] >> 24);
        buf[o++] = (uint8_t)(dims[i] >> 16);
        buf[o++] = (uint8_t)(dims[i] >> 8);
        buf[o++] = (uint8_t)dims[i];
    }
    for (size_t i = 0; i < payload; i++)
        buf[o++] = (uint8_t)(i * 37 + 11);
    return o;
}

/* Expects failure whose message names the file and contains `what`. */
static void expect_error(const char *name, size_t ndims, const char *what)
{
    char p[4200], err[1024] = "";
    path_of(p, sizeof p, name);
    tb_idx x;
    const int rc = tb_idx_read(p, ndims, &x, err, sizeof err);
    CHECKF(rc == -1, "%s: expected an error (%s), got success", name, what);
    CHECKF(strstr(err, p) != NULL, "%s: error does not name the file: '%s'", name, err);
    CHECKF(strstr(err, what) != NULL, "%s: error '%s' does not say '%s'", name, err, what);
    CHECK(x.data == NULL);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tb_idx_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    REQUIRE(mkdtemp(dir));
    uint8_t buf[8192];
    const uint32_t dims3[3] = {3, 4, 5};

    /* good, gzip and plain */
    size_t len = make_images(buf, 0x08, 3, dims3, 60);
    write_gz("good-images.gz", buf, len);
    write_raw("good-images", buf, len);
    for (int plain = 0; plain < 2; plain++) {
        char p[4200], err[512];
        path_of(p, sizeof p, plain ? "good-images" : "good-images.gz");
        tb_idx x;
        CHECKF(tb_idx_read(p, 3, &x, err, sizeof err) == 0, "%s", err);
        CHECK(x.ndims == 3 && x.dims[0] == 3 && x.dims[1] == 4 && x.dims[2] == 5 && x.count == 60);
        int same = x.data != NULL;
        for (size_t i = 0; same && i < 60; i++)
            same = x.data[i] == (uint8_t)(i * 37 + 11);
        CHECK(same);
        tb_idx_free(&x);
    }

    /* truncated payload (header says 60 bytes, 59 present) */
    len = make_images(buf, 0x08, 3, dims3, 59);
    write_gz("short-data.gz", buf, len);
    expect_error("short-data.gz", 3, "truncated");
    /* truncated header */
    write_gz("short-header.gz", buf, 9);
    expect_error("short-header.gz", 3, "truncated");
    write_gz("empty.gz", buf, 0);
    expect_error("empty.gz", 3, "truncated");
    /* trailing bytes: the header claims fewer images than the file holds */
    len = make_images(buf, 0x08, 3, dims3, 61);
    write_gz("long-data.gz", buf, len);
    expect_error("long-data.gz", 3, "trailing bytes");
    /* wrong magic, wrong type, wrong number of dims, zero dim, absurd dims */
    len = make_images(buf, 0x08, 3, dims3, 60);
    buf[0] = 0x1f;
    write_gz("magic.gz", buf, len);
    expect_error("magic.gz", 3, "wrong magic");
    len = make_images(buf, 0x0D, 3, dims3, 60);
    write_gz("type.gz", buf, len);
    expect_error("type.gz", 3, "element type");
    len = make_images(buf, 0x08, 3, dims3, 60);
    write_gz("ndims.gz", buf, len);
    expect_error("ndims.gz", 1, "dimensions, expected 1");
    const uint32_t zero[3] = {3, 0, 5};
    len = make_images(buf, 0x08, 3, zero, 0);
    write_gz("zero.gz", buf, len);
    expect_error("zero.gz", 3, "is zero");
    const uint32_t huge[3] = {0xFFFFFFFFu, 0xFFFFFFFFu, 28};
    len = make_images(buf, 0x08, 3, huge, 0);
    write_gz("huge.gz", buf, len);
    expect_error("huge.gz", 3, "more than");

    /* bad gzip: a .gz that is not gzip at all; damaged deflate data; damaged CRC trailer; cut stream */
    len = make_images(buf, 0x08, 3, dims3, 60);
    write_raw("notgzip.gz", buf, len);
    expect_error("notgzip.gz", 3, "not a gzip file");
    uint8_t gz[8192];
    const size_t gzlen = read_raw("good-images.gz", gz, sizeof gz);
    REQUIRE(gzlen > 30 && gzlen < sizeof gz);
    uint8_t bad[8192];
    memcpy(bad, gz, gzlen);
    for (size_t i = 10; i < gzlen - 8; i++)
        bad[i] = 0xFF; /* an invalid deflate stream after a valid gzip header */
    write_raw("deflate.gz", bad, gzlen);
    expect_error("deflate.gz", 3, "gzip");
    memcpy(bad, gz, gzlen);
    bad[gzlen - 6] ^= 0x5A; /* CRC32 of the trailer */
    write_raw("crc.gz", bad, gzlen);
    expect_error("crc.gz", 3, "gzip");
    write_raw("cut.gz", gz, gzlen / 2);
    expect_error("cut.gz", 3, "");
    {
        char p[4200], err[512];
        path_of(p, sizeof p, "cut.gz");
        tb_idx x;
        CHECK(tb_idx_read(p, 3, &x, err, sizeof err) == -1);
    }
    /* missing */
    expect_error("does-not-exist.gz", 3, "cannot open");

    /* Fashion-MNIST loader: missing files are named; a corrupt one is named; bad labels are caught. */
    {
        char why[1024], err[1024];
        CHECK(tb_fashion_available(dir, why, sizeof why) == -1);
        CHECKF(strstr(why, "train-images-idx3-ubyte.gz") != NULL, "%s", why);
        const uint32_t img[3] = {2, 28, 28}, lab[1] = {2};
        static uint8_t big[16 + 2 * 784];
        len = make_images(big, 0x08, 3, img, 2 * 784);
        write_gz("train-images-idx3-ubyte.gz", big, len);
        write_gz("t10k-images-idx3-ubyte.gz", big, len);
        len = make_images(buf, 0x08, 1, lab, 0);
        buf[len] = 3;
        buf[len + 1] = 9;
        write_gz("train-labels-idx1-ubyte.gz", buf, len + 2);
        CHECK(tb_fashion_available(dir, why, sizeof why) == -1);
        CHECKF(strstr(why, "t10k-labels-idx1-ubyte.gz") != NULL, "%s", why);
        buf[len + 1] = 10; /* out of range for 10 classes */
        write_gz("t10k-labels-idx1-ubyte.gz", buf, len + 2);
        CHECK(tb_fashion_available(dir, why, sizeof why) == 0);
        tb_dataset tr, te;
        CHECK(tb_fashion_load(dir, &tr, &te, err, sizeof err) == -1);
        CHECKF(strstr(err, "t10k-labels-idx1-ubyte.gz") && strstr(err, "out of range"), "%s", err);
        buf[len + 1] = 9;
        write_gz("t10k-labels-idx1-ubyte.gz", buf, len + 2);
        CHECKF(tb_fashion_load(dir, &tr, &te, err, sizeof err) == 0, "%s", err);
        CHECK(tr.n == 2 && te.n == 2 && tr.dim == 784 && tr.labels[1] == 9 && tr.pixels[5] == (uint8_t)(5 * 37 + 11));
        tb_dataset_free(&tr);
        tb_dataset_free(&te);
        write_raw("train-images-idx3-ubyte.gz", big, 100); /* a damaged download */
        CHECK(tb_fashion_load(dir, &tr, &te, err, sizeof err) == -1);
        CHECKF(strstr(err, "train-images-idx3-ubyte.gz") != NULL, "%s", err);
    }

    /* clean up the temp dir */
    static const char *const names[] = {"good-images.gz", "good-images", "short-data.gz", "short-header.gz",
                                        "empty.gz", "long-data.gz", "magic.gz", "type.gz", "ndims.gz", "zero.gz",
                                        "huge.gz", "notgzip.gz", "deflate.gz", "crc.gz", "cut.gz",
                                        "train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                                        "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[4200];
        path_of(p, sizeof p, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return check_exit();
}
