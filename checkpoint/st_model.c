/* st_model.c — a checkpoint as one tensor namespace: a single .safetensors file, or the shards named by
 * model.safetensors.index.json (checked against the shards both ways), or a directory holding either. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tritbench/safetensors.h"

static char *join_path(const char *dir, const char *name)
{
    const size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", dir, *dir && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
    return p;
}

/* Present at all (a FIFO or device there is then refused by the open, with its kind named). */
static bool exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && !S_ISDIR(sb.st_mode);
}

/* Shard names come from a file we do not trust: they must stay inside the index's directory. */
static bool safe_shard_name(const char *s)
{
    if (!*s || s[0] == '/')
        return false;
    for (const char *p = s; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
        if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
            return false;
    return true;
}

static int by_tensor_name(const void *a, const void *b)
{
    return strcmp((*(const st_tensor *const *)a)->name, (*(const st_tensor *const *)b)->name);
}

/* Collects every tensor of every file, sorted, and rejects a name held by two shards. */
static int build_namespace(st_model *m, char *err, size_t err_len)
{
    size_t total = 0;
    for (size_t i = 0; i < m->n_files; i++)
        total += m->files[i].n_tensors;
    m->tensors = malloc((total + 1) * sizeof *m->tensors);
    if (!m->tensors) {
        snprintf(err, err_len, "%s: out of memory", m->path);
        return -1;
    }
    for (size_t i = 0; i < m->n_files; i++)
        for (size_t j = 0; j < m->files[i].n_tensors; j++) {
            m->files[i].tensors[j].file_index = i;
            m->tensors[m->n_tensors++] = &m->files[i].tensors[j];
        }
    qsort(m->tensors, m->n_tensors, sizeof *m->tensors, by_tensor_name);
    for (size_t i = 1; i < m->n_tensors; i++)
        if (strcmp(m->tensors[i - 1]->name, m->tensors[i]->name) == 0) {
            snprintf(err, err_len, "%s: tensor '%s' appears in two shards (%s and %s)", m->path, m->tensors[i]->name,
                     m->files[m->tensors[i - 1]->file_index].path, m->files[m->tensors[i]->file_index].path);
            return -1;
        }
    return 0;
}

/* The index, read without ever blocking: a FIFO (or a device) in its place is refused after a
 * non-blocking open, before any read could wait for a writer. */
static json_t *load_index(const char *index, char *err, size_t err_len)
{
    int fd = open(index, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot open: %s", index, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, err_len, "%s: not a regular file (an index must be a JSON file)", index);
        close(fd);
        return NULL;
    }
    if ((uint64_t)sb.st_size > ST_MAX_HEADER) {
        snprintf(err, err_len, "%s: %lld bytes, over the %u-byte limit for an index", index, (long long)sb.st_size,
                 ST_MAX_HEADER);
        close(fd);
        return NULL;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        snprintf(err, err_len, "%s: %s", index, strerror(errno));
        close(fd);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
    fclose(fp);
    if (!root)
        snprintf(err, err_len, "%s: invalid JSON: %s (line %d, column %d)", index, jerr.text, jerr.line, jerr.column);
    return root;
}

/* A shard name passes safe_shard_name, but a symlink can still lead anywhere: the shard's real path
 * must lie under the index directory's real path. */
static int shard_inside(const char *dir, const char *shard_path, const char *index, char *err, size_t err_len)
{
    char *real_dir = realpath(*dir ? dir : ".", NULL);
    char *real_shard = realpath(shard_path, NULL);
    int rc = 0;
    if (!real_shard && real_dir) {
        /* Missing or unreadable: st_open says so in its own words ("cannot open: ..."). */
    } else if (!real_dir || !real_shard) {
        snprintf(err, err_len, "%s: cannot resolve %s: %s", index, real_shard ? dir : shard_path, strerror(errno));
        rc = -1;
    } else {
        const size_t n = strlen(real_dir);
        const bool root_dir = n == 1 && real_dir[0] == '/';
        const bool is_dir_itself = strcmp(real_shard, real_dir) == 0; /* "." — st_open: "is a directory" */
        if (!is_dir_itself && !(strncmp(real_shard, real_dir, n) == 0 && (root_dir || real_shard[n] == '/'))) {
            snprintf(err, err_len, "%s: shard %s resolves to %s, outside the model directory %s (a symlink out of "
                     "the directory is refused)", index, shard_path, real_shard, real_dir);
            rc = -1;
        }
    }
    free(real_dir);
    free(real_shard);
    return rc;
}

static int open_index(st_model *m, const char *index, char *err, size_t err_len)
{
    json_t *root = load_index(index, err, err_len);
    if (!root)
        return -1;
    int rc = -1;
    char *dir = strdup(index);
    json_t *map = json_object_get(root, "weight_map");
    if (!dir) {
        snprintf(err, err_len, "%s: out of memory", index);
        goto done;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
    if (!json_is_object(map) || json_object_size(map) == 0) {
        snprintf(err, err_len, "%s: no \"weight_map\" object (tensor name -> shard file)", index);
        goto done;
    }
    /* Distinct shards, in order of first appearance. */
    const char **shards = calloc(json_object_size(map), sizeof *shards);
    m->files = calloc(json_object_size(map), sizeof *m->files);
    if (!shards || !m->files) {
        free(shards);
        snprintf(err, err_len, "%s: out of memory", index);
        goto done;
    }
    size_t n_shards = 0;
    const char *key;
    json_t *val;
    json_object_foreach(map, key, val)
    {
        if (!json_is_string(val) || !safe_shard_name(json_string_value(val))) {
            snprintf(err, err_len, "%s: weight_map['%s'] must name a shard file inside the index's directory", index, key);
            free(shards);
            goto done;
        }
        size_t s = 0;
        while (s < n_shards && strcmp(shards[s], json_string_value(val)) != 0)
            s++;
        if (s == n_shards)
            shards[n_shards++] = json_string_value(val);
    }
    for (size_t s = 0; s < n_shards; s++) {
        char *p = join_path(dir, shards[s]);
        if (!p || shard_inside(dir, p, index, err, err_len) != 0 ||
            st_open(p, &m->files[m->n_files], err, err_len) != 0) {
            if (!p)
                snprintf(err, err_len, "%s: out of memory", index);
            free(p);
            free(shards);
            goto done;
        }
        free(p);
        m->n_files++;
    }
    /* The index and the shards must agree both ways, or a tensor would silently vanish or appear. */
    json_object_foreach(map, key, val)
    {
        size_t s = 0;
        while (s < n_shards && strcmp(shards[s], json_string_value(val)) != 0)
            s++;
        if (!st_file_find(&m->files[s], key)) {
            snprintf(err, err_len, "%s: tensor '%s' is mapped to %s but that shard does not hold it", index, key,
                     m->files[s].path);
            free(shards);
            goto done;
        }
    }
    for (size_t s = 0; s < n_shards; s++)
        for (size_t j = 0; j < m->files[s].n_tensors; j++) {
            json_t *v = json_object_get(map, m->files[s].tensors[j].name);
            if (!v || strcmp(json_string_value(v), shards[s]) != 0) {
                snprintf(err, err_len, "%s: tensor '%s' is not mapped to this shard in %s", m->files[s].path,
                         m->files[s].tensors[j].name, index);
                free(shards);
                goto done;
            }
        }
    free(shards);
    m->index_path = strdup(index);
    rc = m->index_path ? 0 : -1;
    if (rc)
        snprintf(err, err_len, "%s: out of memory", index);
done:
    free(dir);
    json_decref(root);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int st_model_open(const char *path, st_model *m, char *err, size_t err_len)
{
    memset(m, 0, sizeof *m);
    m->path = strdup(path);
    if (!m->path) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        st_model_close(m);
        return -1;
    }
    int rc;
    if (S_ISDIR(sb.st_mode)) {
        char *index = join_path(path, "model.safetensors.index.json");
        char *single = join_path(path, "model.safetensors");
        if (!index || !single)
            rc = -1, snprintf(err, err_len, "%s: out of memory", path);
        else if (exists(index) && exists(single)) {
            /* Which one is the model? Guessing could convert stale weights; the user names the file. */
            snprintf(err, err_len, "%s: directory holds both %s and %s; name the one to use", path, index, single);
            rc = -1;
        } else if (exists(index))
            rc = open_index(m, index, err, err_len);
        else if (exists(single)) {
            m->files = calloc(1, sizeof *m->files);
            rc = m->files ? st_open(single, &m->files[0], err, err_len) : -1;
            m->n_files = rc == 0;
        } else {
            snprintf(err, err_len, "%s: directory holds neither model.safetensors nor model.safetensors.index.json", path);
            rc = -1;
        }
        free(index);
        free(single);
    } else if (ends_with(path, ".json")) {
        rc = open_index(m, path, err, err_len);
    } else {
        m->files = calloc(1, sizeof *m->files);
        rc = m->files ? st_open(path, &m->files[0], err, err_len) : -1;
        m->n_files = rc == 0;
    }
    if (rc == 0)
        rc = build_namespace(m, err, err_len);
    if (rc != 0)
        st_model_close(m);
    return rc;
}

void st_model_close(st_model *m)
{
    for (size_t i = 0; i < m->n_files; i++)
        st_close(&m->files[i]);
    free(m->files);
    free(m->tensors);
    free(m->index_path);
    free(m->path);
    memset(m, 0, sizeof *m);
}

const st_tensor *st_model_find(const st_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_files; i++) {
        const st_tensor *t = st_file_find(&m->files[i], name);
        if (t)
            return t;
    }
    return NULL;
}

const char *st_model_meta(const st_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_files; i++) {
        const char *v = st_file_meta(&m->files[i], key);
        if (v)
            return v;
    }
    return NULL;
}

uint64_t st_model_data_bytes(const st_model *m)
{
    uint64_t total = 0;
    for (size_t i = 0; i < m->n_tensors; i++)
        total += m->tensors[i]->end - m->tensors[i]->begin;
    return total;
}
