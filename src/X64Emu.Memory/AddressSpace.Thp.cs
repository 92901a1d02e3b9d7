using System;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

/// <summary>
/// Transparent huge pages for private anonymous memory: a fault in an eligible, aligned 2 MiB range
/// installs a 2 MiB leaf (the huge zero page on a read); an operation that covers part of one splits it
/// back into 4 KiB PTEs; MADV_COLLAPSE assembles one from 4 KiB pages.
/// </summary>
/// <remarks>
/// A THP is never shared between address spaces: fork copies it (Linux shares it copy-on-write and
/// splits on the first write; the difference shows only in memory use during fork).
/// </remarks>
public sealed unsafe partial class AddressSpace
{
    private const ulong Thp = PageSizes.HugeSize2M;
    private const long ThpPages = 512;

    /// <summary>THPs mapped by this space (AnonHugePages = this × 2 MiB).</summary>
    public long AnonHugePages { get; private set; }

    /// <summary>
    /// Linux's thp_vma_allowable_order for anonymous memory: the sysfs mode (always, or madvise with
    /// MADV_HUGEPAGE), no MADV_NOHUGEPAGE, private anonymous, and an aligned 2 MiB range inside the VMA.
    /// </summary>
    public bool ThpEligible(Vma v, ulong hugeBase, bool collapse = false)
    {
        if (v.Object != null || (v.Flags & (VmFlags.Shared | VmFlags.HugeTlb | VmFlags.NoHugePage | VmFlags.Io | VmFlags.PfnMap)) != 0)
        {
            return false;
        }

        if (!collapse)
        {
            ThpMode mode = _system.ThpEnabled;
            if (mode == ThpMode.Never || (mode == ThpMode.Madvise && (v.Flags & VmFlags.HugePage) == 0))
            {
                return false;
            }
        }

        return hugeBase >= v.Start && hugeBase + Thp <= v.End;
    }

    /// <summary>THPeligible in smaps: could any aligned 2 MiB range of the VMA get a THP?</summary>
    public bool ThpEligibleVma(Vma v)
    {
        ulong first = (v.Start + Thp - 1) & ~(Thp - 1);
        return ThpEligible(v, first);
    }

    /// <summary>
    /// The THP part of the fault path. Returns null when the 4 KiB path should handle the fault (not
    /// eligible, a page table already exists, or no huge run is free).
    /// </summary>
    private FaultKind? ThpFaultLocked(Vma vma, ulong va, Access access)
    {
        ulong hugeBase = va & ~(Thp - 1);
        ulong* pd = PageTable.Find(hugeBase, 2, out int leafLevel);
        ulong e = pd != null && leafLevel == 2 ? *pd : 0;
        bool write = access == Access.Write;
        if (Pte.IsMapped(e) && (e & Pte.PageSize) != 0)
        {
            return ThpExistingLeafLocked(vma, hugeBase, pd, e, write);
        }

        if (e != 0 || !ThpEligible(vma, hugeBase))
        {
            return null;
        }

        pd = PageTable.Ensure(hugeBase, 2);
        if (pd == null)
        {
            return null;
        }

        ulong bits = LeafBits(vma) | Pte.PageSize;
        if (!write)
        {
            long zero = _mem.HugeZeroFrame;
            if (zero < 0)
            {
                return null;
            }

            *pd = Pte.Make(zero, bits);
            Faults.ZeroPage++;
            MinorFaults++;
            Trace("thp-zero-page", hugeBase);
            return FaultKind.None;
        }

        long head = _mem.AllocateThp();
        if (head < 0)
        {
            return null;
        }

        InstallThpLocked(vma, pd, head, bits, hugeBase);
        return FaultKind.None;
    }

    /// <summary>Maps a new THP at <paramref name="pd"/>; <paramref name="fault"/> counts it as a page fault (not for MADV_COLLAPSE).</summary>
    private void InstallThpLocked(Vma vma, ulong* pd, long head, ulong bits, ulong hugeBase, bool fault = true)
    {
        EnsureAnonIdLocked(vma);
        _mem.IncMap(head);
        *pd = Pte.Make(head, bits | Pte.Writable | Pte.Dirty);
        RssAnon += ThpPages;
        AnonHugePages++;
        if (fault)
        {
            Faults.Thp++;
            MinorFaults++;
        }

        UpdateHiwater();
        Trace("thp-anon", hugeBase);
    }

    private FaultKind? ThpExistingLeafLocked(Vma vma, ulong hugeBase, ulong* pd, ulong e, bool write)
    {
        ulong bits = LeafBits(vma) | Pte.PageSize;
        if (!write || (e & Pte.Writable) != 0)
        {
            *pd = (e & ~(Pte.NoExecute | Pte.PkeyMask)) | (bits & (Pte.NoExecute | Pte.PkeyMask));
            return FaultKind.None;
        }

        long frame = Pte.FrameOf(e);
        if ((_mem.Flags(frame) & FrameFlags.Zero) != 0)
        {
            // First write to the huge zero page: a real THP if a run is free, else 4 KiB pages.
            long head = _mem.AllocateThp();
            if (head >= 0)
            {
                *pd = 0;
                ShootdownLocked(hugeBase, hugeBase + Thp);
                InstallThpLocked(vma, pd, head, bits, hugeBase);
                return FaultKind.None;
            }

            return SplitThpLocked(hugeBase, pd) ? null : FaultKind.Oom;
        }

        if (_mem.RefCount(frame) == 1)
        {
            *pd = e | Pte.Writable | Pte.Dirty;
            Faults.CowReuse++;
            Trace("thp-reuse", hugeBase);
            return FaultKind.None;
        }

        return SplitThpLocked(hugeBase, pd) ? null : FaultKind.Oom;
    }

    /// <summary>Splits the 2 MiB anonymous leaf at <paramref name="pd"/> into 512 PTEs (split_huge_pmd).</summary>
    private bool SplitThpLocked(ulong hugeBase, ulong* pd)
    {
        ulong e = *pd;
        long head = Pte.FrameOf(e);
        bool zero = (_mem.Flags(head) & FrameFlags.Zero) != 0;
        ulong flags = e & ~(Pte.AddressMask | Pte.PageSize);
        long zeroFrame = _mem.ZeroFrame;
        if (!PageTable.SplitLeaf(pd, i => Pte.Make(zero ? zeroFrame : head + i, flags)))
        {
            Faults.Oom++;
            return false;
        }

        if (!zero)
        {
            _mem.SplitThp(head);
            AnonHugePages--;
        }

        ShootdownLocked(hugeBase, hugeBase + Thp);
        Trace("thp-split", hugeBase);
        return true;
    }

    /// <summary>Splits any THP straddling <paramref name="addr"/> (an operation's edge that is not 2 MiB aligned).</summary>
    private bool SplitThpAtLocked(ulong addr)
    {
        if ((addr & (Thp - 1)) == 0 || addr >= UserLimit)
        {
            return true;
        }

        ulong hugeBase = addr & ~(Thp - 1);
        ulong* pd = PageTable.Find(hugeBase, 2, out int leafLevel);
        if (pd == null || leafLevel != 2 || !Pte.IsMapped(*pd) || (*pd & Pte.PageSize) == 0)
        {
            return true;
        }

        Vma? v = _vmas.FindContaining(hugeBase);
        if (v != null && (v.Flags & VmFlags.HugeTlb) != 0)
        {
            return true;
        }

        return SplitThpLocked(hugeBase, pd);
    }

    /// <summary>Splits THPs cut by the edges of [start, end).</summary>
    private void SplitThpEdgesLocked(ulong start, ulong end)
    {
        SplitThpAtLocked(start);
        SplitThpAtLocked(end);
    }

    /// <summary>Splits every THP in [start, end) (mremap to an address with a different 2 MiB offset).</summary>
    private void SplitAllThpLocked(ulong start, ulong end)
    {
        for (ulong a = start & ~(Thp - 1); a < end; a += Thp)
        {
            ulong* pd = PageTable.Find(a, 2, out int leafLevel);
            if (pd != null && leafLevel == 2 && Pte.IsMapped(*pd) && (*pd & Pte.PageSize) != 0)
            {
                Vma? v = _vmas.FindContaining(a);
                if (v == null || (v.Flags & VmFlags.HugeTlb) == 0)
                {
                    SplitThpLocked(a, pd);
                }
            }
        }
    }

    /// <summary>Drops a zapped THP or huge zero page leaf.</summary>
    private void ReleaseThpLeaf(long frame)
    {
        if ((_mem.Flags(frame) & FrameFlags.Zero) != 0)
        {
            return;
        }

        RssAnon -= ThpPages;
        AnonHugePages--;
        _mem.DecMap(frame);
        _mem.Put(frame);
    }

    /// <summary>
    /// MADV_COLLAPSE: every aligned 2 MiB range of [start, end) inside a THP-capable VMA becomes one THP,
    /// with the contents of the 4 KiB pages it replaces (absent pages read as zero).
    /// </summary>
    private MmStatus CollapseLocked(ulong start, ulong end)
    {
        MmStatus result = MmStatus.Ok;
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            ulong from = (Math.Max(start, v.Start) + Thp - 1) & ~(Thp - 1);
            ulong to = Math.Min(end, v.End);
            if (!ThpEligible(v, from, collapse: true) && from + Thp <= to)
            {
                result = MmStatus.InvalidArgument;
                continue;
            }

            for (ulong a = from; a + Thp <= to; a += Thp)
            {
                if (!CollapseOneLocked(v, a))
                {
                    result = MmStatus.NoMemory;
                }
            }
        }

        CheckInvariantsIfEnabled();
        return result;
    }

    private bool CollapseOneLocked(Vma v, ulong hugeBase)
    {
        ulong* pd = PageTable.Ensure(hugeBase, 2);
        if (pd == null)
        {
            return false;
        }

        ulong e = *pd;
        if ((e & Pte.PageSize) != 0 && Pte.IsMapped(e) && (_mem.Flags(Pte.FrameOf(e)) & FrameFlags.Zero) == 0)
        {
            return true; // already a THP
        }

        long head = _mem.AllocateThp();
        if (head < 0)
        {
            return false;
        }

        ulong bits = LeafBits(v) | Pte.PageSize;
        if ((e & Pte.PageSize) != 0)
        {
            *pd = 0; // the huge zero page
        }
        else if (e != 0)
        {
            ulong* table = (ulong*)_mem.HostOf(Pte.FrameOf(e));
            for (int i = 0; i < 512; i++)
            {
                ulong pte = table[i];
                if (!Pte.IsMapped(pte))
                {
                    continue;
                }

                long frame = Pte.FrameOf(pte);
                if (frame != _mem.ZeroFrame)
                {
                    Buffer.MemoryCopy(_mem.HostOf(frame), _mem.HostOf(head + i), PageSizes.PageSize, PageSizes.PageSize);
                    ReleaseMappedFrame(frame, _mem.Flags(frame), v.Object);
                }

                table[i] = 0;
            }

            PageTable.CollapseTable(pd, 0);
        }

        ShootdownLocked(hugeBase, hugeBase + Thp);
        NotifyCodeLocked(hugeBase, hugeBase + Thp);
        if ((v.Flags & VmFlags.AccessMask) == 0)
        {
            bits = (bits & ~Pte.Present) | Pte.ProtNone;
        }

        InstallThpLocked(v, pd, head, bits, hugeBase, fault: false);
        if ((v.Flags & VmFlags.Write) == 0)
        {
            *pd &= ~Pte.Writable;
        }

        return true;
    }
}
