// tests the errnos of munmap, mprotect, mremap, madvise, brk and msync from their man pages, in the
// order Linux checks them (EINVAL for alignment and flags first, then ENOMEM/EFAULT for the range)
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *name(long r)
{
    if (r != -1)
        return "ok";
    switch (errno) {
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EBUSY: return "EBUSY";
    case EBADF: return "EBADF";
    }
    return "other";
}

#define TRY(label, expr)                                     \
    do {                                                     \
        errno = 0;                                           \
        long r_ = (long)(expr);                              \
        printf("%-46s %s\n", label, name(r_));               \
    } while (0)

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const long P = 4096;
    char *a = mmap(NULL, 8 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(a + 4 * P, P); /* a hole at page 4 */
    char *hole = a + 4 * P;

    TRY("munmap unaligned", munmap(a + 1, P));
    TRY("munmap length 0", munmap(a, 0));
    TRY("munmap past TASK_SIZE", munmap((void *)0x7ffffffff000UL, 2 * P));
    TRY("munmap kernel address", munmap((void *)0xffff800000000000UL, P));
    TRY("munmap of a hole (ok)", munmap(hole, P));

    TRY("mprotect unaligned", mprotect(a + 1, P, PROT_READ));
    TRY("mprotect bad prot bits", mprotect(a, P, 0x10));
    TRY("mprotect GROWSDOWN|GROWSUP", mprotect(a, P, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
    TRY("mprotect GROWSDOWN on plain vma", mprotect(a, P, PROT_READ | PROT_GROWSDOWN));
    TRY("mprotect length 0", mprotect(a, 0, PROT_READ));
    TRY("mprotect start in hole", mprotect(hole, P, PROT_READ));
    TRY("mprotect wrapping range", mprotect(a, (size_t)-P, PROT_READ));
    TRY("mprotect PROT_SEM", mprotect(a, P, PROT_READ | 0x8));

    TRY("mremap bad flags", (long)mremap(a, P, P, 8));
    TRY("mremap FIXED without MAYMOVE", (long)mremap(a, P, P, MREMAP_FIXED, a + 6 * P));
    TRY("mremap unaligned old", (long)mremap(a + 1, P, P, 0));
    TRY("mremap new length 0", (long)mremap(a, P, 0, 0));
    TRY("mremap DONTUNMAP resize", (long)mremap(a, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
    TRY("mremap FIXED unaligned target", (long)mremap(a, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, a + 7 * P + 1));
    TRY("mremap FIXED overlapping", (long)mremap(a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, a + P));
    TRY("mremap of a hole", (long)mremap(hole, P, P, 0));
    TRY("mremap across the hole, grow", (long)mremap(a + 3 * P, 2 * P, 3 * P, 0));
    TRY("mremap grow in place blocked", (long)mremap(a, 2 * P, 3 * P, 0));
    TRY("mremap old_size 0 of private", (long)mremap(a, 0, P, MREMAP_MAYMOVE));

    TRY("madvise unaligned", madvise(a + 1, P, MADV_NORMAL));
    TRY("madvise bad advice", madvise(a, P, 999));
    TRY("madvise length 0", madvise(a, 0, MADV_NORMAL));
    TRY("madvise hole", madvise(hole, P, MADV_NORMAL));
    TRY("madvise WIPEONFORK on shared", 0);
    char *s = mmap(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    TRY("  (shared anon)", madvise(s, P, MADV_WIPEONFORK));
    TRY("madvise FREE on shared", madvise(s, P, MADV_FREE));
    TRY("madvise REMOVE on private", madvise(a, P, MADV_REMOVE));
    TRY("madvise REMOVE on shared", madvise(s, P, MADV_REMOVE));
    TRY("madvise HWPOISON unprivileged", madvise(a, P, MADV_HWPOISON));
    TRY("madvise POPULATE_WRITE on read-only", (mprotect(a + 7 * P, P, PROT_READ), madvise(a + 7 * P, P, 23)));
    TRY("madvise POPULATE_READ on PROT_NONE", (mprotect(a + 6 * P, P, PROT_NONE), madvise(a + 6 * P, P, 22)));
    TRY("madvise DONTNEED on locked", (mlock(a, P), madvise(a, P, MADV_DONTNEED)));
    TRY("madvise DONTNEED_LOCKED on locked", madvise(a, P, 24));

    TRY("msync MS_INVALIDATE on locked", msync(a, P, MS_INVALIDATE));
    TRY("msync bad flags", msync(a, P, 0x10));

    void *cur = sbrk(0);
    TRY("brk(0) returns current", (long)syscall(SYS_brk, 0) == (long)cur ? 0 : -1);
    TRY("brk below start (unchanged)", (long)syscall(SYS_brk, 4096) == (long)cur ? 0 : -1);
    TRY("brk into a mapping (unchanged)", (long)syscall(SYS_brk, (long)a + P) == (long)cur ? 0 : -1);
    return 0;
}
