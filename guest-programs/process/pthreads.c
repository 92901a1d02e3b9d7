// tests POSIX threads: creation, a mutex-protected counter, atomics, join, thread-local storage
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long atomic_counter;
static __thread int tls_value;

static void *worker(void *arg)
{
    tls_value = (int)(long)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
    }
    return (void *)(long)(tls_value * 10);
}

int main(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(i + 1)) != 0)
            return 2;
    long sum = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        if (pthread_join(t[i], &r) != 0)
            return 3;
        sum += (long)r;
    }
    if (counter != 80000 || atomic_counter != 80000 || sum != 100)
        return 4;
    if (tls_value != 0)
        return 5;
    printf("threads ok: %ld %ld %ld\n", counter, atomic_counter, sum);
    return 0;
}
