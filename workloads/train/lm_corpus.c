/* lm_corpus.c — the language model's text: the fortune files of Debian's `fortunes` package, split into
 * documents (one fortune each) and into training / held-out sets by document, so no held-out byte was
 * ever seen inside a training window. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tritbench/lm.h"

#define MAX_FILE_BYTES (64u << 20) /* the largest fortune file is ~250 KB */

const char *tb_lm_corpus_dir(void)
{
    const char *e = getenv("TRITBENCH_LM_CORPUS");
    return e && *e ? e : TB_LM_CORPUS_DEFAULT_DIR;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Whole regular file (opened non-blocking: a FIFO in the directory cannot hang us). NULL (message). */
static uint8_t *read_file(const char *path, size_t *len, char *err, size_t err_len)
{
    const int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    struct stat sb;
    uint8_t *buf = NULL;
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > MAX_FILE_BYTES) {
        snprintf(err, err_len, "%s: not a regular file of at most %u MB", path, MAX_FILE_BYTES >> 20);
    } else if (!(buf = malloc((size_t)sb.st_size + 1))) {
        snprintf(err, err_len, "%s: out of memory", path);
    } else {
        size_t got = 0;
        ssize_t r = 1;
        while (got < (size_t)sb.st_size && (r = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
            got += (size_t)r;
        if (got != (size_t)sb.st_size) {
            snprintf(err, err_len, "%s: short read", path);
            free(buf);
            buf = NULL;
        }
        *len = got;
    }
    close(fd);
    return buf;
}

/* Appends a document (without its trailing blank lines) and a '\n' to one of the two splits. */
static void append_doc(tb_lm_corpus *c, const uint8_t *p, size_t n, size_t *doc_index, size_t test_every)
{
    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    if (n == 0)
        return;
    const bool test = test_every > 0 && (*doc_index)++ % test_every == test_every - 1;
    uint8_t *dst = test ? c->test + c->n_test : c->train + c->n_train;
    memcpy(dst, p, n);
    dst[n] = '\n';
    if (test) {
        c->n_test += n + 1;
        c->docs_test++;
    } else {
        c->n_train += n + 1;
        c->docs_train++;
    }
}

/* Fortune format: documents separated by lines holding a single '%'. */
static void split_docs(tb_lm_corpus *c, const uint8_t *buf, size_t len, size_t *doc_index, size_t test_every)
{
    size_t start = 0;
    for (size_t i = 0; i < len;) {
        const uint8_t *nl = memchr(buf + i, '\n', len - i);
        const size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        if (end - i >= 1 && buf[i] == '%' && (end - i == 1 || buf[i + 1] == '\n' || buf[i + 1] == '\r')) {
            append_doc(c, buf + start, i - start, doc_index, test_every);
            start = end;
        }
        i = end;
    }
    append_doc(c, buf + start, len - start, doc_index, test_every);
}

int tb_lm_corpus_load(const char *dir, size_t test_every, size_t min_bytes, tb_lm_corpus *c, char *err,
                      size_t err_len)
{
    memset(c, 0, sizeof *c);
    err[0] = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "%s: cannot open the corpus directory: %s (install the Debian package 'fortunes', "
                 "or point TRITBENCH_LM_CORPUS at a directory of fortune files)", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n_names = 0, cap = 0;
    int rc = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
            continue; /* hidden, *.dat (strfile indexes), *.u8 (symlinks to the same text) */
        if (n_names == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                goto out;
            names = grown;
        }
        if (!(names[n_names] = strdup(e->d_name)))
            goto out;
        n_names++;
    }
    qsort(names, n_names, sizeof *names, by_name);
    /* Two passes: sizes first (the splits never exceed the total), then the text. */
    uint8_t **bufs = calloc(n_names + 1, sizeof *bufs);
    size_t *lens = calloc(n_names + 1, sizeof *lens), total = 0;
    if (!bufs || !lens) {
        free(bufs);
        free(lens);
        snprintf(err, err_len, "%s: out of memory", dir);
        goto out;
    }
    uint64_t h = 1469598103934665603ull;
    bool ok = true;
    for (size_t i = 0; i < n_names && ok; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat sb;
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue; /* a symlink or directory: the .u8 aliases are links to files we read anyway */
        ok = (bufs[i] = read_file(path, &lens[i], err, err_len)) != NULL;
        if (ok) {
            h = fnv1a(h, names[i], strlen(names[i]) + 1);
            h = fnv1a(h, bufs[i], lens[i]);
            total += lens[i];
            c->n_files++;
        }
    }
    if (ok && total < min_bytes) {
        snprintf(err, err_len, "%s: %zu bytes of text in %zu files, fewer than the %zu needed (is the Debian package "
                 "'fortunes' installed, not only 'fortunes-min'?)", dir, total, c->n_files, min_bytes);
        ok = false;
    }
    if (ok) {
        c->train = malloc(total + n_names * 64 + 1);
        c->test = malloc(total + n_names * 64 + 1);
        if (!c->train || !c->test) {
            snprintf(err, err_len, "%s: out of memory", dir);
            ok = false;
        }
    }
    size_t doc_index = 0;
    for (size_t i = 0; i < n_names && ok; i++)
        if (bufs[i])
            split_docs(c, bufs[i], lens[i], &doc_index, test_every);
    c->hash = fnv1a(h, &test_every, sizeof test_every);
    for (size_t i = 0; i < n_names; i++)
        free(bufs[i]);
    free(bufs);
    free(lens);
    if (ok && (c->n_test == 0 || c->n_train == 0)) {
        snprintf(err, err_len, "%s: the split left an empty training or held-out set", dir);
        ok = false;
    }
    rc = ok ? 0 : -1;
out:
    if (rc != 0 && err[0] == '\0')
        snprintf(err, err_len, "%s: out of memory", dir);
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    closedir(d);
    if (rc != 0)
        tb_lm_corpus_free(c);
    return rc;
}

void tb_lm_corpus_free(tb_lm_corpus *c)
{
    free(c->train);
    free(c->test);
    memset(c, 0, sizeof *c);
}
