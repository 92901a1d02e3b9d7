using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    /// <summary>CLC (Aux 0), STC (1), CMC (2), CLD (3), STD (4).</summary>
    public static int FlagOpInsn(Cpu c, ref Insn i)
    {
        switch (i.Aux)
        {
            case 0: c.SetMaterialized(c.ArithFlags & ~RFlags.CF); break;
            case 1: c.SetMaterialized(c.ArithFlags | RFlags.CF); break;
            case 2: c.SetMaterialized(c.ArithFlags ^ RFlags.CF); break;
            case 3: c.FlagsOther &= ~RFlags.DF; break;
            default: c.FlagsOther |= RFlags.DF; break;
        }

        return 0;
    }

    /// <summary>LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.</summary>
    public static int Lahf(Cpu c, ref Insn i)
    {
        c.RegByte((Reg.Rax * 8) + 1) = (byte)((c.ArithFlags & (RFlags.SF | RFlags.ZF | RFlags.AF | RFlags.PF | RFlags.CF)) | RFlags.Reserved1);
        return 0;
    }

    /// <summary>SAHF: SF, ZF, AF, PF, CF from AH; OF unchanged.</summary>
    public static int Sahf(Cpu c, ref Insn i)
    {
        ulong ah = c.RegByte((Reg.Rax * 8) + 1);
        const ulong Mask = RFlags.SF | RFlags.ZF | RFlags.AF | RFlags.PF | RFlags.CF;
        c.SetMaterialized((c.ArithFlags & ~Mask) | (ah & Mask));
        return 0;
    }

    /// <summary>XLAT: AL = [RBX + AL].</summary>
    public static int Xlat(Cpu c, ref Insn i)
    {
        ulong ea = c.Gpr(Reg.Rbx) + c.RegByte(Reg.Rax * 8) + c.GprAt(i.Seg);
        if (!c.Mmu.TryRead8(ea, out byte v))
        {
            return c.Fault(ref i);
        }

        c.RegByte(Reg.Rax * 8) = v;
        return 0;
    }

    /// <summary>MOVBE r, m (Aux 0) / MOVBE m, r (Aux 1).</summary>
    public static int Movbe<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong ea = c.Ea(ref i);
        if (i.Aux == 0)
        {
            if (!W.Load(c.Mmu, ea, out ulong v))
            {
                return c.Fault(ref i);
            }

            W.Set(c, i.Reg, Reverse<W>(v));
            return 0;
        }

        return W.Store(c.Mmu, ea, Reverse<W>(W.Get(c, i.Reg))) ? 0 : c.Fault(ref i);
    }

    private static ulong Reverse<W>(ulong v) where W : struct, IWidth => W.Bits switch
    {
        16 => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)v),
        32 => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)v),
        _ => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v),
    };

    /// <summary>ENTER imm16, 0 (nesting level 0 only; deeper levels are #UD-free but rare: handled generally).</summary>
    public static int Enter(Cpu c, ref Insn i)
    {
        ulong size = i.Imm & 0xFFFF;
        int level = i.Aux & 31;
        ulong rbp = c.Gpr(Reg.Rbp);
        ulong sp = c.Gpr(Reg.Rsp) - 8;
        if (!c.Mmu.TryWrite64(sp, rbp))
        {
            return c.Fault(ref i);
        }

        ulong frame = sp;
        for (int k = 1; k < level; k++)
        {
            rbp -= 8;
            sp -= 8;
            if (!c.Mmu.TryRead64(rbp, out ulong v) || !c.Mmu.TryWrite64(sp, v))
            {
                return c.Fault(ref i);
            }
        }

        if (level > 0)
        {
            sp -= 8;
            if (!c.Mmu.TryWrite64(sp, frame))
            {
                return c.Fault(ref i);
            }
        }

        c.Gpr(Reg.Rbp) = frame;
        c.Gpr(Reg.Rsp) = sp - size;
        return 0;
    }

    /// <summary>RDTSCP: RDTSC plus ECX = TSC_AUX (CPU 0).</summary>
    public static int Rdtscp(Cpu c, ref Insn i)
    {
        Rdtsc(c, ref i);
        c.Gpr(Reg.Rcx) = 0;
        return 0;
    }
}
