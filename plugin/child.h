/* child.h — running untrusted code in a child process: fork with a pipe of fixed-size messages, a
 * deadline, and a sentence for how the child died (signal, hang, exit status). */
#ifndef TRITBENCH_PLUGIN_CHILD_H
#define TRITBENCH_PLUGIN_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TB_CHILD_MSG 448

typedef struct tb_child_msg {
    int32_t code;  /* the sender's meaning */
    int32_t index;
    char text[TB_CHILD_MSG];
} tb_child_msg; /* < PIPE_BUF: one write is one message */

typedef struct tb_child {
    pid_t pid; /* 0 in the child */
    int fd;    /* read end (parent) or write end (child) */
} tb_child;

/* TRITBENCH_PLUGIN_TIMEOUT (whole seconds, 1..3600) when set and valid, else default_ms: how long a plugin
 * may take to load, or to pass the gate, before it is called hung. */
int tb_child_timeout_ms(int default_ms);
/* Forks. Returns 0 in both processes (c->pid tells which), or -1 with err. */
int tb_child_start(tb_child *c, char *err, size_t err_len);
/* Child: one message. */
void tb_child_send(const tb_child *c, int code, const char *text);
void tb_child_send_index(const tb_child *c, int code, int index, const char *text);
/* Parent: 1 a message, 0 the child closed the pipe (exited or died), -1 no message within timeout_ms. */
int tb_child_recv(const tb_child *c, tb_child_msg *m, int timeout_ms);
/* Parent: reaps the child (killing it first when last_recv was -1, a hang). Returns 0 when it exited
 * with status 0, else -1 with how it died in why ("crashed (signal 11, Segmentation fault)", "hung"). */
int tb_child_finish(tb_child *c, int last_recv, char *why, size_t why_len);

#endif
