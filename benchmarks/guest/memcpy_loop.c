/* memcpy_loop: libc string/memory routines over a mix of sizes.
 * Usage: memcpy_loop [ROUNDS]   (default 1000)
 * Each round: memcpy 8 MiB in 64 KiB, 4 KiB and 64 B pieces, memmove 8 MiB overlapping,
 * memset 8 MiB, memcmp, strlen over 1 MiB strings, memchr.  ~50 MiB of traffic per round. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF (8u << 20)

static uint64_t fnv(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i += 4093) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

int main(int argc, char **argv) {
    unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1000;
    unsigned char *a = malloc(BUF + 64), *b = malloc(BUF + 64);
    char *s = malloc((1u << 20) + 1);
    if (!a || !b || !s) { perror("malloc"); return 1; }
    for (size_t i = 0; i < BUF; i++) a[i] = (unsigned char)(i * 131u + (i >> 12));
    memset(s, 'x', 1u << 20);
    s[1u << 20] = 0;
    uint64_t acc = 0;
    for (unsigned r = 0; r < rounds; r++) {
        a[r % BUF] ^= (unsigned char)r;
        for (size_t off = 0; off < BUF; off += 65536) memcpy(b + off, a + off, 65536);
        acc += (uint64_t)memcmp(a, b, BUF); /* equal: compares all 8 MiB */
        for (size_t off = 0; off < BUF / 4; off += 4096) memcpy(a + off + 1, b + off + 3, 4096);
        for (size_t off = 0; off < BUF / 64; off += 64) memcpy(b + off + 7, a + off, 64);
        memmove(b + 13, b, BUF - 13);
        acc += (uint64_t)(memcmp(a, b, BUF) > 0) + fnv(b, BUF);
        memset(a + BUF / 2, (int)r, BUF / 2);
        s[(r * 7919u) % (1u << 20)] = 0;
        acc += strlen(s);
        s[(r * 7919u) % (1u << 20)] = 'x';
        const unsigned char *q = memchr(a, 0xAB, BUF);
        acc += q ? (uint64_t)(q - a) : 0;
    }
    printf("memcpy_loop rounds=%u acc=%016llx h=%016llx\n", rounds,
           (unsigned long long)acc, (unsigned long long)fnv(a, BUF));
    return 0;
}
