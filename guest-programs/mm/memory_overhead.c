// tests the workloads whose host memory once outgrew the guest's under x64emu (issue 5): fork children
// rewriting a copy-on-write buffer, rounds of first-touch page faults with munmap between, and mmap churn.
// MemoryOverheadTests runs each phase alone, at a larger size, and checks x64emu's host peak RSS against
// the guest's peak RAM in use (--stats). Usage: memory_overhead [fork N MIB | touch ROUNDS MIB | churn N]
// (no arguments: all three phases, small).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int fork_phase(int n, size_t len) {
    unsigned char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) return 10;
    memset(buf, 0x5A, len);
    int ok = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return 11;
        if (pid == 0) {
            memset(buf, i & 0xFF, len); // every page copied on write
            unsigned s = 0;
            for (size_t off = 0; off < len; off += 4096) s += buf[off];
            _exit(s / (len / 4096) == (unsigned)(i & 0xFF) ? 7 : 8);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid) return 12;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 7) ok++;
    }
    if (ok != n || buf[len / 2] != 0x5A) return 13;
    printf("fork n=%d mib=%zu ok\n", n, len >> 20);
    return munmap(buf, len) == 0 ? 0 : 14;
}

static int touch_phase(int rounds, size_t len) {
    for (int r = 0; r < rounds; r++) {
        unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return 20;
        for (size_t off = 0; off < len; off += 4096) p[off] = (unsigned char)(off >> 12);
        for (size_t off = 0; off < len; off += 4096)
            if (p[off] != (unsigned char)(off >> 12)) return 21;
        if (munmap(p, len) != 0) return 22;
    }
    printf("touch rounds=%d mib=%zu ok\n", rounds, len >> 20);
    return 0;
}

static int churn_phase(int n) {
    for (int i = 0; i < n; i++) {
        unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return 30;
        p[0] = (unsigned char)i;
        if (mprotect(p, 4096, PROT_READ) != 0) return 31;
        if (p[0] != (unsigned char)i) return 32;
        if (munmap(p, 4096) != 0) return 33;
    }
    printf("churn n=%d ok\n", n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 1) {
        int rc = fork_phase(4, 1 << 20);
        if (rc == 0) rc = touch_phase(2, 4 << 20);
        if (rc == 0) rc = churn_phase(1000);
        return rc;
    }
    if (argc == 4 && strcmp(argv[1], "fork") == 0) return fork_phase(atoi(argv[2]), (size_t)atoi(argv[3]) << 20);
    if (argc == 4 && strcmp(argv[1], "touch") == 0) return touch_phase(atoi(argv[2]), (size_t)atoi(argv[3]) << 20);
    if (argc == 3 && strcmp(argv[1], "churn") == 0) return churn_phase(atoi(argv[2]));
    fprintf(stderr, "usage: memory_overhead [fork N MIB | touch ROUNDS MIB | churn N]\n");
    return 2;
}
