using System.Runtime.InteropServices;

namespace X64Emu.Cpu.Tests.Oracle;

/// <summary>
/// The machine state an oracle case reads and writes: six GPRs, RFLAGS and one 64-bit memory cell
/// (addressed through RBP, which points at <see cref="Mem"/> on the host and at a data page in the emulator).
/// </summary>
/// <remarks>The host stub addresses the fields by offset: keep the layout in sync with <see cref="HostCpu"/>.</remarks>
[StructLayout(LayoutKind.Sequential)]
public struct RegState
{
    public ulong Rax;   // +0
    public ulong Rbx;   // +8
    public ulong Rcx;   // +16
    public ulong Rdx;   // +24
    public ulong Rsi;   // +32
    public ulong Rdi;   // +40
    public ulong Rflags; // +48
    public ulong Mem;   // +56

    public override readonly string ToString() =>
        $"rax={Rax:x16} rbx={Rbx:x16} rcx={Rcx:x16} rdx={Rdx:x16} rsi={Rsi:x16} rdi={Rdi:x16} fl={Rflags & 0x8D5:x3} mem={Mem:x16}";
}
