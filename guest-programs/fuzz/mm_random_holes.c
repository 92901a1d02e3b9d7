// Randomized mm differential test, --linux-quirks flavour: the same sequences as mm_random.c, but the
// ranges given to mprotect, madvise, mlock and munlock may span holes. Linux then updates the VMAs it
// reaches and fails with ENOMEM; x64emu does the same under --linux-quirks (and is atomic without it).
// x64emu-args: 1001 150 40
// x64emu-eager-args: 1001 8 40
// x64emu-emu-args: --wx=off --linux-quirks
#define MM_RANDOM_HOLES 1
#include "mm_random.c"
