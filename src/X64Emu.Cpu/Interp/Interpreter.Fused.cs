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

    // The memory forms take their condition from Insn.Aux2 (set by Translator.Fuse, see
    // FusedCondition): a mask over the bits CF (1), ZF (2), SF != OF (4), SF (8), and bit 4 to
    // invert. It is evaluated from the operands without a branch on the condition code.

    /// <summary>CMP/TEST mem, reg fused with the following Jcc (condition selector in Aux2).</summary>
    public static int AluMRJcc<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        if (!W.Load(c.Mmu, TEa.Ea(c, ref i), out ulong d))
        {
            return c.Fault(ref i);
        }

        return CompareAndBranch<TOp, W>(c, ref i, d, W.Get(c, i.Reg));
    }

    /// <summary>CMP/TEST mem, imm fused with the following Jcc (condition selector in Aux2).</summary>
    public static int AluMIJcc<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        if (!W.Load(c.Mmu, TEa.Ea(c, ref i), out ulong d))
        {
            return c.Fault(ref i);
        }

        return CompareAndBranch<TOp, W>(c, ref i, d, i.Imm & W.Mask);
    }

    /// <summary>CMP reg, mem fused with the following Jcc (condition selector in Aux2).</summary>
    public static int AluRMJcc<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        if (!W.Load(c.Mmu, TEa.Ea(c, ref i), out ulong s))
        {
            return c.Fault(ref i);
        }

        return CompareAndBranch<TOp, W>(c, ref i, W.Get(c, i.Reg), s);
    }

    /// <summary>The selector bits of <see cref="AluMRJcc{TOp, W, TEa}"/> for condition code <paramref name="cc"/>; 0 for O, NO, P and NP.</summary>
    internal static uint FusedCondition(int cc) => cc switch
    {
        2 => 1, 3 => 1 | 16,       // B: CF
        4 => 2, 5 => 2 | 16,       // E: ZF
        6 => 3, 7 => 3 | 16,       // BE: CF | ZF
        8 => 8, 9 => 8 | 16,       // S: SF
        12 => 4, 13 => 4 | 16,     // L: SF != OF
        14 => 6, 15 => 6 | 16,     // LE: ZF | SF != OF
        _ => 0,
    };

    /// <summary>Sets the lazy flags of CMP (dst - src) or TEST (dst &amp; src) and takes the fused Jcc.</summary>
    /// <remarks>Preconditions: <paramref name="d"/> and <paramref name="s"/> are zero-extended values of the width.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CompareAndBranch<TOp, W>(Cpu c, ref Insn i, ulong d, ulong s) where TOp : struct, IAluOp where W : struct, IWidth
    {
        TOp.Exec<W>(c, d, s);
        int shift = 64 - W.Bits;
        int bits;
        if (typeof(TOp) == typeof(TestOp))
        {
            // CF = OF = 0, so SF != OF is SF.
            long r = (long)((d & s) << shift);
            bits = (r == 0 ? 2 : 0) | (r < 0 ? 4 | 8 : 0);
        }
        else
        {
            ulong dd = d << shift;
            ulong ss = s << shift;
            bits = (dd < ss ? 1 : 0) | (dd == ss ? 2 : 0) | ((long)dd < (long)ss ? 4 : 0) | ((long)(dd - ss) < 0 ? 8 : 0);
        }

        uint sel = i.Aux2;
        bool taken = ((bits & (int)sel & 15) != 0) != ((sel & 16) != 0);
        ref Insn j = ref Unsafe.Add(ref i, 1);
        c.R.Rip = taken ? j.Imm : j.Next;
        return (int)ExitReason.BlockEnd;
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
