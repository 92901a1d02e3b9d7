using System.Runtime.CompilerServices;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

/// <summary>
/// The instruction handlers, one static method per operation and operand form, split by family
/// into partial files (Interpreter.Alu.cs, Interpreter.Mov.cs, … as Blink's alu.c, string.c).
/// </summary>
/// <remarks>
/// A handler returns 0 to continue with the next instruction of the block, or an
/// <see cref="ExitReason"/>; a handler that ends the block sets <see cref="RegisterFile.Rip"/>.
/// </remarks>
[SkipLocalsInit]
public static unsafe partial class Interpreter
{
    /// <summary>#UD: an invalid or not yet implemented instruction.</summary>
    public static int Invalid(Cpu c, ref Insn i) => c.Raise(ref i, ExitReason.InvalidOpcode);

    /// <summary>Pseudo-instruction closing a block that did not end with a branch.</summary>
    public static int FallThrough(Cpu c, ref Insn i)
    {
        c.R.Rip = i.Imm;
        return (int)ExitReason.BlockEnd;
    }

    public static int Nop(Cpu c, ref Insn i) => 0;
}
