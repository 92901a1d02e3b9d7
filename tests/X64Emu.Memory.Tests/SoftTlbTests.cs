using System;
using System.Collections.Generic;
using X64Emu.Memory;
using X64Emu.Memory.Tlb;
using Xunit;

namespace X64Emu.Memory.Tests;

/// <summary>
/// The software TLB against a dictionary model: fills, page flushes, small and large range flushes
/// (the large ones sweep only filled slots through the used bitmap), write-only and full flushes.
/// </summary>
public unsafe class SoftTlbTests
{
    private const ulong Page = PageSizes.PageSize;

    private static bool Holds(SoftTlb tlb, Access access, ulong page, out long addend)
    {
        TlbEntry* e = tlb.Array(access) + SoftTlb.IndexOf(page);
        addend = e->Addend;
        return e->Tag == page;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatchesModelUnderRandomFillsAndFlushes(int seed)
    {
        var rng = new Random(seed);
        using var tlb = new SoftTlb();
        var model = new Dictionary<(Access, ulong), long>();

        // Pages from a few clusters far apart, so slots collide and large ranges cover some but not all.
        ulong RandomPage()
        {
            ulong cluster = (ulong)rng.Next(4) << 32;
            return cluster + ((ulong)rng.Next(3 * SoftTlb.Size) * Page);
        }

        for (int step = 0; step < 20_000; step++)
        {
            int op = rng.Next(100);
            if (op < 80)
            {
                var access = (Access)rng.Next(3);
                ulong page = RandomPage();
                long host = 0x7000_0000_0000 + ((long)rng.Next(1 << 20) * 4096);
                tlb.Fill(access, page, (byte*)host);

                // Direct-mapped: the slot's previous page is gone.
                foreach (var key in new List<(Access, ulong)>(model.Keys))
                {
                    if (key.Item1 == access && SoftTlb.IndexOf(key.Item2) == SoftTlb.IndexOf(page))
                    {
                        model.Remove(key);
                    }
                }

                model[(access, page)] = host - (long)page;
            }
            else if (op < 88)
            {
                ulong page = RandomPage();
                tlb.FlushPage(page + (ulong)rng.Next(4096));
                for (int a = 0; a < 3; a++)
                {
                    model.Remove(((Access)a, page));
                }
            }
            else if (op < 97)
            {
                ulong start = RandomPage() + (ulong)rng.Next(4096);
                ulong length = rng.Next(2) == 0 ? (ulong)rng.Next(1, 40) * Page : (ulong)rng.Next(1, 2 * SoftTlb.Size) * Page;
                ulong end = start + length;
                tlb.FlushRange(start, end);
                foreach (var key in new List<(Access, ulong)>(model.Keys))
                {
                    if (key.Item2 + Page > start && key.Item2 < end)
                    {
                        model.Remove(key);
                    }
                }
            }
            else if (op < 99)
            {
                tlb.FlushWrites();
                foreach (var key in new List<(Access, ulong)>(model.Keys))
                {
                    if (key.Item1 == Access.Write)
                    {
                        model.Remove(key);
                    }
                }
            }
            else
            {
                tlb.FlushAll();
                model.Clear();
            }

            if (step % 500 == 0 || step == 19_999)
            {
                for (int a = 0; a < 3; a++)
                {
                    for (int cluster = 0; cluster < 4; cluster++)
                    {
                        for (int i = 0; i < 3 * SoftTlb.Size; i++)
                        {
                            ulong page = ((ulong)cluster << 32) + ((ulong)i * Page);
                            bool expected = model.TryGetValue(((Access)a, page), out long addend);
                            bool actual = Holds(tlb, (Access)a, page, out long got);
                            Assert.True(expected == actual, $"seed {seed} step {step}: {(Access)a} 0x{page:x} expected {(expected ? "present" : "absent")}");
                            if (expected)
                            {
                                Assert.Equal(addend, got);
                            }
                        }
                    }
                }
            }
        }
    }
}
