// memfd_create(MFD_HUGETLB): a hugetlbfs file whose size must be a huge-page multiple, readable with
// read(2) but not writable with write(2), shared by every MAP_SHARED mapping, copied on write by
// MAP_PRIVATE ones; its reservations show in HugePages_Rsvd. Needs a 2 MiB pool of 4 pages.
// x64emu-hugepages: 2M=4
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HUGE (2UL << 20)
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4
#endif

static void pool(const char *when)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    printf("%-28s", when);
    while (fgets(line, sizeof line, f)) {
        long v;
        char name[64];
        if (sscanf(line, "HugePages_%63[^:]: %ld", name, &v) == 2)
            printf(" %s=%ld", name, v);
    }
    fclose(f);
    printf("\n");
}

#define SHOW(label, expr)                                                      \
    do {                                                                       \
        errno = 0;                                                             \
        long r_ = (long)(expr);                                                \
        printf("%-28s = %ld %s\n", label, r_, r_ < 0 ? strerror(errno) : ""); \
    } while (0)

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int fd = syscall(SYS_memfd_create, "huge", MFD_HUGETLB | MFD_CLOEXEC);
    printf("memfd_create: %s\n", fd >= 0 ? "ok" : strerror(errno));
    SHOW("bad MFD_HUGE size", syscall(SYS_memfd_create, "x", MFD_HUGETLB | (20U << 26)));
    SHOW("ftruncate 4096", ftruncate(fd, 4096));
    SHOW("ftruncate 4 MiB", ftruncate(fd, 2 * HUGE));
    struct stat st;
    fstat(fd, &st);
    printf("size %ld blksize %ld regular %d\n", (long)st.st_size, (long)st.st_blksize, S_ISREG(st.st_mode));
    SHOW("write()", write(fd, "x", 1));
    pool("before mmap");
    char *a = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("shared mmap: %s\n", a == MAP_FAILED ? strerror(errno) : "ok");
    pool("after shared mmap");
    strcpy(a + HUGE, "hello hugetlbfs");
    pool("after touching one");
    char buf[32] = "";
    SHOW("pread at 2 MiB", pread(fd, buf, 15, HUGE));
    printf("read back: %s\n", buf);
    memset(buf, 'z', sizeof buf);
    SHOW("pread of a hole", pread(fd, buf, 4, 0));
    printf("hole reads zero: %d\n", buf[0] == 0 && buf[3] == 0);
    char *b = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("second mapping sees it: %s\n", b + HUGE);
    char *c = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("private mapping sees it: %s\n", c + HUGE);
    c[HUGE] = 'J';
    printf("after private write: file has %c, private has %c\n", a[HUGE], c[HUGE]);
    pool("after private write");
    SHOW("mmap unaligned offset", (long)mmap(NULL, HUGE, PROT_READ, MAP_SHARED, fd, 4096));
    SHOW("mmap with MAP_HUGETLB", mmap(NULL, HUGE, PROT_READ, MAP_SHARED | MAP_HUGETLB, fd, 0) == MAP_FAILED ? -1 : 0);
    munmap(c, 2 * HUGE);
    munmap(b, 2 * HUGE);
    munmap(a, 2 * HUGE);
    pool("after munmap");
    close(fd);
    pool("after close");
    return 0;
}
