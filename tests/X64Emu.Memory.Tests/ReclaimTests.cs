using System;
using X64Emu.Memory;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using Xunit;

namespace X64Emu.Memory.Tests;

/// <summary>MADV_COLD / MADV_PAGEOUT on a system without swap (mm/madvise.c, mm/vmscan.c reclaim_pages).</summary>
public class ReclaimTests
{
    private const ulong Page = PageSizes.PageSize;

    /// <summary>A file whose byte at offset o is (byte)(o / 4096 + 1); writes are remembered.</summary>
    private sealed class PatternFile : IFileBacking
    {
        public PatternFile(ulong length, bool mayPageOut)
        {
            Length = length;
            MayPageOut = mayPageOut;
        }

        public ulong Length { get; }

        public bool MayPageOut { get; }

        public int Writes { get; private set; }

        public int Read(ulong offset, Span<byte> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = (byte)(((offset + (ulong)i) >> PageSizes.PageBits) + 1);
            }

            return destination.Length;
        }

        public bool Write(ulong offset, ReadOnlySpan<byte> source)
        {
            Writes++;
            return true;
        }
    }

    private static (MemoryObject Obj, ulong Va) MapFile(MemoryFixture f, int pages, MapFlags flags, bool mayPageOut = true, Prot prot = Prot.Read)
    {
        MemoryObject obj = new(f.Machine.Physical, MemoryObjectKind.File, new PatternFile((ulong)pages * Page, mayPageOut), 0, "/file");
        obj.AddUser(); // the open file
        Assert.Equal(MmStatus.Ok, f.Space.Map(0, (ulong)pages * Page, prot, flags, obj, 0, out ulong va));
        return (obj, va);
    }

    private static void Touch(MemoryFixture f, ulong va, int pages)
    {
        for (int i = 0; i < pages; i++)
        {
            Assert.True(f.Mmu.TryRead8(va + ((ulong)i * Page), out byte b));
            Assert.Equal((byte)(i + 1), b);
        }
    }

    [Fact]
    public void PageOut_CleanFilePages_LeaveTablesAndCache()
    {
        using MemoryFixture f = new();
        (MemoryObject obj, ulong va) = MapFile(f, 16, MapFlags.None);
        Touch(f, va, 16);
        Assert.Equal(16, f.Space.RssFile);

        Assert.Equal(MmStatus.Ok, f.Space.Advise(va + (4 * Page), 8 * Page, Advice.PageOut));

        Assert.Equal(8, f.Space.RssFile);
        Assert.Equal(8, obj.CachedPages);
        Assert.Equal(0UL, f.Space.PageTable.Walk(va + (4 * Page), out _) & Pte.Present);
        Touch(f, va, 16); // read again from the file
        Assert.Equal(16, obj.CachedPages);
    }

    [Fact]
    public void PageOut_DirtySharedPage_UnmappedButKeptDirty()
    {
        using MemoryFixture f = new();
        (MemoryObject obj, ulong va) = MapFile(f, 2, MapFlags.Shared, prot: Prot.Read | Prot.Write);
        Assert.True(f.Mmu.TryWrite8(va, 0xEE));
        Assert.True(f.Mmu.TryRead8(va + Page, out _));

        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, 2 * Page, Advice.PageOut));

        Assert.Equal(0, f.Space.RssFile);
        Assert.Equal(1, obj.CachedPages); // the dirty one; the clean one went
        Assert.True(f.Mmu.TryRead8(va, out byte b));
        Assert.Equal(0xEE, b);
    }

    [Fact]
    public void PageOut_FileCallerMayNotWrite_LeftAlone()
    {
        using MemoryFixture f = new();
        (MemoryObject obj, ulong va) = MapFile(f, 4, MapFlags.None, mayPageOut: false);
        Touch(f, va, 4);
        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, 4 * Page, Advice.PageOut));
        Assert.Equal(4, f.Space.RssFile);
        Assert.Equal(4, obj.CachedPages);
    }

    [Fact]
    public void PageOut_AnonymousPages_StayUnlessLazyFreeAndClean()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(4 * Page);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(f.Mmu.TryWrite8(va + ((ulong)i * Page), 7));
        }

        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, 2 * Page, Advice.Free));
        Assert.True(f.Mmu.TryWrite8(va + Page, 9)); // written again: kept

        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, 4 * Page, Advice.PageOut));

        Assert.Equal(3, f.Space.RssAnon);
        Assert.True(f.Mmu.TryRead8(va, out byte b));
        Assert.Equal(0, b);
        Assert.True(f.Mmu.TryRead8(va + Page, out b));
        Assert.Equal(9, b);
    }

    [Fact]
    public void Cold_ClearsAccessedBitsOfPagesMappedOnce()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(2 * Page);
        Assert.True(f.Mmu.TryWrite8(va, 1));
        Assert.True(f.Mmu.TryWrite8(va + Page, 1));
        Assert.NotEqual(0UL, f.Space.PageTable.Walk(va, out _) & Pte.Accessed);

        Assert.Equal(MmStatus.Ok, f.Space.Advise(va, Page, Advice.Cold));

        Assert.Equal(0UL, f.Space.PageTable.Walk(va, out _) & Pte.Accessed);
        Assert.NotEqual(0UL, f.Space.PageTable.Walk(va + Page, out _) & Pte.Accessed);
        Assert.Equal(2, f.Space.RssAnon);
        Assert.True(f.Mmu.TryRead8(va, out _)); // the TLB was flushed: the access sets it again
        Assert.NotEqual(0UL, f.Space.PageTable.Walk(va, out _) & Pte.Accessed);
    }

    [Theory]
    [InlineData(Advice.Cold)]
    [InlineData(Advice.PageOut)]
    public void ColdOrPageOut_LockedVma_InvalidArgument(Advice advice)
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(2 * Page, flags: MapFlags.Locked);
        Assert.Equal(MmStatus.InvalidArgument, f.Space.Advise(va, Page, advice));
        Assert.Equal(MmStatus.NoMemory, f.Space.Advise(va + (2 * Page), Page, advice));
    }
}
