/* make_demo_history.c — writes a demo history as files: NIGHTS google/benchmark JSON files built from
 * the real-sample fixture (tests/history/nights.h), one a night, a 5 % slowdown planted from STEP_NIGHT on in
 * FAMILY (default: the fixture's second family), night-to-night drift rescaled to DRIFT (robust sd, default
 * 0.01; 0 keeps this host's real drift). What the dashboard, CLI and nightly tests ingest.
 * Usage: make_demo_history FIXTURE.tsv OUTDIR NIGHTS STEP_NIGHT [FAMILY [DRIFT]] */
#include <errno.h>
#include <sys/stat.h>

#include "tests/history/nights.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s FIXTURE.tsv OUTDIR NIGHTS STEP_NIGHT [FAMILY [DRIFT]]\n", argv[0]);
        return 2;
    }
    if (load(argv[1]) != 0 || n_rows == 0 || n_runs == 0) {
        fprintf(stderr, "%s: no samples\n", argv[1]);
        return 2;
    }
    int nights = atoi(argv[3]), step = atoi(argv[4]);
    const char *family = argc > 5 && *argv[5] ? argv[5] : NULL;
    double drift = argc > 6 ? atof(argv[6]) : 0.01;
    for (int r = 0; r < n_rows && !family; r++)
        if (strcmp(rows[r].family, rows[0].family) != 0)
            family = rows[r].family;
    if (mkdir(argv[2], 0755) != 0 && errno != EEXIST) {
        perror(argv[2]);
        return 2;
    }
    char **docs = demo_history(nights, step, family, drift);
    if (!docs) {
        fprintf(stderr, "make_demo_history: out of memory or bad night count\n");
        return 2;
    }
    for (int k = 0; k < nights; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/night-%02d.json", argv[2], k);
        FILE *f = fopen(path, "w");
        size_t len = docs[k] ? strlen(docs[k]) : 0;
        if (!docs[k] || !f || fwrite(docs[k], 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "%s: cannot write\n", path);
            return 2;
        }
        free(docs[k]);
    }
    free(docs);
    printf("%s\n", family ? family : "");
    return 0;
}
