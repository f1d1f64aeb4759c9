/* loader.c — loading kernel plugins: dlopen, the entry point, the ABI and table checks, the counting
 * host allocator. Each plugin is first probed in a child process so that a crash or a hang in its
 * constructors or entry point becomes a message (exit 2), never our crash. */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin/child.h"
#include "plugin/plugins.h"

#define PROBE_TIMEOUT_MS 30000

static tb_plugin_lib libs[TB_PLUGINS_MAX];
static size_t n_libs;
static tb_plugin_kernel kernels[TB_PLUGIN_KERNELS_MAX];
static size_t n_kernels;

/* --- host services: every byte a plugin keeps is allocated here, so its weight bytes can be checked --- */

typedef struct live_block {
    void *p;
    size_t bytes;
} live_block;
static live_block *live;
static size_t n_live, cap_live, live_bytes;

static void *host_alloc(void *ctx, size_t bytes, size_t align)
{
    (void)ctx;
    if (bytes == 0 || align == 0 || (align & (align - 1)) != 0 || align > 4096)
        return NULL;
    if (n_live == cap_live) {
        size_t cap = cap_live ? 2 * cap_live : 16;
        live_block *nb = realloc(live, cap * sizeof *nb);
        if (!nb)
            return NULL;
        live = nb;
        cap_live = cap;
    }
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, bytes) != 0)
        return NULL;
    live[n_live++] = (live_block){p, bytes};
    live_bytes += bytes;
    return p;
}

static void host_free(void *ctx, void *p)
{
    (void)ctx;
    if (!p)
        return;
    for (size_t i = 0; i < n_live; i++) {
        if (live[i].p == p) {
            live_bytes -= live[i].bytes;
            live[i] = live[--n_live];
            free(p);
            return;
        }
    }
    /* Not ours: freeing it would corrupt the heap; leaking it is the lesser harm. */
    fprintf(stderr, "tritbench: a plugin freed a pointer the host allocator did not give it (ignored)\n");
}

static void host_log(void *ctx, const char *message)
{
    const tb_plugin_lib *lib = ctx;
    fprintf(stderr, "tritbench: plugin %s: %s\n", !lib ? "?" : lib->name[0] ? lib->name : lib->path,
            message ? message : "");
}

static const tbp_host host_template = {sizeof(tbp_host), TRITBENCH_PLUGIN_ABI_MAJOR, TRITBENCH_PLUGIN_ABI_MINOR,
                                       NULL,             host_alloc,                host_free,
                                       host_log};

const tbp_host *tb_plugin_host(const tb_plugin_kernel *pk)
{
    return pk && pk->lib ? &pk->lib->host : &host_template;
}

size_t tb_plugin_host_live_bytes(void)
{
    return live_bytes;
}

/* --- table checks --- */

static bool good_name(const char *s, size_t max)
{
    if (!s || !*s || strlen(s) >= max)
        return false;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *s))
            return false;
    return true;
}

#define END_OF(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

static int check_kernel(const tbp_kernel *k, size_t i, char *err, size_t len)
{
    const char *v = good_name(k->variant, 64) ? k->variant : NULL;
    if (!v) {
        snprintf(err, len, "kernel %zu: variant name missing or not [A-Za-z0-9_.-]{1,63}", i);
    } else if (!good_name(k->format, 64)) {
        snprintf(err, len, "kernel %s: format name missing or not [A-Za-z0-9_.-]{1,63}", v);
    } else if (k->ops == 0 || (k->ops & ~(uint32_t)(TBP_OP_GEMV | TBP_OP_GEMM)) != 0) {
        snprintf(err, len, "kernel %s: ops 0x%x is not a set of TBP_OP_GEMV/TBP_OP_GEMM", v, (unsigned)k->ops);
    } else if (k->result_class > TBP_RESULT_FP32_TOL) {
        snprintf(err, len, "kernel %s: unknown result_class %u", v, (unsigned)k->result_class);
    } else if (k->act_input > TBP_ACT_FP32) {
        snprintf(err, len, "kernel %s: unknown act_input %u", v, (unsigned)k->act_input);
    } else if (k->act_input == TBP_ACT_FP32 && k->result_class != TBP_RESULT_FP32_TOL) {
        snprintf(err, len, "kernel %s: FP32 activations need result_class TBP_RESULT_FP32_TOL", v);
    } else if (k->result_class == TBP_RESULT_FP32_TOL && !(k->tolerance > 0.0 && k->tolerance < 0.5)) {
        snprintf(err, len, "kernel %s: FP32 outputs need a tolerance in (0, 0.5), not %g", v, k->tolerance);
    } else if (!k->pack || !k->release || !k->matmul) {
        snprintf(err, len, "kernel %s: pack, release and matmul are required", v);
    } else {
        return 0;
    }
    return -1;
}

/* Checks what the entry point returned; fills *out (kernels zero-extended to our struct size). */
static int check_table(const tbp_plugin *p, tb_plugin_lib *lib, tb_plugin_kernel *out, size_t cap, size_t *n_out,
                       char *err, size_t len)
{
    if (!p) {
        snprintf(err, len, "%s returned no table (NULL)", TRITBENCH_PLUGIN_ENTRY);
        return -1;
    }
    if (p->struct_size < END_OF(tbp_plugin, abi_minor)) {
        snprintf(err, len, "table too small (struct_size %u): not a tritbench plugin table", (unsigned)p->struct_size);
        return -1;
    }
    if (p->abi_major != TRITBENCH_PLUGIN_ABI_MAJOR) {
        snprintf(err, len, "ABI mismatch: built for plugin ABI %u.%u, this tritbench speaks %d.%d (rebuild it "
                 "against this tritbench's plugin.h)", (unsigned)p->abi_major, (unsigned)p->abi_minor,
                 TRITBENCH_PLUGIN_ABI_MAJOR, TRITBENCH_PLUGIN_ABI_MINOR);
        return -1;
    }
    if (p->struct_size < END_OF(tbp_plugin, kernels)) {
        snprintf(err, len, "table struct_size %u is smaller than ABI %d.0's", (unsigned)p->struct_size,
                 TRITBENCH_PLUGIN_ABI_MAJOR);
        return -1;
    }
    if (!good_name(p->name, sizeof lib->name)) {
        snprintf(err, len, "plugin name missing or not [A-Za-z0-9_.-]{1,63}");
        return -1;
    }
    if (p->kernel_size < END_OF(tbp_kernel, matmul)) {
        snprintf(err, len, "kernel_size %u is smaller than ABI %d.0's tbp_kernel", (unsigned)p->kernel_size,
                 TRITBENCH_PLUGIN_ABI_MAJOR);
        return -1;
    }
    if (p->n_kernels == 0 || !p->kernels || p->n_kernels > cap) {
        snprintf(err, len, "%zu kernels (1 to %zu expected)", p->n_kernels, cap);
        return -1;
    }
    snprintf(lib->name, sizeof lib->name, "%s", p->name);
    snprintf(lib->version, sizeof lib->version, "%s", p->version ? p->version : "");
    lib->abi_major = p->abi_major;
    lib->abi_minor = p->abi_minor;
    for (size_t i = 0; i < p->n_kernels; i++) {
        tb_plugin_kernel *pk = &out[i];
        memset(pk, 0, sizeof *pk);
        const size_t take = p->kernel_size < sizeof pk->k ? p->kernel_size : sizeof pk->k;
        memcpy(&pk->k, (const char *)p->kernels + i * p->kernel_size, take);
        if (check_kernel(&pk->k, i, err, len) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out[j].k.variant, pk->k.variant) == 0) {
                snprintf(err, len, "kernel variant '%s' appears twice", pk->k.variant);
                return -1;
            }
        snprintf(pk->name, sizeof pk->name, "%s:%s", p->name, pk->k.variant);
        snprintf(pk->format, sizeof pk->format, "%s", pk->k.format);
    }
    *n_out = p->n_kernels;
    return 0;
}

/* dlopen + entry + checks, in whichever process calls it. */
static int open_plugin(const char *path, tb_plugin_lib *lib, tb_plugin_kernel *out, size_t cap, size_t *n_out,
                       char *err, size_t len)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, len, "cannot load: %s", why ? why : "dlopen failed");
        return -1;
    }
    dlerror();
    void *sym = dlsym(h, TRITBENCH_PLUGIN_ENTRY);
    if (!sym) {
        snprintf(err, len, "missing symbol %s (not a tritbench plugin?)", TRITBENCH_PLUGIN_ENTRY);
        dlclose(h);
        return -1;
    }
    tbp_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* object pointer → function pointer, as POSIX allows */
    lib->host = host_template;
    lib->host.ctx = lib;
    const tbp_plugin *p = entry(&lib->host);
    if (check_table(p, lib, out, cap, n_out, err, len) != 0) {
        dlclose(h);
        return -1;
    }
    for (size_t i = 0; i < *n_out; i++)
        out[i].lib = lib;
    lib->handle = h;
    return 0;
}

/* The same in a child: what it says, or how it died. */
static int probe_plugin(const char *path, char *err, size_t len)
{
    tb_child c;
    if (tb_child_start(&c, err, len) != 0)
        return -1;
    if (c.pid == 0) {
        static tb_plugin_lib lib; /* path: as given, for messages (full fits: checked by the caller) */
        static tb_plugin_kernel ks[TB_PLUGIN_KERNELS_MAX];
        size_t n;
        char msg[TB_CHILD_MSG] = "";
        snprintf(lib.path, sizeof lib.path, "%.1000s", path);
        int rc = open_plugin(path, &lib, ks, TB_PLUGIN_KERNELS_MAX, &n, msg, sizeof msg);
        tb_child_send(&c, rc == 0 ? 0 : 1, msg);
        _exit(0);
    }
    tb_child_msg m;
    int got = 0, status = 0;
    char died[256] = "";
    while ((got = tb_child_recv(&c, &m, tb_child_timeout_ms(PROBE_TIMEOUT_MS))) == 1) {
        status = m.code == 0 ? 1 : 2;
        if (status == 2)
            snprintf(err, len, "%s", m.text);
    }
    if (tb_child_finish(&c, got, died, sizeof died) != 0) {
        snprintf(err, len, "%s while loading", died);
        return -1;
    }
    if (status == 1)
        return 0;
    if (status == 0)
        snprintf(err, len, "the probe said nothing");
    return -1;
}

int tb_plugins_load(const char *const *paths, size_t n, char *err, size_t err_len)
{
    const size_t libs0 = n_libs, kernels0 = n_kernels;
    for (size_t i = 0; i < n; i++) {
        const char *path = paths[i];
        char why[TB_CHILD_MSG] = "";
        struct stat sb;
        if (n_libs == TB_PLUGINS_MAX) {
            snprintf(why, sizeof why, "more than %d plugins", TB_PLUGINS_MAX);
        } else if (stat(path, &sb) != 0) {
            snprintf(why, sizeof why, "%s", strerror(errno));
        } else if (!S_ISREG(sb.st_mode)) {
            snprintf(why, sizeof why, "not a regular file");
        } else if (strlen(path) + 2 >= sizeof libs[0].path) {
            snprintf(why, sizeof why, "path too long");
        }
        /* dlopen of a relative name searches the library path; a user means the file they named. */
        char full[sizeof libs[0].path + 2];
        if (!*why)
            snprintf(full, sizeof full, "%s%s", strchr(path, '/') ? "" : "./", path);
        /* The same file named twice (TRITBENCH_PLUGIN_PATH and --plugin) is loaded once. */
        bool again = false;
        for (size_t j = 0; !*why && j < n_libs; j++) {
            struct stat other;
            again |= stat(libs[j].path, &other) == 0 && other.st_dev == sb.st_dev && other.st_ino == sb.st_ino;
        }
        if (again)
            continue;
        if (!*why && probe_plugin(full, why, sizeof why) == 0) {
            tb_plugin_lib *lib = &libs[n_libs];
            memset(lib, 0, sizeof *lib);
            snprintf(lib->path, sizeof lib->path, "%s", path);
            size_t got;
            if (open_plugin(full, lib, kernels + n_kernels, TB_PLUGIN_KERNELS_MAX - n_kernels, &got, why,
                            sizeof why) == 0) {
                for (size_t j = 0; j < n_libs; j++)
                    if (strcmp(libs[j].name, lib->name) == 0) {
                        snprintf(why, sizeof why, "plugin name '%s' already loaded from %s", lib->name,
                                 libs[j].path);
                        dlclose(lib->handle);
                        break;
                    }
                if (!*why) {
                    n_libs++;
                    n_kernels += got;
                    continue;
                }
            }
        }
        snprintf(err, err_len, "plugin %s: %s", path, why);
        while (n_libs > libs0)
            dlclose(libs[--n_libs].handle);
        n_kernels = kernels0;
        return -1;
    }
    /* Checked names are unique (plugin names are, variants within a plugin are): joining cannot
     * collide, but a full table can refuse. */
    char why[TB_CHILD_MSG];
    if (tb_plugin_kernels_join(kernels0, n_kernels - kernels0, why, sizeof why) != 0) {
        snprintf(err, err_len, "plugins: %s", why);
        return -1;
    }
    return 0;
}

void tb_plugins_unload(void)
{
    while (n_libs > 0)
        dlclose(libs[--n_libs].handle);
    n_kernels = 0;
}

size_t tb_plugin_lib_count(void)
{
    return n_libs;
}

const tb_plugin_lib *tb_plugin_lib_at(size_t i)
{
    return i < n_libs ? &libs[i] : NULL;
}

size_t tb_plugin_kernel_count(void)
{
    return n_kernels;
}

tb_plugin_kernel *tb_plugin_kernel_at(size_t i)
{
    return i < n_kernels ? &kernels[i] : NULL;
}
