// Randomized mm differential test: seeded random sequences of mmap/munmap/mprotect/mremap/madvise/
// mlock/munlock/fork and memory probes inside a fixed arena, printing every return value, errno,
// probe result and the arena's /proc/self/maps (+ Rss, Locked) after every step, relative to the
// arena base. Natively and under x64emu the output must be identical.
// Usage: mm_random FIRST_SEED COUNT [STEPS]   (each sequence runs in its own forked child)
// W^X is off for this test (x64emu --wx=off), ranges given to mprotect/madvise/mlock never span a hole,
// and madvise ranges stay inside one VMA: those are where X64Emu's atomic calls deliberately differ from
// Linux's partial updates (README); mm_random_holes.c covers them under --linux-quirks.
// x64emu-args: 1 150 40
// x64emu-eager-args: 1 8 40
// x64emu-emu-args: --wx=off
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define ARENA_PAGES 48
#define BASE ((char *)0x300000000000UL)
#define END (BASE + ARENA_PAGES * PAGE)

#ifdef MM_RANDOM_HOLES
static const int holes = 1;
#else
static const int holes = 0;
#endif

static uint64_t rng;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

struct vma { unsigned long s, e; char perms[5]; };
static struct vma vmas[128];
static int nvmas;

/* Reads the arena's VMAs (and prints them with Rss/Locked when verbose). */
static int verbose;

/* maps after every step; smaps (with Rss and Locked) at the end of each sequence */
static void scan(int print)
{
    FILE *f = fopen(verbose ? "/proc/self/smaps" : "/proc/self/maps", "r");
    char line[512];
    int in = 0;
    nvmas = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e, off;
        char perms[5], name[256] = "";
        long v;
        if (line[0] != ' ' && line[0] >= '0' && line[0] <= '9' && (line[0] != '3' || strncmp(line, "3000000", 7) != 0)) {
            in = 0; /* a VMA line outside the arena: skip the parse */
        } else if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %255[^\n]", &s, &e, perms, &off, name) >= 4 && strchr(line, '-') < strchr(line, ' ')) {
            in = s < (unsigned long)END && e > (unsigned long)BASE;
            if (in && nvmas < 128) {
                vmas[nvmas].s = s, vmas[nvmas].e = e;
                memcpy(vmas[nvmas].perms, perms, 5);
                nvmas++;
                if (print) {
                    long rel = ((long)off - (long)BASE) / 4096;
                    printf("  %+ld-%+ld %s off%c%ld %s", (long)(s - (unsigned long)BASE) / 4096, (long)(e - (unsigned long)BASE) / 4096,
                           perms, name[0] ? '=' : '~', name[0] ? (long)off / 4096 : rel, name);
                    if (!verbose) printf("\n");
                }
            }
        } else if (in && print && verbose && sscanf(line, "Rss: %ld kB", &v) == 1)
            printf(" rss=%ld", v);
        else if (in && print && verbose && sscanf(line, "Locked: %ld kB", &v) == 1)
            printf(" locked=%ld\n", v);
    }
    fclose(f);
}

static int covered(char *a, unsigned long len)
{
    unsigned long at = (unsigned long)a, end = at + len;
    for (int i = 0; i < nvmas && at < end; i++)
        if (vmas[i].e > at) {
            if (vmas[i].s > at)
                return 0;
            at = vmas[i].e;
        }
    return at >= end;
}

/* clamps [a, a+len) to the VMA holding a */
static unsigned long within_vma(char *a, unsigned long len)
{
    for (int i = 0; i < nvmas; i++)
        if (vmas[i].s <= (unsigned long)a && (unsigned long)a < vmas[i].e && (unsigned long)a + len > vmas[i].e)
            return vmas[i].e - (unsigned long)a;
    return len;
}

static sigjmp_buf jb;
static volatile int sigcode;
static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sigcode = sig * 10 + si->si_code;
    siglongjmp(jb, 1);
}

static void probe(char *p, int write, int value)
{
    sigcode = 0;
    if (sigsetjmp(jb, 1) == 0) {
        if (write) {
            *(volatile char *)p = (char)value;
            printf("  poke %+ld = ok\n", (long)(p - BASE) / 4096);
        } else
            printf("  peek %+ld = %d\n", (long)(p - BASE) / 4096, *(volatile char *)p);
    } else
        printf("  %s %+ld = signal %d\n", write ? "poke" : "peek", (long)(p - BASE) / 4096, sigcode);
}

static const char *errname(int e)
{
    static char buf[16];
    switch (e) {
    case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EOVERFLOW: return "EOVERFLOW";
    case ENODEV: return "ENODEV";
    }
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
}

static void result(const char *what, long r, int is_addr)
{
    if (r == -1 || (is_addr && (void *)r == MAP_FAILED))
        printf("%s -> -1 %s\n", what, errname(errno));
    else if (is_addr && (char *)r >= BASE && (char *)r < END)
        printf("%s -> %+ld\n", what, (long)((char *)r - BASE) / 4096);
    else if (is_addr)
        printf("%s -> outside\n", what);
    else
        printf("%s -> %ld\n", what, r);
}

static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC };
static const char *protname[] = { "---", "r--", "rw-", "r-x", "rwx" };
static const int advs[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_HUGEPAGE, MADV_NOHUGEPAGE };

static void sequence(unsigned seed, int steps)
{
    rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x100000001B3ULL);
    char what[160];
    for (int step = 0; step < steps; step++) {
        scan(0);
        char *a = BASE + rnd(ARENA_PAGES) * PAGE;
        unsigned long len = (1 + rnd(8)) * PAGE;
        if (a + len > END)
            len = END - a;
        int op = rnd(12), pi = rnd(5);
        long r;
        errno = 0;
        switch (op) {
        case 0:
        case 1: {
            int fl = MAP_PRIVATE | MAP_ANONYMOUS, k = rnd(10);
            if (k < 5) fl |= MAP_FIXED;
            else if (k < 7) fl |= MAP_FIXED_NOREPLACE;
            if (rnd(6) == 0) fl = (fl & ~MAP_PRIVATE) | MAP_SHARED;
            if (rnd(5) == 0) fl |= MAP_POPULATE;
            if (rnd(6) == 0) fl |= MAP_NORESERVE;
            if (rnd(10) == 0) fl |= MAP_GROWSDOWN;
            snprintf(what, sizeof what, "%d: mmap %+ld %lu %s %#x", step, (long)(a - BASE) / 4096, len / PAGE, protname[pi], fl);
            r = (long)mmap(a, len, prots[pi], fl, -1, 0);
            result(what, r, 1);
            if ((void *)r != MAP_FAILED && ((char *)r < BASE || (char *)r >= END))
                munmap((void *)r, len);
            break;
        }
        case 2:
            if (rnd(8) == 0) a += 17;
            if (rnd(10) == 0) len = 0;
            snprintf(what, sizeof what, "%d: munmap %+ld %lu", step, (long)(a - BASE) / 4096, len / PAGE);
            result(what, munmap(a, len), 0);
            break;
        case 3:
        case 4:
            if (!holes && !covered(a, len))
                len = PAGE;
            if (!holes && !covered(a, len)) { step--; continue; }
            snprintf(what, sizeof what, "%d: mprotect %+ld %lu %s", step, (long)(a - BASE) / 4096, len / PAGE, protname[pi]);
            result(what, mprotect(a, len, prots[pi]), 0);
            break;
        case 5: {
            char *to = BASE + rnd(ARENA_PAGES) * PAGE;
            unsigned long nlen = (1 + rnd(8)) * PAGE;
            int fl = rnd(3) == 0 ? 0 : rnd(2) == 0 ? MREMAP_MAYMOVE : MREMAP_MAYMOVE | MREMAP_FIXED;
            if (to + nlen > END) nlen = END - to;
            snprintf(what, sizeof what, "%d: mremap %+ld %lu %lu %d %+ld", step, (long)(a - BASE) / 4096, len / PAGE, nlen / PAGE, fl, (long)(to - BASE) / 4096);
            r = (long)mremap(a, len, nlen, fl, to);
            result(what, r, 1);
            if ((void *)r != MAP_FAILED && ((char *)r < BASE || (char *)r >= END))
                munmap((void *)r, nlen);
            break;
        }
        case 6: {
            int adv = advs[rnd(sizeof advs / sizeof advs[0])];
            if (!holes && !covered(a, len))
                len = PAGE;
            if (!holes && !covered(a, len)) { step--; continue; }
            if (!holes)
                len = within_vma(a, len); /* Linux advises VMA by VMA: a later VMA's error is a partial update */
            snprintf(what, sizeof what, "%d: madvise %+ld %lu %d", step, (long)(a - BASE) / 4096, len / PAGE, adv);
            result(what, madvise(a, len, adv), 0);
            break;
        }
        case 7:
            if (!holes && !covered(a, len))
                len = PAGE;
            if (!holes && !covered(a, len)) { step--; continue; }
            if (rnd(2)) {
                snprintf(what, sizeof what, "%d: mlock %+ld %lu", step, (long)(a - BASE) / 4096, len / PAGE);
                result(what, mlock(a, len), 0);
            } else {
                snprintf(what, sizeof what, "%d: munlock %+ld %lu", step, (long)(a - BASE) / 4096, len / PAGE);
                result(what, munlock(a, len), 0);
            }
            break;
        case 8:
        case 9:
        case 10:
            printf("%d: probe\n", step);
            probe(a, rnd(2), step);
            probe(a + rnd(len / PAGE) * PAGE, 0, 0);
            break;
        case 11: {
            printf("%d: fork\n", step);
            pid_t pid = fork();
            if (pid == 0) {
                for (int i = 0; i < 3; i++) {
                    char *p = BASE + rnd(ARENA_PAGES) * PAGE;
                    printf("  child");
                    probe(p, 0, 0);
                }
                char *w = BASE + rnd(ARENA_PAGES) * PAGE;
                printf("  child");
                probe(w, 1, 99);
                _exit(0);
            }
            int st;
            waitpid(pid, &st, 0);
            rnd(ARENA_PAGES), rnd(ARENA_PAGES), rnd(ARENA_PAGES), rnd(ARENA_PAGES);
            printf("  child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
            for (int i = 0; i < 2; i++)
                probe(BASE + rnd(ARENA_PAGES) * PAGE, 0, 0);
            break;
        }
        }
        scan(1);
    }
    verbose = 1;
    printf("end of sequence:\n");
    scan(1);
    verbose = 0;
}

int main(int argc, char **argv)
{
    unsigned first = argc > 1 ? (unsigned)strtoul(argv[1], 0, 0) : 1;
    unsigned count = argc > 2 ? (unsigned)strtoul(argv[2], 0, 0) : 10;
    int steps = argc > 3 ? atoi(argv[3]) : 40;
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    struct rlimit rl = { 16 * PAGE, 16 * PAGE };
    setrlimit(RLIMIT_MEMLOCK, &rl);
    int failures = 0;
    for (unsigned seed = first; seed < first + count; seed++) {
        printf("== sequence %u\n", seed);
        pid_t pid = fork();
        if (pid == 0) {
            sequence(seed, steps);
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            printf("sequence %u died: status %#x\n", seed, st);
            failures++;
        }
    }
    printf("%u sequences, %d died\n", count, failures);
    return 0;
}
