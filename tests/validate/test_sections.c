/* test_sections.c — the section descriptors: one table (names unique, every section judges named targets),
 * the profile's known targets derive from it, and every benchmark instance a section declares is an
 * instance of the one suite registry `tritbench run` registers (so `run --benchmark_filter=NAME` runs what
 * validate judges). No timing: registration only. */
#include <stdio.h>
#include <string.h>

#include "validate/vr_internal.h"
#include "tests/check.h"
#include "tritbench/suites.h"

static bool registered(const tb_registry *reg, const char *name)
{
    for (size_t i = 0; i < tb_registry_count(reg); i++)
        if (strcmp(tb_registry_name(reg, i), name) == 0)
            return true;
    return false;
}

/* Every declared instance of every section (for these options) is registered by the suites. */
static void declared_are_registered(const vr_options *o, const char *only, const char *must_have)
{
    tb_suite_config cfg;
    char lists[1024];
    tb_suite_config_for_validation(&cfg, o->threads, o->quick, o->shapes, o->variants, o->formats, lists,
                                   sizeof lists);
    tb_registry *reg = tb_registry_new();
    REQUIRE(reg && tb_suites_register_all(reg, &cfg) == 0);
    size_t n;
    const vr_section *const *secs = vr_sections(&n);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (!secs[i]->instances || secs[i]->needs_model || (only && strcmp(only, secs[i]->name) != 0))
            continue;
        vr_instances l;
        memset(&l, 0, sizeof l);
        REQUIRE(secs[i]->instances(o, &l) == 0 && !l.oom);
        for (size_t j = 0; j < l.count; j++) {
            CHECKF(registered(reg, l.items[j].name), "%s declares %s, which no suite registers", secs[i]->name,
                   l.items[j].name);
            found |= strcmp(l.items[j].name, must_have) == 0;
        }
        vr_instances_free(&l);
    }
    CHECKF(found, "no section declared %s", must_have);
    tb_registry_free(reg);
}

int main(void)
{
    size_t n;
    const vr_section *const *secs = vr_sections(&n);
    REQUIRE(n >= 5);
    for (size_t i = 0; i < n; i++) {
        CHECK(secs[i]->name && secs[i]->description && secs[i]->judge && secs[i]->targets && secs[i]->targets[0]);
        CHECK(vr_section_find(secs[i]->name) == secs[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(secs[i]->name, secs[j]->name) != 0);
        for (const char *const *t = secs[i]->targets; *t; t++)
            CHECKF(vr_target_known(*t), "%s judges %s, which the profile does not know", secs[i]->name, *t);
    }
    CHECK(vr_section_find("model") && vr_section_find("model")->needs_model);
    CHECK(vr_section_find("kernels") && !vr_section_find("kernels")->needs_model);
    /* The language-model sign-off: its own section after accuracy, judging the two LM targets. */
    const vr_section *lm = vr_section_find("lm");
    CHECK(lm && !lm->needs_model && !lm->instances && strcmp(lm->targets[0], "lm_degradation") == 0 &&
          strcmp(lm->targets[1], "lm_recovery") == 0 && !lm->targets[2]);
    CHECK(strstr(vr_section_names(), "accuracy, lm") != NULL);
    CHECK(vr_target_known("lm_degradation") && vr_target_known("lm_recovery"));
    CHECK(!vr_section_find("all") && !vr_section_find("nosuch"));
    CHECK(vr_target_known("e2e_decode_speedup") && !vr_target_known("roofline_pct"));
    CHECK(strstr(vr_section_names(), "kernels") && strstr(vr_section_names(), "cuda"));
    CHECK(strstr(vr_known_targets(), "speedup_bitlinear_gemm") != NULL);

    /* Instance names are exact: de-duplicated, grouped. */
    vr_instances l;
    memset(&l, 0, sizeof l);
    vr_instances_add(&l, 0, "gemv/i2/x/%dx%d/threads:1", 2, 3);
    vr_instances_add(&l, 1, "gemv/i2/x/2x3/threads:1");
    CHECK(l.count == 1 && l.items[0].group == 0 && strcmp(l.items[0].name, "gemv/i2/x/2x3/threads:1") == 0);
    vr_instances_free(&l);

    vr_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.quick = true;
    o.seed = 1;
    declared_are_registered(&o, NULL, "e2e/bitnet-large-4L/i2/decode/ctx:128/threads:1");
    /* The e2e section declares both heads and the three baseline models. */
    declared_are_registered(&o, "e2e", "e2e/bitnet-large-4L/i2-q8head/decode/ctx:512/threads:1");
    declared_are_registered(&o, "e2e", "e2e/bitnet-large-4L/fp16/decode/ctx:128/threads:1");
    declared_are_registered(&o, "e2e", "e2e/bitnet-large-4L/bf16/decode/ctx:512/threads:1");
    o.quick = false;
    o.formats = "i2";
    o.threads = 2;
    /* Full size: the kernels section only (whether bitnet-2b's e2e decoders are registered depends on this
     * machine's memory, and the section then says they did not fit). */
    declared_are_registered(&o, "kernels", "gemv/i2/scalar/2560x2560/threads:2");
    return check_exit();
}
