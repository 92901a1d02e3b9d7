using System;
using System.Collections.Generic;
using System.Threading;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>A leaf taken out of the page tables, released after the shootdown (16 bytes).</summary>
    private struct ZapEntry
    {
        public MemoryObject? Object;
        public int Frame;
        public FrameFlags Flags;
        public byte Level;
    }

    /// <summary>
    /// Leaves gathered between two shootdowns, as Linux's mmu_gather batches them: 4096 × 16 B = 64 KiB, below
    /// the 85,000-byte large-object threshold. A longer zap shoots down and releases each full batch as it
    /// goes, so unmapping any amount needs one reused array — not a list that grows to 32 bytes per page,
    /// stays with the address space and, per forked child, lands on the large-object heap.
    /// </summary>
    private const int ZapBatch = 4096;

    // The gathered batch: rented by the first leaf a zap takes, returned by FinishZapLocked; protected by _lock.
    // Invariants: _zapped == null implies _zapCount == 0; entries [0, _zapCount) map into [_zapStart, _zapEnd).
    private ZapEntry[]? _zapped;
    private int _zapCount;
    private ulong _zapStart = ulong.MaxValue;
    private ulong _zapEnd;

    // One batch kept for the next zap of any address space: forked children each zap once, at exit, on
    // threads of their own, so a per-thread pool (ArrayPool.Shared) would allocate a fresh batch for each.
    private static ZapEntry[]? s_spareZapBatch;

    // The VMAs an mprotect or attribute change modified, handed to MergeRangeLocked, which empties it.
    // Reused so that mprotect allocates nothing (200,000 of them made 34 MB of HashSets); protected by _lock.
    private readonly HashSet<Vma> _modifiedVmas = new();

    /// <summary>Flags that forbid merging (Linux VM_SPECIAL).</summary>
    private const VmFlags SpecialFlags = VmFlags.Io | VmFlags.DontExpand | VmFlags.PfnMap | VmFlags.MixedMap;

    /// <summary>Linux's is_mergeable_vma + anon_vma compatibility + pgoff contiguity, for <paramref name="a"/> just before <paramref name="b"/>.</summary>
    /// <param name="copied">
    /// The VMA being extended in place by mremap (vma_merge_extend: vmg->middle is NULL, only the anon_vma is
    /// passed), whose own fork lineage does not forbid the merge.
    /// </param>
    private static bool CanMerge(Vma a, Vma b, Vma? copied = null)
    {
        return a.End == b.Start
            && (a.Flags & ~VmFlags.SoftDirty) == (b.Flags & ~VmFlags.SoftDirty)
            && (a.Flags & SpecialFlags) == 0
            && ReferenceEquals(a.Object, b.Object)
            && a.PgOff + (ulong)a.Pages == b.PgOff
            && a.Name == b.Name
            && a.Pkey == b.Pkey
            && ReferenceEquals(a.HugeResv, b.HugeResv)
            && AnonCompatible(a, b, copied);
    }

    /// <summary>
    /// is_mergeable_anon_vma (mm/vma.c, 6.13+): the same identity, or none on both sides, or one side without one
    /// while the other's lineage has no parent's anon_vma in it (vma_had_uncowed_parents: list_is_singular of its chain).
    /// </summary>
    private static bool AnonCompatible(Vma a, Vma b, Vma? copied)
    {
        if (a.AnonId == null && b.AnonId == null)
        {
            return true;
        }

        if (a.AnonId != null && b.AnonId != null)
        {
            return ReferenceEquals(a.AnonId, b.AnonId);
        }

        Vma owner = a.AnonId != null ? a : b;
        return !owner.AnonInherited || ReferenceEquals(owner, copied);
    }

    /// <summary>Merges <paramref name="v"/> with its neighbours where Linux would; returns the surviving VMA.</summary>
    /// <remarks>
    /// A range moved by mremap is judged with its source's fork lineage, as measured on Linux 6.18 (copy_vma merges with the source VMA as
    /// vmg->middle), so it is treated as the existing VMA it came from.
    /// </remarks>
    private Vma MergeLocked(Vma v)
    {
        Vma? prev = v.Prev;
        if (prev != null && CanMerge(prev, v))
        {
            v = AbsorbNextLocked(prev);
        }

        Vma? next = v.Next;
        if (next != null && CanMerge(v, next))
        {
            AbsorbNextLocked(v);
        }

        return v;
    }

    /// <summary>Extends <paramref name="v"/> over its next VMA and removes that one (the caller checked <see cref="CanMerge"/>).</summary>
    private Vma AbsorbNextLocked(Vma v)
    {
        Vma next = v.Next!;
        if (v.AnonId == null)
        {
            v.AnonId = next.AnonId;
            v.AnonInherited = next.AnonInherited;
        }
        ulong end = next.End;
        _vmas.Remove(next);
        next.Object?.RemoveUser();
        _vmas.SetBounds(v, v.Start, end);
        return v;
    }

    /// <summary>Remembers, before [start, end) is isolated, whether its edges will split a VMA.</summary>
    private (bool Start, bool End) EdgeSplitsLocked(ulong start, ulong end)
    {
        Vma? a = _vmas.FindContaining(start);
        Vma? b = _vmas.FindContaining(end - 1);
        return (a != null && a.Start < start, b != null && b.End > end);
    }

    /// <summary>
    /// After changing the VMAs of [start, end), as Linux's vma_modify does: a piece whose attributes changed
    /// merges with compatible neighbours; a piece that did not change was never split on Linux, so it only
    /// rejoins the remainder it was split from at an edge of the range.
    /// </summary>
    /// <remarks>Empties <paramref name="modified"/> (the reused <see cref="_modifiedVmas"/>) before returning.</remarks>
    private void MergeRangeLocked(ulong start, ulong end, HashSet<Vma> modified, (bool Start, bool End) split)
    {
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            bool changed = modified.Contains(v);
            Vma? prev = v.Prev;
            if (prev != null && (changed || (split.Start && v.Start == start)) && CanMerge(prev, v))
            {
                v = AbsorbNextLocked(prev);
            }

            // Forward: a changed tail absorbs its next neighbour; absorbing a changed piece keeps the chain going.
            for (Vma? next = v.Next; next != null; next = v.Next)
            {
                bool inside = next.Start < end;
                bool nextChanged = inside && modified.Contains(next);
                if (!(changed || nextChanged || (split.End && v.End == end)) || !CanMerge(v, next))
                {
                    break;
                }

                AbsorbNextLocked(v);
                changed = nextChanged;
                if (!inside)
                {
                    break;
                }
            }
        }

        // Keep the set's storage for the next call unless one huge call grew it.
        bool huge = modified.Count > 1024;
        modified.Clear();
        if (huge)
        {
            modified.TrimExcess();
        }
    }

    /// <summary>
    /// Gives <paramref name="v"/> its anonymous-page identity on its first anonymous page, reusing an
    /// adjacent compatible VMA's (Linux's find_mergeable_anon_vma: the next VMA first, then the previous one;
    /// same flags apart from access rights, same object, contiguous offsets, and a lineage of its own only
    /// (reusable_anon_vma's list_is_singular)), so that the two can still merge after later mprotect calls.
    /// </summary>
    private static void EnsureAnonIdLocked(Vma v)
    {
        if (v.AnonId != null)
        {
            return;
        }

        Vma? next = v.Next;
        if (next != null && ReusableAnon(next, v, next))
        {
            v.AnonId = next.AnonId;
            return;
        }

        Vma? prev = v.Prev;
        if (prev != null && ReusableAnon(prev, prev, v))
        {
            v.AnonId = prev.AnonId;
            return;
        }

        v.AnonId = new object();
    }

    /// <summary>reusable_anon_vma: <paramref name="old"/>'s identity may be shared by <paramref name="a"/> just before <paramref name="b"/>.</summary>
    private static bool ReusableAnon(Vma old, Vma a, Vma b)
    {
        const VmFlags Ignore = VmFlags.AccessMask | VmFlags.SoftDirty;
        return old.AnonId != null && !old.AnonInherited
            && a.End == b.Start && ((a.Flags ^ b.Flags) & ~Ignore) == 0
            && ReferenceEquals(a.Object, b.Object) && a.PgOff + (ulong)a.Pages == b.PgOff;
    }

    /// <summary>Splits <paramref name="v"/> at <paramref name="at"/> (Start &lt; at &lt; End); returns the new upper part.</summary>
    private Vma SplitLocked(Vma v, ulong at)
    {
        Vma upper = new(at, v.End, v.Flags)
        {
            Object = v.Object,
            PgOff = v.PgOff + ((at - v.Start) >> PageSizes.PageBits),
            Name = v.Name,
            Pkey = v.Pkey,
            AnonId = v.AnonId,
            AnonInherited = v.AnonInherited,
            HugeResv = v.HugeResv,
        };
        upper.Object?.AddUser();
        _vmas.SetBounds(v, v.Start, at);
        _vmas.Insert(upper);
        return upper;
    }

    /// <summary>
    /// Splits VMAs so that [start, end) is covered by whole VMAs only (Linux's split on both edges);
    /// returns the first VMA inside the range, or null when none overlaps.
    /// </summary>
    /// <remarks>Preconditions: the caller checked the map-count limit with <see cref="SplitsNeeded"/>.</remarks>
    private Vma? IsolateLocked(ulong start, ulong end)
    {
        SplitThpEdgesLocked(start, end);
        Vma? first = _vmas.FindFirstOverlap(start, end);
        if (first == null)
        {
            return null;
        }

        if (first.Start < start)
        {
            first = SplitLocked(first, start);
        }

        Vma? last = _vmas.FindContaining(end - 1);
        if (last != null && last.End > end)
        {
            SplitLocked(last, end);
        }

        return first;
    }

    /// <summary>How many VMAs splitting at the edges of [start, end) would add.</summary>
    private int SplitsNeeded(ulong start, ulong end)
    {
        int n = 0;
        Vma? first = _vmas.FindFirstOverlap(start, end);
        if (first != null && first.Start < start)
        {
            n++;
        }

        Vma? last = _vmas.FindContaining(end - 1);
        if (last != null && last.End > end && last.Start < end)
        {
            n++;
        }

        return n;
    }

    /// <summary>True when any VMA overlapping [start, end) is sealed (mseal).</summary>
    private bool AnySealedLocked(ulong start, ulong end)
    {
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            if ((v.Flags & VmFlags.Sealed) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Collects and clears the present leaves of [start, end); the frames are released a full batch at a time and by <see cref="FinishZapLocked"/>.</summary>
    private struct ZapVisitor : IPteVisitor
    {
        public AddressSpace Space;
        public Vma Vma;
        public MemoryObject? Object;

        public void Visit(ulong va, ulong* entry, int level)
        {
            ulong e = *entry;
            *entry = 0;
            long frame = Pte.FrameOf(e);
            PhysicalMemory mem = Space._mem;
            if (frame == mem.ZeroFrame && level == 1)
            {
                return;
            }

            if ((e & Pte.Dirty) != 0 && level == 1 && Object != null && (mem.Flags(frame) & FrameFlags.PageCache) != 0)
            {
                // zap_pte_range: a dirty PTE dirties the page-cache page it maps, which then stays until written back
                // (a write through a PTE left writable after another mapping's writeback is known only from this bit).
                Object.MarkDirty(Vma.PageIndexOf(va));
            }

            Space.GatherLocked(va, frame, mem.Flags(frame), Object, level);
        }
    }

    /// <summary>Adds one cleared leaf to the batch, first shooting down and releasing a full one.</summary>
    private void GatherLocked(ulong va, long frame, FrameFlags flags, MemoryObject? obj, int level)
    {
        ZapEntry[] batch = _zapped ??= Interlocked.Exchange(ref s_spareZapBatch, null) ?? new ZapEntry[ZapBatch];
        if (_zapCount == ZapBatch)
        {
            ShootdownLocked(_zapStart, _zapEnd);
            ReleaseZappedLocked();
        }

        // Level 1, 2, 3 leaves span 4 KiB, 2 MiB, 1 GiB: 12 + 9 * (level - 1) address bits.
        ulong end = va + (1UL << (PageSizes.PageBits + (9 * (level - 1))));
        _zapStart = Math.Min(_zapStart, va);
        _zapEnd = Math.Max(_zapEnd, end);
        batch[_zapCount++] = new ZapEntry { Frame = (int)frame, Flags = flags, Object = obj, Level = (byte)level };
    }

    /// <summary>Drops the gathered frames and their RSS. Preconditions: _lock held, the batch's range shot down.</summary>
    private void ReleaseZappedLocked()
    {
        ZapEntry[]? batch = _zapped;
        if (batch == null)
        {
            return;
        }

        for (int i = 0; i < _zapCount; i++)
        {
            ref ZapEntry z = ref batch[i];
            if (z.Level == 1)
            {
                ReleaseMappedFrame(z.Frame, z.Flags, z.Object);
            }
            else
            {
                ReleaseHugeLeaf(z.Frame, z.Level);
            }

            z.Object = null; // the reused array must not keep memory objects alive
        }

        _zapCount = 0;
        _zapStart = ulong.MaxValue;
        _zapEnd = 0;
    }

    /// <summary>Clears the leaves of [start, end) inside <paramref name="vma"/>.</summary>
    private void ZapLocked(Vma vma, ulong start, ulong end)
    {
        ZapVisitor visitor = new() { Space = this, Vma = vma, Object = vma.Object };
        PageTable.Visit(start, end, ref visitor);
    }

    /// <summary>Shoots down [start, end) on every CPU, then drops the zapped frames and their RSS.</summary>
    private void FinishZapLocked(ulong start, ulong end)
    {
        ShootdownLocked(start, end);
        ReleaseZappedLocked();
        if (_zapped != null)
        {
            _ = Interlocked.CompareExchange(ref s_spareZapBatch, _zapped, null);
            _zapped = null;
        }
    }

    /// <summary>Removes whole VMAs starting at <paramref name="first"/> up to <paramref name="end"/>: zaps, uncharges, unlinks.</summary>
    private void RemoveVmasLocked(Vma first, ulong end)
    {
        ulong start = first.Start;
        Vma? before = first.Prev;
        Vma? v = first;
        while (v != null && v.Start < end)
        {
            Vma? next = v.Next;
            ZapLocked(v, v.Start, v.End);
            if (v.Object != null && (v.Flags & VmFlags.Shared) != 0)
            {
                v.Object.Writeback(v.PgOff, v.PgOff + (ulong)v.Pages - 1);
            }

            _system.Uncharge(v.CommittedPages);
            UnreserveHugeLocked(v, v.Start, v.End);
            TotalVm -= v.Pages;
            if ((v.Flags & VmFlags.Locked) != 0)
            {
                LockedVm -= v.Pages;
            }

            _vmas.Remove(v);
            v.Object?.RemoveUser();
            v = next;
        }

        FinishZapLocked(start, end);
        NotifyCodeLocked(start, end);

        ulong floor = before?.End ?? 0;
        ulong ceiling = v?.Start ?? (PageSizes.TaskSize + PageSizes.PageSize);
        PageTable.FreeTables(floor, ceiling);
    }

    /// <summary>Unmaps [start, end) (page aligned) without any checks. Preconditions: _lock held, no VMA in range is sealed.</summary>
    private void UnmapRangeLocked(ulong start, ulong end)
    {
        Vma? first = IsolateLocked(start, end);
        if (first != null)
        {
            RemoveVmasLocked(first, end);
        }
    }

    /// <summary>Tears everything down (exit, execve).</summary>
    private void UnmapAllLocked()
    {
        Vma? first = _vmas.First;
        if (first != null)
        {
            RemoveVmasLocked(first, ulong.MaxValue);
        }
    }
}
