// tests Linux's partial updates by failing mm calls, which x64emu reproduces under --linux-quirks (and
// avoids by default: its calls are atomic): mprotect stops at a VMA it may not change (EACCES) or at a
// hole (ENOMEM) after changing the VMAs before it; mlock likewise; madvise advises every VMA it reaches
// and reports a hole at the end
// x64emu-emu-args: --linux-quirks
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096L

static char *base;

static void maps(const char *what)
{
    char line[512];
    FILE *f = fopen("/proc/self/smaps", "r");
    printf("%s:\n", what);
    int in = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3 && strchr(line, '-') < strchr(line, ' ')) {
            in = s >= (unsigned long)base && s < (unsigned long)base + 16 * PAGE;
            if (in)
                printf("  +%ld..+%ld %s", (long)(s - (unsigned long)base) / PAGE, (long)(e - (unsigned long)base) / PAGE, perms);
        } else if (in && strncmp(line, "VmFlags:", 8) == 0)
            printf("  %s", strstr(line, "lo") ? "locked\n" : strstr(line, " dd") ? "dontdump\n" : "\n");
    }
    fclose(f);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    char path[] = "quirk_XXXXXX";
    int fd = mkstemp(path);
    ftruncate(fd, 4 * PAGE);
    int ro = open(path, O_RDONLY);
    unlink(path);
    base = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mmap(base, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    mmap(base + 4 * PAGE, 4 * PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0);
    mmap(base + 8 * PAGE, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    munmap(base + 12 * PAGE, 4 * PAGE);
    maps("start");
    errno = 0;
    int r = mprotect(base, 8 * PAGE, PROT_READ | PROT_WRITE);
    printf("mprotect over the read-only shared file mapping: %d %s\n", r, strerror(errno));
    maps("after");
    errno = 0;
    r = mprotect(base + 8 * PAGE, 8 * PAGE, PROT_READ | PROT_WRITE);
    printf("mprotect into the hole: %d %s\n", r, strerror(errno));
    maps("after");
    errno = 0;
    r = mlock(base + 10 * PAGE, 4 * PAGE);
    printf("mlock into the hole: %d %s\n", r, strerror(errno));
    maps("after");
    errno = 0;
    r = madvise(base + 6 * PAGE, 10 * PAGE, MADV_DONTDUMP);
    printf("madvise over a hole: %d %s\n", r, strerror(errno));
    maps("after");
    return 0;
}
