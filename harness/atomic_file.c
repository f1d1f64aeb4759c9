/* atomic_file.c — temp file + fsync + rename, so no reader ever sees a half-written output. */
#include "tritbench/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tb_atomic_open(tb_atomic_file *af, const char *path, char *err, size_t err_len)
{
    memset(af, 0, sizeof *af);
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof af->path - 32) {
        snprintf(err, err_len, "%s: path empty or too long", path);
        return -1;
    }
    memcpy(af->path, path, n + 1);
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0') {
        snprintf(err, err_len, "%s: is a directory name, not a file", path);
        return -1;
    }
    snprintf(af->tmp_path, sizeof af->tmp_path, "%.*s.%s.tmp.XXXXXX", (int)dir_len, path, base);
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot create a file there: %s", path, strerror(errno));
        return -1;
    }
    /* mkstemp creates 0600; results are meant to be shared like any other output file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        /* Not fatal: the file stays private to its owner. */
    }
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        snprintf(err, err_len, "%s: %s", af->tmp_path, strerror(errno));
        close(fd);
        unlink(af->tmp_path);
        return -1;
    }
    return 0;
}

int tb_atomic_commit(tb_atomic_file *af, char *err, size_t err_len)
{
    int ok = af->fp != NULL;
    if (ok && (fflush(af->fp) != 0 || ferror(af->fp)))
        ok = 0;
    if (ok && fsync(fileno(af->fp)) != 0)
        ok = 0;
    int saved = errno;
    if (af->fp && fclose(af->fp) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    af->fp = NULL;
    if (ok && rename(af->tmp_path, af->path) != 0) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, err_len, "%s: write failed: %s", af->path, strerror(saved));
        unlink(af->tmp_path);
        return -1;
    }
    return 0;
}

void tb_atomic_abort(tb_atomic_file *af)
{
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    if (af->tmp_path[0])
        unlink(af->tmp_path);
}

int tb_atomic_write(const char *path, const void *data, size_t len, char *err, size_t err_len)
{
    tb_atomic_file af;
    if (tb_atomic_open(&af, path, err, err_len) != 0)
        return -1;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        snprintf(err, err_len, "%s: write failed: %s", path, strerror(errno));
        tb_atomic_abort(&af);
        return -1;
    }
    return tb_atomic_commit(&af, err, err_len);
}
