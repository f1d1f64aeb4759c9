/* test_model_names.c — a checkpoint whose tensor names carry a tab, a newline and a terminal escape:
 * the model section's per-layer plot data keeps one row per layer with four fields, and no raw control byte
 * reaches the report's rows (issue 17). The file is written here by hand (safetensors: 8-byte header length,
 * JSON header, F32 data), so the test needs nothing else. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/vr_internal.h"
#include "tests/check.h"
#include "tritbench/fixtures.h"

#define ROWS 64
#define COLS 256

/* Two 64×256 F32 linear weights named with control bytes (JSON escapes in the header). */
static void write_checkpoint(const char *path)
{
    const size_t bytes = (size_t)ROWS * COLS * sizeof(float);
    char header[1024];
    int n = snprintf(header, sizeof header,
                     "{\"model.layers.0.mlp\\tup.weight\": {\"dtype\": \"F32\", \"shape\": [%d, %d], "
                     "\"data_offsets\": [0, %zu]}, "
                     "\"model.layers.0.self_attn\\nq\\u001b]0;pwned\\u0007.weight\": {\"dtype\": \"F32\", \"shape\": "
                     "[%d, %d], \"data_offsets\": [%zu, %zu]}}",
                     ROWS, COLS, bytes, ROWS, COLS, bytes, 2 * bytes);
    REQUIRE(n > 0 && (size_t)n < sizeof header);
    while (n % 8) /* the header is padded with spaces to 8 bytes */
        header[n++] = ' ';
    float *w = malloc(bytes);
    REQUIRE(w);
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    const uint64_t len = (uint64_t)n;
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(len >> (8 * i));
    REQUIRE(fwrite(le, 1, 8, f) == 8 && fwrite(header, 1, (size_t)n, f) == (size_t)n);
    for (int t = 0; t < 2; t++) {
        trit_fill_weights(w, ROWS, COLS, TRIT_DIST_GAUSSIAN, 11u + (unsigned)t);
        REQUIRE(fwrite(w, 1, bytes, f) == bytes);
    }
    REQUIRE(fclose(f) == 0);
    free(w);
}

int main(void)
{
    char path[] = "/tmp/tb-test-names-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    write_checkpoint(path);
    static const char *profile = "{\"profile_version\": 1, \"name\": \"t\", \"targets\": {"
                                 "\"nmse\": {\"max\": 0.3}, \"cosine\": {\"min\": 0.85}, \"fidelity\": {\"max\": 1e-10},"
                                 "\"sparsity\": {\"min\": 0.2, \"max\": 0.5, \"unit\": \"fraction\"},"
                                 "\"memory_reduction\": {\"min\": 8.2, \"unit\": \"x\"},"
                                 "\"model_memory_reduction\": {\"min\": 8.2, \"unit\": \"x\"},"
                                 "\"speedup_gemv\": {\"min\": 2, \"unit\": \"x\"}}}";
    vr_profile p;
    char err[256];
    REQUIRE(vr_profile_parse(profile, strlen(profile), "t.json", &p, err, sizeof err) == 0);
    vr_report *r = vr_report_new(&p);
    REQUIRE(r);
    vr_options o;
    memset(&o, 0, sizeof o);
    o.model_path = path;
    o.threads = 1;
    o.quick = true;
    o.seed = 5;
    o.formats = "i2";
    REQUIRE(vr_section_model(r, &o) == 0);
    size_t layers_plotted = 0;
    for (size_t i = 0; i < r->n_plots; i++) {
        if (!strstr(r->plots[i].name, "layer_sparsity"))
            continue;
        /* every row after the '#' header: index, layer, nmse, sparsity */
        for (const char *line = r->plots[i].data; *line;) {
            const char *end = strchr(line, '\n');
            const size_t len = end ? (size_t)(end - line) : strlen(line);
            size_t tabs = 0;
            for (size_t k = 0; k < len; k++)
                tabs += line[k] == '\t';
            CHECKF(tabs == 3, "plot row with %zu tabs: %.*s", tabs, (int)len, line);
            CHECK(!memchr(line, '\x1b', len));
            layers_plotted += line[0] != '#';
            line = end ? end + 1 : line + len;
        }
    }
    CHECKF(layers_plotted == 2, "%zu layers plotted", layers_plotted);
    bool raw = false;
    for (size_t i = 0; i < r->n_tables; i++)
        for (size_t c = 0; c < r->tables[i]->n_rows * r->tables[i]->n_cols; c++)
            raw |= strpbrk(r->tables[i]->cells[c], "\t\n\x1b\x07") != NULL;
    for (size_t i = 0; i < r->n_checks; i++)
        raw |= strpbrk(r->checks[i].subject, "\t\n\x1b\x07") != NULL;
    CHECK(!raw);
    vr_report_free(r);
    unlink(path);
    return check_exit();
}
