using System;
using System.Collections.Generic;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// mremap(2) (mm/mremap.c), atomically: shrink in place, grow in place, move (MREMAP_MAYMOVE),
    /// move to a fixed address (MREMAP_FIXED), keep the source mapped (MREMAP_DONTUNMAP), or with
    /// old size 0 duplicate a shared mapping.
    /// </summary>
    public MmStatus Remap(ulong addr, ulong oldLength, ulong newLength, RemapFlags flags, ulong newAddr, out ulong result)
    {
        result = 0;
        if ((flags & ~(RemapFlags.MayMove | RemapFlags.Fixed | RemapFlags.DontUnmap)) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        if ((flags & RemapFlags.Fixed) != 0 && (flags & RemapFlags.MayMove) == 0)
        {
            return MmStatus.InvalidArgument;
        }

        if ((flags & RemapFlags.DontUnmap) != 0 && ((flags & RemapFlags.MayMove) == 0 || oldLength != newLength))
        {
            return MmStatus.InvalidArgument;
        }

        if ((addr & PageSizes.PageMask) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        ulong oldLen = PageSizes.PageAlignUp(oldLength);
        ulong newLen = PageSizes.PageAlignUp(newLength);
        if (newLen == 0 || oldLen < oldLength || newLen < newLength)
        {
            return MmStatus.InvalidArgument;
        }

        // check_mremap_params: a fixed target is validated (alignment, range, overlap) before the source is looked up.
        if ((flags & RemapFlags.Fixed) != 0
            && ((newAddr & PageSizes.PageMask) != 0 || newLen > PageSizes.TaskSize || newAddr > PageSizes.TaskSize - newLen
                || (addr + oldLen > newAddr && newAddr + newLen > addr)))
        {
            return MmStatus.InvalidArgument;
        }

        lock (_lock)
        {
            Vma? vma = _vmas.FindContaining(addr);
            if (vma == null)
            {
                return MmStatus.Fault;
            }

            if ((vma.Flags & VmFlags.HugeTlb) != 0)
            {
                ulong huge = (vma.Flags & VmFlags.Huge1G) != 0 ? PageSizes.HugeSize1G : PageSizes.HugeSize2M;
                if ((addr & (huge - 1)) != 0)
                {
                    return MmStatus.InvalidArgument;
                }

                oldLen = (oldLen + huge - 1) & ~(huge - 1);
                newLen = (newLen + huge - 1) & ~(huge - 1);
                if (newLen > oldLen)
                {
                    return MmStatus.InvalidArgument;
                }
            }

            if (AnySealedLocked(addr, addr + Math.Max(oldLen, PageSizes.PageSize)))
            {
                return MmStatus.NotPermitted;
            }

            MmStatus st;
            if ((flags & (RemapFlags.Fixed | RemapFlags.DontUnmap)) != 0)
            {
                st = RemapToLocked(vma, addr, oldLen, newLen, flags, newAddr, out result);
            }
            else if (oldLen >= newLen && oldLen != 0)
            {
                // Shrink in place: unmap the tail.
                st = oldLen == newLen ? MmStatus.Ok : CheckUnmapLocked(addr + newLen, addr + oldLen);
                if (st == MmStatus.Ok)
                {
                    if (oldLen != newLen)
                    {
                        UnmapRangeLocked(addr + newLen, addr + oldLen);
                    }

                    result = addr;
                }
            }
            else
            {
                st = GrowLocked(vma, addr, oldLen, newLen, flags, out result);
            }

            if (st == MmStatus.Ok)
            {
                CheckInvariantsIfEnabled();
            }

            return st;
        }
    }

    /// <summary>vma_to_resize: checks that [addr, addr + oldLen) lies in one VMA and that growing is allowed.</summary>
    private MmStatus CheckResizeLocked(Vma vma, ulong addr, ulong oldLen, ulong newLen, RemapFlags flags)
    {
        if (oldLen == 0 && (vma.Flags & (VmFlags.Shared | VmFlags.MayShare)) == 0)
        {
            return MmStatus.InvalidArgument;
        }

        if ((flags & RemapFlags.DontUnmap) != 0 && (vma.Flags & (VmFlags.DontExpand | VmFlags.PfnMap)) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        if (oldLen > vma.End - addr)
        {
            return MmStatus.Fault;
        }

        if (newLen == oldLen)
        {
            return MmStatus.Ok;
        }

        if ((vma.Flags & (VmFlags.DontExpand | VmFlags.PfnMap)) != 0)
        {
            return MmStatus.Fault;
        }

        long delta = (long)((newLen - oldLen) >> PageSizes.PageBits);
        if (newLen > oldLen && (vma.Flags & VmFlags.Locked) != 0 && !CapIpcLock
            && (ulong)(LockedVm + delta) << PageSizes.PageBits > MemlockLimit)
        {
            return MmStatus.Again;
        }

        if (newLen > oldLen && AddressSpaceLimit != ulong.MaxValue
            && (ulong)(TotalVm + delta) << PageSizes.PageBits > AddressSpaceLimit)
        {
            return MmStatus.NoMemory;
        }

        return MmStatus.Ok;
    }

    private MmStatus GrowLocked(Vma vma, ulong addr, ulong oldLen, ulong newLen, RemapFlags flags, out ulong result)
    {
        result = 0;
        MmStatus st = CheckResizeLocked(vma, addr, oldLen, newLen, flags);
        if (st != MmStatus.Ok)
        {
            return st;
        }

        long delta = (long)((newLen - oldLen) >> PageSizes.PageBits);
        if (oldLen == vma.End - addr && oldLen != 0)
        {
            ulong newEnd = addr + newLen;
            Vma? next = vma.Next;
            bool fits = newEnd > vma.End && newEnd <= PageSizes.TaskSize && (next == null || next.Start >= newEnd);
            if (fits)
            {
                if ((vma.Flags & VmFlags.Account) != 0 && !_system.TryCharge(delta, TotalVm, CapSysAdmin))
                {
                    return MmStatus.NoMemory;
                }

                ulong oldEnd = vma.End;
                _vmas.SetBounds(vma, vma.Start, newEnd);
                TotalVm += delta;
                if ((vma.Flags & VmFlags.Locked) != 0)
                {
                    LockedVm += delta;
                    PopulateLocked(oldEnd, newEnd, write: null);
                }

                // vma_merge_extend: the grown VMA may absorb the next one, never the previous.
                Vma? after = vma.Next;
                if (after != null && CanMerge(vma, after, copied: vma))
                {
                    AbsorbNextLocked(vma);
                }

                UpdateHiwater();
                result = addr;
                return MmStatus.Ok;
            }
        }

        if ((flags & RemapFlags.MayMove) == 0)
        {
            return MmStatus.NoMemory;
        }

        MapFlags mapFlags = (vma.Flags & VmFlags.MayShare) != 0 ? MapFlags.Shared : MapFlags.None;
        ulong align = HugeSizeOf(vma);
        st = GetUnmappedAreaLocked(0, newLen, align, mapFlags, out ulong target);
        if (st != MmStatus.Ok)
        {
            return st;
        }

        return MoveVmaLocked(vma, addr, oldLen, newLen, target, dontUnmap: false, out result);
    }

    private static ulong HugeSizeOf(Vma vma)
    {
        if ((vma.Flags & VmFlags.HugeTlb) == 0)
        {
            return PageSizes.PageSize;
        }

        return (vma.Flags & VmFlags.Huge1G) != 0 ? PageSizes.HugeSize1G : PageSizes.HugeSize2M;
    }

    /// <summary>mremap_to: MREMAP_FIXED and/or MREMAP_DONTUNMAP.</summary>
    private MmStatus RemapToLocked(Vma vma, ulong addr, ulong oldLen, ulong newLen, RemapFlags flags, ulong newAddr, out ulong result)
    {
        result = 0;
        bool fixedTarget = (flags & RemapFlags.Fixed) != 0;
        if (fixedTarget)
        {
            if ((newAddr & PageSizes.PageMask) != 0 || newLen > PageSizes.TaskSize || newAddr > PageSizes.TaskSize - newLen)
            {
                return MmStatus.InvalidArgument;
            }

            // The ranges may not overlap.
            if (addr + oldLen > newAddr && newAddr + newLen > addr)
            {
                return MmStatus.InvalidArgument;
            }

            if (newAddr < _system.MmapMinAddr && !CapSysRawio)
            {
                return MmStatus.NotPermitted;
            }

            if ((newAddr & (HugeSizeOf(vma) - 1)) != 0)
            {
                return MmStatus.InvalidArgument;
            }

            if (AnySealedLocked(newAddr, newAddr + newLen))
            {
                return MmStatus.NotPermitted;
            }

            MmStatus unmapCheck = CheckUnmapLocked(newAddr, newAddr + newLen);
            if (unmapCheck != MmStatus.Ok)
            {
                return unmapCheck;
            }
        }

        if (fixedTarget && (flags & RemapFlags.DontUnmap) == 0 && oldLen == newLen && addr + oldLen > vma.End)
        {
            return MoveManyLocked(addr, oldLen, newAddr, flags, out result);
        }

        ulong moveLen = Math.Min(oldLen, newLen);
        MmStatus st = CheckResizeLocked(vma, addr, moveLen, newLen, flags);
        if (st != MmStatus.Ok)
        {
            return st;
        }

        if (oldLen > newLen)
        {
            st = CheckUnmapLocked(addr + newLen, addr + oldLen);
            if (st != MmStatus.Ok)
            {
                return st;
            }
        }

        ulong target = newAddr;
        if (!fixedTarget)
        {
            MapFlags mapFlags = (vma.Flags & VmFlags.MayShare) != 0 ? MapFlags.Shared : MapFlags.None;
            st = GetUnmappedAreaLocked(0, newLen, HugeSizeOf(vma), mapFlags, out target);
            if (st != MmStatus.Ok)
            {
                return st;
            }
        }

        // Validation done; mutate.
        if (fixedTarget)
        {
            UnmapRangeLocked(newAddr, newAddr + newLen);
        }

        if (oldLen > newLen)
        {
            UnmapRangeLocked(addr + newLen, addr + oldLen);
        }

        Vma? src = _vmas.FindContaining(addr);
        if (src == null)
        {
            ThrowHelper.ThrowInvalidOperation("mremap: source VMA vanished after validation");
        }

        return MoveVmaLocked(src, addr, moveLen, newLen, target, (flags & RemapFlags.DontUnmap) != 0, out result);
    }

    /// <summary>
    /// Linux 6.17+ (remap_move): a pure MREMAP_FIXED move (old_len == new_len) may span several VMAs, gaps
    /// included; each VMA moves to the same offset from the target, clearing only its own part of it.
    /// hugetlb and VM_SPECIAL VMAs cannot take part (EFAULT).
    /// </summary>
    private MmStatus MoveManyLocked(ulong addr, ulong len, ulong newAddr, RemapFlags flags, out ulong result)
    {
        result = 0;
        ulong end = addr + len;
        List<(ulong Start, ulong End)> pieces = new();
        for (Vma? v = _vmas.FindContaining(addr); v != null && v.Start < end; v = v.Next)
        {
            if ((v.Flags & (VmFlags.HugeTlb | SpecialFlags)) != 0)
            {
                return MmStatus.Fault;
            }

            ulong from = Math.Max(addr, v.Start);
            ulong to = Math.Min(end, v.End);
            MmStatus check = CheckResizeLocked(v, from, to - from, to - from, flags);
            if (check != MmStatus.Ok)
            {
                return check;
            }

            pieces.Add((from, to));
        }

        if (_vmas.Count + (2 * pieces.Count) + 2 > _system.MaxMapCount)
        {
            return MmStatus.NoMemory;
        }

        foreach ((ulong from, ulong to) in pieces)
        {
            // Each VMA moves like its own mremap_to: only its part of the target is cleared (gaps leave the target alone).
            UnmapRangeLocked(newAddr + (from - addr), newAddr + (to - addr));
            Vma? src = _vmas.FindContaining(from);
            if (src == null)
            {
                ThrowHelper.ThrowInvalidOperation("mremap: source VMA vanished during a multi-VMA move");
                return MmStatus.Fault;
            }

            MmStatus st = MoveVmaLocked(src, from, to - from, to - from, newAddr + (from - addr), false, out _);
            if (st != MmStatus.Ok)
            {
                return st;
            }
        }

        result = newAddr;
        return MmStatus.Ok;
    }

    /// <summary>
    /// move_vma: a new VMA at <paramref name="target"/> takes over the pages of [addr, addr + oldLen)
    /// (leaves moved, not copied); the old range is unmapped, or with DONTUNMAP left mapped and empty.
    /// With oldLen 0 (a shared mapping) the new VMA maps the same object pages and nothing moves.
    /// </summary>
    private MmStatus MoveVmaLocked(Vma vma, ulong addr, ulong oldLen, ulong newLen, ulong target, bool dontUnmap, out ulong result)
    {
        result = 0;
        if (_vmas.Count >= _system.MaxMapCount - 3)
        {
            return MmStatus.NoMemory;
        }

        long newPages = (long)(newLen >> PageSizes.PageBits);
        bool account = (vma.Flags & VmFlags.Account) != 0;

        // The new VMA is charged for its whole size; the old range's charge goes away with it unless DONTUNMAP keeps it.
        if (account && !_system.TryCharge(newPages, TotalVm, CapSysAdmin))
        {
            return MmStatus.NoMemory;
        }

        if (oldLen != 0 && !MoveLeavesLocked(addr, addr + oldLen, target))
        {
            if (account)
            {
                _system.Uncharge(newPages);
            }

            return MmStatus.NoMemory;
        }

        Vma moved = new(target, target + newLen, vma.Flags)
        {
            Object = vma.Object,
            PgOff = vma.PgOff + ((addr - vma.Start) >> PageSizes.PageBits),
            Name = vma.Name,
            Pkey = vma.Pkey,
            AnonId = vma.AnonId,
            AnonInherited = vma.AnonInherited,
        };
        if (vma.Object == null && vma.AnonId == null)
        {
            // copy_vma: an anonymous VMA that never had a page is re-based at its new address, so it can merge there.
            moved.PgOff = target >> PageSizes.PageBits;
        }

        moved.Object?.AddUser();

        _vmas.Insert(moved);
        TotalVm += newPages;
        if ((moved.Flags & VmFlags.Locked) != 0)
        {
            LockedVm += newPages;
        }

        if (oldLen != 0 && !dontUnmap)
        {
            // The old range no longer owns pages; unmapping it returns its charge and VM size.
            UnmapRangeLocked(addr, addr + oldLen);
        }
        else if (dontUnmap && (vma.Flags & VmFlags.Locked) != 0)
        {
            // Linux clears VM_LOCKED on the source of MREMAP_DONTUNMAP.
            Vma? src = IsolateLocked(addr, addr + oldLen);
            for (Vma? v = src; v != null && v.Start < addr + oldLen; v = v.Next)
            {
                v.Flags &= ~(VmFlags.Locked | VmFlags.LockOnFault);
                LockedVm -= v.Pages;
            }
        }

        moved = MergeLocked(moved);
        if ((moved.Flags & VmFlags.Locked) != 0 && newLen > oldLen)
        {
            PopulateLocked(target + oldLen, target + newLen, write: null);
        }

        UpdateHiwater();
        result = target;
        return MmStatus.Ok;
    }

    /// <summary>
    /// Moves mapped leaves of [start, end) to the same offsets from <paramref name="target"/>.
    /// Destination tables are allocated before any leaf moves; false (nothing moved) when that fails.
    /// </summary>
    /// <remarks>
    /// Running out of emulated RAM for page tables here is the one way a validated mremap can fail
    /// after its target was cleared; the guest then gets ENOMEM with the source intact.
    /// </remarks>
    private bool MoveLeavesLocked(ulong start, ulong end, ulong target)
    {
        // A 2 MiB leaf moves whole only to the same offset within 2 MiB; otherwise it goes as 4 KiB pages.
        SplitThpEdgesLocked(start, end);
        if (((start ^ target) & (Thp - 1)) != 0)
        {
            SplitAllThpLocked(start, end);
        }

        CollectVisitor collect = new() { Space = this };
        PageTable.Visit(start, end, ref collect);
        foreach (MovedLeaf leaf in _moved)
        {
            if (PageTable.Ensure(target + (leaf.Va - start), leaf.Level) == null)
            {
                _moved.Clear();
                return false;
            }
        }

        foreach (MovedLeaf leaf in _moved)
        {
            ulong* from = PageTable.Find(leaf.Va, leaf.Level, out _);
            ulong* to = PageTable.Ensure(target + (leaf.Va - start), leaf.Level);
            *to = *from;
            *from = 0;
        }

        _moved.Clear();
        ShootdownLocked(start, end);
        NotifyCodeLocked(start, end);
        return true;
    }

    private struct MovedLeaf
    {
        public ulong Va;
        public ulong Entry;
        public int Level;
    }

    private readonly List<MovedLeaf> _moved = new();

    private struct CollectVisitor : IPteVisitor
    {
        public AddressSpace Space;

        public void Visit(ulong va, ulong* entry, int level)
        {
            Space._moved.Add(new MovedLeaf { Va = va, Entry = *entry, Level = level });
        }
    }
}
