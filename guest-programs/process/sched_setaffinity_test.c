// tests sched_setaffinity/sched_getaffinity: a mask moves the thread to the CPUs it names (getcpu reports one of
// them, fork inherits it); a short mask is zero-extended, a long one cut; EINVAL when no online CPU is left
// (empty mask, only CPUs that do not exist, length 0), ESRCH for an unknown pid, EFAULT for a bad pointer;
// sched_getaffinity wants a length that is a multiple of 8 (EINVAL)
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void set(const char *what, long pid, unsigned long len, void *mask)
{
    errno = 0;
    long r = syscall(SYS_sched_setaffinity, pid, len, mask);
    printf("%-22s -> %ld %s\n", what, r, r == 0 ? "" : errno == EINVAL ? "EINVAL" : errno == ESRCH ? "ESRCH" : errno == EFAULT ? "EFAULT" : "other");
}

static unsigned long get(void)
{
    unsigned long m = 0;
    long r = syscall(SYS_sched_getaffinity, 0, 8, &m);
    return r == 8 ? m : (unsigned long)-1;
}

static unsigned cpu(void)
{
    unsigned c = 99;
    syscall(SYS_getcpu, &c, NULL, NULL);
    return c;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    unsigned long all = get(), last = 1UL << (63 - __builtin_clzl(all)), zero = 0, none = 1UL << 63, two[2] = { all, ~0UL };
    printf("online CPUs: %d\n", __builtin_popcountl(all));
    set("last CPU", 0, 8, &last);
    printf("mask is last: %d, on it: %d\n", get() == last, 1UL << cpu() == last);
    if (fork() == 0) {
        printf("child mask is last: %d\n", get() == last);
        _exit(0);
    }
    wait(NULL);
    set("empty", 0, 8, &zero);
    set("only absent CPUs", 0, 8, &none);
    set("length 0", 0, 0, &last);
    set("length 16", 0, 16, two);
    printf("mask is all: %d\n", get() == all);
    set("length 1 (CPU 0)", 0, 1, &(unsigned long){ 1 });
    printf("mask is CPU 0: %d, on it: %d\n", get() == 1, cpu() == 0);
    set("own pid", getpid(), 8, &all);
    set("unknown pid", 999999, 8, &all);
    set("bad pointer", 0, 8, (void *)8);
    unsigned long m;
    errno = 0;
    long r = syscall(SYS_sched_getaffinity, 0, 4, &m);
    printf("getaffinity length 4 -> %ld %s\n", r, errno == EINVAL ? "EINVAL" : "");
    errno = 0;
    r = syscall(SYS_sched_getaffinity, 0, 12, &m);
    printf("getaffinity length 12 -> %ld %s\n", r, errno == EINVAL ? "EINVAL" : "");
    return 0;
}
