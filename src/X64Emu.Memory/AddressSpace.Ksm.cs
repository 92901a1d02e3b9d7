using System;
using X64Emu.Memory.Ksm;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

/// <summary>This address space's side of KSM: scanning its mergeable pages, merging and unmerging them.</summary>
public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// Scans up to <paramref name="budget"/> pages of MADV_MERGEABLE VMAs from <paramref name="cursor"/>,
    /// merging unchanged exclusive anonymous pages with identical ones. Sets the cursor to ulong.MaxValue
    /// when this space is done for the pass.
    /// </summary>
    /// <returns>Pages looked at.</returns>
    internal int KsmScan(KsmDaemon ksm, ref ulong cursor, int budget)
    {
        lock (_lock)
        {
            int seen = 0;
            if (IsDestroyed)
            {
                cursor = ulong.MaxValue;
                return 0;
            }

            for (Vma? v = _vmas.FindFirstEndAbove(cursor); v != null; v = v.Next)
            {
                if ((v.Flags & VmFlags.Mergeable) == 0 || (v.Flags & VmFlags.AccessMask) == 0)
                {
                    continue;
                }

                for (ulong va = Math.Max(cursor, v.Start); va < v.End; va += PageSizes.PageSize)
                {
                    if (seen >= budget)
                    {
                        cursor = va;
                        return seen;
                    }

                    seen++;
                    KsmVisitLocked(ksm, va);
                }
            }

            cursor = ulong.MaxValue;
            return seen;
        }
    }

    private void KsmVisitLocked(KsmDaemon ksm, ulong va)
    {
        ulong* slot = PageTable.Find(va, 1, out int level);
        if (slot == null || level != 1 || (*slot & Pte.Present) == 0)
        {
            return;
        }

        long frame = Pte.FrameOf(*slot);
        if (!KsmCandidate(frame))
        {
            return;
        }

        byte* content = _mem.HostOf(frame);
        ulong hash = PageHash(content);
        if (!ksm.Unchanged(this, va, (uint)(hash ^ (hash >> 32))))
        {
            return;
        }

        long stable = ksm.FindStable(hash, content);
        if (stable >= 0)
        {
            KsmMapLocked(va, slot, stable, takeRef: true);
            return;
        }

        (AddressSpace Space, ulong Va, long Frame)? other = ksm.MatchUnstable(hash, this, va, frame);
        if (other == null)
        {
            return;
        }

        // Two identical unchanged pages: a new KSM page takes their contents and replaces this one, and the
        // other one too when it is here (another space's page merges when the scanner reaches it again).
        int kf = _mem.AllocateUninitialized(FrameFlags.Anon | FrameFlags.Ksm);
        if (kf < 0)
        {
            return;
        }

        _mem.CopyFrame(frame, kf);
        ksm.AddStable(hash, kf);
        KsmMapLocked(va, slot, kf, takeRef: false);
        if (ReferenceEquals(other.Value.Space, this))
        {
            ulong* otherSlot = PageTable.Find(other.Value.Va, 1, out int otherLevel);
            Vma? ov = _vmas.FindContaining(other.Value.Va);
            if (otherSlot != null && otherLevel == 1 && ov != null && (ov.Flags & VmFlags.Mergeable) != 0
                && (*otherSlot & Pte.Present) != 0 && Pte.FrameOf(*otherSlot) == other.Value.Frame && KsmCandidate(other.Value.Frame)
                && new ReadOnlySpan<byte>(_mem.HostOf(other.Value.Frame), (int)PageSizes.PageSize).SequenceEqual(new ReadOnlySpan<byte>(_mem.HostOf(kf), (int)PageSizes.PageSize)))
            {
                KsmMapLocked(other.Value.Va, otherSlot, kf, takeRef: true);
            }
        }
    }

    /// <summary>An exclusive, ordinary anonymous page (not already KSM, not shared after fork, not a THP).</summary>
    private bool KsmCandidate(long frame)
    {
        FrameFlags f = _mem.Flags(frame);
        return (f & (FrameFlags.Anon | FrameFlags.Ksm | FrameFlags.Thp | FrameFlags.Zero)) == FrameFlags.Anon
            && _mem.RefCount(frame) == 1 && _mem.MapCount(frame) == 1;
    }

    /// <summary>Points the PTE at the KSM page, read-only; the private page it replaces is freed.</summary>
    private void KsmMapLocked(ulong va, ulong* slot, long ksmFrame, bool takeRef)
    {
        ulong e = *slot;
        long old = Pte.FrameOf(e);
        if (takeRef)
        {
            _mem.Get(ksmFrame);
        }

        _mem.IncMap(ksmFrame);
        *slot = Pte.Make(ksmFrame, e & ~(Pte.AddressMask | Pte.Writable | Pte.Dirty));
        ShootdownLocked(va, va + PageSizes.PageSize);
        _mem.DecMap(old);
        _mem.Put(old);
    }

    /// <summary>A 64-bit FNV-1a-style hash of a page, eight bytes at a time.</summary>
    private static ulong PageHash(byte* page)
    {
        ulong* p = (ulong*)page;
        ulong h = 14695981039346656037UL;
        for (int i = 0; i < 512; i++)
        {
            h = (h ^ p[i]) * 1099511628211UL;
        }

        return h;
    }

    /// <summary>run=2: every KSM page of this space becomes a private copy again.</summary>
    internal void KsmUnmergeAll()
    {
        lock (_lock)
        {
            if (!IsDestroyed)
            {
                KsmUnmergeLocked(0, UserLimit);
            }
        }
    }

    /// <summary>break_ksm over [start, end): private copies replace the KSM pages (writable where the VMA is).</summary>
    private void KsmUnmergeLocked(ulong start, ulong end)
    {
        for (Vma? v = _vmas.FindFirstOverlap(start, end); v != null && v.Start < end; v = v.Next)
        {
            ulong from = Math.Max(start, v.Start);
            ulong to = Math.Min(end, v.End);
            for (ulong va = from; va < to; va += PageSizes.PageSize)
            {
                ulong* slot = PageTable.Find(va, 1, out int level);
                if (slot == null || level != 1 || !Pte.IsMapped(*slot))
                {
                    continue;
                }

                ulong e = *slot;
                long old = Pte.FrameOf(e);
                if ((_mem.Flags(old) & FrameFlags.Ksm) == 0)
                {
                    continue;
                }

                int copy = _mem.AllocateUninitialized(FrameFlags.Anon);
                if (copy < 0)
                {
                    continue;
                }

                _mem.CopyFrame(old, copy);
                _mem.IncMap(copy);
                ulong w = (v.Flags & VmFlags.Write) != 0 && (e & Pte.Present) != 0 ? Pte.Writable | Pte.Dirty : 0;
                *slot = Pte.Make(copy, (e & ~Pte.AddressMask) | w);
                ShootdownLocked(va, va + PageSizes.PageSize);
                _mem.DecMap(old);
                _mem.Put(old);
            }
        }

        CheckInvariantsIfEnabled();
    }
}
