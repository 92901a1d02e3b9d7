using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace X64Emu.Benchmarks;

/// <summary>
/// Touching 1 GiB (one byte written per 4 KiB) backed by 4 KiB pages, 2 MiB or 1 GiB hugetlb pages,
/// or 2 MiB transparent huge pages when the memory layer supports them. Each invocation maps fresh
/// memory in the iteration setup and unmaps it in the cleanup, so only the faults and accesses are
/// timed. The console mode (<c>-- pagesize</c>) reports faults and TLB misses beside the times.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class PageSizeStudy
{
    private PageSizeCase _case = null!;

    [ParamsSource(nameof(Variants))]
    public PageSizeVariant Variant { get; set; }

    /// <summary>Every variant, THP only when anonymous faults under MADV_HUGEPAGE really install 2 MiB leaves.</summary>
    public static IEnumerable<PageSizeVariant> Variants()
    {
        yield return PageSizeVariant.Anon4K;
        yield return PageSizeVariant.Hugetlb2M;
        yield return PageSizeVariant.Hugetlb1G;
        if (PageSizeCase.ThpSupported())
        {
            yield return PageSizeVariant.Thp2M;
        }
    }

    [GlobalSetup]
    public void Setup() => _case = new PageSizeCase(Variant);

    [GlobalCleanup]
    public void Cleanup() => _case.Dispose();

    [IterationSetup]
    public void MapFresh() => _case.Map();

    [IterationCleanup]
    public void UnmapFresh() => _case.Unmap();

    [Benchmark(Description = "touch 1 GiB (1 write / 4 KiB)")]
    public void Touch1GiB() => _case.Touch();
}
