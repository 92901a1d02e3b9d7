using System;
using System.Collections.Generic;
using System.Linq;
using X64Emu.Memory.Vmas;
using Xunit;

namespace X64Emu.Memory.Tests.Vmas;

public class VmaTreeTests
{
    private const ulong P = 4096;

    /// <summary>The obvious sorted-list model the tree must agree with.</summary>
    private sealed class Model
    {
        public readonly List<(ulong Start, ulong End, bool Down)> Items = new();
        public ulong Guard = 256 * P;

        private ulong StartGap((ulong Start, ulong End, bool Down) v) => v.Down ? (v.Start > Guard ? v.Start - Guard : 0) : v.Start;

        public ulong TopDown(ulong length, ulong align, ulong low, ulong high)
        {
            List<(ulong, ulong, bool)> s = Items.OrderBy(x => x.Start).ToList();
            for (int i = s.Count; i >= 0; i--)
            {
                ulong gs = i > 0 ? s[i - 1].Item2 : 0;
                ulong ge = i < s.Count ? StartGap(s[i]) : ulong.MaxValue;
                ulong a0 = Math.Max(gs, low), e0 = Math.Min(ge, high);
                if (e0 > a0 && e0 - a0 >= length + (align - P))
                {
                    ulong a = (e0 - length) & ~(align - 1);
                    if (a >= a0)
                    {
                        return a;
                    }
                }
            }

            return ulong.MaxValue;
        }

        public ulong BottomUp(ulong length, ulong align, ulong low, ulong high)
        {
            List<(ulong, ulong, bool)> s = Items.OrderBy(x => x.Start).ToList();
            for (int i = 0; i <= s.Count; i++)
            {
                ulong gs = i > 0 ? s[i - 1].Item2 : 0;
                ulong ge = i < s.Count ? StartGap(s[i]) : ulong.MaxValue;
                ulong a0 = Math.Max(gs, low), e0 = Math.Min(ge, high);
                ulong a = (a0 + align - 1) & ~(align - 1);
                if (e0 > a0 && e0 - a0 >= length + (align - P) && a >= a0 && a < e0 && e0 - a >= length)
                {
                    return a;
                }
            }

            return ulong.MaxValue;
        }
    }

    [Fact]
    public void Insert_Remove_KeepOrderAndLinks()
    {
        VmaTree t = new();
        Vma a = new(10 * P, 11 * P, VmFlags.Read), b = new(20 * P, 22 * P, VmFlags.Read), c = new(15 * P, 16 * P, VmFlags.Read);
        t.Insert(a);
        t.Insert(b);
        t.Insert(c);
        t.CheckInvariants();
        Assert.Same(a, t.First);
        Assert.Same(b, t.Last);
        Assert.Same(c, a.Next);
        Assert.Same(c, t.FindContaining(15 * P + 5));
        Assert.Null(t.FindContaining(12 * P));
        Assert.Same(c, t.FindFirstEndAbove(12 * P));
        t.Remove(c);
        t.CheckInvariants();
        Assert.Same(b, a.Next);
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void GapSearch_RespectsStackGuard()
    {
        VmaTree t = new();
        Vma stack = new(1000 * P, 1100 * P, VmFlags.Read | VmFlags.GrowsDown);
        t.Insert(stack);
        ulong a = t.FindGapTopDown(P, P, P, 1000 * P);
        Assert.Equal((1000 - 256 - 1) * P, a);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_MatchModel(int seed)
    {
        Random rnd = new(seed);
        VmaTree t = new();
        Model m = new();
        Dictionary<ulong, Vma> byStart = new();
        for (int step = 0; step < 4000; step++)
        {
            int op = rnd.Next(10);
            if (op < 4)
            {
                ulong start = (ulong)rnd.Next(1, 20000) * P;
                ulong len = (ulong)rnd.Next(1, 64) * P;
                bool down = rnd.Next(10) == 0;
                if (t.FindFirstOverlap(start, start + len) == null)
                {
                    Vma v = new(start, start + len, VmFlags.Read | (down ? VmFlags.GrowsDown : 0));
                    t.Insert(v);
                    m.Items.Add((start, start + len, down));
                    byStart[start] = v;
                }
            }
            else if (op < 6 && byStart.Count > 0)
            {
                Vma v = byStart.Values.ElementAt(rnd.Next(byStart.Count));
                t.Remove(v);
                byStart.Remove(v.Start);
                m.Items.RemoveAll(x => x.Start == v.Start);
            }
            else if (op < 7 && byStart.Count > 0)
            {
                // Shrink or grow the end without touching the neighbour.
                Vma v = byStart.Values.ElementAt(rnd.Next(byStart.Count));
                ulong limit = v.Next?.Start ?? v.End + (64 * P);
                ulong newEnd = Math.Min(limit, v.Start + ((ulong)rnd.Next(1, 64) * P));
                if (newEnd > v.Start)
                {
                    int idx = m.Items.FindIndex(x => x.Start == v.Start);
                    m.Items[idx] = (v.Start, newEnd, m.Items[idx].Down);
                    t.SetBounds(v, v.Start, newEnd);
                }
            }
            else
            {
                ulong len = (ulong)rnd.Next(1, 200) * P;
                ulong align = rnd.Next(4) == 0 ? (2UL << 20) : P;
                ulong low = (ulong)rnd.Next(0, 5000) * P;
                ulong high = low + ((ulong)rnd.Next(1, 30000) * P);
                Assert.Equal(m.TopDown(len, align, low, high), t.FindGapTopDown(len, align, low, high));
                Assert.Equal(m.BottomUp(len, align, low, high), t.FindGapBottomUp(len, align, low, high));
            }

            t.CheckInvariants();
            Assert.Equal(m.Items.Count, t.Count);
        }
    }
}
