/* profile.c — validation profiles (JSON): targets with thresholds, strict parsing, pure verdicts. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/vr_internal.h"

/* Every target some section judges (the sections' descriptors say which). A profile naming anything else is
 * a typo that would otherwise silently check nothing, so it is an error. */
bool vr_target_known(const char *name)
{
    size_t n;
    const vr_section *const *secs = vr_sections(&n);
    for (size_t i = 0; i < n; i++)
        for (const char *const *t = secs[i]->targets; t && *t; t++)
            if (strcmp(*t, name) == 0)
                return true;
    return false;
}

const char *vr_known_targets(void)
{
    static char buf[2048];
    if (!buf[0]) {
        size_t used = 0, n;
        const vr_section *const *secs = vr_sections(&n);
        for (size_t i = 0; i < n; i++)
            for (const char *const *t = secs[i]->targets; t && *t; t++) {
                bool seen = false; /* two sections may judge one target (model_memory_reduction) */
                for (size_t j = 0; j < i && !seen; j++)
                    for (const char *const *u = secs[j]->targets; u && *u && !seen; u++)
                        seen = strcmp(*u, *t) == 0;
                if (seen)
                    continue;
                int w = snprintf(buf + used, sizeof buf - used, "%s%s", used ? ", " : "", *t);
                if (w < 0 || (size_t)w >= sizeof buf - used)
                    return buf;
                used += (size_t)w;
            }
    }
    return buf;
}

static int copy_string(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int get_number(json_t *obj, const char *key, const char *where, bool *has, double *out, char *err,
                      size_t err_len)
{
    json_t *v = json_object_get(obj, key);
    *has = false;
    if (!v)
        return 0;
    if (!json_is_number(v)) {
        snprintf(err, err_len, "%s: \"%s\" must be a number", where, key);
        return -1;
    }
    *out = json_number_value(v);
    if (!isfinite(*out)) {
        snprintf(err, err_len, "%s: \"%s\" must be finite", where, key);
        return -1;
    }
    *has = true;
    return 0;
}

static int get_string(json_t *obj, const char *key, const char *where, bool required, char *dst, size_t cap,
                      char *err, size_t err_len)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            snprintf(err, err_len, "%s: missing key \"%s\"", where, key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        snprintf(err, err_len, "%s: \"%s\" must be a string", where, key);
        return -1;
    }
    if (copy_string(dst, cap, json_string_value(v)) != 0) {
        snprintf(err, err_len, "%s: \"%s\" is too long (at most %zu characters)", where, key, cap - 1);
        return -1;
    }
    return 0;
}

static int parse_target(const char *origin, const char *name, json_t *obj, vr_target *t, char *err, size_t err_len)
{
    char where[256];
    snprintf(where, sizeof where, "%s: target \"%s\"", origin, name);
    memset(t, 0, sizeof *t);
    if (!vr_target_known(name)) {
        snprintf(err, err_len, "%s: unknown target \"%s\" (known: %s)", origin, name, vr_known_targets());
        return -1;
    }
    if (copy_string(t->name, sizeof t->name, name) != 0) {
        snprintf(err, err_len, "%s: name too long", where);
        return -1;
    }
    if (!json_is_object(obj)) {
        snprintf(err, err_len, "%s: must be an object like {\"min\": 2.0, \"unit\": \"x\"}", where);
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (strcmp(key, "min") && strcmp(key, "max") && strcmp(key, "optimal") && strcmp(key, "unit") &&
            strcmp(key, "description")) {
            snprintf(err, err_len, "%s: unknown field \"%s\" (fields: min, max, optimal, unit, description)", where,
                     key);
            return -1;
        }
    }
    if (get_number(obj, "min", where, &t->has_min, &t->min, err, err_len) ||
        get_number(obj, "max", where, &t->has_max, &t->max, err, err_len) ||
        get_number(obj, "optimal", where, &t->has_optimal, &t->optimal, err, err_len) ||
        get_string(obj, "unit", where, false, t->unit, sizeof t->unit, err, err_len) ||
        get_string(obj, "description", where, false, t->description, sizeof t->description, err, err_len))
        return -1;
    if (!t->has_min && !t->has_max) {
        snprintf(err, err_len, "%s: missing key \"min\" or \"max\" (a target needs a threshold)", where);
        return -1;
    }
    if (t->has_min && t->has_max && t->min > t->max) {
        snprintf(err, err_len, "%s: min %g is above max %g", where, t->min, t->max);
        return -1;
    }
    if (t->has_optimal && t->has_min && t->has_max) {
        snprintf(err, err_len, "%s: \"optimal\" needs a one-sided target (min or max, not both)", where);
        return -1;
    }
    if (t->has_optimal && ((t->has_min && t->optimal < t->min) || (t->has_max && t->optimal > t->max))) {
        snprintf(err, err_len, "%s: optimal %g is less strict than the required threshold", where, t->optimal);
        return -1;
    }
    if (strcmp(t->unit, "") && strcmp(t->unit, "x") && strcmp(t->unit, "fraction")) {
        snprintf(err, err_len, "%s: unit \"%s\" unknown (x, fraction, or leave it out)", where, t->unit);
        return -1;
    }
    return 0;
}

int vr_profile_parse(const char *text, size_t len, const char *origin, vr_profile *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, err_len, "%s:%d:%d: invalid JSON: %s", origin, je.line, je.column, je.text);
        return -1;
    }
    int rc = -1;
    if (copy_string(p->path, sizeof p->path, origin) != 0) {
        snprintf(err, err_len, "profile path too long");
        goto out;
    }
    if (!json_is_object(root)) {
        snprintf(err, err_len, "%s: the profile must be a JSON object", origin);
        goto out;
    }
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "profile_version") && strcmp(key, "name") && strcmp(key, "description") &&
            strcmp(key, "targets") && strcmp(key, "head")) {
            snprintf(err, err_len, "%s: unknown key \"%s\" (keys: profile_version, name, description, head, targets)",
                     origin, key);
            goto out;
        }
    }
    json_t *ver = json_object_get(root, "profile_version");
    if (!ver) {
        snprintf(err, err_len, "%s: missing key \"profile_version\"", origin);
        goto out;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
        snprintf(err, err_len, "%s: \"profile_version\" must be the integer 1", origin);
        goto out;
    }
    if (get_string(root, "name", origin, true, p->name, sizeof p->name, err, err_len) ||
        get_string(root, "description", origin, false, p->description, sizeof p->description, err, err_len) ||
        get_string(root, "head", origin, false, p->head, sizeof p->head, err, err_len))
        goto out;
    if (!p->head[0])
        snprintf(p->head, sizeof p->head, "fp16"); /* what the profile signed off before heads were named */
    if (strcmp(p->head, "fp16") != 0 && strcmp(p->head, "q8") != 0 && strcmp(p->head, "q8r") != 0) {
        snprintf(err, err_len, "%s: \"head\" must be \"fp16\", \"q8\" or \"q8r\", not \"%s\"", origin, p->head);
        goto out;
    }
    json_t *targets = json_object_get(root, "targets");
    if (!targets) {
        snprintf(err, err_len, "%s: missing key \"targets\"", origin);
        goto out;
    }
    if (!json_is_object(targets) || json_object_size(targets) == 0) {
        snprintf(err, err_len, "%s: \"targets\" must be a non-empty object of target name → threshold", origin);
        goto out;
    }
    p->targets = calloc(json_object_size(targets), sizeof *p->targets);
    if (!p->targets) {
        snprintf(err, err_len, "%s: out of memory", origin);
        goto out;
    }
    json_object_foreach(targets, key, value)
    {
        if (parse_target(origin, key, value, &p->targets[p->n_targets], err, err_len) != 0)
            goto out;
        p->n_targets++;
    }
    rc = 0;
out:
    json_decref(root);
    if (rc != 0)
        vr_profile_free(p);
    return rc;
}

int vr_profile_load(const char *path, vr_profile *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open the profile: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int rc = -1;
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            if (cap >= (1u << 24)) {
                snprintf(err, err_len, "%s: too large for a profile (over 16 MiB)", path);
                goto out;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
    }
    if (!buf) {
        snprintf(err, err_len, "%s: out of memory", path);
        goto out;
    }
    if (ferror(f)) {
        snprintf(err, err_len, "%s: read error", path);
        goto out;
    }
    rc = vr_profile_parse(buf, len, path, p, err, err_len);
out:
    free(buf);
    fclose(f);
    return rc;
}

void vr_profile_free(vr_profile *p)
{
    free(p->targets);
    p->targets = NULL;
    p->n_targets = 0;
}

const vr_target *vr_profile_find(const vr_profile *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->n_targets; i++)
        if (strcmp(p->targets[i].name, name) == 0)
            return &p->targets[i];
    return NULL;
}

vr_verdict vr_target_verdict(const vr_target *t, double measured)
{
    if (!t || !isfinite(measured))
        return VR_FAIL;
    if (t->has_min && measured < t->min)
        return VR_FAIL;
    if (t->has_max && measured > t->max)
        return VR_FAIL;
    return VR_PASS;
}

bool vr_target_optimal(const vr_target *t, double measured)
{
    if (!t || !t->has_optimal || vr_target_verdict(t, measured) != VR_PASS)
        return false;
    return t->has_min ? measured >= t->optimal : measured <= t->optimal;
}

void vr_format_value(const char *unit, double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "%g", v);
    else if (unit && strcmp(unit, "x") == 0)
        snprintf(buf, len, "%.2f×", v);
    else if (unit && strcmp(unit, "fraction") == 0)
        snprintf(buf, len, "%.2f %%", v * 100.0);
    else
        snprintf(buf, len, "%.4g", v);
}

void vr_target_threshold_text(const vr_target *t, char *buf, size_t len)
{
    char a[48], b[48], o[64] = "";
    if (t->has_min)
        vr_format_value(t->unit, t->min, a, sizeof a);
    if (t->has_max)
        vr_format_value(t->unit, t->max, b, sizeof b);
    if (t->has_optimal) {
        char ov[48];
        vr_format_value(t->unit, t->optimal, ov, sizeof ov);
        snprintf(o, sizeof o, " (optimal %s %s)", t->has_min ? "≥" : "≤", ov);
    }
    if (t->has_min && t->has_max)
        snprintf(buf, len, "%s – %s", a, b);
    else if (t->has_min)
        snprintf(buf, len, "≥ %s%s", a, o);
    else
        snprintf(buf, len, "≤ %s%s", b, o);
}
