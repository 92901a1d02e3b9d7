// 1 GiB hugetlb pages (MAP_HUGE_1GB): the pool's sysfs counters, a PDPT-level leaf (smaps
// KernelPageSize), SIGBUS-free touch of the whole page, and the pool refilled after munmap.
// x64emu-hugepages: 1G=1
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GIG (1UL << 30)
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

static long knob(const char *name)
{
    char path[128];
    long v = -1;
    snprintf(path, sizeof path, "/sys/kernel/mm/hugepages/hugepages-1048576kB/%s", name);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -2;
        fclose(f);
    }
    return v;
}

static void pool(const char *when)
{
    printf("%-20s nr=%ld free=%ld resv=%ld surplus=%ld\n", when, knob("nr_hugepages"), knob("free_hugepages"),
           knob("resv_hugepages"), knob("surplus_hugepages"));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pool("start");
    char *p = mmap(NULL, GIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
    printf("mmap 1 GiB page: %s, aligned %d\n", p == MAP_FAILED ? strerror(errno) : "ok", ((unsigned long)p & (GIG - 1)) == 0);
    pool("after mmap");
    errno = 0;
    char *q = mmap(NULL, GIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
    printf("second: %s\n", q == MAP_FAILED ? strerror(errno) : "ok");
    for (unsigned long off = 0; off < GIG; off += 64UL << 20)
        p[off] = (char)(off >> 26);
    int ok = 1;
    for (unsigned long off = 0; off < GIG; off += 64UL << 20)
        ok &= p[off] == (char)(off >> 26);
    printf("touched 16 spots, read back %d\n", ok);
    pool("after touch");

    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512], want[32];
    snprintf(want, sizeof want, "%lx-", (unsigned long)p);
    int in = 0;
    long hugetlb = 0, v;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) == 0)
            in = 1;
        else if (in && (strncmp(line, "KernelPageSize", 14) == 0 || strncmp(line, "Size:", 5) == 0))
            printf("  %s", line);
        else if (in && (sscanf(line, "Private_Hugetlb: %ld", &v) == 1 || sscanf(line, "Shared_Hugetlb: %ld", &v) == 1))
            hugetlb += v; /* Linux may count a 1 GiB folio as "maybe shared" */
        else if (in && strncmp(line, "VmFlags", 7) == 0)
            break;
    }
    fclose(f);
    printf("  Private+Shared_Hugetlb: %ld kB\n", hugetlb);
    errno = 0;
    int r = munmap(p, GIG / 2);
    printf("munmap half: %d %s\n", r, strerror(errno));
    printf("munmap: %d\n", munmap(p, GIG));
    pool("end");
    return 0;
}
