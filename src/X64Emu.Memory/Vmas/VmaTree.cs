using System;
using System.Collections.Generic;

namespace X64Emu.Memory.Vmas;

// TEMPORARY naive stand-in (sorted list) with the agreed API; replaced by the balanced tree from the vmatree branch.
public sealed class VmaTree
{
    private readonly List<Vma> _list = new();

    public ulong StackGuardGap { get; set; } = 256 * 4096;

    public int Count => _list.Count;

    public Vma? First => _list.Count > 0 ? _list[0] : null;

    public Vma? Last => _list.Count > 0 ? _list[^1] : null;

    private int LowerBound(ulong start)
    {
        int lo = 0, hi = _list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_list[mid].Start < start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public void Insert(Vma v)
    {
        int i = LowerBound(v.Start);
        _list.Insert(i, v);
        v.TreePrev = i > 0 ? _list[i - 1] : null;
        v.TreeNext = i + 1 < _list.Count ? _list[i + 1] : null;
        if (v.TreePrev != null)
        {
            v.TreePrev.TreeNext = v;
        }

        if (v.TreeNext != null)
        {
            v.TreeNext.TreePrev = v;
        }
    }

    public void Remove(Vma v)
    {
        int i = LowerBound(v.Start);
        if (i >= _list.Count || !ReferenceEquals(_list[i], v))
        {
            throw new InvalidOperationException("not in tree");
        }

        _list.RemoveAt(i);
        if (v.TreePrev != null)
        {
            v.TreePrev.TreeNext = v.TreeNext;
        }

        if (v.TreeNext != null)
        {
            v.TreeNext.TreePrev = v.TreePrev;
        }

        v.TreePrev = v.TreeNext = null;
    }

    public Vma? FindFirstEndAbove(ulong va)
    {
        int lo = 0, hi = _list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_list[mid].End <= va)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < _list.Count ? _list[lo] : null;
    }

    public Vma? FindContaining(ulong va)
    {
        Vma? v = FindFirstEndAbove(va);
        return v != null && v.Start <= va ? v : null;
    }

    public Vma? FindFirstOverlap(ulong start, ulong end)
    {
        Vma? v = FindFirstEndAbove(start);
        return v != null && v.Start < end ? v : null;
    }

    public void SetBounds(Vma v, ulong newStart, ulong newEnd)
    {
        v.Start = newStart;
        v.End = newEnd;
    }

    private ulong GapEnd(Vma? next, ulong high) => next == null ? high : Math.Min(high, (next.Flags & VmFlags.GrowsDown) != 0 ? (next.Start > StackGuardGap ? next.Start - StackGuardGap : 0) : next.Start);

    public ulong FindGapTopDown(ulong length, ulong align, ulong low, ulong high)
    {
        for (int i = _list.Count; i >= 0; i--)
        {
            ulong gapStart = i > 0 ? Math.Max(_list[i - 1].End, low) : low;
            ulong gapEnd = GapEnd(i < _list.Count ? _list[i] : null, high);
            if (gapEnd < gapStart || gapEnd - gapStart < length)
            {
                continue;
            }

            ulong a = (gapEnd - length) & ~(align - 1);
            if (a >= gapStart)
            {
                return a;
            }
        }

        return ulong.MaxValue;
    }

    public ulong FindGapBottomUp(ulong length, ulong align, ulong low, ulong high)
    {
        for (int i = 0; i <= _list.Count; i++)
        {
            ulong gapStart = i > 0 ? Math.Max(_list[i - 1].End, low) : low;
            ulong gapEnd = GapEnd(i < _list.Count ? _list[i] : null, high);
            ulong a = (gapStart + align - 1) & ~(align - 1);
            if (gapEnd > a && gapEnd - a >= length)
            {
                return a;
            }
        }

        return ulong.MaxValue;
    }

    public void CheckInvariants()
    {
        for (int i = 1; i < _list.Count; i++)
        {
            if (_list[i - 1].End > _list[i].Start)
            {
                throw new InvalidOperationException("overlap");
            }
        }
    }
}
