// tests /proc/self/status, statm, smaps_rollup and pagemap as seen from a program: how VmSize, VmRSS,
// RssAnon, RssFile, RssShmem, VmData, VmLck, VmPTE-free fields and statm change as memory is mapped,
// touched, shared, locked and dropped; pagemap's present/file-shared/exclusive/soft-dirty bits and
// the PFN hidden from an unprivileged reader
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static long field(const char *file, const char *name)
{
    char line[256];
    long v = -1;
    FILE *f = fopen(file, "r");
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            sscanf(line + n + 1, "%ld", &v);
            break;
        }
    fclose(f);
    return v;
}

static const char *names[] = { "VmSize", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmLck" };
static long base[7], rbase[3], sbase[2];

static void snap(long *v, long *r, long *s)
{
    for (int i = 0; i < 7; i++)
        v[i] = field("/proc/self/status", names[i]);
    r[0] = field("/proc/self/smaps_rollup", "Rss");
    r[1] = field("/proc/self/smaps_rollup", "Anonymous");
    r[2] = field("/proc/self/smaps_rollup", "Private_Dirty");
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    fscanf(f, "%ld %ld", &size, &res);
    fclose(f);
    s[0] = size, s[1] = res;
}

static void delta(const char *what)
{
    long v[7], r[3], s[2];
    snap(v, r, s);
    printf("%-28s", what);
    for (int i = 0; i < 7; i++)
        printf(" %s%+ld", names[i], v[i] - base[i]);
    printf(" | rollup Rss%+ld Anon%+ld PrivDirty%+ld | statm size%+ld res%+ld\n", r[0] - rbase[0], r[1] - rbase[1],
           r[2] - rbase[2], s[0] - sbase[0], s[1] - sbase[1]);
}

static void pagemap(const char *what, char *p, int n)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    printf("%-28s", what);
    for (int i = 0; i < n; i++) {
        uint64_t e;
        pread(fd, &e, 8, ((uintptr_t)(p + i * PAGE) / PAGE) * 8);
        printf(" %c%c%c%c%s", e >> 63 & 1 ? 'P' : '-', e >> 61 & 1 ? 'F' : '-', e >> 56 & 1 ? 'X' : '-',
               e >> 55 & 1 ? 'D' : '-', (e & ((1ULL << 55) - 1)) ? "+pfn" : "");
    }
    printf("\n");
    close(fd);
}

static void warm_stack(void)
{
    /* the stack's depth at each call differs with the initial stack layout: touch 64 KiB of it first */
    volatile char pad[64 * 1024];
    for (size_t i = 0; i < sizeof pad; i += PAGE)
        pad[i] = 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    warm_stack();
    char *p = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    snap(base, rbase, sbase);
    snap(base, rbase, sbase); /* stdio's buffers exist from now on */
    delta("mapped 64 pages");
    for (int i = 0; i < 16; i++)
        p[i * PAGE] = 1;
    delta("wrote 16");
    for (int i = 16; i < 24; i++)
        (void)*(volatile char *)(p + i * PAGE);
    delta("read 8 more (zero page)");
    pagemap("pagemap 14..17", p + 14 * PAGE, 4);
    char *s = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(s, 1, 4 * PAGE);
    delta("shared anon, wrote 4");
    pagemap("pagemap shared 3..4", s + 3 * PAGE, 2);
    mlock(p + 32 * PAGE, 8 * PAGE);
    delta("mlock 8");
    madvise(p, 8 * PAGE, MADV_DONTNEED);
    delta("DONTNEED 8");
    munmap(p + 40 * PAGE, 24 * PAGE);
    delta("munmap 24");
    return 0;
}
