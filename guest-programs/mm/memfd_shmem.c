// memfd_create: a shmem file shared by write(2), read(2) and MAP_SHARED mappings; MAP_PRIVATE
// copies on write; SIGBUS past end of file; ftruncate grows and shrinks it; mincore sees its page
// cache; /proc/self/maps names it "/memfd:NAME (deleted)".
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL

static sigjmp_buf jb;
static volatile int sig_code;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sig_code = sig * 100 + si->si_code;
    siglongjmp(jb, 1);
}

static int probe_read(volatile char *p)
{
    sig_code = 0;
    if (sigsetjmp(jb, 1) == 0) {
        (void)*p;
        return 0;
    }
    return sig_code;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    int fd = syscall(SYS_memfd_create, "shm", 1);
    printf("memfd_create: %s\n", fd >= 0 ? "ok" : strerror(errno));
    errno = 0;
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    long r = syscall(SYS_memfd_create, longname, 0);
    printf("long name: %ld %s\n", r, strerror(errno));
    errno = 0;
    r = syscall(SYS_memfd_create, "x", 0x100);
    printf("bad flags: %ld %s\n", r, strerror(errno));

    printf("write: %zd\n", write(fd, "hello", 5));
    struct stat st;
    fstat(fd, &st);
    printf("size %ld mode %o\n", (long)st.st_size, st.st_mode & 0777);
    char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mapping reads: %.5s\n", m);
    unsigned char vec[3];
    mincore(m, 3 * PAGE, vec);
    printf("mincore: %d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1);
    printf("read past EOF page: signal %d\n", probe_read(m + PAGE));
    memcpy(m + 1, "ELL", 3);
    char buf[16] = "";
    pread(fd, buf, 5, 0);
    printf("pread after store: %s\n", buf);
    printf("ftruncate 3 pages: %d\n", ftruncate(fd, 3 * PAGE));
    printf("page 2 readable now: %d, reads %d\n", probe_read(m + 2 * PAGE) == 0, m[2 * PAGE]);
    pwrite(fd, "Z", 1, 2 * PAGE + 7);
    printf("mapping sees pwrite: %c\n", m[2 * PAGE + 7]);
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    p[0] = 'j';
    printf("private write: private %c, shared %c\n", p[0], m[0]);
    printf("lseek END: %ld\n", (long)lseek(fd, 0, SEEK_END));

    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int named = 0;
    while (fgets(line, sizeof line, f))
        named += strstr(line, "/memfd:shm (deleted)") != NULL;
    fclose(f);
    printf("maps lines naming it: %d\n", named);

    printf("ftruncate 1 page: %d\n", ftruncate(fd, PAGE));
    printf("page 2 after shrink: signal %d\n", probe_read(m + 2 * PAGE));
    printf("page 0 still: %.5s\n", m);
    munmap(m, 3 * PAGE);
    munmap(p, PAGE);
    close(fd);
    return 0;
}
