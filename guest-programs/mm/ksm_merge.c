// tests KSM: two MADV_MERGEABLE regions with identical contents are merged by the scanner into shared
// read-only pages (pages_shared/pages_sharing under /sys/kernel/mm/ksm, KSM in smaps), a write breaks
// one page out copy-on-write, and MADV_UNMERGEABLE unmerges the rest. KSM runs only when root enables it
// (and asynchronously), so this runs under x64emu --ksm against a written expectation.
// x64emu-emu-args: --ksm
// x64emu-expect: ksm_merge.expected
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define N 32

static long knob(const char *name)
{
    char path[128];
    long v = -1;
    snprintf(path, sizeof path, "/sys/kernel/mm/ksm/%s", name);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -2;
        fclose(f);
    }
    return v;
}

/* KSM kB summed over all mappings (a and b may share one VMA) */
static long smaps_ksm(void)
{
    char line[256];
    long v, sum = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "KSM: %ld kB", &v) == 1)
            sum += v;
    fclose(f);
    return sum;
}

static int wait_for(long shared, long sharing)
{
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < 500; i++) {
        if (knob("pages_shared") == shared && knob("pages_sharing") == sharing)
            return 1;
        nanosleep(&ts, NULL);
    }
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("run=%ld pages_to_scan=%ld\n", knob("run"), knob("pages_to_scan"));
    char *a = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < N; i++) {
        memset(a + i * PAGE, 'a' + i % 26, PAGE);
        memset(b + i * PAGE, 'a' + i % 26, PAGE);
    }
    printf("MADV_MERGEABLE: %d %d\n", madvise(a, N * PAGE, MADV_MERGEABLE), madvise(b, N * PAGE, MADV_MERGEABLE));
    /* 26 distinct contents over 64 pages: 26 KSM pages, 38 more mappings of them */
    int ok = wait_for(26, 38);
    printf("merged: %d (shared %ld, sharing %ld)\n", ok, knob("pages_shared"), knob("pages_sharing"));
    printf("smaps KSM total: %ld kB\n", smaps_ksm());
    printf("contents intact: %d\n", a[5 * PAGE] == 'f' && b[31 * PAGE + 100] == 'f');
    b[0] = 'Z';
    printf("write breaks one page: b[0]=%c a[0]=%c\n", b[0], a[0]);
    ok = wait_for(26, 37);
    printf("after write: %d (shared %ld, sharing %ld)\n", ok, knob("pages_shared"), knob("pages_sharing"));
    printf("MADV_UNMERGEABLE b: %d\n", madvise(b, N * PAGE, MADV_UNMERGEABLE));
    printf("smaps KSM total: %ld kB\n", smaps_ksm());
    printf("unmerged b: shared %ld sharing %ld\n", knob("pages_shared"), knob("pages_sharing"));
    printf("b still readable: %c %c\n", b[1 * PAGE], b[30 * PAGE]);
    return 0;
}
