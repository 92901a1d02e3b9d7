using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    public static int PushR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong sp = c.Gpr(Reg.Rsp) - (ulong)(W.Bits >> 3);
        if (!W.Store(c.Mmu, sp, W.Get(c, i.Reg)))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        return 0;
    }

    public static int PushI<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong sp = c.Gpr(Reg.Rsp) - (ulong)(W.Bits >> 3);
        if (!W.Store(c.Mmu, sp, i.Imm))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        return 0;
    }

    public static int PushM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!W.Load(c.Mmu, c.Ea(ref i), out ulong v))
        {
            return c.Fault(ref i);
        }

        ulong sp = c.Gpr(Reg.Rsp) - (ulong)(W.Bits >> 3);
        if (!W.Store(c.Mmu, sp, v))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        return 0;
    }

    public static int PopR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong sp = c.Gpr(Reg.Rsp);
        if (!W.Load(c.Mmu, sp, out ulong v))
        {
            return c.Fault(ref i);
        }

        // POP RSP loads the popped value; otherwise RSP is incremented first.
        c.Gpr(Reg.Rsp) = sp + (ulong)(W.Bits >> 3);
        W.Set(c, i.Reg, v);
        return 0;
    }

    public static int PopM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong sp = c.Gpr(Reg.Rsp);
        if (!W.Load(c.Mmu, sp, out ulong v))
        {
            return c.Fault(ref i);
        }

        // The address is computed with RSP already incremented (SDM: POP).
        c.Gpr(Reg.Rsp) = sp + (ulong)(W.Bits >> 3);
        if (!W.Store(c.Mmu, c.Ea(ref i), v))
        {
            c.Gpr(Reg.Rsp) = sp;
            return c.Fault(ref i);
        }

        return 0;
    }

    public static int Pushf(Cpu c, ref Insn i)
    {
        ulong sp = c.Gpr(Reg.Rsp) - 8;
        if (!c.Mmu.TryWrite64(sp, c.Rflags))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        return 0;
    }

    public static int Popf(Cpu c, ref Insn i)
    {
        ulong sp = c.Gpr(Reg.Rsp);
        if (!c.Mmu.TryRead64(sp, out ulong v))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp + 8;
        c.Rflags = v;
        return 0;
    }

    public static int CallRel(Cpu c, ref Insn i)
    {
        ulong sp = c.Gpr(Reg.Rsp) - 8;
        if (!c.Mmu.TryWrite64(sp, i.Next))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        c.R.Rip = i.Imm;
        return (int)ExitReason.BlockEnd;
    }

    public static int CallR(Cpu c, ref Insn i)
    {
        ulong target = c.GprAt(i.Reg);
        ulong sp = c.Gpr(Reg.Rsp) - 8;
        if (!c.Mmu.TryWrite64(sp, i.Next))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        c.R.Rip = target;
        return (int)ExitReason.BlockEnd;
    }

    public static int CallM(Cpu c, ref Insn i)
    {
        if (!c.Mmu.TryRead64(c.Ea(ref i), out ulong target))
        {
            return c.Fault(ref i);
        }

        ulong sp = c.Gpr(Reg.Rsp) - 8;
        if (!c.Mmu.TryWrite64(sp, i.Next))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp;
        c.R.Rip = target;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>RET, RET imm16 (Imm = bytes to release after the return address).</summary>
    public static int Ret(Cpu c, ref Insn i)
    {
        ulong sp = c.Gpr(Reg.Rsp);
        if (!c.Mmu.TryRead64(sp, out ulong target))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = sp + 8 + i.Imm;
        c.R.Rip = target;
        return (int)ExitReason.BlockEnd;
    }

    public static int Leave(Cpu c, ref Insn i)
    {
        ulong bp = c.Gpr(Reg.Rbp);
        if (!c.Mmu.TryRead64(bp, out ulong v))
        {
            return c.Fault(ref i);
        }

        c.Gpr(Reg.Rsp) = bp + 8;
        c.Gpr(Reg.Rbp) = v;
        return 0;
    }
}
