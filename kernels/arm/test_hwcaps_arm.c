/* test_hwcaps_arm.c — guards the emulated test run: when tools/test-neon.sh asks for it
 * (TRIT_EXPECT_DOTPROD=1), the CPU must report dotprod, or the registry tests would silently skip every
 * "neon_dotprod" variant and pass without having run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

int main(void)
{
    const unsigned long hw = getauxval(AT_HWCAP);
    const char *expect = getenv("TRIT_EXPECT_DOTPROD");
    if (!(hw & HWCAP_ASIMD)) {
        fprintf(stderr, "AT_HWCAP lacks ASIMD: no aarch64 NEON variant can run here\n");
        return 1;
    }
    if (!expect || strcmp(expect, "1") != 0) {
        printf("TRIT_EXPECT_DOTPROD not set: nothing to require (dotprod %s)\n",
               hw & HWCAP_ASIMDDP ? "present" : "absent");
        return 77;
    }
    if (!(hw & HWCAP_ASIMDDP)) {
        fprintf(stderr, "TRIT_EXPECT_DOTPROD=1 but AT_HWCAP lacks ASIMDDP: run qemu-aarch64 with -cpu max "
                        "(QEMU_CPU=max) so the neon_dotprod variants are tested\n");
        return 1;
    }
    printf("dotprod present: neon_dotprod variants are runnable\n");
    return 0;
}
