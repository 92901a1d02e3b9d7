// tests when two adjacent anonymous VMAs with equal flags merge, as Linux 6.18 decides it from their
// anon_vmas (is_mergeable_anon_vma, find_mergeable_anon_vma): mprotect merges each VMA before it populates a
// locked one that became writable, so a later VMA with another anon_vma stays apart; a first fault reuses the
// next VMA's anon_vma before the previous one's; after fork a VMA whose anon_vma has a parent (its
// anon_vma_chain is not singular) merges only with one sharing its anon_vma — also when mremap moves it —
// except when mremap grows it in place; brk next to an inherited heap starts a new VMA
// x64emu-emu-args: --wx=off
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

/* Prints the VMAs overlapping [b, b + n pages) relative to b, in pages ('<' for a start below b). */
static void maps(const char *what, char *b, int n)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    printf("%-44s", what);
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) != 3)
            continue;
        if (s < (unsigned long)b + n * PAGE && e > (unsigned long)b) {
            if (s < (unsigned long)b)
                printf(" <-%ld", (long)(e - (unsigned long)b) / 4096);
            else
                printf(" %ld-%ld", (long)(s - (unsigned long)b) / 4096, (long)(e - (unsigned long)b) / 4096);
            printf(" %s", perms);
        }
    }
    printf("\n");
    fclose(f);
}

static char *area(int pages)
{
    char *b = mmap(0, pages * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        exit(1);
    return b;
}

static int locked_populate_order(void)
{
    char *b = area(5), *p = b + PAGE;
    /* mlock of PROT_NONE locks the VMAs and fails its populate: ENOMEM */
    printf("mlock PROT_NONE -> %d\n", mlock(p, 3 * PAGE));
    if (mprotect(p + PAGE, 2 * PAGE, PROT_READ | PROT_EXEC) || mprotect(p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC))
        return 2;
    maps("locked ---, r-x, rwx (populated)", b, 5);
    /* [1,2) becomes writable: populated, a new anon_vma; [2,3) merges into it; [3,4) has its own: stays apart */
    if (mprotect(p, 3 * PAGE, PROT_READ | PROT_WRITE))
        return 3;
    maps("mprotect rw- over all three", b, 5);
    /* the same without the lock: nothing is populated, no anon_vma anywhere, one VMA */
    char *c = area(5), *q = c + PAGE;
    if (mprotect(q + PAGE, 2 * PAGE, PROT_READ | PROT_EXEC) || mprotect(q + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC))
        return 4;
    if (mprotect(q, 3 * PAGE, PROT_READ | PROT_WRITE))
        return 5;
    maps("unlocked: mprotect rw- over all three", c, 5);
    /* two anon_vmas apart, the VMA between them without one: it joins the first only */
    char *d = area(4);
    mprotect(d, PAGE, PROT_READ | PROT_WRITE);
    d[0] = 1;
    mprotect(d + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    d[2 * PAGE] = 1;
    mprotect(d + PAGE, PAGE, PROT_READ | PROT_WRITE);
    maps("rw(anon) rw(none) rw(other anon)", d, 4);
    /* a first fault between two read-only VMAs with anon_vmas of their own reuses the next one's */
    char *e = area(5);
    mprotect(e + PAGE, PAGE, PROT_READ | PROT_WRITE);
    e[PAGE] = 1;
    mprotect(e + PAGE, PAGE, PROT_READ);
    mprotect(e + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    e[3 * PAGE] = 1;
    mprotect(e + 3 * PAGE, PAGE, PROT_READ);
    mprotect(e + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    e[2 * PAGE] = 1;
    mprotect(e + PAGE, 3 * PAGE, PROT_READ | PROT_WRITE);
    maps("r--(anon) rw(first fault) r--(other anon)", e, 5);
    munmap(b, 5 * PAGE), munmap(c, 5 * PAGE), munmap(d, 4 * PAGE), munmap(e, 5 * PAGE);
    return 0;
}

static char *sys_brk(char *to)
{
    return (char *)syscall(SYS_brk, to);
}

/* m: [0,1) with an anon_vma, [3,4) without, the rest PROT_NONE */
static void moved(const char *who, char *m)
{
    char what[64];
    char *r = mremap(m + 3 * PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, m + PAGE);
    snprintf(what, sizeof what, "%s: moved next to [0,1) -> %ld", who, r == MAP_FAILED ? -1L : (long)(r - m) / 4096);
    maps(what, m, 8);
    /* and [0,1) away and back before it (offsets contiguous again) */
    r = mremap(m, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, m + 5 * PAGE);
    maps("  away", m, 8);
    r = r == MAP_FAILED ? r : mremap(r, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, m);
    snprintf(what, sizeof what, "%s: [0,1) away and back -> %ld", who, r == MAP_FAILED ? -1L : (long)(r - m) / 4096);
    maps(what, m, 8);
}

static int after_fork(void)
{
    char *b = area(8);
    char *m = area(8);
    char *g = area(6);
    char *cur = sys_brk(0);
    if (sys_brk(cur + 2 * PAGE) != cur + 2 * PAGE)
        return 10;
    cur[0] = 1;
    mprotect(b + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE);
    b[PAGE] = 1; /* [1,3) has an anon_vma */
    mprotect(b + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    mprotect(m, PAGE, PROT_READ | PROT_WRITE);
    m[0] = 1; /* m [0,1) too */
    mprotect(m + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    /* g: [0,1) with an anon_vma, hole, [2,3) without; [3,4) without, hole, [5,6) with one */
    munmap(g + PAGE, PAGE), munmap(g + 4 * PAGE, PAGE);
    mprotect(g, PAGE, PROT_READ | PROT_WRITE), mprotect(g + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE);
    mprotect(g + 3 * PAGE, PAGE, PROT_READ), mprotect(g + 5 * PAGE, PAGE, PROT_READ);
    g[0] = 1;
    g[5 * PAGE] = *(volatile char *)(g + 5 * PAGE); /* a read fault maps the zero page: no anon_vma */
    mprotect(g + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE);
    g[5 * PAGE] = 1;
    mprotect(g + 5 * PAGE, PAGE, PROT_READ);
    maps("g before fork", g, 6);
    pid_t pid = fork();
    if (pid == 0) {
        mmap(b + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        maps("child: mmap next to an inherited anon_vma", b, 8);
        b[5 * PAGE] = 1; /* [5,6): a new anon_vma of the child's */
        mprotect(b + 4 * PAGE, PAGE, PROT_READ | PROT_WRITE);
        maps("child: mprotect [4,5) between none and own", b, 8);
        mprotect(b + 2 * PAGE, PAGE, PROT_READ);
        maps("child: split the inherited one", b, 8);
        mprotect(b + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE);
        maps("child: and rejoin it", b, 8);
        b[6 * PAGE - 1] = 2;
        b[3 * PAGE] = 3; /* [3,6) has the child's own: reusable by a neighbour's first fault */
        mprotect(b + 6 * PAGE, PAGE, PROT_READ | PROT_WRITE);
        maps("child: [6,7) next to the child's own", b, 8);
        b[6 * PAGE] = 4;
        mprotect(b + 6 * PAGE, PAGE, PROT_READ), mprotect(b + 6 * PAGE, PAGE, PROT_READ | PROT_WRITE);
        maps("child: [6,7) faulted, split and rejoined", b, 8);
        /* mremap a VMA without an anon_vma right after an inherited one (offsets contiguous) */
        moved("child", m);
        /* growing in place up to a neighbour: an inherited one into one without, and the reverse */
        if (mremap(g, PAGE, 2 * PAGE, 0) == MAP_FAILED || mremap(g + 3 * PAGE, PAGE, 2 * PAGE, 0) == MAP_FAILED)
            printf("mremap grow failed\n");
        maps("child: grown up to the neighbours", g, 6);
        /* brk: the new heap pages start a VMA of their own next to an inherited heap with pages */
        if (sys_brk(cur + 4 * PAGE) != cur + 4 * PAGE)
            _exit(11);
        maps("child: brk grows an inherited heap", cur, 4);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return 12;
    moved("parent", m);
    mmap(b + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    maps("parent: mmap next to its own anon_vma", b, 8);
    if (mremap(g, PAGE, 2 * PAGE, 0) == MAP_FAILED || mremap(g + 3 * PAGE, PAGE, 2 * PAGE, 0) == MAP_FAILED)
        printf("mremap grow failed\n");
    maps("parent: grown up to the neighbours", g, 6);
    if (sys_brk(cur + 4 * PAGE) != cur + 4 * PAGE)
        return 13;
    maps("parent: brk grows its heap", cur, 4);
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int r = locked_populate_order();
    if (r)
        return r;
    return after_fork();
}
