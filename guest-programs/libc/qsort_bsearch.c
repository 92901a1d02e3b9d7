// tests qsort and bsearch on integers and strings
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmpi(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmps(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    enum { N = 5000 };
    static int v[N];
    unsigned x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        v[i] = (int)(x >> 8) % 100000 - 50000;
    }
    qsort(v, N, sizeof v[0], cmpi);
    for (int i = 1; i < N; i++)
        if (v[i - 1] > v[i])
            return 2;
    int key = v[N / 3];
    int *hit = bsearch(&key, v, N, sizeof v[0], cmpi);
    if (!hit || *hit != key)
        return 3;
    const char *w[] = { "pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape" };
    qsort(w, 8, sizeof w[0], cmps);
    for (int i = 0; i < 8; i++)
        printf("%s ", w[i]);
    printf("\nmin %d max %d median %d\n", v[0], v[N - 1], v[N / 2]);
    return 0;
}
