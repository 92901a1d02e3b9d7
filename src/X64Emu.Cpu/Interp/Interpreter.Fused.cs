using System.Runtime.CompilerServices;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // CMP/TEST fused with the Jcc that follows it and ends the block (Translator.Fuse): one dispatch
    // instead of two, and the condition is tested with its code known at compile time. The lazy
    // flags are still set, since code after the branch may read them.
    // Preconditions: the next Insn in the array is the Jcc<TCc> (its Imm is the target, Next the fall-through).

    /// <summary>ALU reg, reg (Cmp/Test) fused with the following Jcc.</summary>
    public static int AluRRJcc<TOp, W, TCc>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TCc : struct, ICondCode
    {
        TOp.Exec<W>(c, W.Get(c, i.Reg), W.Get(c, i.Rm));
        ref Insn j = ref Unsafe.Add(ref i, 1);
        c.R.Rip = c.Cond<TCc>() ? j.Imm : j.Next;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>ALU reg, imm (Cmp/Test) fused with the following Jcc.</summary>
    public static int AluRIJcc<TOp, W, TCc>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TCc : struct, ICondCode
    {
        TOp.Exec<W>(c, W.Get(c, i.Reg), i.Imm & W.Mask);
        ref Insn j = ref Unsafe.Add(ref i, 1);
        c.R.Rip = c.Cond<TCc>() ? j.Imm : j.Next;
        return (int)ExitReason.BlockEnd;
    }
}
