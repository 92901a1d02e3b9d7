// tests every mmap(2) errno this system can produce, with the order Linux checks them in:
// EBADF, EACCES (file modes), EINVAL (length, offset, type, flags, hugetlb), EEXIST, ENOMEM (size,
// address, RLIMIT_AS, max_map_count), EOVERFLOW, EPERM (mmap_min_addr, sealed), ENODEV, EOPNOTSUPP,
// plus the accepted legacy flags (MAP_DENYWRITE, MAP_EXECUTABLE, MAP_UNINITIALIZED) and MAP_32BIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif

static const char *name(int e)
{
    switch (e) {
    case 0: return "ok";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EEXIST: return "EEXIST";
    case ENOMEM: return "ENOMEM";
    case EOVERFLOW: return "EOVERFLOW";
    case EPERM: return "EPERM";
    case ENODEV: return "ENODEV";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAGAIN: return "EAGAIN";
    }
    return "other";
}

#define TRY(label, a, l, p, f, fd, off)                                                   \
    do {                                                                                  \
        size_t l_ = (l);                                                                  \
        errno = 0;                                                                        \
        void *r_ = mmap((void *)(a), l_, (p), (f), (fd), (off));                          \
        printf("%-44s %s\n", label, r_ == MAP_FAILED ? name(errno) : "ok");               \
        if (r_ != MAP_FAILED && r_ != (void *)(a))                                        \
            munmap(r_, l_ != 0 ? l_ : 1);                                                 \
    } while (0)

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const long P = 4096;
    char path[] = "mmerr_XXXXXX";
    int rw = mkstemp(path);
    ftruncate(rw, 4 * P);
    int ro = open(path, O_RDONLY);
    int wo = open(path, O_WRONLY);
    int ap = open(path, O_RDWR | O_APPEND);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int pipefd[2];
    pipe(pipefd);
    unlink(path);
    const int PA = MAP_PRIVATE | MAP_ANONYMOUS;

    TRY("file, bad fd", 0, P, PROT_READ, MAP_PRIVATE, 99, 0);
    TRY("file, closed-range fd -1", 0, P, PROT_READ, MAP_PRIVATE, -1, 0);
    TRY("length 0", 0, 0, PROT_READ, PA, -1, 0);
    TRY("length 0 file", 0, 0, PROT_READ, MAP_PRIVATE, rw, 0);
    TRY("unaligned offset", 0, P, PROT_READ, MAP_PRIVATE, rw, 100);
    TRY("no MAP_PRIVATE/SHARED", 0, P, PROT_READ, MAP_ANONYMOUS, -1, 0);
    TRY("type 0xf", 0, P, PROT_READ, 0xf | MAP_ANONYMOUS, -1, 0);
    TRY("MAP_PRIVATE|MAP_SHARED_VALIDATE junk", 0, P, PROT_READ, MAP_SHARED_VALIDATE | 0x200000 | MAP_ANONYMOUS, -1, 0);
    TRY("MAP_SHARED with unknown bit (legacy ok)", 0, P, PROT_READ, MAP_SHARED | 0x200000 | MAP_ANONYMOUS, -1, 0);
    TRY("MAP_SHARED_VALIDATE file, unknown bit", 0, P, PROT_READ, MAP_SHARED_VALIDATE | 0x200000, rw, 0);
    TRY("MAP_SHARED_VALIDATE|MAP_SYNC file", 0, P, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rw, 0);
    TRY("MAP_SHARED|MAP_SYNC file (ignored)", 0, P, PROT_READ, MAP_SHARED | MAP_SYNC, rw, 0);
    TRY("legacy MAP_DENYWRITE|MAP_EXECUTABLE", 0, P, PROT_READ, PA | MAP_DENYWRITE | MAP_EXECUTABLE, -1, 0);
    TRY("MAP_UNINITIALIZED (ignored)", 0, P, PROT_READ, PA | MAP_UNINITIALIZED, -1, 0);
    TRY("MAP_HUGETLB on a file", 0, P, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, rw, 0);
    TRY("MAP_HUGETLB bad size 20", 0, P, PROT_READ, PA | MAP_HUGETLB | (20 << 26), -1, 0);
    TRY("MAP_HUGETLB, empty pool", 0, 2 << 20, PROT_READ, PA | MAP_HUGETLB, -1, 0);
    TRY("MAP_HUGETLB|MAP_NORESERVE, empty pool", 0, 2 << 20, PROT_READ, PA | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
    TRY("private read on O_WRONLY", 0, P, PROT_READ, MAP_PRIVATE, wo, 0);
    TRY("shared write on O_RDONLY", 0, P, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    TRY("shared read on O_RDONLY", 0, P, PROT_READ, MAP_SHARED, ro, 0);
    TRY("private write on O_RDONLY", 0, P, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    TRY("shared write on O_APPEND", 0, P, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
    TRY("directory", 0, P, PROT_READ, MAP_PRIVATE, dir, 0);
    TRY("pipe", 0, P, PROT_READ, MAP_PRIVATE, pipefd[0], 0);
    TRY("MAP_GROWSDOWN on a file", 0, P, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, rw, 0);
    TRY("offset overflow", 0, 8 * P, PROT_READ, MAP_PRIVATE, rw, (off_t)0x7ffffffffffff000LL);
    TRY("huge length", 0, (size_t)-P, PROT_READ, PA, -1, 0);
    TRY("length > TASK_SIZE", 0, (size_t)1 << 48, PROT_READ, PA, -1, 0);
    TRY("MAP_FIXED at address 0", 0, P, PROT_READ, PA | MAP_FIXED, -1, 0);
    TRY("MAP_FIXED unaligned", 0x10000001, P, PROT_READ, PA | MAP_FIXED, -1, 0);
    TRY("MAP_FIXED at TASK_SIZE", 0x800000000000UL - P, 2 * P, PROT_READ, PA | MAP_FIXED, -1, 0);
    TRY("hint below mmap_min_addr (moved)", 0x1000, P, PROT_READ, PA, -1, 0);

    char *a = mmap(NULL, 4 * P, PROT_READ, PA, -1, 0);
    TRY("MAP_FIXED_NOREPLACE over a mapping", a + P, P, PROT_READ, PA | MAP_FIXED_NOREPLACE, -1, 0);
    TRY("MAP_FIXED_NOREPLACE partial overlap", a - P, 2 * P, PROT_READ, PA | MAP_FIXED_NOREPLACE, -1, 0);
    syscall(462, a, 2 * P, 0);
    TRY("MAP_FIXED over a sealed mapping", a, P, PROT_READ, PA | MAP_FIXED, -1, 0);
    TRY("MAP_FIXED next to it", a + 2 * P, P, PROT_READ, PA | MAP_FIXED, -1, 0);

    char *b = mmap((void *)0x40000000, P, PROT_READ, PA | MAP_32BIT, -1, 0);
    printf("%-44s %s\n", "MAP_32BIT below 2 GiB", b != MAP_FAILED && (unsigned long)b < 0x80000000UL ? "ok" : "no");

    struct rlimit rl = { 64 << 20, 64 << 20 };
    getrlimit(RLIMIT_AS, &rl);
    struct rlimit small = { 256 << 20, rl.rlim_max };
    setrlimit(RLIMIT_AS, &small);
    TRY("past RLIMIT_AS", 0, 512 << 20, PROT_READ, PA, -1, 0);
    setrlimit(RLIMIT_AS, &rl);
    struct rlimit ml = { 0, 0 };
    setrlimit(RLIMIT_MEMLOCK, &ml);
    TRY("MAP_LOCKED with RLIMIT_MEMLOCK 0", 0, P, PROT_READ, PA | MAP_LOCKED, -1, 0);
    return 0;
}
