// tests setjmp/longjmp across nested calls and the value they return
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static int depth;

static void dive(int n)
{
    depth = n;
    if (n == 10)
        longjmp(env, n * 3);
    if (n < 100)
        dive(n + 1);
}

int main(void)
{
    volatile int rounds = 0;
    int r = setjmp(env);
    if (r == 0) {
        dive(0);
        return 2;
    }
    rounds++;
    printf("longjmp returned %d at depth %d after %d round(s)\n", r, depth, rounds);
    if (r != 30 || depth != 10)
        return 3;
    return 0;
}
