using System;
using System.Collections.Generic;

namespace X64Emu.Memory.Vmas;

public sealed partial class VmaTree
{
    private const ulong NotFound = ulong.MaxValue;

    /// <summary>
    /// The highest address a, a multiple of <paramref name="align"/>, with low ≤ a, a + length ≤ high and
    /// [a, a + length) free (clear of a following stack's guard gap); ulong.MaxValue when none.
    /// </summary>
    /// <remarks>O(log n): subtrees whose largest gap cannot hold length plus the alignment slack, or that lie wholly outside [low, high), are skipped.</remarks>
    public ulong FindGapTopDown(ulong length, ulong align, ulong low, ulong high)
    {
        if (length == 0 || high < low || high - low < length)
        {
            return NotFound;
        }

        // Above the last VMA.
        ulong tailStart = Last?.End ?? 0;
        ulong a = FitTop(tailStart, ulong.MaxValue, length, align, low, high);
        if (a != NotFound)
        {
            return a;
        }

        ulong needed = length + (align - PageSizes.PageSize);
        return SearchTop(_root, needed, length, align, low, high);
    }

    private ulong SearchTop(Vma? n, ulong needed, ulong length, ulong align, ulong low, ulong high)
    {
        while (n != null)
        {
            if (n.TreeMaxGap < needed)
            {
                return NotFound;
            }

            // Gaps in the right subtree all start at or above n.End.
            if (n.TreeRight != null && n.End < high && n.TreeRight.TreeMaxGap >= needed)
            {
                ulong r = SearchTop(n.TreeRight, needed, length, align, low, high);
                if (r != NotFound)
                {
                    return r;
                }
            }

            ulong a = FitTop(n.TreePrev?.End ?? 0, StartGap(n), length, align, low, high);
            if (a != NotFound)
            {
                return a;
            }

            // Gaps in the left subtree all end at or below n.Start.
            if (n.Start <= low)
            {
                return NotFound;
            }

            n = n.TreeLeft;
        }

        return NotFound;
    }

    /// <summary>The highest aligned start for [gapStart, gapEnd) ∩ [low, high), or NotFound.</summary>
    private static ulong FitTop(ulong gapStart, ulong gapEnd, ulong length, ulong align, ulong low, ulong high)
    {
        ulong s = Math.Max(gapStart, low);
        ulong e = Math.Min(gapEnd, high);
        // Like Linux, a gap qualifies only if it holds the length plus the whole alignment slack.
        if (e <= s || e - s < length + (align - PageSizes.PageSize))
        {
            return NotFound;
        }

        ulong a = (e - length) & ~(align - 1);
        return a >= s ? a : NotFound;
    }

    /// <summary>The lowest such address (MAP_32BIT, the bottom-up fallback).</summary>
    public ulong FindGapBottomUp(ulong length, ulong align, ulong low, ulong high)
    {
        if (length == 0 || high < low || high - low < length)
        {
            return NotFound;
        }

        ulong needed = length + (align - PageSizes.PageSize);
        ulong a = SearchBottom(_root, needed, length, align, low, high);
        if (a != NotFound)
        {
            return a;
        }

        return FitBottom(Last?.End ?? 0, ulong.MaxValue, length, align, low, high);
    }

    private ulong SearchBottom(Vma? n, ulong needed, ulong length, ulong align, ulong low, ulong high)
    {
        if (n == null || n.TreeMaxGap < needed)
        {
            return NotFound;
        }

        if (n.TreeLeft != null && n.Start > low && n.TreeLeft.TreeMaxGap >= needed)
        {
            ulong l = SearchBottom(n.TreeLeft, needed, length, align, low, high);
            if (l != NotFound)
            {
                return l;
            }
        }

        ulong a = FitBottom(n.TreePrev?.End ?? 0, StartGap(n), length, align, low, high);
        if (a != NotFound)
        {
            return a;
        }

        return n.End < high ? SearchBottom(n.TreeRight, needed, length, align, low, high) : NotFound;
    }

    private static ulong FitBottom(ulong gapStart, ulong gapEnd, ulong length, ulong align, ulong low, ulong high)
    {
        ulong s = Math.Max(gapStart, low);
        ulong e = Math.Min(gapEnd, high);
        ulong a = (s + (align - 1)) & ~(align - 1);
        if (e <= s || e - s < length + (align - PageSizes.PageSize) || a < s || a >= e || e - a < length)
        {
            return NotFound;
        }

        return a;
    }

    /// <summary>Checks every invariant from scratch; throws InvalidOperationException naming the first violation.</summary>
    public void CheckInvariants()
    {
        List<Vma> inorder = new();
        CheckNode(_root, null, inorder);
        if (inorder.Count != Count)
        {
            throw new InvalidOperationException($"VMA tree: Count {Count} but {inorder.Count} nodes");
        }

        Vma? prev = null;
        foreach (Vma v in inorder)
        {
            if (v.TreePrev != prev || (prev != null && prev.TreeNext != v))
            {
                throw new InvalidOperationException($"VMA tree: Prev/Next list broken at {v}");
            }

            if (prev != null && prev.End > v.Start)
            {
                throw new InvalidOperationException($"VMA tree: {prev} overlaps {v}");
            }

            prev = v;
        }

        if (First != (inorder.Count > 0 ? inorder[0] : null) || Last != (inorder.Count > 0 ? inorder[^1] : null))
        {
            throw new InvalidOperationException("VMA tree: First/Last wrong");
        }

        if (prev != null && prev.TreeNext != null)
        {
            throw new InvalidOperationException("VMA tree: last node has a Next");
        }

        CheckGaps();
    }

    private (int Height, ulong MaxGap) CheckNode(Vma? n, Vma? parent, List<Vma> inorder)
    {
        if (n == null)
        {
            return (0, 0);
        }

        if (n.TreeParent != parent)
        {
            throw new InvalidOperationException($"VMA tree: bad parent pointer at {n}");
        }

        if (n.TreeLeft != null && n.TreeLeft.Start >= n.Start || n.TreeRight != null && n.TreeRight.Start <= n.Start)
        {
            throw new InvalidOperationException($"VMA tree: order violated at {n}");
        }

        (int hl, ulong gl) = CheckNode(n.TreeLeft, n, inorder);
        inorder.Add(n);
        (int hr, ulong gr) = CheckNode(n.TreeRight, n, inorder);
        int h = 1 + Math.Max(hl, hr);
        if (Math.Abs(hl - hr) > 1 || h != n.TreeHeight)
        {
            throw new InvalidOperationException($"VMA tree: unbalanced or wrong height at {n}");
        }

        return (h, n.TreeMaxGap);
    }

    /// <summary>Recomputes every TreeMaxGap (after the in-order list is known good) and compares.</summary>
    public void CheckGaps()
    {
        CheckGap(_root);
    }

    private ulong CheckGap(Vma? n)
    {
        if (n == null)
        {
            return 0;
        }

        ulong g = Math.Max(GapBefore(n), Math.Max(CheckGap(n.TreeLeft), CheckGap(n.TreeRight)));
        if (g != n.TreeMaxGap)
        {
            throw new InvalidOperationException($"VMA tree: max gap at {n} is {n.TreeMaxGap:x}, recomputed {g:x}");
        }

        return g;
    }
}
