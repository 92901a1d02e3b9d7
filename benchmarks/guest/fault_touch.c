/* fault_touch: 4 rounds x 256 MiB of fresh anonymous memory, one write per 4 KiB page,
 * munmap between rounds -> 4 * 65536 = 262,144 first-touch page faults with 4 KiB pages.
 * Usage: fault_touch [4k|thp|hugetlb] [ROUNDS] [MIB]
 *   4k       plain mmap (default)
 *   thp      madvise(MADV_HUGEPAGE) on a 2 MiB-aligned region (transparent huge pages)
 *   hugetlb  MAP_HUGETLB | MAP_HUGE_2MB (needs 128 free 2 MiB pages in the pool)
 * The guest's own peak RSS (getrusage ru_maxrss) goes to stderr, so stdout is identical
 * across runners. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "4k";
    int rounds = argc > 2 ? atoi(argv[2]) : 4;
    size_t len = (size_t)(argc > 3 ? atoi(argv[3]) : 256) << 20;
    const size_t huge = 2u << 20;
    uint64_t sum = 0, pages = 0;
    for (int r = 0; r < rounds; r++) {
        unsigned char *p;
        size_t maplen = len;
        unsigned char *base;
        if (!strcmp(mode, "hugetlb")) {
            base = mmap(NULL, len, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
            if (base == MAP_FAILED) { perror("mmap(MAP_HUGETLB)"); return 1; }
            p = base;
        } else if (!strcmp(mode, "thp")) {
            maplen = len + huge; /* over-allocate to align to 2 MiB */
            base = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (base == MAP_FAILED) { perror("mmap"); return 1; }
            p = (unsigned char *)(((uintptr_t)base + huge - 1) & ~(uintptr_t)(huge - 1));
            if (madvise(p, len, MADV_HUGEPAGE) != 0) { perror("madvise(MADV_HUGEPAGE)"); return 1; }
        } else if (!strcmp(mode, "4k")) {
            base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (base == MAP_FAILED) { perror("mmap"); return 1; }
            p = base;
        } else {
            fprintf(stderr, "usage: fault_touch [4k|thp|hugetlb] [ROUNDS] [MIB]\n");
            return 2;
        }
        for (size_t off = 0; off < len; off += 4096) {
            p[off] = (unsigned char)(off >> 12) + (unsigned char)r;
            pages++;
        }
        for (size_t off = 0; off < len; off += 1u << 20) sum += p[off];
        if (munmap(base, maplen) != 0) { perror("munmap"); return 1; }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "fault_touch guest ru_maxrss=%ld kB minflt=%ld\n", ru.ru_maxrss, ru.ru_minflt);
    printf("fault_touch mode=%s rounds=%d pages=%llu sum=%llu\n", mode, rounds,
           (unsigned long long)pages, (unsigned long long)sum);
    return 0;
}
