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

    /// <summary>A file whose byte at offset o starts as (byte)(o / 4096 + 1); writes are kept.</summary>
    private sealed class PatternFile : IFileBacking
    {
        private readonly byte[] _data;

        public PatternFile(ulong length, bool mayPageOut)
        {
            _data = new byte[length];
            for (int i = 0; i < _data.Length; i++)
            {
                _data[i] = (byte)((i >> PageSizes.PageBits) + 1);
            }

            MayPageOut = mayPageOut;
        }

        public ulong Length => (ulong)_data.Length;

        public bool MayPageOut { get; }

        public int Read(ulong offset, Span<byte> destination)
        {
            int n = (int)Math.Min((ulong)destination.Length, Length - offset);
            _data.AsSpan((int)offset, n).CopyTo(destination);
            return n;
        }

        public bool Write(ulong offset, ReadOnlySpan<byte> source)
        {
            source.CopyTo(_data.AsSpan((int)offset));
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
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomOperations_KeepContentsAndAccountingExact(int seed)
    {
        const int Pages = 32;
        Random rng = new(seed);
        using MemoryFixture f = new();
        (MemoryObject sharedObj, ulong shared) = MapFile(f, Pages, MapFlags.Shared, prot: Prot.Read | Prot.Write);
        (_, ulong priv) = MapFile(f, Pages, MapFlags.None, prot: Prot.Read | Prot.Write);
        ulong anon = f.MapAnon(Pages * Page);
        ulong[] bases = { shared, priv, anon };
        byte[][] expect = new byte[3][];
        for (int r = 0; r < 3; r++)
        {
            expect[r] = new byte[Pages];
            for (int i = 0; i < Pages; i++)
            {
                expect[r][i] = r == 2 ? (byte)0 : (byte)(i + 1);
            }
        }

        System.Collections.Generic.List<(AddressSpace S, Mmu M)> kids = new();
        for (int step = 0; step < 600; step++)
        {
            int r = rng.Next(3);
            int page = rng.Next(Pages);
            int count = rng.Next(1, Pages - page + 1);
            ulong at = bases[r] + ((ulong)page * Page);
            switch (rng.Next(10))
            {
                case 8:
                    Assert.Equal(MmStatus.Ok, f.Space.Sync(bases[0], Pages * Page, 4 /* MS_SYNC */));
                    break;
                case 9:
                    if (kids.Count > 0)
                    {
                        // Another process writes the shared file mapping through its own page tables.
                        byte v = (byte)rng.Next(1, 256);
                        Assert.True(kids[^1].M.TryWrite8(bases[0] + ((ulong)page * Page), v));
                        expect[0][page] = v;
                    }

                    break;
                case 0:
                case 1:
                    byte value = (byte)rng.Next(1, 256);
                    Assert.True(f.Mmu.TryWrite8(at, value));
                    expect[r][page] = value;
                    break;
                case 2:
                case 3:
                    Assert.True(f.Mmu.TryRead8(at, out byte got));
                    Assert.True(expect[r][page] == got, $"step {step} region {r} page {page}: {got} instead of {expect[r][page]}");
                    break;
                case 4:
                    Assert.Equal(MmStatus.Ok, f.Space.Advise(at, (ulong)count * Page, rng.Next(2) == 0 ? Advice.Cold : Advice.PageOut));
                    break;
                case 5:
                    if (r == 2 && f.Space.Advise(at, (ulong)count * Page, Advice.Free) == MmStatus.Ok)
                    {
                        // MADV_FREE'd pages may read as zero from now on until written.
                        for (int i = page; i < page + count; i++)
                        {
                            Assert.True(f.Mmu.TryRead8(bases[2] + ((ulong)i * Page), out byte b));
                            Assert.True(b == expect[2][i] || b == 0);
                            Assert.True(f.Mmu.TryWrite8(bases[2] + ((ulong)i * Page), expect[2][i]));
                        }
                    }

                    break;
                case 6:
                    if (kids.Count < 3)
                    {
                        AddressSpace c = f.Space.Fork()!;
                        kids.Add((c, new Mmu(c)));
                    }

                    break;
                case 7:
                    if (kids.Count > 0)
                    {
                        (AddressSpace s, Mmu m) = kids[0];
                        s.CheckInvariants();
                        m.Dispose();
                        s.Dispose();
                        kids.RemoveAt(0);
                    }

                    break;
            }
        }

        for (int r = 0; r < 3; r++)
        {
            for (int i = 0; i < Pages; i++)
            {
                Assert.True(f.Mmu.TryRead8(bases[r] + ((ulong)i * Page), out byte got));
                Assert.Equal(expect[r][i], got);
            }
        }

        foreach ((AddressSpace s, Mmu m) in kids)
        {
            s.CheckInvariants();
            m.Dispose();
            s.Dispose();
        }

        GC.KeepAlive(sharedObj);
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
