using X64Emu.Cpu.Decode;
using X64Emu.Memory;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    public static int MovRR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        W.Set(c, i.Reg, W.Get(c, i.Rm));
        return 0;
    }

    public static int MovRI<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        W.Set(c, i.Reg, i.Imm);
        return 0;
    }

    public static int MovRM<W>(Cpu c, ref Insn i) where W : struct, IWidth => MovRM<W, EaFull>(c, ref i);

    /// <summary>MOV reg, mem with the address form chosen at decode time.</summary>
    public static int MovRM<W, TEa>(Cpu c, ref Insn i) where W : struct, IWidth where TEa : struct, IAddressing
    {
        if (!W.Load(c.Mmu, TEa.Ea(c, ref i), out ulong v))
        {
            return c.Fault(ref i);
        }

        W.Set(c, i.Reg, v);
        return 0;
    }

    public static int MovMR<W>(Cpu c, ref Insn i) where W : struct, IWidth => MovMR<W, EaFull>(c, ref i);

    /// <summary>MOV mem, reg with the address form chosen at decode time.</summary>
    public static int MovMR<W, TEa>(Cpu c, ref Insn i) where W : struct, IWidth where TEa : struct, IAddressing
        => W.Store(c.Mmu, TEa.Ea(c, ref i), W.Get(c, i.Reg)) ? 0 : c.Fault(ref i);

    public static int MovMI<W>(Cpu c, ref Insn i) where W : struct, IWidth => MovMI<W, EaFull>(c, ref i);

    /// <summary>MOV mem, imm with the address form chosen at decode time.</summary>
    public static int MovMI<W, TEa>(Cpu c, ref Insn i) where W : struct, IWidth where TEa : struct, IAddressing
        => W.Store(c.Mmu, TEa.Ea(c, ref i), i.Imm) ? 0 : c.Fault(ref i);

    /// <summary>MOVZX/MOVSX/MOVSXD from a register: TSrc is the source width, TDst the destination.</summary>
    public static int MovzxRR<TSrc, TDst>(Cpu c, ref Insn i) where TSrc : struct, IWidth where TDst : struct, IWidth
    {
        TDst.Set(c, i.Reg, TSrc.Get(c, i.Rm));
        return 0;
    }

    public static int MovzxRM<TSrc, TDst>(Cpu c, ref Insn i) where TSrc : struct, IWidth where TDst : struct, IWidth
        => MovzxRM<TSrc, TDst, EaFull>(c, ref i);

    /// <summary>MOVZX reg, mem with the address form chosen at decode time.</summary>
    public static int MovzxRM<TSrc, TDst, TEa>(Cpu c, ref Insn i) where TSrc : struct, IWidth where TDst : struct, IWidth where TEa : struct, IAddressing
    {
        if (!TSrc.Load(c.Mmu, TEa.Ea(c, ref i), out ulong v))
        {
            return c.Fault(ref i);
        }

        TDst.Set(c, i.Reg, v);
        return 0;
    }

    public static int MovsxRR<TSrc, TDst>(Cpu c, ref Insn i) where TSrc : struct, IWidth where TDst : struct, IWidth
    {
        TDst.Set(c, i.Reg, (ulong)TSrc.Sx(TSrc.Get(c, i.Rm)) & TDst.Mask);
        return 0;
    }

    public static int MovsxRM<TSrc, TDst>(Cpu c, ref Insn i) where TSrc : struct, IWidth where TDst : struct, IWidth
    {
        if (!TSrc.Load(c.Mmu, c.Ea(ref i), out ulong v))
        {
            return c.Fault(ref i);
        }

        TDst.Set(c, i.Reg, (ulong)TSrc.Sx(v) & TDst.Mask);
        return 0;
    }

    public static int Lea<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        // LEA ignores the segment base.
        ulong ea = c.GprAt(i.Base) + (c.GprAt(i.Index) << i.Scale) + i.Disp;
        if ((i.Flags & InsnFlags.Addr32) != 0)
        {
            ea = (uint)ea;
        }

        W.Set(c, i.Reg, ea);
        return 0;
    }

    public static int XchgRR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong a = W.Get(c, i.Reg);
        W.Set(c, i.Reg, W.Get(c, i.Rm));
        W.Set(c, i.Rm, a);
        return 0;
    }

    /// <summary>XCHG with memory is always atomic (implicit LOCK).</summary>
    public static int XchgRM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong ea = c.Ea(ref i);
        int size = W.Bits >> 3;
        ulong v = W.Get(c, i.Reg);
        if (Mmu.Crosses(ea, size))
        {
            if (!W.Load(c.Mmu, ea, out ulong old) || !W.Store(c.Mmu, ea, v))
            {
                return c.Fault(ref i);
            }

            W.Set(c, i.Reg, old);
            return 0;
        }

        byte* p = c.Mmu.TryTranslate(ea, size, Access.Write);
        if (p == null)
        {
            return c.Fault(ref i);
        }

        ulong prev;
        do
        {
            prev = ReadHost<W>(p);
        }
        while (!CompareExchangeHost<W>(p, v, prev));
        W.Set(c, i.Reg, prev);
        return 0;
    }

    public static int CmovRR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (c.Cond(i.Cc))
        {
            W.Set(c, i.Reg, W.Get(c, i.Rm));
        }
        else if (W.Bits == 32)
        {
            // A 32-bit CMOV zero-extends its destination even when the condition is false.
            W.Set(c, i.Reg, W.Get(c, i.Reg));
        }

        return 0;
    }

    public static int CmovRM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        // The source is read whatever the condition (it may fault).
        if (!W.Load(c.Mmu, c.Ea(ref i), out ulong v))
        {
            return c.Fault(ref i);
        }

        W.Set(c, i.Reg, c.Cond(i.Cc) ? v : W.Get(c, i.Reg));
        return 0;
    }

    public static int SetccR(Cpu c, ref Insn i)
    {
        c.RegByte(i.Reg) = c.Cond(i.Cc) ? (byte)1 : (byte)0;
        return 0;
    }

    public static int SetccM(Cpu c, ref Insn i)
        => c.Mmu.TryWrite8(c.Ea(ref i), c.Cond(i.Cc) ? (byte)1 : (byte)0) ? 0 : c.Fault(ref i);

    /// <summary>CBW/CWDE/CDQE: sign-extend the low half of rAX into rAX. Aux = destination size in bytes.</summary>
    public static int ConvertAx(Cpu c, ref Insn i)
    {
        ref ulong rax = ref c.Gpr(Reg.Rax);
        switch (i.Aux)
        {
            case 2: rax = (rax & ~0xFFFFUL) | (ushort)(short)(sbyte)(byte)rax; break;
            case 4: rax = (uint)(short)rax; break;
            default: rax = (ulong)(int)rax; break;
        }

        return 0;
    }

    /// <summary>CWD/CDQ/CQO: sign of rAX into rDX. Aux = operand size in bytes.</summary>
    public static int ConvertDx(Cpu c, ref Insn i)
    {
        ref ulong rdx = ref c.Gpr(Reg.Rdx);
        ulong rax = c.Gpr(Reg.Rax);
        switch (i.Aux)
        {
            case 2: rdx = (rdx & ~0xFFFFUL) | ((short)rax < 0 ? 0xFFFFUL : 0); break;
            case 4: rdx = (int)rax < 0 ? 0xFFFF_FFFFUL : 0; break;
            default: rdx = (long)rax < 0 ? ulong.MaxValue : 0; break;
        }

        return 0;
    }
}
