// tests the set*id family on an unprivileged process: which id changes are allowed (EPERM otherwise),
// -1 as "unchanged", EINVAL for setuid(-1), setfsuid returning the previous id, setgroups needing privilege
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SHOW(label, expr)                                                          \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(expr);                                                    \
        printf("%-30s = %ld %s\n", label, r_, r_ < 0 ? strerror(errno) : "");     \
    } while (0)

static void ids(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("  uid %u/%u/%u gid %u/%u/%u fsuid %ld\n", r, e, s, gr, ge, gs, (long)syscall(SYS_setfsuid, -1));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (geteuid() == 0) {
        printf("run me unprivileged\n");
        return 0;
    }
    uid_t me = getuid();
    gid_t mg = getgid();
    ids();
    SHOW("setuid(0)", syscall(SYS_setuid, 0));
    SHOW("setuid(-1)", syscall(SYS_setuid, -1));
    SHOW("setuid(self)", syscall(SYS_setuid, me));
    SHOW("setgid(0)", syscall(SYS_setgid, 0));
    SHOW("setgid(self)", syscall(SYS_setgid, mg));
    SHOW("setreuid(-1,-1)", syscall(SYS_setreuid, -1, -1));
    SHOW("setreuid(0,-1)", syscall(SYS_setreuid, 0, -1));
    SHOW("setreuid(-1,0)", syscall(SYS_setreuid, -1, 0));
    SHOW("setreuid(self,self)", syscall(SYS_setreuid, me, me));
    SHOW("setregid(0,-1)", syscall(SYS_setregid, 0, -1));
    SHOW("setresuid(-1,-1,0)", syscall(SYS_setresuid, -1, -1, 0));
    SHOW("setresuid(self,self,self)", syscall(SYS_setresuid, me, me, me));
    SHOW("setresgid(-1,0,-1)", syscall(SYS_setresgid, -1, 0, -1));
    SHOW("setresgid(-1,-1,-1)", syscall(SYS_setresgid, -1, -1, -1));
    SHOW("setfsuid(0) returns old", syscall(SYS_setfsuid, 0));
    SHOW("setfsgid(0) returns old", syscall(SYS_setfsgid, 0));
    ids();
    gid_t g[1] = { mg };
    SHOW("setgroups(1)", syscall(SYS_setgroups, 1, g));
    SHOW("setgroups(70000)", syscall(SYS_setgroups, 70000, g));
    SHOW("getgroups(0)", getgroups(0, NULL));
    ids();
    return 0;
}
