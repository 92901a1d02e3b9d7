using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Syscalls;

/// <summary>The mm syscalls: Linux arguments in, memory-layer calls, errno out.</summary>
public static unsafe partial class MemorySyscalls
{
    // mman.h (x86-64)
    public const ulong MapShared = 0x01;
    public const ulong MapPrivate = 0x02;
    public const ulong MapSharedValidate = 0x03;
    public const ulong MapType = 0x0F;
    public const ulong MapFixed = 0x10;
    public const ulong MapAnonymous = 0x20;
    public const ulong Map32Bit = 0x40;
    public const ulong MapGrowsDown = 0x100;
    public const ulong MapDenyWrite = 0x800;
    public const ulong MapExecutable = 0x1000;
    public const ulong MapLocked = 0x2000;
    public const ulong MapNoReserve = 0x4000;
    public const ulong MapPopulate = 0x8000;
    public const ulong MapNonBlock = 0x10000;
    public const ulong MapStack = 0x20000;
    public const ulong MapHugeTlb = 0x40000;
    public const ulong MapSync = 0x80000;
    public const ulong MapFixedNoReplace = 0x100000;
    public const ulong MapUninitialized = 0x4000000;
    public const int MapHugeShift = 26;
    public const ulong MapHugeMask = 0x3F;

    /// <summary>LEGACY_MAP_MASK: the flags MAP_SHARED (not _VALIDATE) silently accepts.</summary>
    private const ulong LegacyMapMask = MapShared | MapPrivate | MapFixed | MapAnonymous | MapDenyWrite | MapExecutable
        | MapUninitialized | MapGrowsDown | MapLocked | MapNoReserve | MapPopulate | MapNonBlock | MapStack | MapHugeTlb;

    private const ulong ProtMask = 7;
    private const ulong ProtSem = 0x8;
    private const ulong ProtGrowsDown = 0x0100_0000;
    private const ulong ProtGrowsUp = 0x0200_0000;

    public static void Register(SyscallTable t)
    {
        t.Define(SyscallNumber.Mmap, &Mmap);
        t.Define(SyscallNumber.Munmap, &Munmap);
        t.Define(SyscallNumber.Mprotect, &Mprotect);
        t.Define(SyscallNumber.Mremap, &Mremap);
        t.Define(SyscallNumber.Brk, &Brk);
        t.Define(SyscallNumber.Madvise, &Madvise);
        RegisterMore(t);
    }

    static partial void RegisterMore(SyscallTable t);

    private static long Err(MmStatus st) => st == MmStatus.Ok ? 0 : -(long)st;

    /// <summary>mmap(2) (arch/x86/kernel/sys_x86_64.c → mm/mmap.c ksys_mmap_pgoff, do_mmap).</summary>
    public static long Mmap(GuestThread t, ref SyscallArgs a)
    {
        ulong addr = a.A0, len = a.A1, prot = a.A2, flags = a.A3, off = a.A5;
        int fd = (int)a.A4;
        if ((off & PageSizes.PageMask) != 0)
        {
            return -Errno.EINVAL;
        }

        Kernel k = t.Kernel;
        MemoryObject? obj = null;
        bool mayWrite = true;
        FileDescription? file = null;
        MapFlags mf = MapFlags.None;
        if ((flags & MapAnonymous) == 0)
        {
            file = t.Process.Fds.Get(fd);
            if (file == null)
            {
                return -Errno.EBADF;
            }

            if ((flags & MapHugeTlb) != 0 && file is not MemfdFile { IsHugetlb: true })
            {
                return -Errno.EINVAL; // MAP_HUGETLB needs an anonymous mapping or a hugetlbfs file
            }
        }
        else if ((flags & MapHugeTlb) != 0)
        {
            ulong log = (flags >> MapHugeShift) & MapHugeMask;
            if (log != 0 && log != 21 && log != 30)
            {
                return -Errno.EINVAL; // no hstate of that size
            }

            mf |= MapFlags.HugeTlb | (log == 30 ? MapFlags.Huge1G : MapFlags.None);
        }

        if (len == 0)
        {
            return -Errno.EINVAL;
        }

        ulong type = flags & MapType;
        if (file != null)
        {
            if ((flags & MapSync) != 0 && type is MapShared or MapPrivate)
            {
                return -Errno.EOPNOTSUPP; // Linux 6.18: MAP_SYNC on a file that is not DAX, whatever the type
            }

            // file_mmap_ok: offset + length must stay within the largest file size (LLONG_MAX).
            if (len > long.MaxValue || off > (ulong)long.MaxValue - ((len + PageSizes.PageMask) & ~PageSizes.PageMask))
            {
                return -Errno.EOVERFLOW;
            }

            switch (type)
            {
                case MapShared:
                    flags &= LegacyMapMask;
                    goto case MapSharedValidate;
                case MapSharedValidate:
                    if ((flags & ~(LegacyMapMask | MapFixedNoReplace)) != 0)
                    {
                        // MAP_SYNC needs a DAX file; nothing here is DAX.
                        return -Errno.EOPNOTSUPP;
                    }

                    if ((prot & 2) != 0 && !file.CanWrite)
                    {
                        return -Errno.EACCES;
                    }

                    mayWrite = file.CanWrite;
                    mf |= MapFlags.Shared;
                    goto case MapPrivate;
                case MapPrivate:
                    if (!file.CanRead)
                    {
                        return -Errno.EACCES;
                    }

                    if ((flags & MapGrowsDown) != 0)
                    {
                        return -Errno.EINVAL;
                    }

                    break;
                default:
                    return -Errno.EINVAL;
            }

            if (IsDevZero(file))
            {
                // /dev/zero: private → anonymous memory; shared → a fresh shmem segment.
                file = null;
            }
            else
            {
                obj = file.GetMappable(k, out long err);
                if (obj == null)
                {
                    return err;
                }

                if (obj is X64Emu.Memory.Hugetlb.HugetlbFile huge)
                {
                    // hugetlbfs_file_mmap: huge-aligned offsets; a writable mapping extends the file to cover it.
                    ulong hugeBytes = huge.Pool.PageBytes;
                    if ((off & (hugeBytes - 1)) != 0)
                    {
                        return -Errno.EINVAL;
                    }

                    mf |= MapFlags.HugeTlb | (hugeBytes == PageSizes.HugeSize1G ? MapFlags.Huge1G : MapFlags.None);
                    ulong need = off + ((len + hugeBytes - 1) & ~(hugeBytes - 1));
                    if ((prot & 2) != 0 && need > huge.Size && need > off)
                    {
                        huge.SetSize(need);
                    }
                }
            }
        }
        else
        {
            switch (type)
            {
                case MapShared:
                    mf |= MapFlags.Shared; // with MAP_GROWSDOWN: EINVAL from Map, after the MAP_FIXED_NOREPLACE check
                    break;
                case MapPrivate:
                    break;
                default:
                    return -Errno.EINVAL;
            }
        }

        if ((flags & MapFixed) != 0)
        {
            mf |= MapFlags.Fixed;
        }

        if ((flags & MapFixedNoReplace) != 0)
        {
            mf |= MapFlags.FixedNoReplace;
        }

        if ((flags & MapPopulate) != 0 && (flags & MapNonBlock) == 0)
        {
            mf |= MapFlags.Populate;
        }

        if ((flags & MapLocked) != 0)
        {
            mf |= MapFlags.Locked;
        }

        if ((flags & MapNoReserve) != 0)
        {
            mf |= MapFlags.NoReserve;
        }

        if ((flags & MapGrowsDown) != 0)
        {
            mf |= MapFlags.GrowsDown;
        }

        if ((flags & MapStack) != 0)
        {
            mf |= MapFlags.Stack;
        }

        if ((flags & Map32Bit) != 0)
        {
            mf |= MapFlags.Below2G;
        }

        MmStatus st = t.Process.Mm.Map(addr, len, (Prot)(prot & ProtMask), mf, obj, off, out ulong result, mayWrite);
        return st == MmStatus.Ok ? (long)result : Err(st);
    }

    private static bool IsDevZero(FileDescription f)
    {
        if (f is not HostFile hf || hf.IsRegular)
        {
            return false;
        }

        System.Span<byte> st = stackalloc byte[StatBuf.Size];
        return f.Stat(st) == 0 && (StatBuf.Mode(st) & 0xF000) == StatBuf.IfChr
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(st.Slice(40)) == ((1UL << 8) | 5); // 1:5
    }

    public static long Munmap(GuestThread t, ref SyscallArgs a) => Err(t.Process.Mm.Unmap(a.A0, a.A1));

    public static long Mprotect(GuestThread t, ref SyscallArgs a) => ProtectWithKey(t, ref a, -1);

    /// <summary>pkey_mprotect: mprotect that also tags the VMAs (and their PTEs, bits 59..62) with an allocated key.</summary>
    public static long PkeyMprotect(GuestThread t, ref SyscallArgs a)
    {
        long key = (long)a.A3;
        if (key != -1 && !t.Process.Mm.IsPkeyAllocated(key))
        {
            return -Errno.EINVAL;
        }

        return ProtectWithKey(t, ref a, (int)key);
    }

    /// <summary>pkey_alloc(flags, access_rights): rights PKEY_DISABLE_ACCESS (1) / PKEY_DISABLE_WRITE (2) go into the caller's PKRU.</summary>
    public static long PkeyAlloc(GuestThread t, ref SyscallArgs a)
    {
        if (a.A0 != 0 || (a.A1 & ~3UL) != 0)
        {
            return -Errno.EINVAL;
        }

        int key = t.Process.Mm.AllocatePkey();
        if (key < 0)
        {
            return -Errno.ENOSPC;
        }

        uint pkru = t.Mmu.Pkru & ~(3u << (2 * key));
        t.Mmu.SetPkru(pkru | ((uint)a.A1 << (2 * key)));
        return key;
    }

    public static long PkeyFree(GuestThread t, ref SyscallArgs a) => t.Process.Mm.FreePkey((long)a.A0) ? 0 : -Errno.EINVAL;

    private static long ProtectWithKey(GuestThread t, ref SyscallArgs a, int pkey)
    {
        ulong prot = a.A2;
        if ((prot & ~(ProtMask | ProtSem | ProtGrowsDown | ProtGrowsUp)) != 0 || (prot & (ProtGrowsDown | ProtGrowsUp)) == (ProtGrowsDown | ProtGrowsUp))
        {
            return -Errno.EINVAL;
        }

        if ((prot & ProtGrowsUp) != 0)
        {
            return -Errno.EINVAL; // x86 has no VM_GROWSUP mappings to extend
        }

        return Err(t.Process.Mm.Protect(a.A0, a.A1, (Prot)(prot & ProtMask), growsDown: (prot & ProtGrowsDown) != 0, pkey: pkey));
    }

    public static long Mremap(GuestThread t, ref SyscallArgs a)
    {
        if (a.A3 > (ulong)(RemapFlags.MayMove | RemapFlags.Fixed | RemapFlags.DontUnmap))
        {
            return -Errno.EINVAL;
        }

        MmStatus st = t.Process.Mm.Remap(a.A0, a.A1, a.A2, (RemapFlags)a.A3, a.A4, out ulong result);
        return st == MmStatus.Ok ? (long)result : Err(st);
    }

    public static long Brk(GuestThread t, ref SyscallArgs a) => (long)t.Process.Mm.SetBrk(a.A0);

    public static long Madvise(GuestThread t, ref SyscallArgs a) => a.A2 > int.MaxValue ? -Errno.EINVAL : Err(t.Process.Mm.Advise(a.A0, a.A1, (Advice)(int)a.A2));
}
