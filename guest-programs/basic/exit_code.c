// tests exit() with a non-zero status and atexit handlers running first
#include <stdio.h>
#include <stdlib.h>

static void bye(void) { printf("atexit ran\n"); }

int main(void)
{
    atexit(bye);
    printf("exiting with 3\n");
    exit(3);
}
