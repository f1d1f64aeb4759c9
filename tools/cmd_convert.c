/* cmd_convert.c — `tritbench convert IN -o OUT`: quantize a safetensors checkpoint's linear weights to
 * packed ternary (the library is checkpoint/st_convert.c; this file is flags and messages). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tritbench/args.h"
#include "tritbench/safetensors.h"

typedef struct convert_flags {
    st_convert_opts o;
    int gguf; /* 0: safetensors, else the st_gguf_type */
    tb_str_list excludes;
    bool no_default_excludes;
    double threshold; /* < 0: not given */
} convert_flags;

static int set_format(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    convert_flags *f = field;
    f->gguf = strcmp(v, "tq2_0") == 0 ? ST_GGUF_TQ2_0 : strcmp(v, "tq1_0") == 0 ? ST_GGUF_TQ1_0 : 0;
    /* f16/bf16: the ternary projection written dequantized (any safetensors reader loads it); the packed
     * format stays i2 for the statistics' bytes_packed and bits_per_weight. */
    f->o.dequant_dtype = strcmp(v, "f16") == 0 ? ST_F16 : strcmp(v, "bf16") == 0 ? ST_BF16 : 0;
    if (!f->gguf && !f->o.dequant_dtype && trit_format_parse(v, &f->o.format) != 0) {
        snprintf(err, err_len, "unknown format '%s' (i2, t5, tq2_0, tq1_0, f16 or bf16)", v);
        return -1;
    }
    return 0;
}

static int set_method(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    if (strcmp(v, "absmean") == 0 || strcmp(v, "threshold") == 0) {
        *(trit_wquant_method *)field = strcmp(v, "threshold") == 0 ? TRIT_WQ_THRESHOLD : TRIT_WQ_ABSMEAN;
        return 0;
    }
    snprintf(err, err_len, "unknown method '%s' (absmean or threshold)", v);
    return -1;
}

static int set_granularity(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    if (strcmp(v, "tensor") == 0 || strcmp(v, "row") == 0) {
        *(trit_granularity *)field = strcmp(v, "row") == 0 ? TRIT_SCALE_ROW : TRIT_SCALE_TENSOR;
        return 0;
    }
    snprintf(err, err_len, "unknown granularity '%s' (tensor or row)", v);
    return -1;
}

static int set_head(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    /* field is the whole st_convert_opts: q8r sets head_q8 and head_q8r */
    if (strcmp(v, "keep") == 0 || strcmp(v, "q8") == 0 || strcmp(v, "q8r") == 0) {
        st_convert_opts *o = field;
        o->head_q8 = strcmp(v, "keep") != 0;
        o->head_q8r = strcmp(v, "q8r") == 0;
        return 0;
    }
    snprintf(err, err_len, "unknown head storage '%s' (keep, q8 or q8r)", v);
    return -1;
}

static int set_layout(const tb_opt *opt, void *field, const char *v, char *err, size_t err_len)
{
    (void)opt;
    if (st_layout_parse(v, (st_layout *)field) == 0)
        return 0;
    snprintf(err, err_len, "unknown layout '%s' (auto, llama, bitnet or gpt2)", v);
    return -1;
}

#define C(member) offsetof(convert_flags, member)
static const tb_opt convert_table[] = {
    {"output", 'o', .field = C(o.out_path), .metavar = "OUT", .help = "output file (never one of the inputs)"},
    {"format", .set = set_format, .field = 0, .metavar = "F",
     .help = "packed layout: i2 (default, 2 bits/weight) or t5 (1.6) in safetensors;\n"
             "tq2_0 or tq1_0 write a GGUF file with ggml's ternary blocks instead\n"
             "(256-weight blocks, d = FP16(gamma); weights whose K is not a multiple\n"
             "of 256 stay float; a tensor container without tokenizer/hyperparameters);\n"
             "f16 or bf16 write the ternary-projected weights dequantized (gamma * {-1,0,+1})\n"
             "with compression statistics in __metadata__['tritbench.stats.NAME' / '.total']"},
    {"method", .set = set_method, .field = C(o.method), .metavar = "M",
     .help = "weight quantizer: absmean (default, BitNet b1.58: round(W/gamma) clipped) or threshold\n"
             "(|W| < T*gamma -> 0, else sign(W); gamma = mean|W|)"},
    {"threshold", .set = tb_set_double, .field = C(threshold), .metavar = "T", .min = 0, .max = 1000000,
     .help = "T for --method threshold (default 0.5)"},
    {"granularity", .set = set_granularity, .field = C(o.granularity), .metavar = "G",
     .help = "one scale per tensor (default, as the BitNet paper) or per row"},
    {"head", .set = set_head, .field = C(o), .metavar = "H",
     .help = "embedding/lm_head tables: keep (default, copied as stored), q8 (int8 per row\n"
             "+ FP32 scale: NAME I8 [rows, cols], NAME_scale F32 [rows]; safetensors only) or q8r\n"
             "(q8 + NAME_resid U8 [rows, cols/2]: a 4-bit residual per weight for the re-scored top rows)"},
    {"layout", .set = set_layout, .field = C(o.layout), .metavar = "L",
     .help = "how the checkpoint stores its linear weights: auto (default: config.json's model_type\n"
             "beside IN, else the tensor names), llama (nn.Linear [out, in]; BitNet too) or gpt2\n"
             "(Conv1D [in, out]: transposed before quantizing). An unrecognised checkpoint needs it"},
    {"exclude", .set = tb_set_append, .field = C(excludes), .metavar = "REGEX",
     .help = "keep tensors whose name matches (POSIX ERE, repeatable), besides the defaults"},
    {"no-default-excludes", .kind = TB_BOOL, .field = C(no_default_excludes), .help = "drop the default exclusions"},
    {"dry-run", .kind = TB_BOOL, .field = C(o.dry_run), .help = "print the plan, write nothing"},
    {"progress", .kind = TB_BOOL, .field = C(o.progress), .help = "a line per tensor on stderr (automatic above 256 MiB)"},
};

static const tb_command convert_cmd = {
    .name = "tritbench convert",
    .synopsis = "IN -o OUT [flags]",
    .about = "Quantizes the 2-D linear weights of a safetensors checkpoint to packed ternary (BitNet b1.58 absmean)\n"
             "and copies every other tensor unchanged. IN is a .safetensors file, a model.safetensors.index.json\n"
             "(sharded) or a directory holding either; OUT is one .safetensors (or GGUF) file, written atomically.\n",
    .max_pos = 1,
    .pos_name = "one IN",
};
#define CONVERT_FOOTER                                                                                                 \
    "Default exclusions (per layout, printed by --dry-run): %s.\n\n"                                                                                     \
    "Only 2-D float (F32/F16/BF16/F64) tensors whose name ends in 'weight' are quantized. Each becomes\n"              \
    "NAME (U8 [rows, row_bytes]) + NAME_scale (F32), described in __metadata__['tritbench.packed.NAME'].\n"            \
    "Exit: 0 done, 2 bad usage or a bad/unreadable checkpoint (the message names file, tensor, problem).\n"

/* The --help footer with the default exclusions quoted. */
static void footer_text(char *buf, size_t cap)
{
    char list[512] = "";
    for (int l = ST_LAYOUT_LLAMA; l < ST_LAYOUT_COUNT; l++) {
        size_t n;
        const char *const *ex = st_layout_default_excludes((st_layout)l, &n);
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", l > ST_LAYOUT_LLAMA ? "; " : "", st_layout_name((st_layout)l));
        for (size_t i = 0; i < n; i++) {
            used = strlen(list);
            snprintf(list + used, sizeof list - used, " '%s'", ex[i]);
        }
    }
    snprintf(buf, cap, CONVERT_FOOTER, list);
}

static void print_line(void *user, const char *line)
{
    (void)user;
    printf("%s\n", line);
}

int cmd_convert(int argc, char **argv)
{
    convert_flags f = {.o = {.format = TRIT_FMT_I2, .granularity = TRIT_SCALE_TENSOR}, .threshold = -1};
    f.excludes.max = ST_MAX_EXCLUDES - 8; /* room for the defaults */
    const tb_opt_group groups[] = {{NULL, convert_table, TB_COUNT(convert_table), &f}};
    char footer[2048];
    footer_text(footer, sizeof footer);
    tb_command cmd = convert_cmd;
    cmd.footer = footer;
    tb_args args;
    const int parsed = tb_args_run(&cmd, groups, TB_COUNT(groups), argc, argv, &args);
    if (parsed >= 0)
        return parsed;
    st_convert_opts o = f.o;
    const int gguf = f.gguf;
    if (f.threshold >= 0 && o.method != TRIT_WQ_THRESHOLD) {
        fprintf(stderr, "tritbench convert: --threshold needs --method threshold\n");
        return 2;
    }
    o.threshold = f.threshold >= 0 ? (float)f.threshold : 0.5f;
    o.in_path = args.n_pos ? args.pos[0] : NULL;
    if (!o.in_path || (!o.out_path && !o.dry_run)) {
        fprintf(stderr, "tritbench convert: need IN and -o OUT (or --dry-run); see --help\n");
        return 2;
    }
    o.layout_excludes = !f.no_default_excludes; /* the detected layout's defaults (st_layout.c) */
    for (int i = 0; i < f.excludes.n; i++)
        o.excludes[o.n_excludes++] = f.excludes.items[i];
    if (gguf && o.head_q8) {
        fprintf(stderr, "tritbench convert: --head q8 writes safetensors only (not with --format tq1_0/tq2_0)\n");
        return 2;
    }
    st_convert_stats st;
    char err[1024];
    const int rc = gguf ? st_export_gguf(&o, (st_gguf_type)gguf, &st, o.dry_run ? print_line : NULL, NULL, err, sizeof err)
                        : st_convert(&o, &st, o.dry_run ? print_line : NULL, NULL, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "tritbench convert: %s\n", err);
        return 2;
    }
    printf("%s%zu tensors, %zu quantized to %s (%s scales): %.2f MB -> %.2f MB (%.2fx smaller; quantized layers "
           "%.2fx)%s%s\n",
           o.dry_run ? "dry run: " : "", st.n_tensors, st.n_quantized,
           gguf == ST_GGUF_TQ2_0   ? "tq2_0"
           : gguf == ST_GGUF_TQ1_0 ? "tq1_0"
           : o.dequant_dtype       ? (o.dequant_dtype == ST_F16 ? "ternary as f16" : "ternary as bf16")
                                   : trit_format_name(o.format),
           o.granularity == TRIT_SCALE_ROW ? "row" : "tensor", st.in_bytes / 1e6, st.out_bytes / 1e6,
           st.out_bytes ? (double)st.in_bytes / (double)st.out_bytes : 0.0,
           st.quantized_out_bytes ? (double)st.quantized_in_bytes / (double)st.quantized_out_bytes : 0.0,
           o.dry_run ? "" : " -> ", o.dry_run ? "" : o.out_path);
    return 0;
}
