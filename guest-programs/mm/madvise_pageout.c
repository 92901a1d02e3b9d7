// tests MADV_PAGEOUT and MADV_COLD without swap: PAGEOUT unmaps page-cache pages mapped only here (Rss
// drops, the next access faults again), a clean file page also leaves the cache (mincore 0) while a dirty
// or written shmem page stays cached, a MADV_FREE'd page not written since is discarded, other anonymous
// pages stay; a page mapped twice and the file pages of a file the caller may not write are left alone;
// COLD clears the accessed bits (smaps Referenced); EINVAL for locked and hugetlb VMAs, ENOMEM for a hole.
// The file is written page by page and dropped from the host's cache first, so that Linux's page cache
// holds 4 KiB folios as X64Emu's does (a large folio is reclaimed whole, beyond the advised range).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

/* One line: the smaps fields of the VMA holding p that reclaim changes, mincore and pagemap over n pages. */
static void show(const char *what, char *p, int n)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[256];
    int in = 0;
    printf("%-30s", what);
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        long v;
        char key[64];
        if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = s <= (unsigned long)p && (unsigned long)p < e;
            continue;
        }
        if (in && sscanf(line, "%63[^:]: %ld kB", key, &v) == 2 && v != 0
            && (!strcmp(key, "Rss") || strstr(key, "_Clean") || strstr(key, "_Dirty") || !strcmp(key, "Referenced") || !strcmp(key, "Anonymous")))
            printf(" %s=%ld", key, v);
    }
    fclose(f);
    unsigned char vec[64];
    if (mincore(p, n * PAGE, vec))
        exit(90);
    int cached = 0;
    for (int i = 0; i < n; i++)
        cached += vec[i] & 1;
    int pm = open("/proc/self/pagemap", O_RDONLY);
    printf(" | mincore=%d ", cached);
    for (int i = 0; i < n; i++) {
        uint64_t e = 0;
        pread(pm, &e, 8, ((unsigned long)p / PAGE + i) * 8);
        putchar(!(e >> 63) ? '.' : (e >> 61) & 1 ? 'F' : 'A'); /* present: file/shared or anonymous */
    }
    close(pm);
    printf("\n");
}

static int make_file(const char *path, int pages)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char buf[PAGE];
    for (int i = 0; i < pages; i++) {
        memset(buf, 'a' + i % 26, PAGE);
        if (write(fd, buf, PAGE) != (ssize_t)PAGE)
            exit(91);
    }
    fsync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    return fd;
}

static volatile char sink;

static void read_pages(char *p, int from, int to)
{
    for (int i = from; i < to; i++)
        sink += p[i * PAGE];
}

static int check_contents(char *p, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i * PAGE] != 'a' + i % 26 || p[i * PAGE + PAGE - 1] != 'a' + i % 26)
            return 1;
    return 0;
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

    /* 1. a private mapping of our own clean file */
    int fd = make_file("pageout_private", 64);
    char *p = mmap(0, 64 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    read_pages(p, 0, 64);
    show("private file, read", p, 64);
    printf("pageout [5,25) -> %d\n", madvise(p + 5 * PAGE, 20 * PAGE, MADV_PAGEOUT));
    show("after", p, 64);
    printf("cold [30,40) -> %d\n", madvise(p + 30 * PAGE, 10 * PAGE, MADV_COLD));
    show("after", p, 64);
    read_pages(p, 33, 34);
    show("read page 33", p, 64);
    printf("pageout all -> %d\n", madvise(p, 64 * PAGE, MADV_PAGEOUT));
    show("after", p, 64);
    if (check_contents(p, 64))
        return 1;
    show("read again", p, 64);

    /* 2. a shared mapping: 8 pages written (dirty), 8 read */
    fd = make_file("pageout_shared", 16);
    char *s = mmap(0, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    for (int i = 0; i < 8; i++)
        s[i * PAGE + 1] = 'Z';
    read_pages(s, 8, 16);
    show("shared file, 8 written", s, 16);
    printf("pageout -> %d\n", madvise(s, 16 * PAGE, MADV_PAGEOUT));
    show("after", s, 16);
    for (int i = 0; i < 16; i++)
        if (s[i * PAGE + 1] != (i < 8 ? 'Z' : 'a' + i % 26))
            return 2;
    show("read again", s, 16);

    /* 2b. written, synced, written again: dirty again, so it stays cached */
    fd = make_file("pageout_synced", 2);
    char *y = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    y[0] = 'P';
    y[PAGE] = 'R';
    printf("msync -> %d\n", msync(y, 2 * PAGE, MS_SYNC));
    show("written and synced", y, 2);
    y[0] = 'Q';
    show("page 0 written again", y, 2);
    printf("pageout -> %d\n", madvise(y, 2 * PAGE, MADV_PAGEOUT));
    show("synced, page 0 written again", y, 2);
    if (y[0] != 'Q' || y[PAGE] != 'R')
        return 4;

    /* 3. a private mapping with copied-on-write pages (of a file whose page cache has only 4 KiB folios: after a
     * reclaim, Linux's read-ahead may bring pages back as large folios, reclaimed whole even when mapped twice) */
    fd = make_file("pageout_cow", 16);
    char *c = mmap(0, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    for (int i = 0; i < 16; i++)
        if (i % 2)
            c[i * PAGE + 2] = 'C';
        else
            sink += c[i * PAGE];
    show("private file, odd pages written", c, 16);
    printf("pageout -> %d\n", madvise(c, 16 * PAGE, MADV_PAGEOUT));
    show("after", c, 16);
    for (int i = 0; i < 16; i += 2)
        if (c[i * PAGE + 2] != (i % 2 ? 'C' : 'a' + i % 26))
            return 3;

    /* 4. the same file mapped twice here: mapped twice, left alone */
    fd = make_file("pageout_twice", 8);
    char *t1 = mmap(0, 8 * PAGE, PROT_READ, MAP_SHARED, fd, 0), *t2 = mmap(0, 8 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    read_pages(t1, 0, 8);
    read_pages(t2, 0, 8); /* every page: Linux's fault-around skips a page still marked for read-ahead */
    printf("pageout -> %d\n", madvise(t1, 8 * PAGE, MADV_PAGEOUT));
    show("mapped twice, first", t1, 8);
    show("second", t2, 8);

    /* 5. a file we may not write (when not root): its file pages stay */
    int ro = open("/etc/passwd", O_RDONLY);
    char *r = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, ro, 0), *rs = mmap(0, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    if (r == MAP_FAILED || rs == MAP_FAILED)
        return 5;
    sink += r[0] + rs[0];
    printf("pageout private -> %d, shared -> %d\n", madvise(r, PAGE, MADV_PAGEOUT), madvise(rs, PAGE, MADV_PAGEOUT));
    printf("%s: private %s, shared %s\n", geteuid() ? "not root" : "root", mincore(r, PAGE, (unsigned char[1]){0}) == 0 ? "ok" : "?",
           mincore(rs, PAGE, (unsigned char[1]){0}) == 0 ? "ok" : "?");
    show("private /etc/passwd", r, 1);
    show("shared /etc/passwd", rs, 1);
    printf("cold -> %d\n", madvise(r, PAGE, MADV_COLD));
    show("private /etc/passwd, cold", r, 1);

    /* 6. anonymous memory: MADV_FREE'd pages not written since are discarded, the others stay */
    char *a = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 1, 8 * PAGE);
    printf("free -> %d\n", madvise(a, 4 * PAGE, MADV_FREE));
    a[PAGE] = 2;
    show("anon, [0,4) freed, 1 rewritten", a, 8);
    printf("pageout -> %d\n", madvise(a, 8 * PAGE, MADV_PAGEOUT));
    show("after", a, 8);
    printf("a[0]=%d a[1]=%d a[4]=%d\n", a[0], a[PAGE], a[4 * PAGE]);
    printf("cold -> %d\n", madvise(a, 8 * PAGE, MADV_COLD));
    show("after cold", a, 8);

    /* 7. shared anonymous memory: unmapped; the written pages stay in the cache, the read one goes */
    char *sh = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(sh, 3, 4 * PAGE);
    sink += sh[5 * PAGE];
    show("shared anon, 4 written 1 read", sh, 8);
    printf("pageout -> %d\n", madvise(sh, 8 * PAGE, MADV_PAGEOUT));
    show("after", sh, 8);
    if (sh[0] != 3 || sh[3 * PAGE] != 3 || sh[5 * PAGE] != 0)
        return 7;

    /* 8. while a fork child maps them too: a private file mapping with an anon_vma has its page tables copied
     * (file pages too), one without has not; anonymous pages are shared copy-on-write */
    fd = make_file("pageout_fork", 8);
    char *fa = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *fb = mmap(0, 8 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    char *an = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    read_pages(fa, 0, 8);
    fa[0] = 'X';
    read_pages(fb, 0, 8);
    memset(an, 4, 4 * PAGE);
    int pfd[2];
    if (pipe(pfd))
        return 9;
    pid_t pid = fork();
    if (pid == 0) {
        char ch;
        read(pfd[0], &ch, 1);
        _exit(fa[0] == 'X' && fa[PAGE] == 'b' && an[0] == 4 ? 0 : 1);
    }
    printf("fork: pageout -> %d, %d; cold -> %d\n", madvise(fa, 8 * PAGE, MADV_PAGEOUT), madvise(fb, 8 * PAGE, MADV_PAGEOUT),
           madvise(an, 4 * PAGE, MADV_COLD));
    show("with anon_vma", fa, 8);
    show("without", fb, 8);
    show("anonymous, cold", an, 4);
    write(pfd[1], "x", 1);
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        return 10;

    /* 9. errors */
    char *l = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    char *lf = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (syscall(SYS_mlock2, lf, PAGE, 1 /* MLOCK_ONFAULT */))
        return 8;
    char *h = mmap(0, 2UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
    char *hole = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole + PAGE, PAGE);
    struct { const char *what; char *at; unsigned long len; } cases[] = {
        { "locked", l, PAGE }, { "locked on fault", lf, PAGE }, { "unlocked half", lf + PAGE, PAGE },
        { "hugetlb", h, 2UL << 20 }, { "hole", hole + PAGE, PAGE }, { "unaligned", a + 1, PAGE },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].at == MAP_FAILED || cases[i].at == MAP_FAILED + 1)
            continue;
        for (int adv = MADV_COLD; adv <= MADV_PAGEOUT; adv++) {
            errno = 0;
            int rc = madvise(cases[i].at, cases[i].len, adv);
            printf("%s %s -> %d %s\n", cases[i].what, adv == MADV_COLD ? "cold" : "pageout", rc,
                   errno == EINVAL ? "EINVAL" : errno == ENOMEM ? "ENOMEM" : errno ? "other" : "");
        }
    }
    char *n = mmap(0, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("PROT_NONE: cold %d, pageout %d\n", madvise(n, PAGE, MADV_COLD), madvise(n, PAGE, MADV_PAGEOUT));
    unlink("pageout_private"), unlink("pageout_shared"), unlink("pageout_cow"), unlink("pageout_twice"), unlink("pageout_fork"), unlink("pageout_synced");
    return 0;
}
