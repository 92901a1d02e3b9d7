/* fork_cow: the parent writes a 16 MiB buffer, then forks N children one after another; each
 * child rewrites all 16 MiB (every page copy-on-write), checks a sample and exits with a
 * status the parent verifies.  Usage: fork_cow [N] [MIB]   (default 200 16) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    size_t len = (size_t)(argc > 2 ? atoi(argv[2]) : 16) << 20;
    unsigned char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) { perror("mmap"); return 1; }
    memset(buf, 0x5A, len);
    int ok = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) {
            if (buf[len - 1] != 0x5A) _exit(99);
            memset(buf, i & 0xFF, len);
            unsigned s = 0;
            for (size_t off = 0; off < len; off += 4096) s += buf[off];
            _exit((int)(s / (len / 4096)) == (i & 0xFF) ? 7 : 98);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid) { perror("waitpid"); return 1; }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 7) ok++;
        else fprintf(stderr, "child %d: status 0x%x\n", i, st);
    }
    printf("fork_cow n=%d mib=%zu ok=%d parent_byte=%02x\n", n, len >> 20, ok, buf[len / 2]);
    return ok == n ? 0 : 1;
}
