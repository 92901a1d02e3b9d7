using System.Runtime.InteropServices;

namespace X64Emu.Cpu.Decode;

/// <summary>
/// One decoded instruction in a block: its handler, chosen at decode time, and pre-computed operands.
/// 56 bytes, so a block is a dense array the interpreter walks with one indirect call per instruction.
/// </summary>
/// <remarks>
/// Register operands are byte offsets into <see cref="RegisterFile.Gpr"/> (AH..BH = slot*8 + 1).
/// A memory operand is Gpr[Base] + (Gpr[Index] &lt;&lt; Scale) + Disp + Gpr[Seg], where absent parts
/// point at the zero slot and RIP-relative operands have their absolute address folded into Disp.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Insn
{
    /// <summary>The handler: returns an <see cref="ExitReason"/> as int (0 = next instruction).</summary>
    public delegate*<Cpu, ref Insn, int> Fn;

    /// <summary>Immediate (sign- or zero-extended as the instruction defines), or a branch target.</summary>
    public ulong Imm;

    /// <summary>Memory displacement, or the absolute address of a RIP-relative operand.</summary>
    public ulong Disp;

    /// <summary>Address of the next instruction (RIP after this one).</summary>
    public ulong Next;

    /// <summary>The ModRM.reg operand: a GPR byte offset, or an XMM/x87 register number.</summary>
    public byte Reg;

    /// <summary>The ModRM.rm register operand (when not memory): GPR byte offset or XMM number.</summary>
    public byte Rm;

    public byte Base;
    public byte Index;
    public byte Scale;
    public byte Seg;

    /// <summary>Length in bytes (1..15).</summary>
    public byte Len;

    /// <summary>Condition code 0..15 for Jcc/SETcc/CMOVcc, or a small op-specific value.</summary>
    public byte Cc;

    /// <summary>Iced <c>Code</c> value, for diagnostics.</summary>
    public ushort Code;

    /// <summary><see cref="InsnFlags"/>.</summary>
    public byte Flags;

    /// <summary>Op-specific extra operand (third register, shift count, ...).</summary>
    public byte Aux;

    /// <summary>Op-specific extra data.</summary>
    public uint Aux2;

    /// <summary>
    /// On a <see cref="InsnFlags.Fused"/> instruction, the handler that executes this instruction
    /// alone (what <see cref="Fn"/> was before fusion); null otherwise.
    /// </summary>
    public delegate*<Cpu, ref Insn, int> Plain;

    /// <summary>Address of this instruction.</summary>
    public readonly ulong Rip => Next - Len;
}
