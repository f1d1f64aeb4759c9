/* gate_run.c — running the correctness gate before timing: plugin kernels in a child process (a crash
 * is a message, exit 2), ours in this process; failing kernels have their benchmark rows refused. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugin/child.h"
#include "plugin/plugins.h"
#include "tritbench/args.h"

#define GATE_TIMEOUT_MS 120000 /* per kernel: the long-K case of a scalar plugin takes well under a second */

enum { MSG_START = 0, MSG_VERDICT = 1 };

int tb_plugins_gate(char *err, size_t err_len)
{
    const size_t n = tb_plugin_kernel_count();
    if (n == 0)
        return 0;
    tb_child c;
    if (tb_child_start(&c, err, err_len) != 0)
        return -1;
    if (c.pid == 0) {
        for (size_t i = 0; i < n; i++) {
            char msg[TB_CHILD_MSG];
            tb_child_send_index(&c, MSG_START, (int)i, "");
            tb_gate_state s = tb_gate_plugin_kernel(tb_plugin_kernel_at(i), msg, sizeof msg);
            tb_child_send_index(&c, MSG_VERDICT + (int)s, (int)i, msg);
        }
        _exit(0);
    }
    tb_child_msg m;
    int got;
    long running = -1;
    while ((got = tb_child_recv(&c, &m, tb_child_timeout_ms(GATE_TIMEOUT_MS))) == 1) {
        if (m.index < 0 || (size_t)m.index >= n)
            continue;
        tb_plugin_kernel *pk = tb_plugin_kernel_at((size_t)m.index);
        if (m.code == MSG_START) {
            running = m.index;
        } else {
            pk->gate = (tb_gate_state)(m.code - MSG_VERDICT);
            snprintf(pk->gate_msg, sizeof pk->gate_msg, "%s", m.text);
            running = -1;
        }
    }
    char died[256];
    if (tb_child_finish(&c, got, died, sizeof died) != 0) {
        if (running >= 0) {
            const tb_plugin_kernel *pk = tb_plugin_kernel_at((size_t)running);
            snprintf(err, err_len, "plugin %s: kernel %s %s during the correctness gate", pk->lib->path, pk->name,
                     died);
        } else {
            snprintf(err, err_len, "the plugin correctness gate %s", died);
        }
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (tb_plugin_kernel_at(i)->gate == TB_GATE_UNCHECKED) {
            snprintf(err, err_len, "the plugin correctness gate stopped before kernel %s",
                     tb_plugin_kernel_at(i)->name);
            return -1;
        }
    tb_plugin_kernels_set_priorities();
    return 0;
}

/* Refuses every instance whose name starts with prefix. */
static void refuse_prefix(tb_registry *reg, const char *prefix, const char *msg)
{
    const size_t len = strlen(prefix);
    for (size_t i = 0; reg && i < tb_registry_count(reg); i++)
        if (strncmp(tb_registry_name(reg, i), prefix, len) == 0)
            tb_registry_refuse(reg, i, msg);
}

int tb_gate_all(const char *cmd, const char *variants, const char *formats, tb_registry *reg)
{
    int incorrect = 0;
    size_t nk;
    const trit_kernel *ks = trit_kernels(&nk);
    for (size_t i = 0; i < nk; i++) {
        const trit_kernel *k = &ks[i];
        if (k->ctx) /* an added (plugin) kernel: gated in a child below, through its own ABI */
            continue;
        const char *fmt = trit_format_name(k->format);
        if (!tb_list_contains(variants, k->variant) || !tb_list_contains(formats, fmt))
            continue;
        char msg[TB_CHILD_MSG];
        if (tb_gate_trit_kernel(k, msg, sizeof msg) != TB_GATE_INCORRECT)
            continue;
        incorrect++;
        fprintf(stderr, "%s: %s/%s/%s %s — not timed\n", cmd, trit_op_name(k->op), fmt, k->variant, msg);
        const char *families[] = {trit_op_name(k->op), "bitlinear"};
        for (size_t f = 0; f < 2; f++) {
            char prefix[128];
            snprintf(prefix, sizeof prefix, "%s/%s/%s/", families[f], fmt, k->variant);
            refuse_prefix(reg, prefix, msg);
        }
    }
    char err[TB_CHILD_MSG + 256];
    if (tb_plugins_gate(err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", cmd, err);
        return -1;
    }
    for (size_t i = 0; i < tb_plugin_kernel_count(); i++) {
        const tb_plugin_kernel *pk = tb_plugin_kernel_at(i);
        if (pk->gate != TB_GATE_INCORRECT)
            continue;
        incorrect++;
        fprintf(stderr, "%s: %s (%s) %s — not timed\n", cmd, pk->name, pk->lib->path, pk->gate_msg);
        for (int op = 0; op < 2; op++) {
            char prefix[256];
            snprintf(prefix, sizeof prefix, "%s/%s/%s/", op == 0 ? "gemv" : "gemm", pk->format, pk->name);
            refuse_prefix(reg, prefix, pk->gate_msg);
        }
    }
    return incorrect;
}
