/* table.c — gathers the x86-64 units' descriptor tables (each unit: one source compiled with its own ISA
 * flags, see meson.build) from the list meson generates into x86_units.h. Never names an ISA itself. */
#include "kernels/tables.h"
#include "kernels/x86/x86_units.h" /* generated in the build tree: #define TRIT_X86_UNITS X(avx2) ... */

#define X(u)                                                                                                  \
    extern const trit_kernel trit_kernels_x86_##u[];                                                          \
    extern const size_t trit_kernels_x86_##u##_count;
TRIT_X86_UNITS
#undef X

#define X(u) {trit_kernels_x86_##u, &trit_kernels_x86_##u##_count},
const trit_kernel_table trit_kernels_x86_units[] = {TRIT_X86_UNITS};
#undef X
const size_t trit_kernels_x86_n_units = sizeof trit_kernels_x86_units / sizeof trit_kernels_x86_units[0];
