namespace X64Emu.Benchmarks;

/// <summary>How the page-size study backs its 1 GiB of guest memory.</summary>
public enum PageSizeVariant
{
    /// <summary>Anonymous memory, 4 KiB pages.</summary>
    Anon4K,

    /// <summary>MAP_HUGETLB, 2 MiB pages from a pool of 512.</summary>
    Hugetlb2M,

    /// <summary>MAP_HUGETLB | MAP_HUGE_1GB, one 1 GiB page.</summary>
    Hugetlb1G,

    /// <summary>Anonymous memory with MADV_HUGEPAGE (transparent huge pages, 2 MiB).</summary>
    Thp2M,
}
