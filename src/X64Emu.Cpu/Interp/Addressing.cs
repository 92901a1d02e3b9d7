using System.Runtime.CompilerServices;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

/// <summary>
/// An effective-address form as a type, chosen at decode time, so the common memory operands skip
/// the parts they do not have (index, segment base, 32-bit address truncation).
/// </summary>
public interface IAddressing
{
    /// <summary>The effective address of <paramref name="i"/>'s memory operand.</summary>
    static abstract ulong Ea(Cpu c, ref Insn i);
}

/// <summary>Any memory operand: base + (index &lt;&lt; scale) + disp + segment base, truncated for 67h (<see cref="Cpu.Ea"/>).</summary>
public struct EaFull : IAddressing
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ea(Cpu c, ref Insn i)
    {
        // Cpu.Ea, with the register offsets zero-extended (GprRef) rather than sign-extended.
        ulong seg = Gpr(c, i.Seg);
        ulong ea = Gpr(c, i.Base) + (Gpr(c, i.Index) << i.Scale) + i.Disp + seg;
        return (i.Flags & InsnFlags.Addr32) == 0 ? ea : (uint)(ea - seg) + seg;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Gpr(Cpu c, int off) => Unsafe.As<byte, ulong>(ref GprRef.At(c, off));
}

/// <summary>[base + disp]: no index, no FS/GS, 64-bit addressing.</summary>
public struct EaBaseDisp : IAddressing
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ea(Cpu c, ref Insn i) => EaFull.Gpr(c, i.Base) + i.Disp;
}

/// <summary>[disp]: an absolute or RIP-relative address (folded into Disp at decode time).</summary>
public struct EaDisp : IAddressing
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ea(Cpu c, ref Insn i) => i.Disp;
}
