/* mmap_churn: N x (mmap 1 page, write it, mprotect PROT_READ, munmap), and every 16th
 * iteration an mremap (grow 1 -> 8 pages with MREMAP_MAYMOVE, touch, shrink to 2, munmap).
 * Usage: mmap_churn [N]   (default 200000) */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000;
    uint64_t acc = 0;
    long remaps = 0;
    for (long i = 0; i < n; i++) {
        unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) { perror("mmap"); return 1; }
        p[i & 4095] = (unsigned char)i;
        if (mprotect(p, 4096, PROT_READ) != 0) { perror("mprotect"); return 1; }
        acc += p[i & 4095];
        if ((i & 15) == 0) {
            unsigned char *q = mremap(p, 4096, 8 * 4096, MREMAP_MAYMOVE);
            if (q == MAP_FAILED) { perror("mremap grow"); return 1; }
            acc += q[i & 4095] + q[7 * 4096]; /* old byte survives, new tail is zero */
            q = mremap(q, 8 * 4096, 2 * 4096, 0);
            if (q == MAP_FAILED) { perror("mremap shrink"); return 1; }
            if (munmap(q, 2 * 4096) != 0) { perror("munmap"); return 1; }
            remaps++;
        } else if (munmap(p, 4096) != 0) { perror("munmap"); return 1; }
    }
    printf("mmap_churn n=%ld remaps=%ld acc=%llu\n", n, remaps, (unsigned long long)acc);
    return 0;
}
