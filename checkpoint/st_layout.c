/* st_layout.c — which architecture layout a checkpoint has (config.json beside it, else its tensor names),
 * what that layout keeps in full precision by default, and which of its weights are stored [in, out]
 * (GPT-2's Conv1D) so that convert transposes them. safetensors.h states the rules. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tritbench/safetensors.h"

#define CONFIG_MAX_BYTES (16u << 20) /* a config.json is a few KB; anything huge is not one */

static const char *const layout_names[ST_LAYOUT_COUNT] = {"auto", "llama", "gpt2"};

static const char *const llama_excludes[] = {"embed", "lm_head", "norm"};
/* Anchored at a name component: 'wte' must not match e.g. "h.0.attn.c_attn" variants or "newte". */
static const char *const gpt2_excludes[] = {"(^|\\.)wte\\.", "(^|\\.)wpe\\.", "lm_head", "(^|\\.)ln_"};

/* GPT-2's Conv1D modules; every other 2-D weight of a GPT-2 checkpoint (lm_head) is an nn.Linear. */
static const char gpt2_conv1d_re[] = "(^|\\.)h\\.[0-9]+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight$";
static const char gpt2_name_re[] = "(^|\\.)(wte|wpe)\\.weight$|(^|\\.)h\\.[0-9]+\\.(attn\\.c_attn|mlp\\.c_fc)\\.weight$";
static const char llama_name_re[] =
    "(^|\\.)layers\\.[0-9]+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight$|(^|\\.)embed_tokens\\.weight$";

/* config.json values, case as Hugging Face writes them. */
static const struct {
    const char *model_type, *architecture;
    st_layout layout;
} known_configs[] = {
    {"gpt2", "GPT2LMHeadModel", ST_LAYOUT_GPT2},       {"gpt2", "GPT2Model", ST_LAYOUT_GPT2},
    {"llama", "LlamaForCausalLM", ST_LAYOUT_LLAMA},    {"bitnet", "BitNetForCausalLM", ST_LAYOUT_LLAMA},
    {"mistral", "MistralForCausalLM", ST_LAYOUT_LLAMA}, {"qwen2", "Qwen2ForCausalLM", ST_LAYOUT_LLAMA},
};

const char *st_layout_name(st_layout l) { return (unsigned)l < ST_LAYOUT_COUNT ? layout_names[l] : "?"; }

int st_layout_parse(const char *name, st_layout *out)
{
    for (int l = 0; name && l < ST_LAYOUT_COUNT; l++)
        if (strcmp(name, layout_names[l]) == 0) {
            *out = (st_layout)l;
            return 0;
        }
    if (name && strcmp(name, "bitnet") == 0) {
        *out = ST_LAYOUT_LLAMA;
        return 0;
    }
    return -1;
}

const char *const *st_layout_default_excludes(st_layout l, size_t *count)
{
    if (l == ST_LAYOUT_GPT2) {
        *count = sizeof gpt2_excludes / sizeof gpt2_excludes[0];
        return gpt2_excludes;
    }
    *count = sizeof llama_excludes / sizeof llama_excludes[0];
    return llama_excludes;
}

static bool matches(const char *re_text, const char *s)
{
    regex_t re;
    if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB) != 0)
        return false; /* our own constants: compiled in tests */
    const bool hit = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

bool st_layout_transposes(st_layout l, const st_tensor *t)
{
    return l == ST_LAYOUT_GPT2 && t->ndim == 2 && matches(gpt2_conv1d_re, t->name);
}

/* config.json beside the checkpoint: 1 and *text (malloc'd, NUL-terminated) when present, 0 when absent,
 * -1 (message) when it exists but is no regular file or cannot be read. Opened non-blocking so a FIFO
 * named config.json cannot hang us. */
static int read_config(const char *in_path, char **text, char *path, size_t path_len, char *err, size_t err_len)
{
    struct stat sb;
    if (stat(in_path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(path, path_len, "%s/config.json", in_path);
    } else {
        const char *slash = strrchr(in_path, '/');
        if (slash)
            snprintf(path, path_len, "%.*s/config.json", (int)(slash - in_path), in_path);
        else
            snprintf(path, path_len, "config.json");
    }
    const int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    char *buf = NULL;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, err_len, "%s: not a regular file", path);
    } else if ((uint64_t)sb.st_size > CONFIG_MAX_BYTES) {
        snprintf(err, err_len, "%s: %lld bytes, too large for a config.json", path, (long long)sb.st_size);
    } else if (!(buf = malloc((size_t)sb.st_size + 1))) {
        snprintf(err, err_len, "%s: out of memory", path);
    } else {
        size_t got = 0;
        while (got < (size_t)sb.st_size) {
            const ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got != (size_t)sb.st_size) {
            snprintf(err, err_len, "%s: short read (changed while being read?)", path);
        } else {
            buf[got] = '\0';
            *text = buf;
            buf = NULL;
            rc = 1;
        }
    }
    free(buf);
    close(fd);
    return rc;
}

/* The layout config.json names: 1 found, 0 it names none we know (why says what it names), or it has
 * neither key (why empty), -1 invalid JSON (message). */
static int layout_from_config(const char *path, const char *text, st_layout *out, char *why, size_t why_len)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root || !json_is_object(root)) {
        snprintf(why, why_len, "%s: not a JSON object (line %d: %s)", path, jerr.line, root ? "" : jerr.text);
        json_decref(root);
        return -1;
    }
    const char *type = json_string_value(json_object_get(root, "model_type"));
    const char *arch = json_string_value(json_array_get(json_object_get(root, "architectures"), 0));
    int rc = 0;
    why[0] = '\0';
    for (size_t i = 0; i < sizeof known_configs / sizeof known_configs[0] && rc == 0; i++)
        if (type ? strcmp(type, known_configs[i].model_type) == 0
                 : arch && strcmp(arch, known_configs[i].architecture) == 0) {
            *out = known_configs[i].layout;
            snprintf(why, why_len, "%s %s '%s'", path, type ? "model_type" : "architectures",
                     ST_SHOW(type ? type : arch));
            rc = 1;
        }
    if (rc == 0 && (type || arch))
        snprintf(why, why_len, "%s names %s '%s', a layout convert does not know", path,
                 type ? "model_type" : "architectures", ST_SHOW(type ? type : arch));
    json_decref(root);
    return rc;
}

/* From tensor names alone: 1 found, 0 neither or both (why says). */
static int layout_from_names(const st_model *m, st_layout *out, char *why, size_t why_len)
{
    const char *gpt2 = NULL, *llama = NULL;
    for (size_t i = 0; i < m->n_tensors && !(gpt2 && llama); i++) {
        if (!gpt2 && matches(gpt2_name_re, m->tensors[i]->name))
            gpt2 = m->tensors[i]->name;
        if (!llama && matches(llama_name_re, m->tensors[i]->name))
            llama = m->tensors[i]->name;
    }
    if (gpt2 && llama) {
        snprintf(why, why_len, "tensor names of both layouts ('%s' is GPT-2's, '%s' Llama's)", ST_SHOW(gpt2),
                 ST_SHOW(llama));
        return 0;
    }
    if (!gpt2 && !llama) {
        snprintf(why, why_len, "no config.json and no tensor name of a known layout (e.g. 'h.0.attn.c_attn.weight' "
                 "or 'model.layers.0.self_attn.q_proj.weight')");
        return 0;
    }
    *out = gpt2 ? ST_LAYOUT_GPT2 : ST_LAYOUT_LLAMA;
    snprintf(why, why_len, "tensor names (e.g. '%s')", ST_SHOW(gpt2 ? gpt2 : llama));
    return 1;
}

int st_layout_detect(const char *in_path, const st_model *m, st_layout *out, char *why, size_t why_len)
{
    char path[4096], *text = NULL;
    const int have = read_config(in_path, &text, path, sizeof path, why, why_len);
    if (have < 0)
        return -1;
    if (have == 1) {
        const int rc = layout_from_config(path, text, out, why, why_len);
        free(text);
        if (rc != 0 || why[0] != '\0')
            return rc; /* found, invalid, or names a model we do not know: never fall back to a guess */
    }
    return layout_from_names(m, out, why, why_len);
}

/* Does any tensor qualify for quantization under o's excludes? */
static int any_candidate(const st_convert_opts *o, const st_model *m, const char **first, char *err, size_t err_len)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const int s = st_convert_selects(o, m->tensors[i], err, err_len);
        if (s != 0) {
            *first = m->tensors[i]->name;
            return s;
        }
    }
    return 0;
}

int st_layout_resolve(const st_convert_opts *o, const st_model *m, st_convert_opts *eff, char *line, size_t line_len,
                      char *err, size_t err_len)
{
    *eff = *o;
    char why[600] = "given with --layout";
    if (o->layout == ST_LAYOUT_AUTO) {
        const int rc = st_layout_detect(o->in_path, m, &eff->layout, why, sizeof why);
        if (rc < 0) {
            snprintf(err, err_len, "%s", why);
            return -1;
        }
        if (rc == 0) {
            const char *first = NULL;
            const int c = any_candidate(o, m, &first, err, err_len);
            if (c < 0)
                return -1;
            if (c > 0) {
                snprintf(err, err_len, "%s: unknown checkpoint layout (%s); a weight such as '%s' could be stored "
                         "[out, in] or [in, out], so convert will not guess: name it with --layout llama|gpt2",
                         o->in_path, why, ST_SHOW(first));
                return -1;
            }
            eff->layout = ST_LAYOUT_LLAMA; /* nothing would be quantized: the layout changes nothing */
            snprintf(why, sizeof why, "none recognised, nothing to quantize");
        }
    }
    size_t n = 0;
    const char *const *ex = st_layout_default_excludes(eff->layout, &n);
    int at = snprintf(line, line_len, "layout    %s (%s)%s; default excludes", st_layout_name(eff->layout), why,
                      eff->layout == ST_LAYOUT_GPT2 ? "; Conv1D weights [in, out] transposed to [out, in]" : "");
    for (size_t i = 0; i < n && at >= 0 && (size_t)at < line_len; i++)
        at += snprintf(line + at, line_len - (size_t)at, " '%s'", ex[i]);
    if (at >= 0 && (size_t)at < line_len)
        snprintf(line + at, line_len - (size_t)at, "%s", o->layout_excludes ? "" : " (not applied)");
    if (!o->layout_excludes)
        return 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < eff->n_excludes; j++)
            dup = dup || strcmp(eff->excludes[j], ex[i]) == 0;
        if (dup)
            continue;
        if (eff->n_excludes >= ST_MAX_EXCLUDES) {
            snprintf(err, err_len, "too many excludes (at most %d with the layout's defaults)", ST_MAX_EXCLUDES);
            return -1;
        }
        eff->excludes[eff->n_excludes++] = ex[i];
    }
    return 0;
}

int st_transpose_f32(float *W, size_t rows, size_t cols)
{
    float *tmp = malloc(rows * cols * sizeof *tmp);
    if (!tmp)
        return -1;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            tmp[c * rows + r] = W[r * cols + c];
    memcpy(W, tmp, rows * cols * sizeof *tmp);
    free(tmp);
    return 0;
}
