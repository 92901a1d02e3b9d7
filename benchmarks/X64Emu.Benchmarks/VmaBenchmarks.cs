using System;
using BenchmarkDotNet.Attributes;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// mm operations with many VMAs present: each must stay O(log n) in the VMA count, so that at 65,000
/// VMAs (about Linux's default max_map_count) it costs at most twice what it costs at 100.
/// </summary>
/// <remarks>
/// The VMAs are 1-page anonymous mappings laid side by side with alternating protection (R, RW, R, …),
/// so no two can merge. A 3-page hole sits in the middle of the set; every operation works in the
/// middle of the set and leaves it as it found it.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class VmaBenchmarks
{
    private const ulong Base = 0x2000_0000_0000;
    private const ulong Page = PageSizes.PageSize;

    private BenchMachine _m = null!;
    private ulong _holeMid;
    private ulong _protectPage;
    private Prot _protectFrom;
    private Prot _protectTo;
    private ulong _faultPage;

    [Params(100, 10_000, 65_000)]
    public int VmaCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _m = new BenchMachine(64UL << 20);
        _m.Machine.MaxMapCount = 1 << 20;
        int holeAt = VmaCount / 2;
        for (int i = 0; i < VmaCount + 3; i++)
        {
            if (i >= holeAt && i < holeAt + 3)
            {
                continue;
            }

            _m.Map(Page, ProtOf(i), MapFlags.Fixed, Base + ((ulong)i * Page));
        }

        if (_m.Space.MapCount != VmaCount)
        {
            throw new InvalidOperationException($"expected {VmaCount} VMAs, have {_m.Space.MapCount}");
        }

        _holeMid = Base + ((ulong)(holeAt + 1) * Page);

        // A read-only VMA a quarter of the way in: making it RW merges it with both (RW, accounted)
        // neighbours; back to R splits it off again. (From RW to R would not merge: the page keeps
        // VM_ACCOUNT, which its read-only neighbours lack.)
        int p = (VmaCount / 4) & ~1;
        _protectPage = Base + ((ulong)p * Page);
        _protectFrom = ProtOf(p);
        _protectTo = ProtOf(p + 1);

        // A read-only VMA three quarters of the way in, for the fault.
        int q = 3 * VmaCount / 4; // past the hole
        if (ProtOf(q) != Prot.Read)
        {
            q++;
        }

        _faultPage = Base + ((ulong)q * Page);

        // Sanity: the hinted map lands exactly in the hole, the fault resolves, the miss fails.
        MmapMunmapHinted();
        BenchMachine.Check(_m.Space.Protect(_protectPage, Page, _protectTo), "mprotect");
        if (_m.Space.MapCount != VmaCount - 2)
        {
            throw new InvalidOperationException($"mprotect did not merge: {_m.Space.MapCount} VMAs");
        }

        BenchMachine.Check(_m.Space.Protect(_protectPage, Page, _protectFrom), "mprotect back");
        _ = FaultLookup();
        if (FaultMiss())
        {
            throw new InvalidOperationException("access in the hole did not fault");
        }

        if (_m.Space.MapCount != VmaCount)
        {
            throw new InvalidOperationException($"VMA count changed to {_m.Space.MapCount}");
        }
    }

    private static Prot ProtOf(int i) => (i & 1) == 0 ? Prot.Read : Prot.Read | Prot.Write;

    [GlobalCleanup]
    public void Cleanup() => _m.Dispose();

    /// <summary>mmap of one RW page at a free hinted address in the middle of the set (gap search, insert), then munmap.</summary>
    [Benchmark(Description = "mmap (hint) + munmap, 1 page")]
    public void MmapMunmapHinted()
    {
        _m.MakeCurrent();
        AddressSpace space = _m.Space;
        space.Map(_holeMid, Page, Prot.Read | Prot.Write, MapFlags.None, null, 0, out ulong va);
        if (va != _holeMid)
        {
            ThrowMisplaced(va);
        }

        space.Unmap(va, Page);
    }

    /// <summary>mprotect of one page to its neighbours' protection (3 VMAs merge into 1) and back (split into 3).</summary>
    [Benchmark(Description = "mprotect merge (R→RW) + split back, 1 page")]
    public void MprotectSplitMerge()
    {
        _m.MakeCurrent();
        AddressSpace space = _m.Space;
        space.Protect(_protectPage, Page, _protectTo);
        space.Protect(_protectPage, Page, _protectFrom);
    }

    /// <summary>MADV_DONTNEED of one read-only page then a read: TLB miss, walk, VMA lookup, zero-page fault.</summary>
    [Benchmark(Description = "madvise(DONTNEED) + read fault, 1 page")]
    public bool FaultLookup()
    {
        _m.MakeCurrent();
        _m.Space.Advise(_faultPage, Page, Advice.DontNeed);
        return _m.Mmu.TryRead8(_faultPage, out _);
    }

    /// <summary>A read in the hole: TLB miss, walk, VMA lookup finds nothing, SEGV_MAPERR returned (nothing changes).</summary>
    [Benchmark(Description = "read fault in a hole (SEGV_MAPERR)")]
    public bool FaultMiss() => _m.Mmu.TryRead8(_holeMid, out _);

    private static void ThrowMisplaced(ulong va) => throw new InvalidOperationException($"hinted mmap landed at 0x{va:x}");
}
