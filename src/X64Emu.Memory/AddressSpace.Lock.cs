using System;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

/// <summary>mlock/munlock/mlockall/munlockall (mm/mlock.c), mseal (mm/mseal.c), msync and mincore.</summary>
public sealed unsafe partial class AddressSpace
{
    /// <summary>mlockall(MCL_FUTURE): VM_LOCKED (and VM_LOCKONFAULT) for every future mapping (Linux's mm->def_flags).</summary>
    public VmFlags DefaultLockFlags { get; private set; }

    /// <summary>
    /// mlock/mlock2: locks [start, start+length) (rounded out to pages). The whole range must be mapped
    /// (ENOMEM); without CAP_IPC_LOCK a zero RLIMIT_MEMLOCK is EPERM and exceeding it ENOMEM. Pages are
    /// faulted in unless <paramref name="onFault"/> (MLOCK_ONFAULT).
    /// </summary>
    public MmStatus Lock(ulong start, ulong length, bool onFault)
    {
        ulong end = PageAlignRange(ref start, length);
        if (end < start)
        {
            return MmStatus.NoMemory;
        }

        if (MemlockLimit == 0 && !CapIpcLock)
        {
            return MmStatus.NotPermitted;
        }

        if (start == end)
        {
            return MmStatus.Ok;
        }

        lock (_lock)
        {
            long pages = (long)((end - start) >> PageSizes.PageBits);
            if (!CapIpcLock && (ulong)(LockedVm + pages - LockedPagesIn(start, end)) << PageSizes.PageBits > MemlockLimit)
            {
                return MmStatus.NoMemory;
            }

            VmFlags set = VmFlags.Locked | (onFault ? VmFlags.LockOnFault : 0);
            if (LinuxQuirks)
            {
                // apply_vma_lock_flags locks VMA by VMA up to the first hole, then fails (and populates nothing).
                ulong stop = ContiguousEndLocked(start, end);
                if (stop < end)
                {
                    return LockPrefixLocked(start, stop, set);
                }
            }

            MmStatus st = ModifyRangeLocked(start, end, _ => MmStatus.Ok, v => SetLockFlags(v, set));
            if (st == MmStatus.Ok && !onFault)
            {
                // __mm_populate without ignore_errors: a PROT_NONE VMA fails the fault-in (EFAULT), which mlock
                // reports as ENOMEM, out of memory as EAGAIN — with VM_LOCKED already set, as on Linux.
                // VMAs are populated in address order and the first failure stops it.
                for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
                {
                    if ((v.Flags & VmFlags.AccessMask) == 0)
                    {
                        return MmStatus.NoMemory;
                    }

                    FaultKind k = PopulateLocked(Math.Max(start, v.Start), Math.Min(end, v.End), write: null);
                    if (k != FaultKind.None)
                    {
                        return k == FaultKind.Oom ? MmStatus.Again : MmStatus.NoMemory;
                    }
                }
            }

            return st;
        }
    }

    /// <summary>munlock: the whole range must be mapped (ENOMEM).</summary>
    public MmStatus Unlock(ulong start, ulong length)
    {
        ulong end = PageAlignRange(ref start, length);
        if (end < start)
        {
            return MmStatus.NoMemory;
        }

        if (start == end)
        {
            return MmStatus.Ok;
        }

        lock (_lock)
        {
            if (LinuxQuirks)
            {
                ulong stop = ContiguousEndLocked(start, end);
                if (stop < end)
                {
                    return LockPrefixLocked(start, stop, VmFlags.None);
                }
            }

            return ModifyRangeLocked(start, end, _ => MmStatus.Ok, v => SetLockFlags(v, VmFlags.None));
        }
    }

    /// <summary>mlockall(MCL_CURRENT=1 | MCL_FUTURE=2 | MCL_ONFAULT=4).</summary>
    public MmStatus LockAll(int flags)
    {
        if (flags == 0 || (flags & ~7) != 0 || flags == 4)
        {
            return MmStatus.InvalidArgument;
        }

        if (MemlockLimit == 0 && !CapIpcLock)
        {
            return MmStatus.NotPermitted;
        }

        lock (_lock)
        {
            if ((flags & 1) != 0 && !CapIpcLock && (ulong)TotalVm << PageSizes.PageBits > MemlockLimit)
            {
                return MmStatus.NoMemory;
            }

            VmFlags set = VmFlags.Locked | ((flags & 4) != 0 ? VmFlags.LockOnFault : 0);
            DefaultLockFlags = (flags & 2) != 0 ? set : VmFlags.None;
            if ((flags & 1) != 0)
            {
                for (Vma? v = _vmas.First; v != null; v = v.Next)
                {
                    SetLockFlags(v, set);
                }

                MergeAllLocked();
                if ((flags & 4) == 0)
                {
                    // Linux populates and ignores failures (a PROT_NONE or hugetlb-empty range stays unpopulated).
                    for (Vma? v = _vmas.First; v != null; v = v.Next)
                    {
                        if ((v.Flags & VmFlags.AccessMask) != 0)
                        {
                            PopulateLocked(v.Start, v.End, write: null);
                        }
                    }
                }
            }

            CheckInvariantsIfEnabled();
            return MmStatus.Ok;
        }
    }

    /// <summary>munlockall: unlocks everything and cancels MCL_FUTURE.</summary>
    public MmStatus UnlockAll()
    {
        lock (_lock)
        {
            DefaultLockFlags = VmFlags.None;
            for (Vma? v = _vmas.First; v != null; v = v.Next)
            {
                SetLockFlags(v, VmFlags.None);
            }

            MergeAllLocked();
            CheckInvariantsIfEnabled();
            return MmStatus.Ok;
        }
    }

    /// <summary>--linux-quirks: apply_vma_lock_flags has (un)locked [start, stop) before it met a hole, then fails with ENOMEM.</summary>
    private MmStatus LockPrefixLocked(ulong start, ulong stop, VmFlags set)
    {
        if (stop == start)
        {
            return MmStatus.NoMemory;
        }

        MmStatus st = ModifyRangeLocked(start, stop, _ => MmStatus.Ok, v => SetLockFlags(v, set));
        return st != MmStatus.Ok ? st : MmStatus.NoMemory;
    }

    private void SetLockFlags(Vma v, VmFlags set)
    {
        // VM_SPECIAL and hugetlb-less I/O mappings are never locked (mlock_fixup skips them).
        if ((v.Flags & (VmFlags.Io | VmFlags.PfnMap | VmFlags.DontExpand | VmFlags.MixedMap)) != 0)
        {
            return;
        }

        bool was = (v.Flags & VmFlags.Locked) != 0;
        v.Flags = (v.Flags & ~(VmFlags.Locked | VmFlags.LockOnFault)) | set;
        bool now = (v.Flags & VmFlags.Locked) != 0;
        if (was != now)
        {
            LockedVm += now ? v.Pages : -v.Pages;
        }
    }

    private void MergeAllLocked()
    {
        for (Vma? v = _vmas.First; v != null; v = v.Next)
        {
            v = MergeLocked(v);
        }
    }

    /// <summary>
    /// mseal: seals [start, start+length) against munmap, mremap, mprotect, MAP_FIXED replacement and
    /// destructive madvise. start must be page aligned and flags 0 (EINVAL); a hole is ENOMEM.
    /// </summary>
    public MmStatus Seal(ulong start, ulong length, ulong flags)
    {
        if (flags != 0 || (start & PageSizes.PageMask) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        ulong len = (length + PageSizes.PageMask) & ~PageSizes.PageMask;
        if (len < length)
        {
            return MmStatus.NoMemory;
        }

        ulong end = start + len;
        if (end < start)
        {
            return MmStatus.InvalidArgument;
        }

        if (start == end)
        {
            return MmStatus.Ok;
        }

        lock (_lock)
        {
            return ModifyRangeLocked(start, end, _ => MmStatus.Ok, v => v.Flags |= VmFlags.Sealed);
        }
    }

    /// <summary>
    /// msync(MS_ASYNC=1, MS_INVALIDATE=2, MS_SYNC=4): writes dirty shared file pages back (MS_SYNC and
    /// MS_ASYNC alike: our page cache writes through synchronously). EINVAL for bad flags or an unaligned
    /// start, EBUSY for MS_INVALIDATE on a locked mapping, ENOMEM when part of the range is unmapped.
    /// </summary>
    public MmStatus Sync(ulong start, ulong length, int flags)
    {
        if ((flags & ~7) != 0 || (start & PageSizes.PageMask) != 0 || (flags & 5) == 5)
        {
            return MmStatus.InvalidArgument;
        }

        ulong len = (length + PageSizes.PageMask) & ~PageSizes.PageMask;
        ulong end = start + len;
        if (end < start || len < length)
        {
            return MmStatus.NoMemory;
        }

        if (start == end)
        {
            return MmStatus.Ok;
        }

        lock (_lock)
        {
            bool hole = false;
            ulong at = start;
            for (Vma? v = _vmas.FindFirstEndAbove(start); v != null && v.Start < end; v = v.Next)
            {
                hole |= v.Start > at;
                if ((flags & 2) != 0 && (v.Flags & VmFlags.Locked) != 0)
                {
                    return MmStatus.Busy;
                }

                if ((v.Flags & VmFlags.Shared) != 0 && v.Object?.Backing != null)
                {
                    ulong from = Math.Max(start, v.Start);
                    ulong to = Math.Min(end, v.End);

                    // Writeback cleans the pages and folio_mkclean the PTEs mapping them here: dirty bits move to the
                    // cache first, and the next write faults and dirties the page again.
                    MkCleanVisitor clean = new() { Mem = _mem, Vma = v };
                    PageTable.Visit(from, to, ref clean);
                    v.Object.Writeback(v.PageIndexOf(from), v.PageIndexOf(to - 1));
                    if (clean.Changed)
                    {
                        ShootdownLocked(from, to);
                    }
                }

                at = v.End;
            }

            return hole || at < end ? MmStatus.NoMemory : MmStatus.Ok;
        }
    }

    /// <summary>
    /// mincore: one byte per page of [start, start+length), bit 0 set when the page is resident: mapped
    /// in the page tables, or (file and shmem mappings) present in the object's page cache.
    /// </summary>
    public MmStatus Residency(ulong start, ulong length, Span<byte> vec)
    {
        if ((start & PageSizes.PageMask) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        ulong pages = (length + PageSizes.PageMask) >> PageSizes.PageBits;
        ulong end = start + (pages << PageSizes.PageBits);
        if (end < start || end > PageSizes.TaskSize)
        {
            return MmStatus.NoMemory;
        }

        lock (_lock)
        {
            ulong at = start;
            int i = 0;
            for (Vma? v = _vmas.FindFirstEndAbove(start); at < end; v = v.Next)
            {
                if (v == null || v.Start > at)
                {
                    return MmStatus.NoMemory;
                }

                for (; at < Math.Min(end, v.End); at += PageSizes.PageSize, i++)
                {
                    ulong* leaf = PageTable.Find(at, 1, out _);
                    bool resident = (leaf != null && Pte.IsMapped(*leaf)) || (v.Object != null && v.Object.IsCached(v.PageIndexOf(at)));
                    vec[i] = resident ? (byte)1 : (byte)0;
                }
            }

            return MmStatus.Ok;
        }
    }

    /// <summary>Zaps the pages of every VMA mapping <paramref name="obj"/> at object page index ≥ <paramref name="firstIndex"/>.</summary>
    internal void ZapObjectBeyond(Objects.MemoryObject obj, ulong firstIndex)
    {
        lock (_lock)
        {
            bool any = false;
            for (Vma? v = _vmas.First; v != null; v = v.Next)
            {
                if (!ReferenceEquals(v.Object, obj) || v.PgOff + (ulong)v.Pages <= firstIndex)
                {
                    continue;
                }

                ulong from = firstIndex <= v.PgOff ? v.Start : v.Start + ((firstIndex - v.PgOff) << PageSizes.PageBits);
                if ((v.Flags & VmFlags.HugeTlb) != 0)
                {
                    ulong huge = HugeSizeOf(v);
                    from = (from + huge - 1) & ~(huge - 1);
                }

                SplitThpAtLocked(from);
                ZapLocked(v, from, v.End);
                any = true;
            }

            if (any)
            {
                FinishZapLocked(0, UserLimit);
                NotifyCodeLocked(0, UserLimit);
                CheckInvariantsIfEnabled();
            }
        }
    }

    /// <summary>Rounds [start, start+length) out to whole pages; returns the end (below start on overflow).</summary>
    private static ulong PageAlignRange(ref ulong start, ulong length)
    {
        ulong end = start + length;
        if (end < start)
        {
            return 0;
        }

        start &= ~PageSizes.PageMask;
        return (end + PageSizes.PageMask) & ~PageSizes.PageMask;
    }

    /// <summary>Moves the dirty bits of a shared VMA's page-cache PTEs to the cache and write-protects them (folio_mkclean).</summary>
    private struct MkCleanVisitor : PageTables.IPteVisitor
    {
        public Physical.PhysicalMemory Mem;
        public Vma Vma;
        public bool Changed;

        public void Visit(ulong va, ulong* entry, int level)
        {
            ulong e = *entry;
            if (level != 1 || (e & Pte.Dirty) == 0 || (Mem.Flags(Pte.FrameOf(e)) & Physical.FrameFlags.PageCache) == 0)
            {
                return;
            }

            Vma.Object!.MarkDirty(Vma.PageIndexOf(va));
            *entry = e & ~(Pte.Dirty | Pte.Writable);
            Changed = true;
        }
    }
}
