using System;
using BenchmarkDotNet.Attributes;
using X64Emu.Memory;
using X64Emu.Memory.Tlb;

namespace X64Emu.Benchmarks;

/// <summary>
/// The MMU's two access paths: a first-level TLB hit (index, tag compare, host load/store) and a
/// miss that walks the 4-level page table and refills the entry.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class TlbBenchmarks
{
    private const int HitOps = 1024;

    // Four times the TLB's reach (4,096 entries: 64 MiB = 16,384 pages): consecutive pages use consecutive
    // slots of the direct-mapped arrays, so each slot is evicted by the page one reach further on before it
    // is used again.
    private const ulong MissSize = (ulong)SoftTlb.Size * 4 * PageSizes.PageSize;
    private const int MissOps = (int)(MissSize >> PageSizes.PageBits);

    private BenchMachine _m = null!;
    private Mmu _mmu = null!;
    private ulong _hot;
    private ulong _wide;

    [GlobalSetup]
    public void Setup()
    {
        _m = new BenchMachine(256UL << 20);
        _mmu = _m.Mmu;
        _hot = _m.Map(PageSizes.PageSize);
        _m.TouchWrite(_hot, PageSizes.PageSize);
        _wide = _m.Map(MissSize);
        _m.TouchWrite(_wide, MissSize);

        // Sanity: one pass over the wide region must miss on every access.
        ulong misses = _mmu.Misses;
        _ = ReadMissWalk();
        if (_mmu.Misses - misses != MissOps)
        {
            throw new InvalidOperationException($"expected {MissOps} misses, got {_mmu.Misses - misses} (TLB size {SoftTlb.Size})");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _m.Dispose();

    [Benchmark(OperationsPerInvoke = HitOps, Description = "TLB hit: TryRead64")]
    public ulong ReadHit()
    {
        Mmu mmu = _mmu;
        ulong va = _hot;
        ulong sum = 0;
        for (int i = 0; i < HitOps; i++)
        {
            // 512 distinct 8-byte slots of one 4 KiB page, each read twice per call.
            mmu.TryRead64(va + ((ulong)(i & 511) << 3), out ulong v);
            sum += v;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = HitOps, Description = "TLB hit: TryWrite64")]
    public bool WriteHit()
    {
        Mmu mmu = _mmu;
        ulong va = _hot;
        bool ok = true;
        for (int i = 0; i < HitOps; i++)
        {
            ok &= mmu.TryWrite64(va + ((ulong)(i & 511) << 3), (ulong)i);
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = MissOps, Description = "TLB miss + walk: TryRead64")]
    public ulong ReadMissWalk()
    {
        Mmu mmu = _mmu;
        ulong va = _wide;
        ulong sum = 0;
        for (int i = 0; i < MissOps; i++)
        {
            mmu.TryRead64(va + ((ulong)i << PageSizes.PageBits), out ulong v);
            sum += v;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = MissOps, Description = "TLB miss + walk: TryWrite64")]
    public bool WriteMissWalk()
    {
        Mmu mmu = _mmu;
        ulong va = _wide;
        bool ok = true;
        for (int i = 0; i < MissOps; i++)
        {
            ok &= mmu.TryWrite64(va + ((ulong)i << PageSizes.PageBits), (ulong)i);
        }

        return ok;
    }
}
