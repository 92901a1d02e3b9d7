// tests an integer-heavy loop (sieve of Eratosthenes and a bitwise CRC-32) and prints checksums
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

int main(void)
{
    enum { N = 2000000 };
    static uint8_t composite[N + 1];
    long count = 0, sum = 0;
    for (long i = 2; i <= N; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        for (long j = i * i; j <= N; j += i)
            composite[j] = 1;
    }
    printf("primes below %d: %ld, sum %ld\n", N, count, sum);
    printf("crc32 %08x\n", crc32(composite, sizeof composite));
    uint64_t h = 0;
    for (uint64_t i = 0; i < 3000000; i++)
        h = (h * 6364136223846793005ULL + i) ^ (h >> 29);
    printf("lcg %016llx\n", (unsigned long long)h);
    return 0;
}
