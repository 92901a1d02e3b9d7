// tests malloc/realloc/free across small (brk) and large (mmap) sizes with content checks
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    enum { N = 200 };
    unsigned char *p[N];
    size_t sz[N];
    unsigned long sum = 0;
    for (int i = 0; i < N; i++) {
        sz[i] = (size_t)(i * i * 37 % 300000) + 1;
        p[i] = malloc(sz[i]);
        if (!p[i])
            return 2;
        memset(p[i], i & 0xff, sz[i]);
    }
    for (int i = 0; i < N; i += 2) {
        size_t n = sz[i] * 3 + 100;
        p[i] = realloc(p[i], n);
        if (!p[i])
            return 3;
        for (size_t k = 0; k < sz[i]; k++)
            if (p[i][k] != (i & 0xff))
                return 4;
        memset(p[i] + sz[i], 0x5a, n - sz[i]);
        sz[i] = n;
    }
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < sz[i]; k += 97)
            sum += p[i][k];
        free(p[i]);
    }
    void *big = calloc(1, 64 << 20);
    if (!big)
        return 5;
    for (size_t k = 0; k < (64u << 20); k += 4096)
        if (((unsigned char *)big)[k] != 0)
            return 6;
    free(big);
    printf("checksum %lu\n", sum);
    return 0;
}
