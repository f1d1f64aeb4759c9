/* plugins.h — loaded kernel plugins (include/tritbench/plugin.h is the ABI they implement) and the
 * correctness gate every kernel, ours and theirs, passes before it is timed.
 *
 * Loading never trusts the object: each plugin is first loaded, asked for its table and checked in a
 * child process (a crash or a hang there is a message, not our crash); only then is it loaded here.
 * The gate of plugin kernels also runs in a child. State is process-wide: commands load once, early. */
#ifndef TRITBENCH_PLUGIN_PLUGINS_H
#define TRITBENCH_PLUGIN_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>

#include "tritbench/bench.h"
#include "tritbench/kernels.h"
#include "tritbench/plugin.h"

#define TB_PLUGINS_MAX 16
#define TB_PLUGIN_KERNELS_MAX 64

typedef enum tb_gate_state {
    TB_GATE_UNCHECKED = 0,
    TB_GATE_OK,          /* equal to the oracle on every gate case */
    TB_GATE_INCORRECT,   /* differs: never timed; message says where */
    TB_GATE_UNAVAILABLE, /* cannot run here (available() said why): not timed, not a failure */
} tb_gate_state;

typedef struct tb_plugin_lib {
    char path[1024];
    char name[64], version[64];
    unsigned abi_major, abi_minor;
    void *handle;
    tbp_host host; /* this plugin's services: its log lines carry its name */
} tb_plugin_lib;

typedef struct tb_plugin_kernel {
    tbp_kernel k;            /* the plugin's descriptor, zero-extended to this build's struct size */
    char name[160];          /* "<plugin>:<variant>": the variant of its descriptors in the kernel table */
    char origin[140];        /* "plugin <name> <version>": the descriptors' origin */
    char format[64];
    const tb_plugin_lib *lib;
    tb_gate_state gate;
    char gate_msg[448];
} tb_plugin_kernel;

/* Loads every path (in order; a name may appear once). Returns 0, or -1 with err naming the path and
 * the problem (no such file, not a shared object, missing entry point, ABI major mismatch, bad table,
 * crashed or hung while loading). Nothing is kept from a failed call. */
int tb_plugins_load(const char *const *paths, size_t n, char *err, size_t err_len);
/* Only at exit: the kernel table keeps the plugin kernels' descriptors, which point into the objects. */
void tb_plugins_unload(void);
size_t tb_plugin_lib_count(void);
const tb_plugin_lib *tb_plugin_lib_at(size_t i);
size_t tb_plugin_kernel_count(void);
tb_plugin_kernel *tb_plugin_kernel_at(size_t i);
/* The services a plugin kernel receives (the counting allocator; log lines name the plugin). */
const tbp_host *tb_plugin_host(const tb_plugin_kernel *pk);
size_t tb_plugin_host_live_bytes(void);

/* Runs the gate on every loaded plugin kernel in a child process and stores each verdict. Returns 0,
 * or -1 with err when a plugin crashed, hung or the child could not run (the command exits 2). */
int tb_plugins_gate(char *err, size_t err_len);

/* The gate of one of our kernels (in this process: our code is not an outside object). Returns
 * TB_GATE_OK, TB_GATE_INCORRECT or TB_GATE_UNAVAILABLE, with the message in msg. */
tb_gate_state tb_gate_trit_kernel(const trit_kernel *k, char *msg, size_t msg_len);
/* The gate of one plugin kernel, in this process (tb_plugins_gate calls it in the child). */
tb_gate_state tb_gate_plugin_kernel(const tb_plugin_kernel *pk, char *msg, size_t msg_len);

/* Gate every runnable kernel of ours that `variants`/`formats` select (comma lists, NULL = all), then
 * every plugin kernel; kernels that fail have their instances in reg refused (their rows say
 * "incorrect: ..."). Prints one line per failure on stderr, prefixed by cmd. reg may be NULL (validate).
 * Returns the number of incorrect kernels, or -1 when the plugin gate could not run (message printed). */
int tb_gate_all(const char *cmd, const char *variants, const char *formats, tb_registry *reg);

/* Adds loaded plugin kernels [first, first + count) to the kernel table (kernels.h), one descriptor per
 * declared op: tb_plugins_load calls it, so the gemv/gemm suites time them beside ours (bitlinear skips them)
 * (gemv/<layout>/<plugin>:<variant>/...). Returns 0, or -1 with err. */
int tb_plugin_kernels_join(size_t first, size_t count, char *err, size_t err_len);
/* After the gate: a plugin kernel's table priority becomes the declared one if it passed (int32-exact
 * kernels only), else stays 0 (chosen only by name). tb_plugins_gate calls it. */
void tb_plugin_kernels_set_priorities(void);
/* "plugin.<name>" = "<version>, ABI <M>.<m>, <path>, kernels: a, b" into a run's context. */
struct tb_context;
void tb_plugins_add_context(struct tb_context *ctx);

#endif
