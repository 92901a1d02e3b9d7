using System.Runtime.CompilerServices;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // CMP/TEST/INC/DEC fused with the Jcc that follows it and ends the block (Translator.Fuse): one dispatch
    // instead of two, and the condition is tested with its code known at compile time. The lazy
    // flags are still set, since code after the branch may read them.
    // Preconditions: the next Insn in the array is the Jcc<TCc> (its Imm is the target, Next the fall-through).

    /// <summary>ALU reg, reg (Cmp/Test) fused with the following Jcc.</summary>
    public static int AluRRJcc<TOp, W, TCc>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TCc : struct, ICondCode
    {
        TOp.Exec<W>(c, W.Get(c, i.Reg), W.Get(c, i.Rm));
        int taken = c.CondFast<TCc>();
        if (taken < 0)
        {
            return FusedBranchGeneric(c, ref i);
        }

        ref Insn j = ref Unsafe.Add(ref i, 1);
        c.R.Rip = taken != 0 ? j.Imm : j.Next;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>ALU reg, imm (Cmp/Test) fused with the following Jcc.</summary>
    public static int AluRIJcc<TOp, W, TCc>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TCc : struct, ICondCode
    {
        TOp.Exec<W>(c, W.Get(c, i.Reg), i.Imm & W.Mask);
        int taken = c.CondFast<TCc>();
        if (taken < 0)
        {
            return FusedBranchGeneric(c, ref i);
        }

        ref Insn j = ref Unsafe.Add(ref i, 1);
        c.R.Rip = taken != 0 ? j.Imm : j.Next;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>ALU mem, reg (Cmp/Test) fused with the following Jcc (condition read from it).</summary>
    public static int AluMRJcc<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        int r = AluMem<TOp, W, TEa>(c, ref i, W.Get(c, i.Reg));
        return r != 0 ? r : FusedBranch(c, ref i);
    }

    /// <summary>ALU mem, imm (Cmp/Test) fused with the following Jcc (condition read from it).</summary>
    public static int AluMIJcc<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        int r = AluMem<TOp, W, TEa>(c, ref i, i.Imm & W.Mask);
        return r != 0 ? r : FusedBranch(c, ref i);
    }

    /// <summary>ALU reg, mem (Cmp) fused with the following Jcc (condition read from it).</summary>
    public static int AluRMJcc<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        if (!W.Load(c.Mmu, TEa.Ea(c, ref i), out ulong src))
        {
            return c.Fault(ref i);
        }

        TOp.Exec<W>(c, W.Get(c, i.Reg), src);
        return FusedBranch(c, ref i);
    }

    /// <summary>DEC reg fused with the following Jcc (condition read from it).</summary>
    public static int DecRJcc<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        DecR<W>(c, ref i);
        return FusedBranch(c, ref i);
    }

    /// <summary>INC reg fused with the following Jcc (condition read from it).</summary>
    public static int IncRJcc<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        IncR<W>(c, ref i);
        return FusedBranch(c, ref i);
    }

    /// <summary><see cref="FusedBranch"/> out of line, as a tail call that keeps the caller frameless.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FusedBranchGeneric(Cpu c, ref Insn i) => FusedBranch(c, ref i);

    /// <summary>The Jcc half of a fused pair: the next Insn is the Jcc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FusedBranch(Cpu c, ref Insn i)
    {
        ref Insn j = ref Unsafe.Add(ref i, 1);
        c.R.Rip = c.Cond(j.Cc) ? j.Imm : j.Next;
        return (int)ExitReason.BlockEnd;
    }
}
