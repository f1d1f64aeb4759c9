/* fuzz_profile.c — libFuzzer target for validation profiles (validate/profile.c vr_profile_parse, what
 * `validate --profile FILE` reads): any input is accepted with every target well-formed, or rejected
 * with a message that names the origin. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate/vr_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1); /* exactly size bytes are read: ASan sees any overrun */
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    vr_profile p;
    char err[1024] = "";
    if (vr_profile_parse(text, size, "fuzz", &p, err, sizeof err) == 0) {
        for (size_t i = 0; i < p.n_targets; i++) {
            char buf[128];
            vr_target_threshold_text(&p.targets[i], buf, sizeof buf);
            (void)vr_target_verdict(&p.targets[i], 1.0);
            (void)vr_target_verdict(&p.targets[i], NAN);
            if (vr_profile_find(&p, p.targets[i].name) == NULL)
                abort(); /* a parsed target must be found by its name */
        }
        vr_profile_free(&p);
    } else if (strncmp(err, "fuzz", 4) != 0) {
        abort(); /* every rejection names the file */
    }
    free(text);
    return 0;
}
