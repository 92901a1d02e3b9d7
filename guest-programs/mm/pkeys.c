// Memory protection keys: pkey_alloc/pkey_free/pkey_mprotect with every errno, the key in the PTEs
// (smaps ProtectionKey), RDPKRU/WRPKRU, SIGSEGV with SEGV_PKUERR and si_pkey for access- and
// write-disabled keys, PKRU inherited by fork. This host's CPU has no PKU, so Linux's side cannot run
// here; the expectation is Linux's behaviour on a PKU CPU (init PKRU 0x55555554, keys 1..15).
// x64emu-expect: pkeys.expected
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned rdpkru(void)
{
    unsigned eax, edx;
    __asm__ volatile(".byte 0x0f,0x01,0xee" : "=a"(eax), "=d"(edx) : "c"(0));
    return eax;
}

static void wrpkru(unsigned v)
{
    __asm__ volatile(".byte 0x0f,0x01,0xef" : : "a"(v), "c"(0), "d"(0) : "memory");
}

static sigjmp_buf jb;
static volatile int code, pkey;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    code = si->si_code;
    pkey = *(unsigned *)((char *)si + 0x20); /* si_pkey */
    siglongjmp(jb, 1);
}

static const char *probe(volatile char *p, int write)
{
    static char buf[64];
    code = pkey = 0;
    if (sigsetjmp(jb, 1) == 0) {
        if (write)
            *p = 7;
        else
            (void)*p;
        return "ok";
    }
    snprintf(buf, sizeof buf, "SIGSEGV code %d pkey %d", code, pkey);
    return buf;
}

#define SHOW(label, expr)                                                                        \
    do {                                                                                         \
        errno = 0;                                                                               \
        long r_ = (long)(expr);                                                                  \
        printf("%-32s = %ld %s\n", label, r_, r_ < 0 ? (errno == EINVAL ? "EINVAL" : errno == ENOSPC ? "ENOSPC" : "?") : ""); \
    } while (0)

static int smaps_pkey(void *addr)
{
    char want[32], line[256];
    int in = 0, k = -1;
    snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
    FILE *f = fopen("/proc/self/smaps", "r");
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) == 0)
            in = 1;
        else if (in && sscanf(line, "ProtectionKey: %d", &k) == 1)
            break;
    }
    fclose(f);
    return k;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    printf("cpuid pku %u ospke %u\n", (c >> 3) & 1, (c >> 4) & 1);
    printf("initial PKRU %#x\n", rdpkru());

    SHOW("pkey_alloc flags 1", syscall(SYS_pkey_alloc, 1, 0));
    SHOW("pkey_alloc rights 4", syscall(SYS_pkey_alloc, 0, 4));
    long k = syscall(SYS_pkey_alloc, 0, 0);
    printf("pkey_alloc -> %ld, PKRU %#x\n", k, rdpkru());

    char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    SHOW("pkey_mprotect unallocated 9", syscall(SYS_pkey_mprotect, p, 4096, PROT_READ | PROT_WRITE, 9));
    SHOW("pkey_mprotect key 16", syscall(SYS_pkey_mprotect, p, 4096, PROT_READ | PROT_WRITE, 16));
    SHOW("pkey_mprotect first page", syscall(SYS_pkey_mprotect, p, 4096, PROT_READ | PROT_WRITE, k));
    printf("smaps ProtectionKey: page 0 %d, page 1 %d\n", smaps_pkey(p), smaps_pkey(p + 4096));

    printf("rights 0: read %s, write %s\n", probe(p, 0), probe(p, 1));
    wrpkru(rdpkru() | (1u << (2 * k)));
    printf("access-disabled: read %s\n", probe(p, 0));
    printf("access-disabled: write %s\n", probe(p, 1));
    printf("key-0 page still: read %s, write %s\n", probe(p + 4096, 0), probe(p + 4096, 1));
    wrpkru(rdpkru() & ~(3u << (2 * k)));
    wrpkru(rdpkru() | (2u << (2 * k)));
    printf("write-disabled: read %s\n", probe(p, 0));
    printf("write-disabled: write %s\n", probe(p, 1));
    printf("PKRU now %#x\n", rdpkru());

    pid_t pid = fork();
    if (pid == 0) {
        printf("child PKRU %#x, write %s\n", rdpkru(), probe(p, 1));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    wrpkru(rdpkru() & ~(3u << (2 * k)));
    printf("rights restored: write %s\n", probe(p, 1));

    SHOW("pkey_free", syscall(SYS_pkey_free, k));
    SHOW("pkey_free again", syscall(SYS_pkey_free, k));
    SHOW("pkey_free 0", syscall(SYS_pkey_free, 0));
    printf("smaps ProtectionKey after free: %d\n", smaps_pkey(p));
    int n = 0;
    long last = 0;
    while ((last = syscall(SYS_pkey_alloc, 0, 1)) > 0)
        n++;
    printf("allocated %d more keys, then %s\n", n, errno == ENOSPC ? "ENOSPC" : "?");
    printf("PKRU %#x\n", rdpkru());
    return 0;
}
