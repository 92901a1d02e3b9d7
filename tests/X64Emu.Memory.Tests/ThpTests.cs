using System;
using System.Collections.Generic;
using Xunit;

namespace X64Emu.Memory.Tests;

public class ThpTests
{
    private const ulong Huge = PageSizes.HugeSize2M;
    private const ulong Page = PageSizes.PageSize;

    [Fact]
    public void AdvisedWriteFault_InstallsThp_PartialUnmapSplitsIt()
    {
        using MemoryFixture f = new(64UL << 20);
        ulong va = f.MapAnon(4 * Huge);
        Assert.Equal(0UL, va & (Huge - 1));
        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, 4 * Huge, Advice.HugePage));
        Assert.True(f.Mmu.TryWrite64(va + 8, 99));
        Assert.Equal(1, f.Space.AnonHugePages);
        Assert.Equal(512, f.Space.RssAnon);
        Assert.True(f.Mmu.TryRead64(va + Huge, out ulong z)); // huge zero page: no RSS
        Assert.Equal(0UL, z);
        Assert.Equal(512, f.Space.RssAnon);
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va + 3 * Page, Page));
        Assert.Equal(0, f.Space.AnonHugePages);
        Assert.Equal(511, f.Space.RssAnon);
        Assert.True(f.Mmu.TryRead64(va + 8, out ulong v));
        Assert.Equal(99UL, v);
    }

    [Fact]
    public void NeverMode_GivesSmallPages_CollapseStillWorks()
    {
        using MemoryFixture f = new(64UL << 20);
        f.Machine.ThpEnabled = ThpMode.Never;
        ulong va = f.MapAnon(2 * Huge);
        Assert.True(f.Mmu.TryWrite64(va + Huge + 16, 5));
        Assert.Equal(0, f.Space.AnonHugePages);
        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, 2 * Huge, Advice.Collapse));
        Assert.Equal(2, f.Space.AnonHugePages);
        Assert.True(f.Mmu.TryRead64(va + Huge + 16, out ulong v));
        Assert.Equal(5UL, v);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void RandomOperations_KeepThpAccountingExact(int seed)
    {
        Random rng = new(seed);
        using MemoryFixture f = new(128UL << 20);
        f.Machine.ThpEnabled = ThpMode.Always;
        ulong va = f.MapAnon(8 * Huge);
        List<(AddressSpace S, Mmu M)> kids = new();
        for (int step = 0; step < 400; step++)
        {
            ulong at = va + ((ulong)rng.Next((int)(8 * Huge / Page)) * Page);
            ulong len = (ulong)rng.Next(1, 1100) * Page;
            if (at + len > va + 8 * Huge)
            {
                len = va + 8 * Huge - at;
            }

            switch (rng.Next(9))
            {
                case 0:
                case 1:
                case 2:
                    f.Mmu.TryWrite64(at, (ulong)step);
                    break;
                case 3:
                    f.Mmu.TryRead64(at, out _);
                    break;
                case 4:
                    f.Space.Protect(at, len, rng.Next(3) == 0 ? Prot.Read : Prot.Read | Prot.Write);
                    break;
                case 5:
                    f.Space.Advise(at, len, rng.Next(5) switch
                    {
                        0 => Advice.DontNeed,
                        1 => Advice.Collapse,
                        2 => Advice.Free,
                        3 => Advice.Cold,
                        _ => Advice.PageOut,
                    });
                    break;
                case 6:
                    f.Space.Unmap(at, len);
                    f.Space.Map(at, len, Prot.Read | Prot.Write, MapFlags.Fixed, null, 0, out _);
                    break;
                case 7:
                    f.Space.Remap(at, len, len, RemapFlags.MayMove | RemapFlags.Fixed, va + 9 * Huge + ((ulong)rng.Next(512) * Page), out ulong moved);
                    f.Space.Unmap(va + 9 * Huge, 4 * Huge);
                    break;
                case 8:
                    if (kids.Count < 2)
                    {
                        AddressSpace c = f.Space.Fork()!;
                        kids.Add((c, new Mmu(c)));
                    }

                    break;
            }

            f.Space.CheckInvariants();
        }

        foreach ((AddressSpace s, Mmu m) in kids)
        {
            s.CheckInvariants();
            m.Dispose();
            s.Dispose();
        }
    }
}
