namespace X64Emu.Memory;

/// <summary>Page geometry of x86-64 4-level paging (SDM Vol.3 §4.5).</summary>
public static class PageSizes
{
    public const int PageBits = 12;
    public const ulong PageSize = 1UL << PageBits;
    public const ulong PageMask = PageSize - 1;

    /// <summary>2 MiB leaf at the PD level (PS bit).</summary>
    public const int HugeBits2M = 21;
    public const ulong HugeSize2M = 1UL << HugeBits2M;

    /// <summary>1 GiB leaf at the PDPT level (PS bit).</summary>
    public const int HugeBits1G = 30;
    public const ulong HugeSize1G = 1UL << HugeBits1G;

    /// <summary>Highest user address + 1 with 4-level paging: 2^47 - one guard page, as Linux's TASK_SIZE.</summary>
    public const ulong TaskSize = 0x7FFF_FFFF_F000UL;

    public static ulong PageAlignDown(ulong va) => va & ~PageMask;

    /// <summary>Rounds up to a page; the caller checks for overflow (<paramref name="va"/> near 2^64 wraps to 0).</summary>
    public static ulong PageAlignUp(ulong va) => (va + PageMask) & ~PageMask;

    public static bool IsPageAligned(ulong va) => (va & PageMask) == 0;
}
