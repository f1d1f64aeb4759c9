/* read_file.c — the one whole-file reader for user-supplied inputs (see include/tritbench/read_file.h). */
#include "tritbench/read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tb_read_regular_file(const char *path, size_t max_bytes, char **text, size_t *len, char *err, size_t err_len)
{
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise block forever before fstat could refuse it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s: not a regular file (a pipe, device or directory cannot be read as input)", path);
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > (unsigned long long)max_bytes) {
        snprintf(err, err_len, "%s: larger than %zu MiB, not an input this reads", path, max_bytes >> 20);
        close(fd);
        return -1;
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap + 1);
    int read_errno = 0;
    while (buf) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            read_errno = errno;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n == cap) { /* the file grew while being read */
            char *bigger = cap < max_bytes ? realloc(buf, cap * 2 + 1) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    close(fd);
    if (!buf || read_errno) {
        free(buf);
        snprintf(err, err_len, "%s: %s", path, read_errno ? strerror(read_errno) : "grew past the size cap, or out of memory");
        return -1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}
