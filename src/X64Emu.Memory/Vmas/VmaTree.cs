using System;
using System.Diagnostics;

namespace X64Emu.Memory.Vmas;

/// <summary>
/// The VMAs of one address space: an intrusive AVL tree keyed by start address, threaded with an
/// in-order Prev/Next list, and augmented with the largest free gap in each subtree so that the
/// free-area search (Linux's vm_unmapped_area) is O(log n).
/// </summary>
/// <remarks>
/// AVL rather than red-black: lookups dominate (every fault and every mm syscall starts with one),
/// and AVL trees are shallower; rebalancing cost is the same order and the augmentation is updated on
/// the same paths either way.
/// Invariants: in-order = ascending Start; no overlaps; |height(left) − height(right)| ≤ 1;
/// TreeMaxGap = max(GapBefore(node), children's TreeMaxGap) where GapBefore is the free space between
/// the previous VMA's End and this VMA's start (less the stack guard gap below a MAP_GROWSDOWN VMA).
/// </remarks>
public sealed partial class VmaTree
{
    private Vma? _root;

    /// <summary>Bytes kept free below a MAP_GROWSDOWN VMA (Linux's stack_guard_gap, 256 pages).</summary>
    public ulong StackGuardGap { get; set; } = 256 * PageSizes.PageSize;

    public int Count { get; private set; }

    public Vma? First { get; private set; }

    public Vma? Last { get; private set; }

    private static int Height(Vma? n) => n?.TreeHeight ?? 0;

    private static ulong MaxGap(Vma? n) => n?.TreeMaxGap ?? 0;

    /// <summary>Where a gap before <paramref name="v"/> must end (vm_start_gap).</summary>
    private ulong StartGap(Vma v)
    {
        if ((v.Flags & VmFlags.GrowsDown) != 0)
        {
            return v.Start > StackGuardGap ? v.Start - StackGuardGap : 0;
        }

        return v.Start;
    }

    private ulong GapBefore(Vma v)
    {
        ulong end = StartGap(v);
        ulong start = v.TreePrev?.End ?? 0;
        return end > start ? end - start : 0;
    }

    private void Recompute(Vma n)
    {
        n.TreeHeight = 1 + Math.Max(Height(n.TreeLeft), Height(n.TreeRight));
        n.TreeMaxGap = Math.Max(GapBefore(n), Math.Max(MaxGap(n.TreeLeft), MaxGap(n.TreeRight)));
    }

    /// <summary>Recomputes the augmentation from <paramref name="n"/> up to the root.</summary>
    private void UpdateUp(Vma? n)
    {
        while (n != null)
        {
            Recompute(n);
            n = n.TreeParent;
        }
    }

    public Vma? FindFirstEndAbove(ulong va)
    {
        Vma? n = _root;
        Vma? result = null;
        while (n != null)
        {
            if (n.End > va)
            {
                result = n;
                n = n.TreeLeft;
            }
            else
            {
                n = n.TreeRight;
            }
        }

        return result;
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

    /// <summary>Inserts a VMA. Preconditions: it overlaps no VMA in the tree and is not in a tree.</summary>
    public void Insert(Vma v)
    {
        Debug.Assert(FindFirstOverlap(v.Start, v.End) == null, "overlapping insert");
        v.TreeLeft = v.TreeRight = null;
        v.TreeHeight = 1;
        Vma? parent = null;
        Vma? n = _root;
        bool left = false;
        while (n != null)
        {
            parent = n;
            left = v.Start < n.Start;
            n = left ? n.TreeLeft : n.TreeRight;
        }

        v.TreeParent = parent;
        if (parent == null)
        {
            _root = v;
            v.TreePrev = v.TreeNext = null;
        }
        else if (left)
        {
            parent.TreeLeft = v;
            LinkBefore(v, parent);
        }
        else
        {
            parent.TreeRight = v;
            LinkAfter(v, parent);
        }

        Count++;
        if (v.TreePrev == null)
        {
            First = v;
        }

        if (v.TreeNext == null)
        {
            Last = v;
        }

        Rebalance(v);
        if (v.TreeNext != null)
        {
            UpdateUp(v.TreeNext); // its gap now starts at v.End
        }
    }

    private static void LinkBefore(Vma v, Vma next)
    {
        v.TreeNext = next;
        v.TreePrev = next.TreePrev;
        if (next.TreePrev != null)
        {
            next.TreePrev.TreeNext = v;
        }

        next.TreePrev = v;
    }

    private static void LinkAfter(Vma v, Vma prev)
    {
        v.TreePrev = prev;
        v.TreeNext = prev.TreeNext;
        if (prev.TreeNext != null)
        {
            prev.TreeNext.TreePrev = v;
        }

        prev.TreeNext = v;
    }

    /// <summary>Removes a VMA that is in the tree.</summary>
    public void Remove(Vma v)
    {
        Vma? next = v.TreeNext;
        Vma? prev = v.TreePrev;
        Vma? rebalanceFrom;
        if (v.TreeLeft != null && v.TreeRight != null)
        {
            // Replace v by its in-order successor s (the leftmost node of the right subtree).
            Vma s = next!;
            Vma? sParent = s.TreeParent;
            Vma? sRight = s.TreeRight;
            if (sParent != v)
            {
                sParent!.TreeLeft = sRight;
                if (sRight != null)
                {
                    sRight.TreeParent = sParent;
                }

                s.TreeRight = v.TreeRight;
                v.TreeRight!.TreeParent = s;
                rebalanceFrom = sParent;
            }
            else
            {
                rebalanceFrom = s;
            }

            s.TreeLeft = v.TreeLeft;
            v.TreeLeft.TreeParent = s;
            Replace(v, s);
            s.TreeHeight = v.TreeHeight;
        }
        else
        {
            Vma? child = v.TreeLeft ?? v.TreeRight;
            Replace(v, child);
            rebalanceFrom = v.TreeParent;
        }

        if (prev != null)
        {
            prev.TreeNext = next;
        }
        else
        {
            First = next;
        }

        if (next != null)
        {
            next.TreePrev = prev;
        }
        else
        {
            Last = prev;
        }

        v.TreeLeft = v.TreeRight = v.TreeParent = v.TreePrev = v.TreeNext = null;
        Count--;
        Rebalance(rebalanceFrom);
        if (next != null)
        {
            UpdateUp(next); // its gap now starts at prev.End
        }
    }

    /// <summary>Puts <paramref name="with"/> where <paramref name="old"/> hangs from its parent.</summary>
    private void Replace(Vma old, Vma? with)
    {
        Vma? p = old.TreeParent;
        if (with != null)
        {
            with.TreeParent = p;
        }

        if (p == null)
        {
            _root = with;
        }
        else if (p.TreeLeft == old)
        {
            p.TreeLeft = with;
        }
        else
        {
            p.TreeRight = with;
        }
    }

    /// <summary>Changes a VMA's bounds. Preconditions: ordering and non-overlap stay true.</summary>
    public void SetBounds(Vma v, ulong newStart, ulong newEnd)
    {
        Debug.Assert(newStart < newEnd);
        v.Start = newStart;
        v.End = newEnd;
        UpdateUp(v);
        if (v.TreeNext != null)
        {
            UpdateUp(v.TreeNext);
        }
    }

    /// <summary>Restores AVL balance and the augmentation from <paramref name="n"/> to the root.</summary>
    private void Rebalance(Vma? n)
    {
        while (n != null)
        {
            Recompute(n);
            int bf = Height(n.TreeLeft) - Height(n.TreeRight);
            if (bf > 1)
            {
                if (Height(n.TreeLeft!.TreeLeft) < Height(n.TreeLeft.TreeRight))
                {
                    RotateLeft(n.TreeLeft);
                }

                n = RotateRight(n);
            }
            else if (bf < -1)
            {
                if (Height(n.TreeRight!.TreeRight) < Height(n.TreeRight.TreeLeft))
                {
                    RotateRight(n.TreeRight);
                }

                n = RotateLeft(n);
            }

            n = n.TreeParent;
        }
    }

    private Vma RotateLeft(Vma x)
    {
        Vma y = x.TreeRight!;
        x.TreeRight = y.TreeLeft;
        if (y.TreeLeft != null)
        {
            y.TreeLeft.TreeParent = x;
        }

        Replace(x, y);
        y.TreeLeft = x;
        x.TreeParent = y;
        Recompute(x);
        Recompute(y);
        return y;
    }

    private Vma RotateRight(Vma x)
    {
        Vma y = x.TreeLeft!;
        x.TreeLeft = y.TreeRight;
        if (y.TreeRight != null)
        {
            y.TreeRight.TreeParent = x;
        }

        Replace(x, y);
        y.TreeRight = x;
        x.TreeParent = y;
        Recompute(x);
        Recompute(y);
        return y;
    }
}
