/* make_demo_history.c — writes a demo history as files: NIGHTS google/benchmark JSON files built from
 * the real-sample fixture (tests/history/nights.h), one a night, a 5 % slowdown planted from STEP_NIGHT on in
 * FAMILY (default: the fixture's second family). What the dashboard, CLI and nightly tests ingest.
 * Usage: make_demo_history FIXTURE.tsv OUTDIR NIGHTS STEP_NIGHT [FAMILY] */
#include <errno.h>
#include <sys/stat.h>

#include "tests/history/nights.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s FIXTURE.tsv OUTDIR NIGHTS STEP_NIGHT [FAMILY]\n", argv[0]);
        return 2;
    }
    if (load(argv[1]) != 0 || n_rows == 0 || n_runs == 0) {
        fprintf(stderr, "%s: no samples\n", argv[1]);
        return 2;
    }
    int nights = atoi(argv[3]), step = atoi(argv[4]);
    const char *family = argc > 5 ? argv[5] : NULL;
    for (int r = 0; r < n_rows && !family; r++)
        if (strcmp(rows[r].family, rows[0].family) != 0)
            family = rows[r].family;
    if (mkdir(argv[2], 0755) != 0 && errno != EEXIST) {
        perror(argv[2]);
        return 2;
    }
    rng_state = 0xD3E40ull;
    for (int k = 0; k < nights; k++) {
        char date[32], commit[16], path[4200];
        snprintf(date, sizeof date, "2026-10-%02dT02:00:00Z", k + 1);
        snprintf(commit, sizeof commit, "%07x", (unsigned)(0x1a2b3c + 977 * k));
        int run = (int)(next_u64() % (uint64_t)n_runs);
        size_t len;
        char *text = night_json(run, date, commit, family, k >= step ? 1.05 : 1.0, &len);
        snprintf(path, sizeof path, "%s/night-%02d.json", argv[2], k);
        FILE *f = fopen(path, "w");
        if (!text || !f || fwrite(text, 1, len, f) != len) {
            fprintf(stderr, "%s: cannot write\n", path);
            return 2;
        }
        fclose(f);
        free(text);
    }
    printf("%s\n", family ? family : "");
    return 0;
}
