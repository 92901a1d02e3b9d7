/* int_loop: a serial integer loop (xorshift + multiply + rotate + add).
 * Usage: int_loop [ITERATIONS]   (default 250000000)
 * gcc -O2 compiles one iteration to 16 instructions (mov/shl/shr/xor/imul/add/rol/cmp/jb),
 * so the default count is 4.0 G guest instructions, ~0.4-1 s natively.  compare.sh runs the
 * same count under every runner (x64emu needs ~20-30 s for it).  The dependency chain keeps gcc -O2 from
 * vectorising or folding the loop; the result is printed so it cannot be dropped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 250000000ULL;
    uint64_t x = 0x243F6A8885A308D3ULL, acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x * 0x9E3779B97F4A7C15ULL;
        acc = (acc << 5) | (acc >> 59);
    }
    printf("int_loop n=%llu x=%016llx acc=%016llx\n",
           (unsigned long long)n, (unsigned long long)x, (unsigned long long)acc);
    return 0;
}
