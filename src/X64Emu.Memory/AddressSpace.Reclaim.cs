using System.Collections.Generic;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    // Reused between MADV_PAGEOUT calls; protected by _lock.
    private readonly List<ulong> _reclaim = new();

    /// <summary>
    /// MADV_COLD / MADV_PAGEOUT (mm/madvise.c madvise_cold, madvise_pageout, madvise_cold_or_pageout_pte_range)
    /// on a system without swap. Only pages mapped once (by this mapping alone) are touched. COLD deactivates
    /// them: their PTE accessed bits are cleared (smaps Referenced drops until the next access). PAGEOUT reclaims:
    /// page-cache pages leave the page tables (Rss drops, the next access faults again) and a clean file page
    /// also leaves the cache (mincore 0, it is read again), while a dirty one and a written shmem page stay
    /// cached; a MADV_FREE'd anonymous page not written since is discarded (it reads as zero); other anonymous
    /// pages stay, having no swap to go to. A transparent huge page only partly in the range is split first;
    /// PAGEOUT splits a whole one too (reclaim cannot swap it and splits it) and COLD clears its accessed bit.
    /// </summary>
    /// <remarks>
    /// EINVAL for a locked, VM_PFNMAP or hugetlb VMA (can_madv_lru_vma). PAGEOUT leaves alone the file pages of a
    /// file the caller may not write and does not own (can_do_file_pageout): a shared mapping of it is skipped,
    /// and a private one may only lose anonymous pages, which cannot go anywhere here.
    /// </remarks>
    private MmStatus ColdOrPageoutLocked(ulong start, ulong end, bool pageout)
    {
        MmStatus st = CheckMappedLocked(start, end, v => (v.Flags & (VmFlags.Locked | VmFlags.LockOnFault | VmFlags.PfnMap | VmFlags.HugeTlb)) != 0
            ? MmStatus.InvalidArgument
            : MmStatus.Ok);
        if (st != MmStatus.Ok)
        {
            return st;
        }

        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            ulong from = v.Start > start ? v.Start : start;
            ulong to = v.End < end ? v.End : end;
            if (pageout && v.Object != null && !(v.Object.Backing?.MayPageOut ?? true))
            {
                continue; // shared: nothing to do; private: only anonymous pages, and there is no swap
            }

            ColdOrPageoutThpLocked(from, to, pageout);
            ColdOrPageoutVmaLocked(v, from, to, pageout);
        }

        ShootdownLocked(start, end);
        CheckInvariantsIfEnabled();
        return MmStatus.Ok;
    }

    /// <summary>The PMD-level part: THPs mapped by this process alone are split unless COLD covers them whole.</summary>
    private void ColdOrPageoutThpLocked(ulong from, ulong to, bool pageout)
    {
        for (ulong a = from & ~(Thp - 1); a < to; a += Thp)
        {
            ulong* pd = PageTable.Find(a, 2, out int leafLevel);
            if (pd == null || leafLevel != 2 || !Pte.IsMapped(*pd) || (*pd & Pte.PageSize) == 0)
            {
                continue;
            }

            long head = Pte.FrameOf(*pd);
            if ((_mem.Flags(head) & FrameFlags.Zero) != 0 || _mem.MapCount(head) != 1)
            {
                continue; // the huge zero page; a THP shared with another process (folio_maybe_mapped_shared)
            }

            bool whole = a >= from && a + Thp <= to;
            if (whole && !pageout)
            {
                *pd &= ~Pte.Accessed;
            }
            else
            {
                SplitThpLocked(a, pd);
            }
        }
    }

    /// <summary>The PTE-level part over one VMA's piece [from, to).</summary>
    private void ColdOrPageoutVmaLocked(Vma v, ulong from, ulong to, bool pageout)
    {
        ReclaimVisitor visitor = new() { Mem = _mem, Pageout = pageout, Candidates = _reclaim };
        PageTable.Visit(from, to, ref visitor);
        if (!pageout || _reclaim.Count == 0)
        {
            _reclaim.Clear();
            return;
        }

        foreach (ulong va in _reclaim)
        {
            ZapLocked(v, va, va + PageSizes.PageSize); // try_to_unmap: a dirty PTE leaves the page dirty in the cache
        }

        FinishZapLocked(from, to);
        NotifyCodeLocked(from, to);
        if (v.Object != null)
        {
            foreach (ulong va in _reclaim)
            {
                v.Object.TryEvict(v.PageIndexOf(va));
            }
        }

        _reclaim.Clear();
    }

    /// <summary>
    /// Picks the 4 KiB pages reclaim may take (PAGEOUT) or clears their accessed bits (COLD): pages mapped only
    /// here; for PAGEOUT, page-cache pages and MADV_FREE'd anonymous pages still clean.
    /// </summary>
    private struct ReclaimVisitor : IPteVisitor
    {
        public PhysicalMemory Mem;
        public bool Pageout;
        public List<ulong> Candidates;

        public void Visit(ulong va, ulong* entry, int level)
        {
            ulong e = *entry;
            long frame = Pte.FrameOf(e);
            if (level != 1 || frame == Mem.ZeroFrame || Mem.MapCount(frame) != 1)
            {
                return;
            }

            FrameFlags flags = Mem.Flags(frame);
            if (!Pageout)
            {
                *entry = e & ~Pte.Accessed;
                return;
            }

            if ((flags & FrameFlags.PageCache) != 0
                || ((flags & (FrameFlags.Anon | FrameFlags.LazyFree | FrameFlags.Ksm)) == (FrameFlags.Anon | FrameFlags.LazyFree)
                    && (e & Pte.Dirty) == 0 && Mem.RefCount(frame) == 1))
            {
                Candidates.Add(va);
            }
        }
    }
}
