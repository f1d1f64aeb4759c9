/* test_profile.c — profile parsing (good, and every kind of bad) and the verdict logic on planted numbers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "validate/vr_internal.h"
#include "tests/check.h"

static int parse(const char *json, vr_profile *p, char *err, size_t len)
{
    return vr_profile_parse(json, strlen(json), "test.json", p, err, len);
}

/* Parsing must fail and the message must name the problem. */
static void expect_error(const char *json, const char *fragment)
{
    vr_profile p;
    char err[1024] = "";
    int rc = parse(json, &p, err, sizeof err);
    CHECKF(rc == -1, "accepted a bad profile (expected an error mentioning \"%s\")", fragment);
    CHECKF(strstr(err, fragment) != NULL, "error \"%s\" does not mention \"%s\"", err, fragment);
    CHECKF(strstr(err, "test.json") != NULL, "error \"%s\" does not name the file", err);
    if (rc == 0)
        vr_profile_free(&p);
}

static void bad_profiles(void)
{
    expect_error("{", "invalid JSON");
    expect_error("[]", "must be a JSON object");
    expect_error("{\"name\": \"x\", \"targets\": {\"nmse\": {\"max\": 1}}}", "missing key \"profile_version\"");
    expect_error("{\"profile_version\": 1, \"targets\": {\"nmse\": {\"max\": 1}}}", "missing key \"name\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\"}", "missing key \"targets\"");
    expect_error("{\"profile_version\": 2, \"name\": \"x\", \"targets\": {\"nmse\": {\"max\": 1}}}", "profile_version");
    expect_error("{\"profile_version\": 1, \"name\": 3, \"targets\": {\"nmse\": {\"max\": 1}}}",
                 "\"name\" must be a string");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": []}", "\"targets\" must be");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"speedup_gemv\": {\"min\": \"2\"}}}",
                 "\"min\" must be a number");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"speedup_gemv\": 2}}", "must be an object");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"speedup_gemv\": {\"unit\": \"x\"}}}",
                 "missing key \"min\" or \"max\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"speedup_gmev\": {\"min\": 2}}}",
                 "unknown target \"speedup_gmev\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"nmse\": {\"maxx\": 1}}}",
                 "unknown field \"maxx\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"sparsity\": {\"min\": 0.6, \"max\": 0.2}}}",
                 "above max");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"speedup_gemv\": {\"min\": 4, \"optimal\": 2}}}",
                 "less strict");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"nmse\": {\"max\": 1, \"unit\": \"km\"}}}",
                 "unit \"km\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"extra\": 1, \"targets\": {\"nmse\": {\"max\": 1}}}",
                 "unknown key \"extra\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"nmse\": {\"max\": 1}, \"nmse\": {\"max\": 2}}}",
                 "invalid JSON"); /* duplicate keys are rejected by the reader */
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"head\": \"q4\", \"targets\": {\"nmse\": {\"max\": 1}}}",
                 "\"head\" must be \"fp16\", \"q8\" or \"q8r\", not \"q4\"");
    expect_error("{\"profile_version\": 1, \"name\": \"x\", \"head\": 8, \"targets\": {\"nmse\": {\"max\": 1}}}",
                 "\"head\" must be a string");
    /* No "head": the FP16 head, as before heads were named. */
    vr_profile p;
    char err[256];
    REQUIRE(parse("{\"profile_version\": 1, \"name\": \"x\", \"targets\": {\"nmse\": {\"max\": 1}}}", &p, err,
                  sizeof err) == 0);
    CHECK(strcmp(p.head, "fp16") == 0);
    vr_profile_free(&p);
}

static const char *good =
    "{\"profile_version\": 1, \"name\": \"planted\", \"description\": \"d\", \"targets\": {"
    "\"speedup_gemv\": {\"min\": 2.0, \"optimal\": 4.0, \"unit\": \"x\"},"
    "\"nmse\": {\"max\": 0.3},"
    "\"sparsity\": {\"min\": 0.2, \"max\": 0.5, \"unit\": \"fraction\"}}}";

static void verdicts(void)
{
    vr_profile p;
    char err[512];
    REQUIRE(parse(good, &p, err, sizeof err) == 0);
    CHECK(p.n_targets == 3);
    CHECK(strcmp(p.name, "planted") == 0);
    const vr_target *sp = vr_profile_find(&p, "speedup_gemv"), *nm = vr_profile_find(&p, "nmse"),
                    *sa = vr_profile_find(&p, "sparsity");
    REQUIRE(sp && nm && sa);
    CHECK(vr_profile_find(&p, "cosine") == NULL);
    /* one-sided min, with the boundary inclusive */
    CHECK(vr_target_verdict(sp, 1.99) == VR_FAIL);
    CHECK(vr_target_verdict(sp, 2.0) == VR_PASS);
    CHECK(vr_target_verdict(sp, 3.0) == VR_PASS);
    CHECK(!vr_target_optimal(sp, 3.99));
    CHECK(vr_target_optimal(sp, 4.0));
    CHECK(!vr_target_optimal(sp, 1.0));
    /* one-sided max */
    CHECK(vr_target_verdict(nm, 0.31) == VR_FAIL);
    CHECK(vr_target_verdict(nm, 0.0) == VR_PASS);
    /* range */
    CHECK(vr_target_verdict(sa, 0.19) == VR_FAIL);
    CHECK(vr_target_verdict(sa, 0.51) == VR_FAIL);
    CHECK(vr_target_verdict(sa, 0.31) == VR_PASS);
    /* not a number is never a pass */
    CHECK(vr_target_verdict(sp, NAN) == VR_FAIL);
    CHECK(vr_target_verdict(nm, INFINITY) == VR_FAIL);
    char buf[64];
    vr_target_threshold_text(sp, buf, sizeof buf);
    CHECKF(strcmp(buf, "≥ 2.00× (optimal ≥ 4.00×)") == 0, "threshold text \"%s\"", buf);
    vr_target_threshold_text(sa, buf, sizeof buf);
    CHECKF(strcmp(buf, "20.00 % – 50.00 %") == 0, "threshold text \"%s\"", buf);

    /* Through the report: rows, N/A, missing targets, the run verdict. */
    vr_report *r = vr_report_new(&p);
    REQUIRE(r);
    size_t np, nf, nn;
    CHECK(vr_report_verdict(r, &np, &nf, &nn) == VR_NA); /* nothing checked */
    CHECK(vr_check(r, "kernels", "speedup_gemv", "a", 4.5, NULL) == VR_PASS);
    CHECK(r->checks[0].optimal);
    CHECK(vr_check(r, "kernels", "speedup_gemv", "b", 2.5, NULL) == VR_PASS);
    CHECK(!r->checks[1].optimal && strstr(r->checks[1].reason, "optimal") != NULL);
    CHECK(vr_check(r, "kernels", "speedup_gemv", "c", 5.0, "timing under emulation") == VR_NA);
    CHECK(strcmp(r->checks[2].reason, "timing under emulation") == 0);
    CHECK(vr_report_verdict(r, &np, &nf, &nn) == VR_PASS);
    CHECK(np == 2 && nf == 0 && nn == 1);
    /* A target the profile lacks fails loudly, even with an N/A reason. */
    CHECK(vr_check(r, "e2e", "e2e_decode_speedup", "d", 10.0, NULL) == VR_FAIL);
    CHECK(strstr(r->checks[3].reason, "no such target in the profile") != NULL);
    CHECK(vr_check(r, "cuda", "cuda_speedup_fp16", "e", 0, "no GPU") == VR_FAIL);
    CHECK(strcmp(vr_threshold_text(r, "cosine", buf, sizeof buf), "?") == 0);
    CHECK(vr_report_verdict(r, &np, &nf, &nn) == VR_FAIL);
    CHECK(np == 2 && nf == 2 && nn == 1);
    CHECK(strcmp(vr_verdict_name(VR_NA), "N/A") == 0);
    vr_report_free(r);
}

static void shipped_profile(void)
{
    vr_profile p;
    char err[1024];
    int rc = vr_profile_load(TRIT_PROFILE_PATH, &p, err, sizeof err);
    CHECKF(rc == 0, "shipped profile: %s", err);
    if (rc != 0)
        return;
    /* Every target a section checks must be there, or its rows fail as "no such target". */
    static const char *const needed[] = {"memory_reduction", "model_memory_reduction", "speedup_gemv", "speedup_gemm",
                                         "speedup_bitlinear_gemv", "speedup_bitlinear_gemm", "fidelity", "nmse",
                                         "cosine", "sparsity", "accuracy_degradation", "qat_recovery",
                                         "lm_degradation", "lm_recovery",
                                         "e2e_decode_speedup"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        CHECKF(vr_profile_find(&p, needed[i]) != NULL, "shipped profile lacks \"%s\"", needed[i]);
    const vr_target *m = vr_profile_find(&p, "memory_reduction");
    CHECK(m && m->has_min && m->min == 8.2);
    const vr_target *s = vr_profile_find(&p, "speedup_gemv");
    CHECK(s && s->min == 2.0 && s->has_optimal && s->optimal == 4.0);
    CHECK(strcmp(p.head, "q8r") == 0); /* the deployable configuration signed off: Q8 rows + 4-bit residual re-score */
    vr_profile_free(&p);
    rc = vr_profile_load("/nonexistent/profile.json", &p, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "/nonexistent/profile.json") != NULL);
}

int main(void)
{
    bad_profiles();
    verdicts();
    shipped_profile();
    return check_exit();
}
