// tests getcwd/mkdir/chdir/opendir/readdir/rmdir (directory listing printed sorted)
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 2;
    if (mkdir("dirs.tmp", 0755) != 0)
        return 3;
    if (chdir("dirs.tmp") != 0)
        return 4;
    for (int i = 0; i < 5; i++) {
        char n[16];
        snprintf(n, sizeof n, "f%d", 4 - i);
        FILE *f = fopen(n, "w");
        if (!f)
            return 5;
        fputs("x", f);
        fclose(f);
    }
    mkdir("sub", 0700);
    DIR *d = opendir(".");
    if (!d)
        return 6;
    char *names[16];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 16)
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++)
        printf("%s\n", names[i]);
    struct stat st;
    if (stat("sub", &st) != 0 || !S_ISDIR(st.st_mode))
        return 7;
    if (stat("f0", &st) != 0 || st.st_size != 1)
        return 8;
    for (int i = 0; i < 5; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "f%d", i);
        unlink(nm);
    }
    rmdir("sub");
    if (chdir("..") != 0 || rmdir("dirs.tmp") != 0)
        return 9;
    char again[4096];
    if (!getcwd(again, sizeof again) || strcmp(again, cwd) != 0)
        return 10;
    return 0;
}
