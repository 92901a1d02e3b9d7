using System;
using System.Collections.Generic;
using X64Emu.Memory.Hugetlb;
using X64Emu.Memory.Vmas;
using Xunit;

namespace X64Emu.Memory.Tests;

public class HugetlbTests
{
    private const ulong Huge = PageSizes.HugeSize2M;

    [Fact]
    public void Pool_GrowsFromFreeRuns_AndShrinks()
    {
        using MemoryFixture f = new();
        HugetlbPool pool = f.Machine.Huge2M;
        Assert.Equal(8, pool.SetPersistent(8));
        Assert.Equal(8, pool.Free);
        Assert.Equal(8 * 512, f.Machine.HugetlbPages);
        Assert.Equal(3, pool.SetPersistent(3));
        Assert.Equal(3, pool.Total);
        pool.CheckInvariants();
    }

    [Fact]
    public void Pool_FallsShort_WhenRamIsFragmented()
    {
        using MemoryFixture f = new(16UL << 20);
        // Pin one 4 KiB frame in every 2 MiB run: no aligned run is left.
        List<int> pinned = new();
        List<int> all = new();
        for (int frame; (frame = f.Machine.Physical.Allocator.Allocate()) >= 0;)
        {
            all.Add(frame);
        }

        foreach (int frame in all)
        {
            if ((frame & 511) == 5)
            {
                pinned.Add(frame);
            }
            else
            {
                f.Machine.Physical.Allocator.Free(frame, 0);
            }
        }

        Assert.Equal(0, f.Machine.Huge2M.SetPersistent(4));
        foreach (int frame in pinned)
        {
            f.Machine.Physical.Allocator.Free(frame, 0);
        }

        Assert.Equal(4, f.Machine.Huge2M.SetPersistent(4));
    }

    [Fact]
    public void PrivateMapping_ReservesAtMmap_ConsumesAtFault_ReturnsAtUnmap()
    {
        using MemoryFixture f = new();
        HugetlbPool pool = f.Machine.Huge2M;
        pool.SetPersistent(4);
        ulong va = f.MapAnon(3 * Huge, flags: MapFlags.HugeTlb);
        Assert.Equal(0UL, va & (Huge - 1));
        Assert.Equal(3, pool.Reserved);
        Assert.True(f.Mmu.TryWrite64(va + Huge + 8, 42));
        Assert.Equal(2, pool.Reserved);
        Assert.Equal(3, pool.Free);
        Assert.Equal(512, f.Space.HugetlbPages);
        Assert.True(f.Mmu.TryRead64(va + Huge + 8, out ulong v));
        Assert.Equal(42UL, v);

        Assert.Equal(MmStatus.NoMemory, f.Space.Map(0, 2 * Huge, Prot.Read | Prot.Write, MapFlags.HugeTlb, null, 0, out _));
        Assert.Equal(MmStatus.InvalidArgument, f.Space.Unmap(va + PageSizes.PageSize, Huge));
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va + Huge, Huge));
        Assert.Equal(2, pool.Reserved);
        Assert.Equal(4, pool.Free);
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va, 3 * Huge));
        Assert.Equal(0, pool.Reserved);
    }

    [Fact]
    public void NoReserve_EmptyPool_FaultsSigbus()
    {
        using MemoryFixture f = new();
        ulong va = f.MapAnon(Huge, flags: MapFlags.HugeTlb | MapFlags.NoReserve);
        Assert.False(f.Mmu.TryWrite8(va, 1));
        Assert.Equal(FaultKind.BusAdrErr, f.Mmu.LastFault.Kind);
    }

    [Fact]
    public void Surplus_CoversReservations_AndGoesBackToRam()
    {
        using MemoryFixture f = new();
        HugetlbPool pool = f.Machine.Huge2M;
        pool.OvercommitMax = 2;
        long freeFrames = f.Machine.Physical.Allocator.FreeFrames;
        ulong va = f.MapAnon(2 * Huge, flags: MapFlags.HugeTlb);
        Assert.Equal(2, pool.Surplus);
        Assert.Equal(2, pool.Total);
        Assert.True(f.Mmu.TryWrite8(va, 1));
        Assert.Equal(MmStatus.Ok, f.Space.Unmap(va, 2 * Huge));
        Assert.Equal(0, pool.Total);
        Assert.Equal(0, pool.Surplus);
        Assert.True(f.Machine.Physical.Allocator.FreeFrames >= freeFrames - 8);
    }

    [Fact]
    public void Fork_SharesSharedPages_AndCopiesPrivateOnWrite()
    {
        using MemoryFixture f = new();
        f.Machine.Huge2M.SetPersistent(4);
        ulong priv = f.MapAnon(Huge, flags: MapFlags.HugeTlb);
        ulong shared = f.MapAnon(Huge, flags: MapFlags.HugeTlb | MapFlags.Shared);
        Assert.True(f.Mmu.TryWrite64(priv, 1));
        Assert.True(f.Mmu.TryWrite64(shared, 2));
        AddressSpace child = f.Space.Fork()!;
        using (Mmu cm = new(child))
        {
            AddressSpace.CurrentMmu = cm;
            Assert.True(cm.TryRead64(priv, out ulong v));
            Assert.Equal(1UL, v);
            Assert.True(cm.TryWrite64(priv, 10));
            Assert.True(cm.TryWrite64(shared, 20));
        }

        AddressSpace.CurrentMmu = f.Mmu;
        Assert.True(f.Mmu.TryRead64(priv, out ulong p));
        Assert.True(f.Mmu.TryRead64(shared, out ulong s));
        Assert.Equal(1UL, p);
        Assert.Equal(20UL, s);
        child.CheckInvariants();
        child.Dispose();
        Assert.Equal(2, f.Machine.Huge2M.Free);
        f.Space.CheckInvariants();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomMapUnmapForkSequences_KeepPoolAccountingExact(int seed)
    {
        Random rng = new(seed);
        using MemoryFixture f = new(96UL << 20);
        HugetlbPool pool = f.Machine.Huge2M;
        pool.SetPersistent(10);
        pool.OvercommitMax = 3;
        List<(AddressSpace Space, Mmu Mmu)> spaces = new() { (f.Space, f.Mmu) };
        List<(AddressSpace Space, ulong Va, ulong Len)> maps = new();
        for (int step = 0; step < 300; step++)
        {
            int op = rng.Next(10);
            (AddressSpace s, Mmu m) = spaces[rng.Next(spaces.Count)];

            // The test thread plays the CPU of whichever space it operates on (shootdowns skip the current CPU).
            AddressSpace.CurrentMmu = m;
            if (op < 3)
            {
                ulong len = (ulong)rng.Next(1, 4) * Huge;
                MapFlags flags = MapFlags.HugeTlb | (rng.Next(3) == 0 ? MapFlags.Shared : 0) | (rng.Next(4) == 0 ? MapFlags.NoReserve : 0);
                long availBefore = pool.Free - pool.Reserved + (pool.OvercommitMax - pool.Surplus);
                MmStatus st = s.Map(0, len, Prot.Read | Prot.Write, flags, null, 0, out ulong va);
                if ((flags & MapFlags.NoReserve) == 0 && (long)(len / Huge) > availBefore)
                {
                    Assert.Equal(MmStatus.NoMemory, st);
                }
                else
                {
                    Assert.Equal(MmStatus.Ok, st);
                    maps.Add((s, va, len));
                }
            }
            else if (op < 6 && maps.Count > 0)
            {
                (AddressSpace ms, ulong va, ulong len) = maps[rng.Next(maps.Count)];
                int idx = spaces.FindIndex(x => ReferenceEquals(x.Space, ms));
                if (idx >= 0)
                {
                    AddressSpace.CurrentMmu = spaces[idx].Mmu;
                    ulong at = va + ((ulong)rng.Next((int)(len / Huge)) * Huge) + (ulong)rng.Next(4096) * 8;
                    if (rng.Next(2) == 0)
                    {
                        spaces[idx].Mmu.TryWrite64(at & ~7UL, (ulong)step);
                    }
                    else
                    {
                        spaces[idx].Mmu.TryRead64(at & ~7UL, out _);
                    }
                }
            }
            else if (op < 8 && maps.Count > 0)
            {
                int i = rng.Next(maps.Count);
                (AddressSpace ms, ulong va, ulong len) = maps[i];
                ulong first = (ulong)rng.Next((int)(len / Huge)) * Huge;
                ulong count = (ulong)rng.Next(1, (int)((len - first) / Huge) + 1) * Huge;
                if (!ms.IsDestroyed)
                {
                    AddressSpace.CurrentMmu = spaces.Find(x => ReferenceEquals(x.Space, ms)).Mmu;
                    Assert.Equal(MmStatus.Ok, ms.Unmap(va + first, count));
                }

                maps.RemoveAt(i);
            }
            else if (op == 8 && spaces.Count < 4)
            {
                AddressSpace? c = s.Fork();
                Assert.NotNull(c);
                spaces.Add((c!, new Mmu(c!)));
                foreach ((AddressSpace ps, ulong va, ulong len) in maps.ToArray())
                {
                    if (ReferenceEquals(ps, s))
                    {
                        maps.Add((c!, va, len));
                    }
                }
            }
            else if (op == 9 && spaces.Count > 1)
            {
                int i = rng.Next(1, spaces.Count);
                spaces[i].Mmu.Dispose();
                spaces[i].Space.Dispose();
                maps.RemoveAll(x => ReferenceEquals(x.Space, spaces[i].Space));
                spaces.RemoveAt(i);
            }

            pool.CheckInvariants();
            Assert.True(pool.Reserved <= pool.Free);
        }

        AddressSpace.CurrentMmu = f.Mmu;
        for (int i = spaces.Count - 1; i >= 1; i--)
        {
            spaces[i].Mmu.Dispose();
            spaces[i].Space.Dispose();
        }

        f.Space.CheckInvariants();
        for (VmaWalk w = new(f.Space); w.Next(out Vma? v);)
        {
            Assert.Equal(MmStatus.Ok, f.Space.Unmap(v!.Start, v.End - v.Start));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        pool.CheckInvariants();
        Assert.Equal(0, pool.Reserved);
        Assert.Equal(0, pool.Surplus);
        Assert.Equal(10, pool.Total);
        Assert.Equal(10, pool.Free);
    }

    /// <summary>Walks the first VMA repeatedly (each step unmaps it).</summary>
    private ref struct VmaWalk
    {
        private readonly AddressSpace _space;

        public VmaWalk(AddressSpace space)
        {
            _space = space;
        }

        public bool Next(out Vma? v)
        {
            v = _space.FirstVmaLocked;
            return v != null;
        }
    }
}
