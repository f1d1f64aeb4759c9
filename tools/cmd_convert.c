/* cmd_convert.c — `tritbench convert IN -o OUT`: quantize a safetensors checkpoint's linear weights to
 * packed ternary (the library is model/safetensors/st_convert.c; this file is flags and messages). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tritbench/safetensors.h"

static void usage(FILE *out)
{
    size_t n;
    const char *const *ex = st_default_excludes(&n);
    fprintf(out,
            "usage: tritbench convert IN -o OUT [--format i2|t5|tq2_0|tq1_0] [--granularity tensor|row]\n"
            "                         [--exclude REGEX ...] [--no-default-excludes] [--dry-run] [--progress]\n"
            "\n"
            "Quantizes the 2-D linear weights of a safetensors checkpoint to packed ternary (BitNet b1.58 absmean)\n"
            "and copies every other tensor unchanged. IN is a .safetensors file, a model.safetensors.index.json\n"
            "(sharded) or a directory holding either; OUT is one .safetensors (or GGUF) file, written atomically.\n"
            "\n"
            "  -o, --output OUT       output file (never one of the inputs)\n"
            "  --format F             packed layout: i2 (default, 2 bits/weight) or t5 (1.6) in safetensors;\n"
            "                         tq2_0 or tq1_0 write a GGUF file with ggml's ternary blocks instead\n"
            "                         (256-weight blocks, d = FP16(gamma); weights whose K is not a multiple\n"
            "                         of 256 stay float; a tensor container without tokenizer/hyperparameters)\n"
            "  --granularity G        one scale per tensor (default, as the BitNet paper) or per row\n"
            "  --exclude REGEX        keep tensors whose name matches (POSIX ERE, repeatable); added to the\n"
            "                         defaults:");
    for (size_t i = 0; i < n; i++)
        fprintf(out, " '%s'", ex[i]);
    fprintf(out,
            "\n"
            "  --no-default-excludes  drop the default exclusions\n"
            "  --dry-run              print the plan, write nothing\n"
            "  --progress             a line per tensor on stderr (automatic above 256 MiB)\n"
            "\n"
            "Only 2-D float (F32/F16/BF16/F64) tensors whose name ends in 'weight' are quantized. Each becomes\n"
            "NAME (U8 [rows, row_bytes]) + NAME_scale (F32), described in __metadata__['tritbench.packed.NAME'].\n"
            "Exit: 0 done, 2 bad usage or a bad/unreadable checkpoint (the message names file, tensor, problem).\n");
}

static void print_line(void *user, const char *line)
{
    (void)user;
    printf("%s\n", line);
}

int cmd_convert(int argc, char **argv)
{
    st_convert_opts o = {.format = TRIT_FMT_I2, .granularity = TRIT_SCALE_TENSOR};
    int gguf = 0; /* 0: safetensors, else the st_gguf_type */
    const char *user_ex[ST_MAX_EXCLUDES];
    size_t n_user = 0;
    bool defaults = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        char flag[64];
        snprintf(flag, sizeof flag, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        const bool takes = strcmp(flag, "-o") == 0 || strcmp(flag, "--output") == 0 || strcmp(flag, "--format") == 0 ||
                           strcmp(flag, "--granularity") == 0 || strcmp(flag, "--exclude") == 0;
        const char *v = eq ? eq + 1 : NULL;
        if (takes && !v) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tritbench convert: %s needs a value\n", flag);
                return 2;
            }
            v = argv[++i];
        }
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(flag, "-o") == 0 || strcmp(flag, "--output") == 0) {
            o.out_path = v;
        } else if (strcmp(flag, "--format") == 0) {
            gguf = strcmp(v, "tq2_0") == 0 ? ST_GGUF_TQ2_0 : strcmp(v, "tq1_0") == 0 ? ST_GGUF_TQ1_0 : 0;
            if (!gguf && trit_format_parse(v, &o.format) != 0) {
                fprintf(stderr, "tritbench convert: unknown --format '%s' (i2, t5, tq2_0 or tq1_0)\n", v);
                return 2;
            }
        } else if (strcmp(flag, "--granularity") == 0) {
            if (strcmp(v, "tensor") == 0)
                o.granularity = TRIT_SCALE_TENSOR;
            else if (strcmp(v, "row") == 0)
                o.granularity = TRIT_SCALE_ROW;
            else {
                fprintf(stderr, "tritbench convert: unknown --granularity '%s' (tensor or row)\n", v);
                return 2;
            }
        } else if (strcmp(flag, "--exclude") == 0) {
            if (n_user >= ST_MAX_EXCLUDES - 8) {
                fprintf(stderr, "tritbench convert: too many --exclude (at most %d)\n", ST_MAX_EXCLUDES - 8);
                return 2;
            }
            user_ex[n_user++] = v;
        } else if (strcmp(flag, "--no-default-excludes") == 0 && !eq) {
            defaults = false;
        } else if (strcmp(flag, "--dry-run") == 0 && !eq) {
            o.dry_run = true;
        } else if (strcmp(flag, "--progress") == 0 && !eq) {
            o.progress = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "tritbench convert: unknown option '%s' (see --help)\n", a);
            return 2;
        } else if (!o.in_path) {
            o.in_path = a;
        } else {
            fprintf(stderr, "tritbench convert: more than one input ('%s' and '%s')\n", o.in_path, a);
            return 2;
        }
    }
    if (!o.in_path || (!o.out_path && !o.dry_run)) {
        fprintf(stderr, "tritbench convert: need IN and -o OUT (or --dry-run)\n\n");
        usage(stderr);
        return 2;
    }
    if (defaults) {
        size_t n;
        const char *const *ex = st_default_excludes(&n);
        for (size_t i = 0; i < n; i++)
            o.excludes[o.n_excludes++] = ex[i];
    }
    for (size_t i = 0; i < n_user; i++)
        o.excludes[o.n_excludes++] = user_ex[i];
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
           gguf == ST_GGUF_TQ2_0 ? "tq2_0" : gguf == ST_GGUF_TQ1_0 ? "tq1_0" : trit_format_name(o.format),
           o.granularity == TRIT_SCALE_ROW ? "row" : "tensor", st.in_bytes / 1e6, st.out_bytes / 1e6,
           st.out_bytes ? (double)st.in_bytes / (double)st.out_bytes : 0.0,
           st.quantized_out_bytes ? (double)st.quantized_in_bytes / (double)st.quantized_out_bytes : 0.0,
           o.dry_run ? "" : " -> ", o.dry_run ? "" : o.out_path);
    return 0;
}
