// tests a store through a NULL pointer: the process dies of SIGSEGV (exit status 139)
#include <stdio.h>

int main(void)
{
    printf("about to crash\n");
    fflush(stdout);
    volatile int *p = (int *)0;
    *p = 42;
    return 0;
}
