// tests the OOM killer: touching more anonymous memory than the emulated RAM (--mem 64M) gets the
// process killed with SIGKILL (exit status 137) and a kernel-style message on stderr; the host is never
// at risk. Natively the machine has more RAM, so this compares against a written expectation.
// x64emu-emu-args: --mem 64M
// x64emu-expect: oom_kill.expected
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    size_t size = 256UL << 20;
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("mapped 256 MiB: %s\n", p == MAP_FAILED ? "no" : "yes");
    fflush(stdout);
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    printf("survived\n");
    return 0;
}
