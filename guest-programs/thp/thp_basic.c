// Transparent huge pages under the default "madvise" mode: MADV_HUGEPAGE regions get 2 MiB pages on
// the first write fault, partial mprotect/munmap/MADV_DONTNEED split them back to 4 KiB pages with the
// data intact, MADV_NOHUGEPAGE keeps 4 KiB pages, MADV_COLLAPSE assembles a huge page, and smaps
// shows AnonHugePages and THPeligible.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define HUGE (2UL << 20)
#define PAGE 4096UL

/* Sums AnonHugePages and Rss over the VMAs that overlap [lo, hi), and prints THPeligible of the first. */
static void report(const char *what, char *lo, char *hi)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    unsigned long s = 0, e = 0, ahp = 0, rss = 0;
    int in = 0, elig = -1, vmas = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long a, b;
        long v;
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2 && strchr(line, ' ') == strchr(line, '-') + 0 + (strchr(line, ' ') - strchr(line, '-'))) {
            s = a, e = b;
            in = s < (unsigned long)hi && e > (unsigned long)lo;
            vmas += in;
        } else if (in && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
            ahp += v;
        else if (in && sscanf(line, "Rss: %ld kB", &v) == 1)
            rss += v;
        else if (in && elig < 0 && sscanf(line, "THPeligible: %ld", &v) == 1)
            elig = v;
    }
    fclose(f);
    printf("%-34s vmas=%d rss=%lu kB AnonHugePages=%lu kB THPeligible=%d\n", what, vmas, rss, ahp, elig);
}

static int check(char *p, size_t len, int seed)
{
    for (size_t i = 0; i < len; i += PAGE)
        if (p[i] != (char)(seed + i / PAGE))
            return 0;
    return 1;
}

static void fill(char *p, size_t len, int seed)
{
    for (size_t i = 0; i < len; i += PAGE)
        p[i] = (char)(seed + i / PAGE);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    char mode[64] = "";
    FILE *m = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (m) {
        fgets(mode, sizeof mode, m);
        fclose(m);
    }
    printf("enabled: %s", mode);

    char *a = mmap(NULL, 8 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("8 MiB mapping 2 MiB aligned: %d\n", ((unsigned long)a & (HUGE - 1)) == 0);
    report("plain, untouched", a, a + 8 * HUGE);
    fill(a + 6 * HUGE, HUGE, 1);
    report("plain, 2 MiB written", a, a + 8 * HUGE);

    printf("MADV_HUGEPAGE: %d\n", madvise(a, 6 * HUGE, MADV_HUGEPAGE));
    report("advised, untouched", a, a + 6 * HUGE);
    fill(a, 3 * HUGE, 7);
    report("advised, 6 MiB written", a, a + 6 * HUGE);
    printf("reads back: %d\n", check(a, 3 * HUGE, 7));

    // khugepaged would collapse split ranges of an MADV_HUGEPAGE VMA again at any moment; NOHUGEPAGE keeps
    // the huge pages that exist and stops that, so what follows is deterministic.
    printf("MADV_NOHUGEPAGE on it: %d\n", madvise(a, 6 * HUGE, MADV_NOHUGEPAGE));
    report("no longer eligible", a, a + 6 * HUGE);
    printf("mprotect 4 KiB inside first: %d\n", mprotect(a + 5 * PAGE, PAGE, PROT_READ));
    report("after partial mprotect", a, a + 6 * HUGE);
    printf("reads back: %d\n", check(a, 3 * HUGE, 7));

    printf("DONTNEED 4 KiB inside second: %d\n", madvise(a + HUGE + 9 * PAGE, PAGE, MADV_DONTNEED));
    report("after partial DONTNEED", a, a + 6 * HUGE);
    printf("dropped page reads %d, neighbours intact %d\n", a[HUGE + 9 * PAGE], a[HUGE + 8 * PAGE] == (char)(7 + 512 + 8) && a[HUGE + 10 * PAGE] == (char)(7 + 512 + 10));

    printf("munmap 4 KiB inside third: %d\n", munmap(a + 2 * HUGE + 100 * PAGE, PAGE));
    report("after partial munmap", a, a + 6 * HUGE);
    printf("third rest intact: %d\n", a[2 * HUGE + 99 * PAGE] == (char)(7 + 1024 + 99) && a[2 * HUGE + 101 * PAGE] == (char)(7 + 1024 + 101));

    printf("MADV_HUGEPAGE again on the fifth: %d\n", madvise(a + 4 * HUGE, HUGE, MADV_HUGEPAGE));
    pid_t pid = fork();
    if (pid == 0) {
        fill(a + 4 * HUGE, HUGE, 3);
        report("child after writing", a + 4 * HUGE, a + 5 * HUGE);
        _exit(check(a + 4 * HUGE, HUGE, 3) ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child ok %d; parent's range untouched: %d\n", WEXITSTATUS(st) == 0, a[4 * HUGE] == 0);

    char *n = mmap(NULL, 4 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("MADV_NOHUGEPAGE: %d\n", madvise(n, 4 * HUGE, MADV_NOHUGEPAGE));
    fill(n, 4 * HUGE, 5);
    report("no-huge, written", n, n + 4 * HUGE);
#ifdef MADV_COLLAPSE
    int r = madvise(n, 2 * HUGE, MADV_COLLAPSE);
    printf("MADV_COLLAPSE on no-huge: %d %s\n", r, r ? strerror(errno) : "");
    printf("MADV_HUGEPAGE: %d\n", madvise(n, 4 * HUGE, MADV_HUGEPAGE));
    // The whole advised range: khugepaged could collapse any part left over before report() reads smaps.
    r = madvise(n, 4 * HUGE, MADV_COLLAPSE);
    printf("MADV_COLLAPSE: %d %s\n", r, r ? strerror(errno) : "");
    report("collapsed", n, n + 4 * HUGE);
    printf("reads back: %d\n", check(n, 4 * HUGE, 5));
#endif
    munmap(n, 4 * HUGE);
    munmap(a, 8 * HUGE);
    return 0;
}
