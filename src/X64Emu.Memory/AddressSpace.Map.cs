using System;
using System.Threading;
using X64Emu.Memory.Objects;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>TASK_UNMAPPED_BASE: where the bottom-up fallback search starts (TASK_SIZE / 3, page aligned).</summary>
    public const ulong TaskUnmappedBase = (PageSizes.TaskSize / 3 + PageSizes.PageMask) & ~PageSizes.PageMask;

    /// <summary>
    /// mmap: creates a mapping (mm/mmap.c do_mmap + mmap_region), atomically — on failure nothing changed.
    /// </summary>
    /// <param name="addr">Hint, or the exact address with <see cref="MapFlags.Fixed"/>/<see cref="MapFlags.FixedNoReplace"/>.</param>
    /// <param name="length">Bytes; rounded up to pages (to the huge page size for hugetlb).</param>
    /// <param name="prot">PROT_* bits.</param>
    /// <param name="flags">Decoded MAP_* request.</param>
    /// <param name="obj">File page cache or shmem object; null for anonymous memory (a shmem object is created for shared anonymous).</param>
    /// <param name="offset">Byte offset into <paramref name="obj"/>, page aligned (the syscall layer checks).</param>
    /// <param name="result">The mapping's address.</param>
    /// <param name="mayWrite">False for a shared mapping of a file not open for writing (VM_MAYWRITE and VM_SHARED cleared, as Linux).</param>
    public MmStatus Map(ulong addr, ulong length, Prot prot, MapFlags flags, MemoryObject? obj, ulong offset, out ulong result, bool mayWrite = true)
    {
        result = 0;
        if (length == 0)
        {
            return MmStatus.InvalidArgument;
        }

        bool wantW = (prot & Prot.Write) != 0;
        bool wantX = (prot & Prot.Exec) != 0;
        if (WxEnforced && wantW && wantX)
        {
            return MmStatus.AccessDenied;
        }

        ulong align = PageSizes.PageSize;
        if ((flags & MapFlags.HugeTlb) != 0)
        {
            align = (flags & MapFlags.Huge1G) != 0 ? PageSizes.HugeSize1G : PageSizes.HugeSize2M;
        }

        bool fixedAddr = (flags & (MapFlags.Fixed | MapFlags.FixedNoReplace)) != 0;
        if (!fixedAddr)
        {
            // round_hint_to_min
            addr &= ~PageSizes.PageMask;
            if (addr != 0 && addr < _system.MmapMinAddr)
            {
                addr = PageSizes.PageAlignUp(_system.MmapMinAddr);
            }
        }

        ulong len = (length + (align - 1)) & ~(align - 1);
        if (len == 0 || len < length)
        {
            return MmStatus.NoMemory;
        }

        ulong pgoff = offset >> PageSizes.PageBits;
        if (pgoff + (len >> PageSizes.PageBits) < pgoff)
        {
            return MmStatus.Overflow;
        }

        lock (_lock)
        {
            if (_vmas.Count > _system.MaxMapCount)
            {
                return MmStatus.NoMemory;
            }

            ulong searchAlign = align;
            if (obj == null && (flags & (MapFlags.HugeTlb | MapFlags.Shared | MapFlags.Fixed | MapFlags.FixedNoReplace | MapFlags.Below2G)) == 0
                && addr == 0 && (len & (PageSizes.HugeSize2M - 1)) == 0)
            {
                // Linux (6.7+) places hint-less anonymous mappings whose length is a multiple of 2 MiB on a 2 MiB boundary so THPs fit.
                searchAlign = PageSizes.HugeSize2M;
            }

            MmStatus st = GetUnmappedAreaLocked(addr, len, searchAlign, flags, out ulong start);
            if (st != MmStatus.Ok)
            {
                return st;
            }

            ulong end = start + len;
            if ((flags & MapFlags.FixedNoReplace) != 0 && _vmas.FindFirstOverlap(start, end) != null)
            {
                return MmStatus.Exists;
            }

            if (obj == null && (flags & (MapFlags.Shared | MapFlags.GrowsDown)) == (MapFlags.Shared | MapFlags.GrowsDown))
            {
                return MmStatus.InvalidArgument; // do_mmap: shared anonymous memory cannot grow down
            }

            VmFlags vmFlags = ProtToVmFlags(prot) | VmFlags.MayRead | VmFlags.MayWrite | VmFlags.MayExec;
            if ((flags & MapFlags.Shared) != 0)
            {
                vmFlags |= VmFlags.Shared | VmFlags.MayShare;
                if (!mayWrite)
                {
                    vmFlags &= ~(VmFlags.MayWrite | VmFlags.Shared);
                }
            }

            if ((flags & MapFlags.GrowsDown) != 0)
            {
                vmFlags |= VmFlags.GrowsDown;
            }

            if ((flags & MapFlags.Locked) != 0)
            {
                if (MemlockLimit == 0 && !CapIpcLock)
                {
                    return MmStatus.NotPermitted;
                }

                vmFlags |= VmFlags.Locked;
            }

            vmFlags |= DefaultLockFlags;
            if ((flags & MapFlags.HugeTlb) != 0)
            {
                vmFlags |= VmFlags.HugeTlb | ((flags & MapFlags.Huge1G) != 0 ? VmFlags.Huge1G : 0);
            }

            if ((flags & MapFlags.NoReserve) != 0 && _system.Overcommit != OvercommitMode.Never)
            {
                vmFlags |= VmFlags.NoReserve;
            }

            bool hugetlb = (vmFlags & VmFlags.HugeTlb) != 0;
            if (!hugetlb && (vmFlags & (VmFlags.NoReserve | VmFlags.Shared | VmFlags.Write)) == VmFlags.Write)
            {
                vmFlags |= VmFlags.Account;
            }

            long pages = (long)(len >> PageSizes.PageBits);
            if ((vmFlags & VmFlags.Locked) != 0 && !CapIpcLock
                && (ulong)(LockedVm + pages - LockedPagesIn(start, end)) << PageSizes.PageBits > MemlockLimit)
            {
                return MmStatus.Again;
            }

            // Everything below may still fail: validate and reserve first, mutate after.
            if (fixedAddr && AnySealedLocked(start, end))
            {
                return MmStatus.NotPermitted;
            }

            if (fixedAddr && _vmas.Count + SplitsNeeded(start, end) > _system.MaxMapCount)
            {
                return MmStatus.NoMemory;
            }

            long replacedPages = PagesIn(start, end);
            if (AddressSpaceLimit != ulong.MaxValue
                && (ulong)(TotalVm - replacedPages + pages) << PageSizes.PageBits > AddressSpaceLimit)
            {
                return MmStatus.NoMemory;
            }

            // Linux charges the new VMA net of the accounted VMAs it replaces (mmap_region).
            long charge = (vmFlags & VmFlags.Account) != 0 ? pages : 0;
            long replacedCharge = CommittedPagesIn(start, end);
            long net = Math.Max(charge - replacedCharge, 0);
            if (net > 0 && !_system.TryCharge(net, TotalVm, CapSysAdmin))
            {
                return MmStatus.NoMemory;
            }

            // Shared anonymous memory lives in a shmem object, charged once for its size.
            MemoryObject? backing = obj;
            if (backing == null && (flags & MapFlags.Shared) != 0 && !hugetlb)
            {
                backing = new MemoryObject(_system.Physical, MemoryObjectKind.Shmem, null, len, "/dev/zero (deleted)")
                {
                    DevMajor = 0,
                    DevMinor = 1,
                    Inode = NextShmemInode(),
                };
                if ((vmFlags & VmFlags.NoReserve) == 0)
                {
                    if (!_system.TryCharge(pages, TotalVm, CapSysAdmin))
                    {
                        if (net > 0)
                        {
                            _system.Uncharge(net);
                        }

                        return MmStatus.NoMemory;
                    }

                    backing.CommittedPages = pages;
                }

                pgoff = 0;
            }

            System.Collections.Generic.HashSet<ulong>? hugeResv = null;
            if (hugetlb)
            {
                if (backing == null)
                {
                    backing = NewAnonHugetlbFile((vmFlags & VmFlags.Huge1G) != 0, len);
                    pgoff = 0;
                }

                MmStatus reserve = ReserveHugePagesLocked(vmFlags, pgoff, len, backing, out hugeResv);
                if (reserve != MmStatus.Ok)
                {
                    if (net > 0)
                    {
                        _system.Uncharge(net);
                    }

                    if (LinuxQuirks && fixedAddr && (flags & MapFlags.FixedNoReplace) == 0 && !AnySealedLocked(start, end))
                    {
                        // Linux's mmap_region unmaps the old range before hugetlbfs reserves pages, so a failed
                        // MAP_FIXED hugetlb mmap leaves a hole (source document 000). We only do this on request.
                        UnmapRangeLocked(start, end);
                        CheckInvariantsIfEnabled();
                    }

                    return reserve;
                }
            }

            // Point of no return. Bring the charge up to the full size; unmapping the replaced VMAs
            // below takes their charges away again, leaving exactly the net change.
            _system.Charge(charge - net);
            if (fixedAddr)
            {
                UnmapRangeLocked(start, end);
            }

            Vma vma = new(start, end, vmFlags)
            {
                Object = backing,
                PgOff = backing != null ? pgoff : start >> PageSizes.PageBits,
                HugeResv = hugeResv,
            };
            backing?.AddUser();
            _vmas.Insert(vma);
            TotalVm += pages;
            if ((vmFlags & VmFlags.Locked) != 0)
            {
                LockedVm += pages;
            }

            vma = MergeLocked(vma);
            UpdateHiwater();

            if ((flags & MapFlags.Populate) != 0 || (vmFlags & (VmFlags.Locked | VmFlags.LockOnFault)) == VmFlags.Locked)
            {
                PopulateLocked(start, end, write: null);
            }

            result = start;
            CheckInvariantsIfEnabled();
            return MmStatus.Ok;
        }
    }

    private static long _shmemInode = 0x1000;

    private static ulong NextShmemInode() => (ulong)Interlocked.Increment(ref _shmemInode);

    private static VmFlags ProtToVmFlags(Prot prot)
    {
        VmFlags f = VmFlags.None;
        if ((prot & Prot.Read) != 0)
        {
            f |= VmFlags.Read;
        }

        if ((prot & Prot.Write) != 0)
        {
            f |= VmFlags.Write;
        }

        if ((prot & Prot.Exec) != 0)
        {
            f |= VmFlags.Exec;
        }

        return f;
    }

    /// <summary>
    /// get_unmapped_area for x86-64 (arch/x86/kernel/sys_x86_64.c + mm/mmap.c): MAP_FIXED checks,
    /// the hint, MAP_32BIT's [1 GiB, 2 GiB) bottom-up window, else top-down from mmap_base with a
    /// bottom-up fallback from TASK_UNMAPPED_BASE.
    /// </summary>
    private MmStatus GetUnmappedAreaLocked(ulong addr, ulong len, ulong align, MapFlags flags, out ulong start)
    {
        start = 0;
        if (len > PageSizes.TaskSize)
        {
            return MmStatus.NoMemory;
        }

        if ((flags & (MapFlags.Fixed | MapFlags.FixedNoReplace)) != 0)
        {
            if (addr > PageSizes.TaskSize - len)
            {
                return MmStatus.NoMemory;
            }

            if ((addr & (align - 1)) != 0)
            {
                return MmStatus.InvalidArgument;
            }

            if (addr < _system.MmapMinAddr && !CapSysRawio && (flags & MapFlags.Kernel) == 0)
            {
                return MmStatus.NotPermitted;
            }

            start = addr;
            return MmStatus.Ok;
        }

        ulong low = Math.Max(PageSizes.PageSize, _system.MmapMinAddr);
        if (addr != 0)
        {
            ulong hint = (addr + (align - 1)) & ~(align - 1);
            if (hint >= addr && PageSizes.TaskSize - len >= hint && hint >= _system.MmapMinAddr && IsFreeForHint(hint, hint + len))
            {
                start = hint;
                return MmStatus.Ok;
            }
        }

        ulong found;
        if ((flags & MapFlags.Below2G) != 0)
        {
            found = _vmas.FindGapBottomUp(len, align, 0x4000_0000UL, 0x8000_0000UL);
        }
        else
        {
            found = _vmas.FindGapTopDown(len, align, low, MmapBase);
            if (found == ulong.MaxValue)
            {
                found = _vmas.FindGapBottomUp(len, align, TaskUnmappedBase, PageSizes.TaskSize);
            }
        }

        if (found == ulong.MaxValue)
        {
            return MmStatus.NoMemory;
        }

        start = found;
        return MmStatus.Ok;
    }

    /// <summary>The hint is usable when [start, end) is free and clear of a following stack's guard gap.</summary>
    private bool IsFreeForHint(ulong start, ulong end)
    {
        Vma? next = _vmas.FindFirstEndAbove(start);
        if (next == null)
        {
            return true;
        }

        ulong nextStart = next.Start;
        if ((next.Flags & VmFlags.GrowsDown) != 0)
        {
            nextStart = nextStart > _system.StackGuardGap ? nextStart - _system.StackGuardGap : 0;
        }

        return end <= nextStart;
    }

    private long PagesIn(ulong start, ulong end)
    {
        long pages = 0;
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            pages += (long)((Math.Min(end, v.End) - Math.Max(start, v.Start)) >> PageSizes.PageBits);
        }

        return pages;
    }

    private long CommittedPagesIn(ulong start, ulong end)
    {
        long pages = 0;
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            if ((v.Flags & VmFlags.Account) != 0)
            {
                pages += (long)((Math.Min(end, v.End) - Math.Max(start, v.Start)) >> PageSizes.PageBits);
            }
        }

        return pages;
    }

    private long LockedPagesIn(ulong start, ulong end)
    {
        long pages = 0;
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            if ((v.Flags & VmFlags.Locked) != 0)
            {
                pages += (long)((Math.Min(end, v.End) - Math.Max(start, v.Start)) >> PageSizes.PageBits);
            }
        }

        return pages;
    }

    /// <summary>
    /// Faults in every page of [start, end) that the VMA allows (MAP_POPULATE, mlock, MADV_POPULATE_*);
    /// <paramref name="write"/> null means Linux's choice: write faults for private writable VMAs.
    /// </summary>
    /// <returns>The fault that stopped it, or None.</returns>
    private FaultKind PopulateLocked(ulong start, ulong end, bool? write)
    {
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            if ((v.Flags & VmFlags.AccessMask) == 0)
            {
                continue;
            }

            if ((v.Flags & VmFlags.HugeTlb) != 0)
            {
                FaultKind hk = PopulateHugetlbLocked(v, Math.Max(start, v.Start), Math.Min(end, v.End), write);
                if (hk != FaultKind.None)
                {
                    return hk;
                }

                continue;
            }

            bool doWrite = write ?? ((v.Flags & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write);
            Access access = doWrite ? Access.Write : Access.Read;
            if (doWrite && (v.Flags & VmFlags.Write) == 0)
            {
                return FaultKind.AccErr;
            }

            ulong from = Math.Max(start, v.Start);
            ulong to = Math.Min(end, v.End);
            for (ulong page = from; page < to; page += PageSizes.PageSize)
            {
                ulong e = PageTable.Walk(page, out _);
                if ((e & PageTables.Pte.Present) != 0 && (!doWrite || (e & PageTables.Pte.Writable) != 0))
                {
                    continue;
                }

                FaultKind k = ResolvePageLocked(v, page, access);
                if (k != FaultKind.None)
                {
                    return k;
                }

                MinorFaults++;
            }
        }

        UpdateHiwater();
        return FaultKind.None;
    }
}
