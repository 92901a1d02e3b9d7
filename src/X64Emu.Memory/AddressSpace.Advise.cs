using System;
using X64Emu.Memory.Objects;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// madvise(2) (mm/madvise.c). Linux applies advice to the mapped parts of a range and then reports
    /// ENOMEM for a hole; here the whole range is checked first and nothing changes on failure, unless
    /// <see cref="LinuxQuirks"/> asks for Linux's behaviour.
    /// </summary>
    public MmStatus Advise(ulong start, ulong length, Advice advice)
    {
        if (!IsKnownAdvice(advice))
        {
            return MmStatus.InvalidArgument;
        }

        if ((start & PageSizes.PageMask) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        ulong len = PageSizes.PageAlignUp(length);
        if (len < length)
        {
            return MmStatus.InvalidArgument;
        }

        ulong end = start + len;
        if (end < start)
        {
            return MmStatus.InvalidArgument;
        }

        if (end == start)
        {
            return MmStatus.Ok;
        }

        if (advice is Advice.HwPoison or Advice.SoftOffline)
        {
            // Memory-failure injection: without CONFIG_MEMORY_FAILURE (as on the kernels we test against) the
            // advice is unknown; with it an unprivileged caller would get EPERM. There is no failing memory here.
            return MmStatus.InvalidArgument;
        }

        lock (_lock)
        {
            if (IsDestructive(advice) && AnySealedLocked(start, end))
            {
                return MmStatus.NotPermitted;
            }

            if (LinuxQuirks)
            {
                return WalkVmasLocked(start, end, (from, to) => AdviseRangeLocked(from, to, advice));
            }

            return AdviseRangeLocked(start, end, advice);
        }
    }

    private MmStatus AdviseRangeLocked(ulong start, ulong end, Advice advice)
    {
        switch (advice)
        {
            case Advice.Normal:
                return SetFlagsLocked(start, end, VmFlags.None, VmFlags.SeqRead | VmFlags.RandRead, null);
            case Advice.Random:
                return SetFlagsLocked(start, end, VmFlags.RandRead, VmFlags.SeqRead, null);
            case Advice.Sequential:
                return SetFlagsLocked(start, end, VmFlags.SeqRead, VmFlags.RandRead, null);
            case Advice.DontFork:
                return SetFlagsLocked(start, end, VmFlags.DontCopy, VmFlags.None, v => (v.Flags & VmFlags.Io) != 0 ? MmStatus.InvalidArgument : MmStatus.Ok);
            case Advice.DoFork:
                return SetFlagsLocked(start, end, VmFlags.None, VmFlags.DontCopy, v => (v.Flags & VmFlags.Io) != 0 ? MmStatus.InvalidArgument : MmStatus.Ok);
            case Advice.WipeOnFork:
                return SetFlagsLocked(start, end, VmFlags.WipeOnFork, VmFlags.None, v => v.Object != null || (v.Flags & VmFlags.Shared) != 0 ? MmStatus.InvalidArgument : MmStatus.Ok);
            case Advice.KeepOnFork:
                return SetFlagsLocked(start, end, VmFlags.None, VmFlags.WipeOnFork, null);
            case Advice.DontDump:
                return SetFlagsLocked(start, end, VmFlags.DontDump, VmFlags.None, null);
            case Advice.DoDump:
                return SetFlagsLocked(start, end, VmFlags.None, VmFlags.DontDump, v => (v.Flags & (VmFlags.Io | VmFlags.PfnMap)) != 0 ? MmStatus.InvalidArgument : MmStatus.Ok);
            case Advice.Mergeable:
                return SetFlagsLocked(start, end, VmFlags.Mergeable, VmFlags.None, MergeableCheck);
            case Advice.Unmergeable:
                // unmerge_ksm_pages: every KSM page of the range becomes a private copy again first.
                KsmUnmergeLocked(start, end);
                return SetFlagsLocked(start, end, VmFlags.None, VmFlags.Mergeable, null);
            case Advice.HugePage:
                return SetFlagsLocked(start, end, VmFlags.HugePage, VmFlags.NoHugePage, null);
            case Advice.NoHugePage:
                return SetFlagsLocked(start, end, VmFlags.NoHugePage, VmFlags.HugePage, null);
            case Advice.DontNeed:
            case Advice.DontNeedLocked:
            case Advice.Free:
                return DropPagesLocked(start, end, advice);
            case Advice.Remove:
                return RemoveLocked(start, end);
            case Advice.PopulateRead:
            case Advice.PopulateWrite:
                return PopulateAdviceLocked(start, end, write: advice == Advice.PopulateWrite);
            case Advice.Collapse:
            {
                MmStatus mapped = CheckMappedLocked(start, end, null);
                return mapped != MmStatus.Ok ? mapped : CollapseLocked(start, end);
            }
            case Advice.Cold:
            case Advice.PageOut:
                return ColdOrPageoutLocked(start, end, pageout: advice == Advice.PageOut);
            default:
                // WILLNEED: read-ahead into a page cache that X64Emu fills on demand from the host's; only the
                // checks Linux makes remain.
                return CheckMappedLocked(start, end, null);
        }
    }

    private static bool IsKnownAdvice(Advice a) => a switch
    {
        >= Advice.Normal and <= Advice.DontNeed => true,
        >= Advice.Free and <= Advice.Collapse => true,
        Advice.HwPoison or Advice.SoftOffline => true,
        _ => false,
    };

    private static bool IsDestructive(Advice a) => a is Advice.DontNeed or Advice.DontNeedLocked or Advice.Free or Advice.Remove or Advice.DontFork or Advice.WipeOnFork;

    private static MmStatus MergeableCheck(Vma v) =>
        (v.Flags & (VmFlags.Shared | VmFlags.MayShare | VmFlags.Io | VmFlags.PfnMap | VmFlags.HugeTlb | VmFlags.MixedMap)) != 0 || v.Object != null
            ? MmStatus.Ok // Linux silently skips VMAs KSM cannot merge
            : MmStatus.Ok;

    /// <summary>Checks the range is fully mapped (ENOMEM otherwise) and each VMA passes <paramref name="check"/>.</summary>
    private MmStatus CheckMappedLocked(ulong start, ulong end, Func<Vma, MmStatus>? check)
    {
        ulong at = start;
        for (Vma? v = _vmas.FindFirstEndAbove(start); at < end; v = v.Next)
        {
            if (v == null || v.Start > at)
            {
                return MmStatus.NoMemory;
            }

            MmStatus st = check?.Invoke(v) ?? MmStatus.Ok;
            if (st != MmStatus.Ok)
            {
                return st;
            }

            at = v.End;
        }

        return MmStatus.Ok;
    }

    private MmStatus SetFlagsLocked(ulong start, ulong end, VmFlags set, VmFlags clear, Func<Vma, MmStatus>? check)
    {
        return ModifyRangeLocked(start, end, v => check?.Invoke(v) ?? MmStatus.Ok, v => v.Flags = (v.Flags & ~clear) | set);
    }

    /// <summary>
    /// MADV_DONTNEED / MADV_FREE: drops the pages so the next access refaults — zero-fill for private
    /// anonymous memory, the file's contents for private file mappings, the page cache for shared ones.
    /// MADV_FREE (anonymous only) frees immediately: without memory pressure Linux might keep them, a
    /// difference a program may observe only as reading zeroes where it could also have read its old data.
    /// </summary>
    private MmStatus DropPagesLocked(ulong start, ulong end, Advice advice)
    {
        MmStatus st = CheckMappedLocked(start, end, v =>
        {
            if ((v.Flags & (VmFlags.PfnMap | VmFlags.Io)) != 0)
            {
                return MmStatus.InvalidArgument;
            }

            if (advice != Advice.DontNeedLocked && (v.Flags & VmFlags.Locked) != 0)
            {
                return MmStatus.InvalidArgument;
            }

            if (advice == Advice.Free && (v.Object != null || (v.Flags & VmFlags.Shared) != 0))
            {
                return MmStatus.InvalidArgument;
            }

            // hugetlb (madvise_dontneed_free_valid_vma): the start must be huge-aligned; the end is rounded down below.
            if ((v.Flags & VmFlags.HugeTlb) != 0 && ((Math.Max(start, v.Start) & (HugeSizeOf(v) - 1)) != 0 || advice == Advice.Free))
            {
                return MmStatus.InvalidArgument;
            }

            return MmStatus.Ok;
        });
        if (st != MmStatus.Ok)
        {
            return st;
        }

        if (advice == Advice.Free)
        {
            LazyFreeLocked(start, end);
            return MmStatus.Ok;
        }

        SplitThpEdgesLocked(start, end);
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            ulong to = Math.Min(end, v.End);
            if ((v.Flags & VmFlags.HugeTlb) != 0)
            {
                to &= ~(HugeSizeOf(v) - 1);
            }

            ZapLocked(v, Math.Max(start, v.Start), to);
        }

        FinishZapLocked(start, end);
        NotifyCodeLocked(start, end);
        CheckInvariantsIfEnabled();
        return MmStatus.Ok;
    }

    /// <summary>
    /// MADV_FREE (madvise_free_pte_range): exclusive anonymous pages become clean and lazily freeable.
    /// Linux discards them only under memory pressure, and a write in between keeps the page; with no
    /// reclaim here they simply stay, which is what a program sees on Linux while memory is plentiful.
    /// </summary>
    private void LazyFreeLocked(ulong start, ulong end)
    {
        LazyFreeVisitor visitor = new() { Mem = _mem };
        PageTable.Visit(start, end, ref visitor);
        ShootdownLocked(start, end);
    }

    private struct LazyFreeVisitor : PageTables.IPteVisitor
    {
        public Physical.PhysicalMemory Mem;

        public void Visit(ulong va, ulong* entry, int level)
        {
            ulong e = *entry;
            long frame = PageTables.Pte.FrameOf(e);
            if (level != 1 || (Mem.Flags(frame) & (Physical.FrameFlags.Anon | Physical.FrameFlags.Ksm)) != Physical.FrameFlags.Anon || Mem.RefCount(frame) != 1)
            {
                return;
            }

            *entry = e & ~(PageTables.Pte.Dirty | PageTables.Pte.Accessed); // madvise_free_pte_range: pte_mkold(pte_mkclean())
            Mem.AddFlags(frame, Physical.FrameFlags.LazyFree);
        }
    }

    /// <summary>MADV_REMOVE: frees the backing store of a shared mapping (shmem hole punch); EINVAL for private mappings.</summary>
    private MmStatus RemoveLocked(ulong start, ulong end)
    {
        MmStatus st = CheckMappedLocked(start, end, v => (v.Flags & VmFlags.Shared) == 0 || v.Object == null ? MmStatus.InvalidArgument : (v.Flags & VmFlags.Locked) != 0 ? MmStatus.InvalidArgument : MmStatus.Ok);
        if (st != MmStatus.Ok)
        {
            return st;
        }

        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            ulong a = Math.Max(start, v.Start), b = Math.Min(end, v.End);
            ZapLocked(v, a, b);
            MemoryObject obj = v.Object!;
            FinishZapLocked(a, b);
            obj.PunchHole(v.PageIndexOf(a), v.PageIndexOf(b - 1));
        }

        CheckInvariantsIfEnabled();
        return MmStatus.Ok;
    }

    /// <summary>MADV_POPULATE_READ/WRITE: fault the range in; EFAULT where the access is not allowed.</summary>
    private MmStatus PopulateAdviceLocked(ulong start, ulong end, bool write)
    {
        MmStatus st = CheckMappedLocked(start, end, v =>
        {
            if ((v.Flags & (VmFlags.PfnMap | VmFlags.Io)) != 0)
            {
                return MmStatus.InvalidArgument;
            }

            if ((v.Flags & VmFlags.AccessMask) == 0 || (write && (v.Flags & VmFlags.Write) == 0))
            {
                return MmStatus.InvalidArgument; // FOLL_MADV_POPULATE: incompatible permissions are EINVAL (SIGBUS is EFAULT)
            }

            return MmStatus.Ok;
        });
        if (st != MmStatus.Ok)
        {
            return st;
        }

        FaultKind k = PopulateLocked(start, end, write);
        return k switch
        {
            FaultKind.None => MmStatus.Ok,
            FaultKind.Oom => MmStatus.NoMemory,
            FaultKind.BusAdrErr => MmStatus.Fault,
            _ => MmStatus.Fault,
        };
    }
}
