// hugetlb pools with MAP_HUGETLB: reservations at mmap, consumption at fault, ENOMEM when the pool
// cannot cover a mapping, SIGBUS on touch for MAP_NORESERVE when no page is left, huge-page
// alignment rules (EINVAL), length rounding, private/shared semantics across fork.
// Needs a 2 MiB pool of 8 pages (the test sets the host's when it runs as root).
// x64emu-hugepages: 2M=8
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define HUGE (2UL << 20)
#define FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)

static void pool(const char *when)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    printf("%s:", when);
    while (fgets(line, sizeof line, f)) {
        long v;
        char name[64];
        if (sscanf(line, "HugePages_%63[^:]: %ld", name, &v) == 2)
            printf(" %s=%ld", name, v);
    }
    fclose(f);
    printf("\n");
}

static void smaps_field(void *addr, const char *field)
{
    char want[64], line[256];
    snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
    FILE *f = fopen("/proc/self/smaps", "r");
    int in = 0;
    while (fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strstr(line, " ") && line[0] != ' ' && strncmp(line, want, strlen(want)) == 0)
            in = 1;
        else if (in && strncmp(line, field, strlen(field)) == 0) {
            printf("  %s", line);
            break;
        }
    }
    fclose(f);
}

static void maps_line(void *addr)
{
    char want[64], line[512];
    snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
    FILE *f = fopen("/proc/self/maps", "r");
    while (fgets(line, sizeof line, f))
        if (strncmp(line, want, strlen(want)) == 0) {
            unsigned long s, e;
            char perms[8];
            sscanf(line, "%lx-%lx %7s", &s, &e, perms);
            printf("  mapping of %lu kB %s, named %s", (e - s) >> 10, perms, strrchr(line, '/') ? strrchr(line, '/') : "(none)\n");
        }
    fclose(f);
}

static sigjmp_buf jb;
static volatile int bus_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    bus_code = si->si_code;
    siglongjmp(jb, 1);
}

static int touch(char *p)
{
    bus_code = 0;
    if (sigsetjmp(jb, 1) == 0) {
        p[0] = 1;
        return 0;
    }
    return bus_code;
}

int main(void)
{
    struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };
    sigaction(SIGBUS, &sa, NULL);
    setvbuf(stdout, NULL, _IONBF, 0);
    pool("start");

    char *a = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE, FLAGS, -1, 0);
    printf("private 2 pages: %s, aligned %d\n", a == MAP_FAILED ? strerror(errno) : "ok", ((unsigned long)a & (HUGE - 1)) == 0);
    pool("after mmap");
    maps_line(a);
    printf("reads zero: %d\n", a[12345] == 0 && a[HUGE + 77] == 0);
    pool("after read fault");
    memset(a, 0xab, 4096);
    a[HUGE - 1] = 7;
    pool("after write");
    smaps_field(a, "KernelPageSize");
    smaps_field(a, "MMUPageSize");
    smaps_field(a, "Private_Hugetlb");
    smaps_field(a, "Rss:");

    errno = 0;
    char *big = mmap(NULL, 7 * HUGE, PROT_READ | PROT_WRITE, FLAGS, -1, 0);
    printf("7 more pages: %s\n", big == MAP_FAILED ? strerror(errno) : "ok");

    char *nr = mmap(NULL, 8 * HUGE, PROT_READ | PROT_WRITE, FLAGS | MAP_NORESERVE, -1, 0);
    printf("noreserve 8 pages: %s\n", nr == MAP_FAILED ? strerror(errno) : "ok");
    pool("after noreserve mmap");
    int i, got = 0, code = 0;
    for (i = 0; i < 8; i++) {
        code = touch(nr + i * HUGE);
        if (code)
            break;
        got++;
    }
    printf("noreserve touched %d pages, then SIGBUS code %d (BUS_ADRERR=%d)\n", got, code, BUS_ADRERR);
    pool("pool exhausted");
    munmap(nr, 8 * HUGE);
    pool("after munmap noreserve");

    char *small = mmap(NULL, 4096, PROT_READ | PROT_WRITE, FLAGS, -1, 0);
    printf("4096-byte hugetlb mmap: %s\n", small == MAP_FAILED ? strerror(errno) : "ok");
    maps_line(small);
    int r;
    errno = 0;
    r = munmap(small, 4096);
    printf("munmap 4 KiB of it: %d %s\n", r, strerror(errno));
    errno = 0;
    r = munmap(small + 4096, HUGE - 4096);
    printf("munmap at +4 KiB: %d %s\n", r, strerror(errno));
    errno = 0;
    r = mprotect(small, 4096, PROT_READ);
    printf("mprotect 4 KiB: %d %s\n", r, strerror(errno));
    errno = 0;
    r = madvise(small, 4096, MADV_DONTNEED);
    printf("madvise DONTNEED 4 KiB: %d %s\n", r, strerror(errno));
    errno = 0;
    void *fx = mmap(small + 4096, HUGE, PROT_READ, FLAGS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED unaligned: %s\n", fx == MAP_FAILED ? strerror(errno) : "ok");
    errno = 0;
    printf("mprotect whole page read-only: %d\n", mprotect(small, HUGE, PROT_READ));
    munmap(small, HUGE);
    pool("after small");

    char *sh = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    printf("shared: %s\n", sh == MAP_FAILED ? strerror(errno) : "ok");
    pool("after shared mmap");
    sh[0] = 1;
    pid_t pid = fork();
    if (pid == 0) {
        printf("child sees private %x %d, shared %d\n", (unsigned char)a[0], a[HUGE - 1], sh[0]);
        a[0] = 0x11;
        sh[0] = 42;
        printf("child wrote private %x\n", (unsigned char)a[0]);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("parent sees private %x, shared %d (child exit %d)\n", (unsigned char)a[0], sh[0], WEXITSTATUS(st));
    pool("after fork");

    munmap(sh, HUGE);
    munmap(a, 2 * HUGE);
    pool("end");
    return 0;
}
