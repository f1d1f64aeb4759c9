/* table.c — plugin kernels join the one kernel descriptor table (kernels.h): one descriptor per declared
 * op, named "<plugin>:<variant>", format I2 (the harness's canonical packed matrix is the input), layout
 * the plugin's own format name, origin "plugin <name> <version>", result class and tolerance as declared,
 * priority 0 until the correctness gate passed. The descriptor's ctx is the tb_plugin_kernel; the hooks
 * below translate the table's calls into the plugin ABI (plugin.h):
 *   repack   — trit_unpack → int8 W + γ → the plugin's pack() through the counting host allocator; the
 *              bytes it reports must equal what it allocated (else the repack fails);
 *   release  — the plugin's release(), so its memory goes back through the plugin;
 *   matmul   — the harness's int8 activations (+ scale, Σ) and the dense FP32 rows, out = acc or y.
 * Also the run context lines of loaded plugins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugins.h"
#include "tritbench/context.h"

static bool pk_available(const void *ctx, char *why, size_t why_len)
{
    const tb_plugin_kernel *pk = ctx;
    return pk->k.available(why, why_len) != 0;
}

static int pk_repack(const void *ctx, const trit_weights *w, void **repacked, size_t *bytes)
{
    const tb_plugin_kernel *pk = ctx;
    const trit_packed *p = w->packed;
    const size_t n = p->rows * p->cols;
    int8_t *wq = malloc(n > 0 ? n : 1);
    if (!wq || trit_unpack(p, wq) != 0) {
        free(wq);
        return -1;
    }
    const tbp_weights tw = {sizeof tw, p->rows, p->cols, wq, p->scales,
                            p->granularity == TRIT_SCALE_ROW ? p->rows : 1};
    const tbp_host *host = tb_plugin_host(pk);
    const size_t before = tb_plugin_host_live_bytes();
    void *packed = NULL;
    size_t reported = 0;
    const int rc = pk->k.pack(host, &tw, &packed, &reported);
    free(wq);
    if (rc != 0) {
        fprintf(stderr, "plugin %s: %s: pack() failed for %zux%zu\n", pk->lib->path, pk->name, p->rows, p->cols);
        return -1;
    }
    const size_t allocated = tb_plugin_host_live_bytes() - before;
    if (reported != allocated) {
        fprintf(stderr, "plugin %s: %s: pack() reported %zu weight bytes but allocated %zu through the host\n",
                pk->lib->path, pk->name, reported, allocated);
        pk->k.release(host, packed);
        return -1;
    }
    *repacked = packed;
    *bytes = reported;
    return 0;
}

static void pk_release(const void *ctx, void *repacked)
{
    const tb_plugin_kernel *pk = ctx;
    pk->k.release(tb_plugin_host(pk), repacked);
}

static size_t pk_workspace_bytes(const void *ctx, size_t M, size_t K, size_t N)
{
    const tb_plugin_kernel *pk = ctx;
    return pk->k.workspace_bytes(M, K, N);
}

static void pk_matmul(const trit_matmul_io *io, void *workspace, size_t m_begin, size_t m_end)
{
    const tb_plugin_kernel *pk = io->ctx;
    const trit_act *q = io->x.q;
    const bool exact = pk->k.result_class == TBP_RESULT_INT32_EXACT;
    const tbp_act x = {sizeof x, io->x.rows, io->w.cols, q->stride, q->q, q->scale, q->sum, io->x.dense};
    void *out = exact ? (void *)io->acc : (void *)io->y;
    /* A self-quantizing kernel needs the FP32 rows: a caller that has none cannot run it. */
    if ((pk->k.act_input == TBP_ACT_FP32 && !io->x.dense) || !out ||
        pk->k.matmul(io->repacked, &x, m_begin, m_end, out, io->w.rows, workspace) != 0)
        __atomic_store_n(io->failed, 1, __ATOMIC_RELAXED);
}

int tb_plugin_kernels_join(size_t first, size_t count, char *err, size_t err_len)
{
    for (size_t i = first; i < first + count; i++) {
        tb_plugin_kernel *pk = tb_plugin_kernel_at(i);
        snprintf(pk->origin, sizeof pk->origin, "plugin %s %s", pk->lib->name, pk->lib->version);
        const bool exact = pk->k.result_class == TBP_RESULT_INT32_EXACT;
        for (int op = 0; op < TRIT_OP_COUNT; op++) {
            if (!(pk->k.ops & (op == TRIT_OP_GEMV ? TBP_OP_GEMV : TBP_OP_GEMM)))
                continue;
            const trit_kernel d = {
                .op = (trit_op)op,
                .format = TRIT_FMT_I2,
                .variant = pk->name,
                .origin = pk->origin,
                .priority = 0, /* the declared one once the gate passed (tb_plugins_gate) */
                .device = TRIT_DEVICE_CPU,
                .matmul = pk_matmul,
                .result = exact ? TRIT_RESULT_EXACT_INT32 : TRIT_RESULT_FP32,
                .tolerance = exact ? 0.0 : pk->k.tolerance,
                .ctx = pk,
                .layout = pk->format,
                .available_ctx = pk->k.available ? pk_available : NULL,
                .repack_ctx = pk_repack,
                .release = pk_release,
                .workspace_bytes_ctx = pk->k.workspace_bytes ? pk_workspace_bytes : NULL,
            };
            char why[256];
            if (trit_kernels_add(&d, 1, why, sizeof why) != 0) {
                snprintf(err, err_len, "kernel %s: %s", pk->name, why);
                return -1;
            }
        }
    }
    return 0;
}

void tb_plugin_kernels_set_priorities(void)
{
    for (size_t i = 0; i < tb_plugin_kernel_count(); i++) {
        const tb_plugin_kernel *pk = tb_plugin_kernel_at(i);
        /* An FP32-result kernel is never chosen implicitly: callers of trit_kernel_select for a ternary
         * format (BitLinear, the decoder) need int32 accumulators. */
        const int prio = pk->gate == TB_GATE_OK && pk->k.result_class == TBP_RESULT_INT32_EXACT ? pk->k.priority : 0;
        for (int op = 0; op < TRIT_OP_COUNT; op++)
            trit_kernels_set_priority((trit_op)op, TRIT_FMT_I2, pk->name, prio); /* -1: op not declared */
    }
}

void tb_plugins_add_context(struct tb_context *ctx)
{
    for (size_t i = 0; i < tb_plugin_lib_count(); i++) {
        const tb_plugin_lib *lib = tb_plugin_lib_at(i);
        char key[96], value[2048];
        snprintf(key, sizeof key, "plugin.%s", lib->name);
        int n = snprintf(value, sizeof value, "%s, ABI %u.%u, %s, kernels:", lib->version, lib->abi_major,
                         lib->abi_minor, lib->path);
        for (size_t k = 0; k < tb_plugin_kernel_count() && n > 0 && (size_t)n < sizeof value; k++) {
            const tb_plugin_kernel *pk = tb_plugin_kernel_at(k);
            if (pk->lib == lib)
                n += snprintf(value + n, sizeof value - (size_t)n, " %s", pk->k.variant);
        }
        tb_context_add(ctx, key, value);
    }
}
