/* main.c — `tritbench <command>`: dispatch only; each command lives in its own cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "tritbench/args.h"
#include "tritbench_config.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"validate", cmd_validate, "sign off this machine's ternary kernels against FP32 baselines (the main job)"},
    {"run", cmd_run, "run benchmarks (google/benchmark flags, JSON/CSV/console output)"},
    {"list", cmd_list, "list benchmarks and kernel variants (runnable here or not, and why)"},
    {"info", cmd_info, "ISA features, topology and caches, PAPI, OpenBLAS and CUDA status"},
    {"compare", cmd_compare, "compare two result files (Mann-Whitney U test), gate regressions"},
    {"convert", cmd_convert, "quantize a safetensors checkpoint to packed ternary"},
    {"lm", cmd_lm, "train a small byte-level language model, convert it, PTQ and QAT through the kernels"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tritbench <command> [options]\n"
            "\n"
            "tritbench %s — benchmark and validation harness for ternary (BitNet b1.58) kernels.\n"
            "\n"
            "commands:\n",
            TRIT_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'tritbench <command> --help' describes each command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return tb_close_stdout("tritbench", 0);
    }
    if (strcmp(name, "--version") == 0) {
        printf("tritbench %s (%s)\n", TRIT_VERSION, TRIT_GIT_COMMIT);
        return tb_close_stdout("tritbench", 0);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            const int status = commands[i].fn(argc - 1, argv + 1);
            /* One check for every command: output lost to a full disk or a closed pipe is a failure. */
            char prog[64];
            snprintf(prog, sizeof prog, "tritbench %s", name);
            return tb_close_stdout(prog, status);
        }
    }
    fprintf(stderr, "tritbench: unknown command '%s'\n\n", name);
    usage(stderr);
    return 2;
}
