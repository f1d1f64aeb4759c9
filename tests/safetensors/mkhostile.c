/* mkhostile.c — writes each hostile case to DIR/<id>.safetensors and a manifest DIR/manifest.tsv
 * (id, tensor or '-', expected fragment) for the command-line test; also the fuzz seed corpus. */
#include <stdio.h>
#include <stdint.h>

#include "hostile_cases.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.tsv", argv[1]);
    FILE *man = fopen(path, "w");
    if (!man) {
        perror(path);
        return 2;
    }
    for (size_t i = 0; i < hostile_case_count; i++) {
        uint8_t buf[4096];
        size_t len;
        if (hostile_case_build(i, buf, sizeof buf, &len) != 0)
            return 2;
        snprintf(path, sizeof path, "%s/%s.safetensors", argv[1], hostile_cases[i].id);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            perror(path);
            return 2;
        }
        fprintf(man, "%s\t%s\t%s\n", hostile_cases[i].id, hostile_cases[i].tensor ? hostile_cases[i].tensor : "-",
                hostile_cases[i].fragment);
    }
    return fclose(man) == 0 ? 0 : 2;
}
