// tests a position-independent executable (gcc -static-pie: ET_DYN loaded at the kernel's ELF_ET_DYN_BASE
// with no interpreter, self-relocating): stdout, a relocated function pointer, exit status
#include <stdio.h>
#include <stdlib.h>

static int twice(int x) { return 2 * x; }
static int (*volatile fn)(int) = twice;
static const char *volatile msg = "relocated data pointer ok";

int main(int argc, char **argv)
{
    (void)argv;
    printf("hello from a PIE: %d, %s, argc %d\n", fn(21), msg, argc);
    printf("main is %s\n", (unsigned long)main >= 0x10000 ? "above mmap_min_addr" : "low");
    return 3;
}
