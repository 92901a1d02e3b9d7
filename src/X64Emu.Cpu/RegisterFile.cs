using System.Runtime.InteropServices;

namespace X64Emu.Cpu;

/// <summary>
/// The architectural register state, stored inline in <see cref="Cpu"/> (as Ryujinx's NativeCtxStorage)
/// so handlers reach a register with one indexed load from the CPU object.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct RegisterFile
{
    /// <summary>RAX..R15, then the helper slots of <see cref="Reg"/>.</summary>
    public fixed ulong Gpr[Reg.Count];

    /// <summary>XMM0..XMM15, two 64-bit halves each (low first).</summary>
    public fixed ulong Xmm[32];

    public ulong Rip;

    /// <summary>MXCSR (default 0x1F80: all exceptions masked, round to nearest).</summary>
    public uint Mxcsr;

    public uint Pad;
}
