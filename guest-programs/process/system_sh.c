// tests system(): a guest /bin/sh runs (posix_spawn/vfork, execve of a dynamically linked shell) and returns its status
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

int main(void)
{
    fflush(stdout);
    int st = system("echo hello from the shell; exit 3");
    if (st == -1 || !WIFEXITED(st))
        return 2;
    printf("shell exited with %d\n", WEXITSTATUS(st));
    st = system("true");
    if (st != 0)
        return 3;
    return 0;
}
