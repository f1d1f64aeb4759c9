/* st_text.c — names from a checkpoint are attacker-chosen bytes: print them escaped. */
#include <stdio.h>
#include <string.h>

#include "tritbench/safetensors.h"

const char *st_escape_name(const char *name, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    size_t at = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        char piece[8];
        if (*p < 0x20 || *p == 0x7f)
            snprintf(piece, sizeof piece, "\\x%02x", *p);
        else if (*p == '\\')
            snprintf(piece, sizeof piece, "\\\\");
        else
            piece[0] = (char)*p, piece[1] = '\0';
        const size_t n = strlen(piece);
        if (at + n + 4 > len) { /* room for "..." and the NUL */
            snprintf(buf + at, len - at, "...");
            return buf;
        }
        memcpy(buf + at, piece, n);
        at += n;
    }
    buf[at] = '\0';
    return buf;
}
