// tests stdio on a regular file: fopen/fprintf/fseek/fread/fgets/ftell/unlink
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    const char *name = "stdio_file.tmp";
    FILE *f = fopen(name, "w+");
    if (!f)
        return 2;
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d %s\n", i, i % 3 ? "abc" : "defghij");
    if (fseek(f, 0, SEEK_SET) != 0)
        return 3;
    char buf[64];
    int lines = 0;
    long sum = 0;
    while (fgets(buf, sizeof buf, f)) {
        lines++;
        sum += strlen(buf);
    }
    printf("lines=%d bytes=%ld tell=%ld\n", lines, sum, ftell(f));
    if (fseek(f, 100, SEEK_SET) != 0)
        return 4;
    size_t n = fread(buf, 1, 20, f);
    buf[n] = 0;
    printf("at 100: [%s]\n", buf);
    fclose(f);
    if (unlink(name) != 0)
        return 5;
    if (access(name, F_OK) == 0)
        return 6;
    return 0;
}
