// tests clock_gettime (monotonic, realtime), gettimeofday, nanosleep and time() for sanity (no times printed)
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void)
{
    struct timespec a, b, r;
    if (clock_gettime(CLOCK_MONOTONIC, &a) != 0)
        return 2;
    struct timespec req = { 0, 20 * 1000 * 1000 };
    if (nanosleep(&req, NULL) != 0)
        return 3;
    if (clock_gettime(CLOCK_MONOTONIC, &b) != 0)
        return 4;
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    if (ns < 19 * 1000 * 1000)
        return 5;
    if (clock_gettime(CLOCK_REALTIME, &r) != 0 || r.tv_sec < 1600000000)
        return 6;
    struct timeval tv;
    if (gettimeofday(&tv, NULL) != 0 || tv.tv_sec < 1600000000)
        return 7;
    time_t t = time(NULL);
    if (t < 1600000000)
        return 8;
    printf("monotonic advanced, realtime sane\n");
    return 0;
}
