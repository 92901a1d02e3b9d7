using System.Runtime.InteropServices;

namespace X64Emu.Memory.Tlb;

/// <summary>
/// A second-level TLB slot for a 2 MiB or 1 GiB leaf. A 4 KiB miss that hits here fills the first
/// level without a page walk.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct HugeTlbEntry
{
    /// <summary>Base of the huge page, or a value with low bits set when empty.</summary>
    public ulong Tag;

    /// <summary>host = va + Addend for any va in the huge page.</summary>
    public long Addend;

    /// <summary>Size mask of the page (2 MiB - 1 or 1 GiB - 1).</summary>
    public ulong SizeMask;

    /// <summary>Accesses allowed: bit 0 read, bit 1 write, bit 2 fetch (as <see cref="Access"/> values).</summary>
    public uint Allowed;

    public uint Pad;
}
