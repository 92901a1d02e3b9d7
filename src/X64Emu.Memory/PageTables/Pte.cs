using System.Runtime.CompilerServices;

namespace X64Emu.Memory.PageTables;

/// <summary>x86-64 page-table entry bits (SDM Vol.3 §4.5, tables 4-15 … 4-20).</summary>
public static class Pte
{
    public const ulong Present = 1UL << 0;
    public const ulong Writable = 1UL << 1;
    public const ulong User = 1UL << 2;
    public const ulong WriteThrough = 1UL << 3;
    public const ulong CacheDisable = 1UL << 4;
    public const ulong Accessed = 1UL << 5;
    public const ulong Dirty = 1UL << 6;

    /// <summary>PS: a 2 MiB leaf in a PDE, a 1 GiB leaf in a PDPTE.</summary>
    public const ulong PageSize = 1UL << 7;
    public const ulong Global = 1UL << 8;

    /// <summary>Software bit 9 (ignored by hardware): a private page that must be copied before the first write (COW).</summary>
    public const ulong SoftCow = 1UL << 9;

    /// <summary>Software bit 10: the page was written since the last writeback scan (shared file pages).</summary>
    public const ulong SoftDirty = 1UL << 10;

    /// <summary>
    /// Software bit 11 on a non-present leaf: the page is still mapped (it counts in RSS and pagemap)
    /// but its VMA is PROT_NONE, so the hardware walk must fault (Linux's _PAGE_PROTNONE).
    /// </summary>
    public const ulong ProtNone = 1UL << 11;

    /// <summary>Physical address bits 12..51.</summary>
    public const ulong AddressMask = 0x000F_FFFF_FFFF_F000UL;

    /// <summary>Protection key, bits 59..62 (SDM Vol.3 §4.6.2).</summary>
    public const int PkeyShift = 59;
    public const ulong PkeyMask = 0xFUL << PkeyShift;

    public const ulong NoExecute = 1UL << 63;

    /// <summary>Flags of a non-leaf entry: permissive, the leaf decides (as Linux's _PAGE_TABLE).</summary>
    public const ulong TableFlags = Present | Writable | User | Accessed | Dirty;

    /// <summary>A leaf that holds a frame: present, or present-but-PROT_NONE.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMapped(ulong e) => (e & (Present | ProtNone)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FrameOf(ulong pte) => (long)((pte & AddressMask) >> PageSizes.PageBits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Make(long frame, ulong flags) => ((ulong)frame << PageSizes.PageBits) | flags;

    public static int PkeyOf(ulong pte) => (int)((pte & PkeyMask) >> PkeyShift);
}
