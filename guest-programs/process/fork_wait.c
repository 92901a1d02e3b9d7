// tests fork: copy-on-write private memory, MAP_SHARED anonymous memory shared, waitpid statuses
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char *priv = malloc(1 << 20);
    memset(priv, 'p', 1 << 20);
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 2;
    shared[0] = 1;
    pid_t pid = fork();
    if (pid < 0)
        return 3;
    if (pid == 0) {
        memset(priv, 'c', 1 << 20);   /* copy-on-write: the parent must not see this */
        shared[0] = 42;               /* shared: the parent must see this */
        shared[1] = getppid() == getpid() ? -1 : 7;
        _exit(17);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return 4;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 17)
        return 5;
    if (priv[12345] != 'p' || priv[(1 << 20) - 1] != 'p')
        return 6;
    if (shared[0] != 42 || shared[1] != 7)
        return 7;
    pid = fork();
    if (pid == 0) {
        volatile int *bad = NULL;
        *bad = 1;
        _exit(0);
    }
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != 11)
        return 8;
    if (waitpid(-1, &status, WNOHANG) != -1)
        return 9;
    printf("fork ok: exit 17, SIGSEGV child, COW and MAP_SHARED behaved\n");
    return 0;
}
