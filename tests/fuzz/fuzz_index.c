/* fuzz_index.c — libFuzzer target for model.safetensors.index.json (checkpoint/st_model.c): the
 * input becomes the index of a directory holding two valid shards, and st_model_open must either accept it
 * with every tensor of the namespace findable and mapped exactly as the index says, or reject it with a
 * message naming a file. Nothing outside the directory may be opened (names escaping it are refused). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tritbench/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], index_path[320];

static void write_shard(const char *name, const char *t1, const char *t2)
{
    char path[400], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    st_writer *w = st_writer_new(path, err, sizeof err);
    const uint64_t shape[2] = {2, 3};
    const float zeros[6] = {0};
    if (!w || st_writer_add_tensor(w, t1, ST_F32, 2, shape, err, sizeof err) != 0 ||
        st_writer_add_tensor(w, t2, ST_F32, 2, shape, err, sizeof err) != 0 || st_writer_begin_data(w, err, sizeof err) ||
        st_writer_write(w, zeros, sizeof zeros, err, sizeof err) || st_writer_write(w, zeros, sizeof zeros, err, sizeof err) ||
        st_writer_commit(w, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_index: cannot write %s: %s\n", path, err);
        abort();
    }
}

static void setup(void)
{
    if (dir[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz-index-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    mkdir(dir, 0700);
    write_shard("model-00001-of-00002.safetensors", "a.weight", "b.weight");
    write_shard("model-00002-of-00002.safetensors", "c.weight", "d.weight");
    snprintf(index_path, sizeof index_path, "%s/model.safetensors.index.json", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    FILE *f = fopen(index_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    st_model m;
    char err[1024] = "";
    if (st_model_open(dir, &m, err, sizeof err) == 0) {
        /* Each shard the index names is held whole (the index and the shards agree both ways). */
        static const char *const names[] = {"a.weight", "b.weight", "c.weight", "d.weight"};
        if (m.n_files < 1 || m.n_files > 2 || m.n_tensors != 2 * m.n_files)
            abort();
        for (size_t i = 0; i < m.n_tensors; i++) {
            size_t k = 0;
            while (k < 4 && strcmp(m.tensors[i]->name, names[k]) != 0)
                k++;
            if (k == 4 || st_model_find(&m, names[k]) != m.tensors[i])
                abort();
        }
        st_model_close(&m);
    } else if (!err[0] || err[0] != '/') {
        abort(); /* every rejection starts with the path of the file it is about */
    }
    return 0;
}
