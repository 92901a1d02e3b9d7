// tests remap_file_pages (emulated on Linux since 4.0 with a fixed shared mapping): page 0 of a shared
// file mapping shows file page 3 afterwards; EINVAL for prot != 0, unknown flags, a private mapping,
// a range past the VMA; maps shows the new offset
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096

static void offsets(char *p)
{
    char want[32], line[512];
    snprintf(want, sizeof want, "%lx-", (unsigned long)p);
    FILE *f = fopen("/proc/self/maps", "r");
    unsigned long s, e, off;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%lx %*s %lx", &s, &e, &off) == 3 && s >= (unsigned long)p && s < (unsigned long)p + 4 * PAGE)
            printf("  +%lu pages: %lu pages at file offset %lu\n", (s - (unsigned long)p) / PAGE, (e - s) / PAGE, off / PAGE);
    fclose(f);
}

int main(void)
{
    char path[] = "remap_XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    char buf[PAGE];
    for (int i = 0; i < 4; i++) {
        memset(buf, 'A' + i, PAGE);
        write(fd, buf, PAGE);
    }
    char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *q = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("before: %c %c %c %c\n", p[0], p[PAGE], p[2 * PAGE], p[3 * PAGE]);
    long r;
    errno = 0; r = syscall(SYS_remap_file_pages, p, PAGE, PROT_READ, 3, 0);
    printf("prot != 0: %ld %s\n", r, strerror(errno));
    errno = 0; r = syscall(SYS_remap_file_pages, p, PAGE, 0, 3, 0x4);
    printf("bad flags: %ld %s\n", r, strerror(errno));
    errno = 0; r = syscall(SYS_remap_file_pages, q, PAGE, 0, 3, 0);
    printf("private mapping: %ld %s\n", r, strerror(errno));
    errno = 0; r = syscall(SYS_remap_file_pages, p + 3 * PAGE, 2 * PAGE, 0, 0, 0);
    printf("past the VMA: %ld %s\n", r, strerror(errno));
    errno = 0; r = syscall(SYS_remap_file_pages, p, PAGE, 0, 3, 0);
    printf("remap page 0 -> file page 3: %ld\n", r);
    printf("after: %c %c %c %c\n", p[0], p[PAGE], p[2 * PAGE], p[3 * PAGE]);
    p[0] = 'z';
    printf("write through the remapped page reaches file page 3: %c\n", p[3 * PAGE]);
    offsets(p);
    return 0;
}
