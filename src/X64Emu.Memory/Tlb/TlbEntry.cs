using System.Runtime.InteropServices;

namespace X64Emu.Memory.Tlb;

/// <summary>
/// One direct-mapped TLB slot: the guest page it maps and the addend that turns a guest address on
/// that page into a host address (host = va + Addend, QEMU's softmmu trick).
/// </summary>
/// <remarks>Invariants: an empty slot has a Tag with low bits set, which no page-aligned address equals.</remarks>
[StructLayout(LayoutKind.Sequential)]
public struct TlbEntry
{
    public ulong Tag;
    public long Addend;
}
