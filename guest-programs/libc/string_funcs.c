// tests string.h routines over many lengths and alignments (libc's SSE2 paths) with a checksum
#include <stdio.h>
#include <string.h>

static unsigned long mix(unsigned long h, long v) { return (h ^ (unsigned long)v) * 1099511628211UL; }

int main(void)
{
    static char a[600], b[600], c[600];
    unsigned long h = 1469598103934665603UL;
    for (int i = 0; i < 600; i++)
        a[i] = (char)('a' + (i * 7) % 26);
    for (int off = 0; off < 16; off++) {
        for (int len = 0; len < 300; len += 7) {
            memcpy(b + off, a, len);
            b[off + len] = 0;
            h = mix(h, strlen(b + off));
            h = mix(h, memcmp(b + off, a, len));
            memmove(c + 1, b + off, len + 1);
            h = mix(h, strcmp(c + 1, b + off));
            char *q = strchr(b + off, 'q');
            h = mix(h, q ? q - (b + off) : -1);
            q = strrchr(b + off, 'e');
            h = mix(h, q ? q - (b + off) : -1);
            q = memchr(b + off, 'z', len);
            h = mix(h, q ? q - (b + off) : -1);
            h = mix(h, strncmp(b + off, "hovcjq", len < 6 ? len : 6));
            memset(c, 'x', len);
            h = mix(h, c[len / 2]);
            h = mix(h, (long)strspn(b + off, "abcdefghij"));
            h = mix(h, (long)strcspn(b + off, "xyz"));
            char *s = strstr(b + off, "ovc");
            h = mix(h, s ? s - (b + off) : -1);
        }
    }
    printf("hash %016lx\n", h);
    return 0;
}
