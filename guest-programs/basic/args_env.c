// tests argv, envp and auxv as the initial stack delivers them
// x64emu-args: one "two words" three
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    if (argv[argc] != NULL)
        return 2;
    const char *home = getenv("HOME");
    printf("HOME=%s\n", home ? home : "(unset)");
    int n = 0;
    for (char **e = envp; *e; e++)
        n++;
    printf("env entries: %d\n", n);
    if (getauxval(AT_PAGESZ) != 4096)
        return 3;
    if (getauxval(AT_RANDOM) == 0)
        return 4;
    if (getauxval(AT_PHNUM) == 0 || getauxval(AT_PHDR) == 0)
        return 5;
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (!fn || strstr(fn, "args_env") == NULL)
        return 6;
    return 0;
}
