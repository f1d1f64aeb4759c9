/* test_st_hostile.c — every broken/hostile image is rejected by st_parse with a message naming the file,
 * the tensor (when there is one) and the problem; the valid base image parses to the right values; and
 * every truncation of the valid image is rejected rather than misread. */
#include <stdlib.h>
#include <string.h>

#include "hostile_cases.h"
#include "tests/check.h"
#include "tritbench/safetensors.h"

static void test_base_parses(void)
{
    uint8_t buf[4096];
    size_t len;
    REQUIRE(hostile_case_build(SIZE_MAX, buf, sizeof buf, &len) == 0);
    st_file f;
    char err[512] = "";
    CHECKF(st_parse(buf, len, "base.safetensors", &f, err, sizeof err) == 0, "%s", err);
    if (check_failures)
        return;
    CHECK(f.n_tensors == 2);
    const st_tensor *a = st_file_find(&f, "a"), *b = st_file_find(&f, "b");
    REQUIRE(a && b);
    CHECK(a->dtype == ST_F32 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 2 && a->n_elems == 4);
    CHECK(b->dtype == ST_F16 && b->ndim == 1 && b->n_elems == 4 && b->begin == 16 && b->end == 24);
    CHECK(a->data == f.data && b->data == f.data + 16);
    CHECK(st_file_meta(&f, "format") && strcmp(st_file_meta(&f, "format"), "pt") == 0);
    CHECK(st_file_find(&f, "c") == NULL);
    /* Truncating the valid file anywhere must be an error, never a partial read. */
    for (size_t cut = 0; cut < len; cut++) {
        st_file g;
        const int rc = st_parse(buf, cut, "cut.safetensors", &g, err, sizeof err);
        CHECKF(rc == -1, "truncation to %zu bytes accepted", cut);
        if (rc == 0)
            st_close(&g);
    }
    /* st_parse borrows buf: close must not unmap it. */
    f.map = NULL;
    st_close(&f);
}

static void test_hostile(void)
{
    for (size_t i = 0; i < hostile_case_count; i++) {
        const hostile_case *c = &hostile_cases[i];
        uint8_t buf[4096];
        size_t len;
        REQUIRE(hostile_case_build(i, buf, sizeof buf, &len) == 0);
        char name[128], err[512] = "";
        snprintf(name, sizeof name, "%s.safetensors", c->id);
        st_file f;
        const int rc = st_parse(buf, len, name, &f, err, sizeof err);
        CHECKF(rc == -1, "case %s accepted", c->id);
        if (rc == 0) {
            st_close(&f);
            continue;
        }
        CHECKF(strncmp(err, name, strlen(name)) == 0, "case %s: message does not start with the file: %s", c->id, err);
        CHECKF(strstr(err, c->fragment) != NULL, "case %s: expected '%s' in: %s", c->id, c->fragment, err);
        if (c->tensor) {
            char want[64];
            snprintf(want, sizeof want, "tensor '%s'", c->tensor);
            CHECKF(strstr(err, want) != NULL, "case %s: expected %s in: %s", c->id, want, err);
        }
    }
}

int main(void)
{
    test_base_parses();
    test_hostile();
    return check_exit();
}
