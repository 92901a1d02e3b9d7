using System;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.Hugetlb;
using X64Emu.Memory.Objects;
using X64Emu.Memory.Vmas;

namespace X64Emu.Linux.Syscalls;

/// <summary>mlock family, mseal, msync, mincore and memfd_create.</summary>
public static unsafe partial class MemorySyscalls
{
    private const ulong MlockOnFault = 1;
    private const uint MfdCloexec = 1;
    private const uint MfdAllowSealing = 2;
    private const uint MfdHugetlb = 4;
    private const uint MfdNoexecSeal = 8;
    private const uint MfdExec = 0x10;

    static partial void RegisterMore(SyscallTable t)
    {
        t.Define(SyscallNumber.Mlock, &Mlock);
        t.Define(SyscallNumber.Mlock2, &Mlock2);
        t.Define(SyscallNumber.Munlock, &Munlock);
        t.Define(SyscallNumber.Mlockall, &Mlockall);
        t.Define(SyscallNumber.Munlockall, &Munlockall);
        t.Define(SyscallNumber.Mseal, &Mseal);
        t.Define(SyscallNumber.Msync, &Msync);
        t.Define(SyscallNumber.Mincore, &Mincore);
        t.Define(SyscallNumber.MemfdCreate, &MemfdCreate);
        t.Define(SyscallNumber.RemapFilePages, &RemapFilePages);
        t.Define(SyscallNumber.PkeyMprotect, &PkeyMprotect);
        t.Define(SyscallNumber.PkeyAlloc, &PkeyAlloc);
        t.Define(SyscallNumber.PkeyFree, &PkeyFree);
    }

    public static long Mlock(GuestThread t, ref SyscallArgs a) => Err(t.Process.Mm.Lock(a.A0, a.A1, onFault: false));

    public static long Mlock2(GuestThread t, ref SyscallArgs a)
    {
        if ((a.A2 & ~MlockOnFault) != 0)
        {
            return -Errno.EINVAL;
        }

        return Err(t.Process.Mm.Lock(a.A0, a.A1, onFault: (a.A2 & MlockOnFault) != 0));
    }

    public static long Munlock(GuestThread t, ref SyscallArgs a) => Err(t.Process.Mm.Unlock(a.A0, a.A1));

    public static long Mlockall(GuestThread t, ref SyscallArgs a) => a.A0 > int.MaxValue ? -Errno.EINVAL : Err(t.Process.Mm.LockAll((int)a.A0));

    public static long Munlockall(GuestThread t, ref SyscallArgs a) => Err(t.Process.Mm.UnlockAll());

    public static long Mseal(GuestThread t, ref SyscallArgs a) => Err(t.Process.Mm.Seal(a.A0, a.A1, a.A2));

    public static long Msync(GuestThread t, ref SyscallArgs a) => a.A2 > int.MaxValue ? -Errno.EINVAL : Err(t.Process.Mm.Sync(a.A0, a.A1, (int)a.A2));

    /// <summary>
    /// remap_file_pages (deprecated; emulated as Linux does since 4.0): [start, start+size) of one shared file
    /// mapping is replaced by a MAP_SHARED|MAP_FIXED|MAP_POPULATE mapping of the same file at page offset pgoff,
    /// with the VMA's protection. prot must be 0 (EINVAL); of the flags only MAP_NONBLOCK counts, the rest are ignored.
    /// </summary>
    public static long RemapFilePages(GuestThread t, ref SyscallArgs a)
    {
        ulong start = a.A0 & ~PageSizes.PageMask;
        ulong size = a.A1 & ~PageSizes.PageMask;
        ulong pgoff = a.A3;
        if (a.A2 != 0 || start + size <= start || pgoff + (size >> PageSizes.PageBits) < pgoff
            || pgoff > (ulong.MaxValue >> PageSizes.PageBits))
        {
            return -Errno.EINVAL;
        }

        AddressSpace mm = t.Process.Mm;
        (MemoryObject? obj, Prot prot) = mm.WithLock(space =>
        {
            Vma? v = space.FindVmaLocked(start);
            if (v == null || v.Object == null || (v.Flags & VmFlags.Shared) == 0 || start + size > v.End)
            {
                return ((MemoryObject?)null, Prot.None);
            }

            Prot p = ((v.Flags & VmFlags.Read) != 0 ? Prot.Read : 0) | ((v.Flags & VmFlags.Write) != 0 ? Prot.Write : 0)
                | ((v.Flags & VmFlags.Exec) != 0 ? Prot.Exec : 0);
            return (v.Object, p);
        });
        if (obj == null)
        {
            return -Errno.EINVAL;
        }

        MapFlags flags = MapFlags.Shared | MapFlags.Fixed | ((a.A4 & MapNonBlock) != 0 ? 0 : MapFlags.Populate);
        return Err(mm.Map(start, size, prot, flags, obj, pgoff << PageSizes.PageBits, out _));
    }

    /// <summary>mincore(addr, length, vec): EINVAL for an unaligned start, ENOMEM for unmapped pages, EFAULT for a bad vector.</summary>
    public static long Mincore(GuestThread t, ref SyscallArgs a)
    {
        ulong pages = (a.A1 + PageSizes.PageMask) >> PageSizes.PageBits;
        if ((a.A0 & PageSizes.PageMask) != 0)
        {
            return -Errno.EINVAL;
        }

        if (pages > (PageSizes.TaskSize >> PageSizes.PageBits))
        {
            return -Errno.ENOMEM;
        }

        AddressSpace mm = t.Process.Mm;
        ulong done = 0;
        byte[] chunk = new byte[Math.Min(pages, 65536UL)];
        while (done < pages)
        {
            int n = (int)Math.Min((ulong)chunk.Length, pages - done);
            MmStatus st = mm.Residency(a.A0 + (done << PageSizes.PageBits), (ulong)n << PageSizes.PageBits, chunk.AsSpan(0, n));
            if (st != MmStatus.Ok)
            {
                return Err(st);
            }

            if (!mm.WriteUser(a.A2 + done, chunk.AsSpan(0, n)))
            {
                return -Errno.EFAULT;
            }

            done += (ulong)n;
        }

        return 0;
    }

    /// <summary>
    /// memfd_create(name, flags): an anonymous shmem file ("/memfd:NAME (deleted)" in maps), or with
    /// MFD_HUGETLB a hugetlbfs file whose pages come from the 2 MiB or 1 GiB pool (MFD_HUGE_* in bits 26..31).
    /// </summary>
    public static long MemfdCreate(GuestThread t, ref SyscallArgs a)
    {
        uint flags = (uint)a.A1;
        uint hugeLog = (flags >> MapHugeShift) & (uint)MapHugeMask;
        uint known = MfdCloexec | MfdAllowSealing | MfdHugetlb | MfdNoexecSeal | MfdExec;
        if (a.A1 > uint.MaxValue || ((flags & MfdHugetlb) == 0 && (flags & ~known) != 0)
            || ((flags & MfdHugetlb) != 0 && (flags & ~(known | ((uint)MapHugeMask << MapHugeShift))) != 0)
            || ((flags & MfdExec) != 0 && (flags & MfdNoexecSeal) != 0))
        {
            return -Errno.EINVAL;
        }

        if ((flags & MfdHugetlb) != 0 && hugeLog != 0 && hugeLog != 21 && hugeLog != 30)
        {
            return -Errno.ENODEV; // no hugetlbfs mount (hstate) of that page size
        }

        string? name = t.Process.Mm.ReadUserString(a.A0, 249);
        if (name == null)
        {
            // Longer than NAME_MAX - strlen("memfd:") or unreadable.
            return t.Process.Mm.ReadUserString(a.A0, 4096) == null ? -Errno.EFAULT : -Errno.EINVAL;
        }

        Kernel k = t.Kernel;
        MemoryObject obj;
        if ((flags & MfdHugetlb) != 0)
        {
            obj = new HugetlbFile(k.Memory.PoolFor(hugeLog == 30), 0, $"/memfd:{name} (deleted)") { DevMajor = 0, DevMinor = 0x10, Inode = MemfdFile.NextInode() };
        }
        else
        {
            obj = new MemoryObject(k.Memory.Physical, MemoryObjectKind.Shmem, null, 0, $"/memfd:{name} (deleted)") { DevMajor = 0, DevMinor = 1, Inode = MemfdFile.NextInode() };
        }

        MemfdFile file = new(k, obj, $"/memfd:{name} (deleted)", OpenFlags.RdWr | OpenFlags.LargeFile);
        long fd = t.Process.Fds.Install(file, (flags & MfdCloexec) != 0);
        if (fd < 0)
        {
            file.Release();
        }

        return fd;
    }
}
