using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    public static int JmpRel(Cpu c, ref Insn i)
    {
        c.R.Rip = i.Imm;
        return (int)ExitReason.BlockEnd;
    }

    public static int Jcc(Cpu c, ref Insn i)
    {
        c.R.Rip = c.Cond(i.Cc) ? i.Imm : i.Next;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>Jcc with its condition chosen at decode time (<see cref="Jcc"/> reads it from Insn.Cc).</summary>
    public static int Jcc<TCc>(Cpu c, ref Insn i) where TCc : struct, ICondCode
    {
        int taken = c.CondFast<TCc>();
        if (taken < 0)
        {
            return Jcc(c, ref i); // materialised or unusual flags: the generic evaluator (a tail call)
        }

        c.R.Rip = taken != 0 ? i.Imm : i.Next;
        return (int)ExitReason.BlockEnd;
    }

    public static int JmpR(Cpu c, ref Insn i)
    {
        c.R.Rip = c.GprAt(i.Reg);
        return (int)ExitReason.BlockEnd;
    }

    public static int JmpM(Cpu c, ref Insn i)
    {
        if (!c.Mmu.TryRead64(c.Ea(ref i), out ulong target))
        {
            return c.Fault(ref i);
        }

        c.R.Rip = target;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>JRCXZ / JECXZ (Aux = 4 for ECX).</summary>
    public static int Jrcxz(Cpu c, ref Insn i)
    {
        ulong rcx = c.Gpr(Reg.Rcx);
        bool zero = i.Aux == 4 ? (uint)rcx == 0 : rcx == 0;
        c.R.Rip = zero ? i.Imm : i.Next;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>LOOP / LOOPE / LOOPNE (Cc: 0 plain, 1 while ZF, 2 while !ZF; Aux = 4 for ECX).</summary>
    public static int Loop(Cpu c, ref Insn i)
    {
        ref ulong rcx = ref c.Gpr(Reg.Rcx);
        bool nonZero;
        if (i.Aux == 4)
        {
            rcx = (uint)(rcx - 1);
            nonZero = rcx != 0;
        }
        else
        {
            rcx--;
            nonZero = rcx != 0;
        }

        bool take = i.Cc switch
        {
            1 => nonZero && c.Cond(4),
            2 => nonZero && c.Cond(5),
            _ => nonZero,
        };
        c.R.Rip = take ? i.Imm : i.Next;
        return (int)ExitReason.BlockEnd;
    }
}
