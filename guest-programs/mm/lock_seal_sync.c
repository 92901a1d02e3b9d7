// mlock, mlock2(MLOCK_ONFAULT), munlock, mlockall/munlockall with RLIMIT_MEMLOCK and VmLck;
// mincore residency; msync flags and errors; mseal and what sealing forbids.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static long vmlck(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmLck: %ld kB", &v) == 1)
            break;
    fclose(f);
    return v;
}

#define SHOW(label, expr)                                                         \
    do {                                                                          \
        errno = 0;                                                                \
        long r_ = (long)(expr);                                                   \
        printf("%-40s = %ld %s\n", label, r_, r_ < 0 ? strerror(errno) : "");    \
    } while (0)

static void residency(const char *label, char *p, size_t pages)
{
    unsigned char vec[64];
    errno = 0;
    int r = mincore(p, pages * PAGE, vec);
    printf("%-40s = %d ", label, r);
    for (size_t i = 0; r == 0 && i < pages; i++)
        putchar('0' + (vec[i] & 1));
    printf("\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct rlimit rl = { 64 * PAGE, 64 * PAGE };
    SHOW("setrlimit MEMLOCK 256K", setrlimit(RLIMIT_MEMLOCK, &rl));
    char *p = mmap(NULL, 32 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    residency("mincore fresh", p, 8);
    p[0] = 1;
    p[3 * PAGE] = 1;
    residency("mincore after 2 writes", p, 8);
    SHOW("mincore unaligned", mincore(p + 1, PAGE, (unsigned char[1]){0}));
    SHOW("mincore bad vector", mincore(p, PAGE, (unsigned char *)8));
    SHOW("mincore unmapped", mincore((char *)0x10000, PAGE, (unsigned char[1]){0}));

    SHOW("mlock 4 pages", mlock(p + 8 * PAGE, 4 * PAGE));
    printf("VmLck %ld kB\n", vmlck());
    residency("mincore locked range", p + 8 * PAGE, 4);
    SHOW("mlock2 ONFAULT 4 pages", syscall(SYS_mlock2, p + 16 * PAGE, 4 * PAGE, MLOCK_ONFAULT));
    residency("mincore onfault range", p + 16 * PAGE, 4);
    printf("VmLck %ld kB\n", vmlck());
    SHOW("mlock2 bad flags", syscall(SYS_mlock2, p, PAGE, 2));
    SHOW("mlock over limit (128 pages)", mlock(p, 128 * PAGE));
    char *big = mmap(NULL, 128 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("mlock more than RLIMIT_MEMLOCK", mlock(big, 128 * PAGE));
    SHOW("mlock hole", mlock((char *)0x10000, PAGE));
    SHOW("munlock 4 pages", munlock(p + 8 * PAGE, 4 * PAGE));
    printf("VmLck %ld kB\n", vmlck());
    SHOW("munlock hole", munlock((char *)0x10000, PAGE));
    SHOW("mlockall 0", mlockall(0));
    SHOW("mlockall ONFAULT only", mlockall(MCL_ONFAULT));
    SHOW("mlockall CURRENT over limit", mlockall(MCL_CURRENT));
    SHOW("mlockall FUTURE", mlockall(MCL_FUTURE));
    errno = 0;
    char *q = mmap(NULL, 256 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("%-40s = %s\n", "mmap 1 MiB under MCL_FUTURE", q == MAP_FAILED ? strerror(errno) : "ok");
    q = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("%-40s = %s\n", "mmap 16 KiB under MCL_FUTURE", q == MAP_FAILED ? strerror(errno) : "ok");
    residency("mincore of it (populated)", q, 4);
    printf("VmLck %ld kB\n", vmlck());
    SHOW("munlockall", munlockall());
    printf("VmLck %ld kB\n", vmlck());
    rl.rlim_cur = rl.rlim_max = 0;
    SHOW("setrlimit MEMLOCK 0", setrlimit(RLIMIT_MEMLOCK, &rl));
    SHOW("mlock with zero limit", mlock(p, PAGE));

    SHOW("msync MS_SYNC", msync(p, PAGE, MS_SYNC));
    SHOW("msync MS_ASYNC|MS_SYNC", msync(p, PAGE, MS_ASYNC | MS_SYNC));
    SHOW("msync unaligned", msync(p + 1, PAGE, MS_SYNC));
    SHOW("msync bad flag", msync(p, PAGE, 8));
    SHOW("msync unmapped", msync((char *)0x10000, PAGE, MS_SYNC));
    SHOW("msync zero length", msync(p, 0, MS_SYNC));

    char *s = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("mseal bad flags", syscall(462, s, 4 * PAGE, 1));
    SHOW("mseal unaligned", syscall(462, s + 1, PAGE, 0));
    SHOW("mseal hole", syscall(462, (char *)0x10000, PAGE, 0));
    SHOW("mseal 2 pages", syscall(462, s + PAGE, 2 * PAGE, 0));
    SHOW("munmap sealed", munmap(s, 4 * PAGE));
    SHOW("mprotect sealed", mprotect(s + PAGE, PAGE, PROT_READ));
    SHOW("mremap sealed", (long)mremap(s + PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
    SHOW("MAP_FIXED over sealed", (long)mmap(s + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    SHOW("munmap unsealed neighbour", munmap(s, PAGE));
    s[PAGE] = 5;
    printf("sealed page still writable: %d\n", s[PAGE]);
    return 0;
}
