// tests printf to stdout and the exit code of main
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
