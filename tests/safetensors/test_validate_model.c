/* test_validate_model.c — vr_section_model on generated checkpoints: does nothing without --model;
 * fails cleanly on a missing or poisoned file; on a real checkpoint its memory figures equal an
 * independent count of the file's tensors, the error/sparsity figures sit where absmean ternary of
 * Gaussian weights puts them, the kernel matches the FP64 oracle; and the converted checkpoint, read
 * through the packed loader instead, gives the very same sparsity and memory (NMSE then N/A). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate/vr_internal.h"
#include "tests/check.h"
#include "tritbench/safetensors.h"

static const char profile_json[] =
    "{\"profile_version\":1,\"name\":\"test\",\"targets\":{"
    "\"memory_reduction\":{\"min\":8.2,\"unit\":\"x\"},\"model_memory_reduction\":{\"min\":1.0,\"unit\":\"x\"},"
    "\"speedup_gemv\":{\"min\":0.0,\"unit\":\"x\"},\"fidelity\":{\"max\":1e-10},\"nmse\":{\"max\":0.35},"
    "\"cosine\":{\"min\":0.8},\"sparsity\":{\"min\":0.2,\"max\":0.5,\"unit\":\"fraction\"}}}";

static vr_report *new_report(void)
{
    vr_profile p;
    char err[512];
    REQUIRE(vr_profile_parse(profile_json, strlen(profile_json), "test-profile", &p, err, sizeof err) == 0);
    vr_report *r = vr_report_new(&p);
    REQUIRE(r);
    return r;
}

static const vr_check_row *find_check(const vr_report *r, const char *target, size_t nth)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].section, "model") == 0 && strcmp(r->checks[i].target, target) == 0 && nth-- == 0)
            return &r->checks[i];
    return NULL;
}

static vr_options opts(const char *model)
{
    vr_options o;
    memset(&o, 0, sizeof o);
    o.model_path = model;
    o.threads = 1;
    o.quick = true;
    o.seed = 42;
    o.formats = "i2";
    return o;
}

/* Independent bookkeeping over the file: which tensors are linear layers, their packed bytes. */
static void expected_memory(const char *path, double *lin, double *whole)
{
    st_model m;
    char err[512];
    REQUIRE(st_model_open(path, &m, err, sizeof err) == 0);
    double fp32_lin = 0, packed = 0, fp32_all = 0, kept = 0;
    for (size_t i = 0; i < m.n_tensors; i++) {
        const st_tensor *t = m.tensors[i];
        const bool emb = strstr(t->name, "embed") || strstr(t->name, "lm_head");
        fp32_all += 4.0 * (double)t->n_elems;
        if (t->ndim == 2 && !emb) {
            trit_packed p;
            REQUIRE(trit_packed_alloc(&p, TRIT_FMT_I2, TRIT_SCALE_TENSOR, t->shape[0], t->shape[1]) == 0);
            fp32_lin += 4.0 * (double)t->n_elems;
            packed += (double)p.alloc_bytes;
            trit_packed_free(&p);
        } else {
            kept += (emb ? 2.0 : 4.0) * (double)t->n_elems;
        }
    }
    *lin = fp32_lin / packed;
    *whole = fp32_all / (packed + kept);
    st_model_close(&m);
}

static size_t table_rows(const vr_report *r, const char *title_prefix)
{
    for (size_t i = 0; i < r->n_tables; i++)
        if (strncmp(r->tables[i]->title, title_prefix, strlen(title_prefix)) == 0)
            return r->tables[i]->n_rows;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s CHECKPOINT CONVERTED POISONED CONVERTED_T5_ROW\n", argv[0]);
        return 2;
    }
    vr_report *r = new_report();
    vr_options o = opts(NULL);
    CHECK(vr_section_model(r, &o) == 0 && r->n_checks == 0 && r->n_tables == 0);
    o = opts("/nonexistent/model.safetensors");
    CHECK(vr_section_model(r, &o) == -1);
    o = opts(argv[3]);
    CHECK(vr_section_model(r, &o) == -1); /* NaN weight: refused, not a wrong number */
    vr_report_free(r);

    double lin, whole;
    expected_memory(argv[1], &lin, &whole);
    r = new_report();
    o = opts(argv[1]);
    REQUIRE(vr_section_model(r, &o) == 0);
    const vr_check_row *nmse = find_check(r, "nmse", 0), *cos = find_check(r, "cosine", 0),
                       *sp = find_check(r, "sparsity", 0), *fid = find_check(r, "fidelity", 0),
                       *mem = find_check(r, "memory_reduction", 0), *mm = find_check(r, "model_memory_reduction", 0);
    REQUIRE(nmse && cos && sp && fid && mem && mm);
    CHECKF(nmse->measured > 0.15 && nmse->measured < 0.35, "nmse %g", nmse->measured);
    CHECKF(cos->measured > 0.8 && cos->measured < 0.95, "cosine %g", cos->measured);
    CHECKF(sp->measured > 0.25 && sp->measured < 0.37, "sparsity %g", sp->measured);
    CHECKF(fid->measured < 1e-10 && fid->verdict == VR_PASS, "fidelity %g", fid->measured);
    CHECKF(fabs(mem->measured - lin) < 1e-9 * lin, "memory_reduction %g, expected %g", mem->measured, lin);
    CHECKF(fabs(mm->measured - whole) < 1e-9 * whole, "model_memory_reduction %g, expected %g", mm->measured, whole);
    CHECK(find_check(r, "speedup_gemv", 0) != NULL);
    CHECKF(table_rows(r, "Per-layer") == 14, "per-layer rows %zu", table_rows(r, "Per-layer"));
    CHECK(r->n_plots == 2);
    const double sparsity = sp->measured, reduction = mem->measured;
    vr_report_free(r);

    r = new_report();
    o = opts(argv[2]);
    REQUIRE(vr_section_model(r, &o) == 0);
    nmse = find_check(r, "nmse", 0);
    sp = find_check(r, "sparsity", 0);
    mem = find_check(r, "memory_reduction", 0);
    REQUIRE(nmse && sp && mem);
    CHECK(nmse->verdict == VR_NA);
    CHECKF(sp->measured == sparsity, "converted sparsity %.17g vs original %.17g", sp->measured, sparsity);
    CHECKF(mem->measured == reduction, "converted reduction %g vs %g", mem->measured, reduction);
    CHECKF(table_rows(r, "Per-layer") == 14, "per-layer rows %zu", table_rows(r, "Per-layer"));
    vr_report_free(r);

    /* Per-row scales, T5 codes: the kernels must still match the oracle built from the file's own γ. */
    r = new_report();
    o = opts(argv[4]);
    o.formats = NULL;
    REQUIRE(vr_section_model(r, &o) == 0);
    fid = find_check(r, "fidelity", 0);
    sp = find_check(r, "sparsity", 0);
    REQUIRE(fid && sp);
    CHECKF(fid->measured < 1e-10 && fid->verdict == VR_PASS, "row/t5 fidelity %g", fid->measured);
    CHECKF(sp->measured > 0.25 && sp->measured < 0.37, "row/t5 sparsity %g", sp->measured);
    CHECK(find_check(r, "memory_reduction", 1) != NULL); /* both formats when none is asked for */
    vr_report_free(r);
    return check_exit();
}
