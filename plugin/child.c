/* child.c — fork + pipe + deadline for code we do not trust (plugins): see child.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin/child.h"

int tb_child_timeout_ms(int default_ms)
{
    const char *s = getenv("TRITBENCH_PLUGIN_TIMEOUT");
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    return s && end != s && *end == '\0' && v >= 1 && v <= 3600 ? (int)v * 1000 : default_ms;
}

int tb_child_start(tb_child *c, char *err, size_t err_len)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(stdout); /* buffered output must not be written twice */
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_len, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        c->pid = 0;
        c->fd = fds[1];
        signal(SIGPIPE, SIG_DFL);
        return 0;
    }
    close(fds[1]);
    c->pid = pid;
    c->fd = fds[0];
    return 0;
}

void tb_child_send_index(const tb_child *c, int code, int index, const char *text)
{
    tb_child_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.index = index;
    snprintf(m.text, sizeof m.text, "%s", text ? text : "");
    ssize_t w;
    do
        w = write(c->fd, &m, sizeof m);
    while (w < 0 && errno == EINTR);
}

void tb_child_send(const tb_child *c, int code, const char *text)
{
    tb_child_send_index(c, code, -1, text);
}

int tb_child_recv(const tb_child *c, tb_child_msg *m, int timeout_ms)
{
    size_t got = 0;
    while (got < sizeof *m) {
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return -1;
        ssize_t n = read(c->fd, (char *)m + got, sizeof *m - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    m->text[sizeof m->text - 1] = '\0';
    return 1;
}

int tb_child_finish(tb_child *c, int last_recv, char *why, size_t why_len)
{
    if (last_recv == -1)
        kill(c->pid, SIGKILL);
    int status = 0;
    pid_t r;
    do
        r = waitpid(c->pid, &status, 0);
    while (r < 0 && errno == EINTR);
    close(c->fd);
    if (r < 0) {
        snprintf(why, why_len, "lost its child process (%s)", strerror(errno));
        return -1;
    }
    if (last_recv == -1) {
        snprintf(why, why_len, "hung (killed after the time limit)");
        return -1;
    }
    if (WIFSIGNALED(status)) {
        snprintf(why, why_len, "crashed (signal %d, %s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        snprintf(why, why_len, "exited with status %d", WEXITSTATUS(status));
        return -1;
    }
    return 0;
}
