// tests MADV_COLD and MADV_PAGEOUT on transparent huge pages without swap: advice covering part of a THP
// splits it first; COLD over a whole THP clears its accessed bit and keeps it huge; PAGEOUT over a whole THP
// splits it (reclaim cannot swap it out and splits it) and the pages stay. (A THP shared with a fork child is left
// alone on Linux; X64Emu's fork copies THPs at once, see the README.)
// x64emu-native-retries: 3 (Linux sometimes cannot split a THP for a while under load; see advise_split)
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE (2UL << 20)

/* Walks the smaps fields of the mapping holding p: with want NULL prints Rss, Referenced, Anonymous and
 * AnonHugePages (those not 0); otherwise returns want's value in kB (-1 when absent). */
static long smaps_walk(char *p, const char *want)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[256];
    int in = 0;
    long found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        long v;
        char key[64];
        if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = s <= (unsigned long)p && (unsigned long)p < e;
            continue;
        }
        if (!in || sscanf(line, "%63[^:]: %ld kB", key, &v) != 2)
            continue;
        if (want && !strcmp(key, want))
            found = v;
        else if (!want && v != 0
                 && (!strcmp(key, "Rss") || !strcmp(key, "Referenced") || !strcmp(key, "Anonymous") || !strcmp(key, "AnonHugePages")))
            printf(" %s=%ld", key, v);
    }
    fclose(f);
    return found;
}

static void show(const char *what, char *p)
{
    printf("%-28s", what);
    smaps_walk(p, NULL);
    printf("\n");
}

/* AnonHugePages (kB) of the mapping holding p */
static long huge_kb(char *p)
{
    return smaps_walk(p, "AnonHugePages");
}

/* madvise that must split a THP: Linux gives up on a split when something else holds a transient reference
 * to the folio (compaction, a concurrent smaps walk; seen once under load) and splits on a later call, so
 * ask again, up to ten times, while the huge page count has not dropped. X64Emu always splits at once. */
static int advise_split(char *h, char *p, size_t len, int advice)
{
    long before = huge_kb(h);
    int r = madvise(p, len, advice);
    for (int i = 0; r == 0 && i < 10 && huge_kb(h) == before; i++) {
        usleep(1000);
        r = madvise(p, len, advice);
    }
    return r;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    /* Linux batches LRU moves per CPU and madvise drains only the current CPU's batches: pinned, a page
     * MADV_COLD deactivated is always back on an LRU list when MADV_PAGEOUT looks (X64Emu has no such batches;
     * it may not implement sched_setaffinity, which is then harmless) */
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
    sched_setaffinity(0, sizeof one, &one);
    char *raw = mmap(0, 6 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *h = (char *)(((unsigned long)raw + HUGE - 1) & ~(HUGE - 1));
    if (raw == MAP_FAILED || madvise(h, 4 * HUGE, MADV_HUGEPAGE))
        return 1;
    memset(h, 1, 4 * HUGE);
    show("4 THPs", h);
    printf("cold 64 pages of #0 -> %d\n", advise_split(h, h, 64 * 4096, MADV_COLD));
    show("after", h);
    printf("cold all of #1 -> %d\n", madvise(h + HUGE, HUGE, MADV_COLD));
    show("after", h);
    /* whether the PTEs of the split pages stay young varies on Linux (the split may go through migration entries):
     * smaps is read only after COLD has made them old */
    printf("pageout all of #2 -> %d\n", advise_split(h, h + 2 * HUGE, HUGE, MADV_PAGEOUT));
    printf("cold all of #2 -> %d\n", madvise(h + 2 * HUGE, HUGE, MADV_COLD));
    show("after", h);
    h[HUGE] = 2;
    show("#1 written", h);
    for (unsigned long i = 0; i < 4 * HUGE; i += 4096)
        if (h[i] != (i == HUGE ? 2 : 1))
            return 4;
    return 0;
}
