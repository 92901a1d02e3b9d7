using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterInteger()
    {
        foreach (Mnemonic m in new[] { Mnemonic.Rol, Mnemonic.Ror, Mnemonic.Rcl, Mnemonic.Rcr, Mnemonic.Shl, Mnemonic.Shr, Mnemonic.Sal, Mnemonic.Sar })
        {
            Define(m, &BuildShift);
        }

        Define(Mnemonic.Shld, &BuildShld);
        Define(Mnemonic.Shrd, &BuildShld);
        Define(Mnemonic.Mul, &BuildMulDiv);
        Define(Mnemonic.Imul, &BuildMulDiv);
        Define(Mnemonic.Div, &BuildMulDiv);
        Define(Mnemonic.Idiv, &BuildMulDiv);
        foreach (Mnemonic m in new[] { Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc })
        {
            Define(m, &BuildBt);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Bsf, Mnemonic.Bsr, Mnemonic.Tzcnt, Mnemonic.Lzcnt, Mnemonic.Popcnt })
        {
            Define(m, &BuildBitScan);
        }

        Define(Mnemonic.Bswap, &BuildBswap);
        Define(Mnemonic.Xadd, &BuildXadd);
        Define(Mnemonic.Cmpxchg, &BuildCmpxchg);
        Define(Mnemonic.Cmpxchg8b, &BuildCmpxchgWide);
        Define(Mnemonic.Cmpxchg16b, &BuildCmpxchgWide);
        foreach (Mnemonic m in new[]
        {
            Mnemonic.Movsb, Mnemonic.Movsw, Mnemonic.Movsq, Mnemonic.Stosb, Mnemonic.Stosw, Mnemonic.Stosd, Mnemonic.Stosq,
            Mnemonic.Lodsb, Mnemonic.Lodsw, Mnemonic.Lodsd, Mnemonic.Lodsq, Mnemonic.Scasb, Mnemonic.Scasw, Mnemonic.Scasd, Mnemonic.Scasq,
            Mnemonic.Cmpsb, Mnemonic.Cmpsw, Mnemonic.Cmpsq,
        })
        {
            Define(m, &BuildString);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Cld, Mnemonic.Std })
        {
            Define(m, &BuildFlagOp);
        }

        Define(Mnemonic.Lahf, &BuildMiscSimple);
        Define(Mnemonic.Sahf, &BuildMiscSimple);
        Define(Mnemonic.Xlatb, &BuildMiscSimple);
        Define(Mnemonic.Rdtscp, &BuildMiscSimple);
        Define(Mnemonic.Movbe, &BuildMovbe);
        Define(Mnemonic.Enter, &BuildEnter);
    }

    /// <summary>Sets the operand of a one-operand or reg/mem-source instruction: Rm register or memory.</summary>
    private static void SetRmOperand(ref Insn d, in Instruction ins, int n)
    {
        if (IsMem(in ins, n))
        {
            SetMem(ref d, in ins);
        }
        else
        {
            d.Rm = GprOff(ins.GetOpRegister(n));
        }
    }

    private static bool BuildShift(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Rol => 0,
            Mnemonic.Ror => 1,
            Mnemonic.Rcl => 2,
            Mnemonic.Rcr => 3,
            Mnemonic.Shl => 4,
            Mnemonic.Sal => 4,
            Mnemonic.Shr => 5,
            _ => 7,
        };
        if (ins.Op1Kind == OpKind.Register)
        {
            d.Cc = 1; // CL
        }
        else
        {
            d.Imm = ins.GetImmediate(1);
        }

        int size = OpSize(in ins, 0);
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = BySize(size, &Interpreter.ShiftM<W8>, &Interpreter.ShiftM<W16>, &Interpreter.ShiftM<W32>, &Interpreter.ShiftM<W64>);
        }
        else
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = d.Aux switch
            {
                0 => ShiftRegHandler<RolOp>(ref d, size),
                1 => ShiftRegHandler<RorOp>(ref d, size),
                4 => ShiftRegHandler<ShlOp>(ref d, size),
                5 => ShiftRegHandler<ShrOp>(ref d, size),
                7 => ShiftRegHandler<SarOp>(ref d, size),
                _ => null,
            };
            d.Fn = d.Fn != null ? d.Fn : BySize(size, &Interpreter.ShiftR<W8>, &Interpreter.ShiftR<W16>, &Interpreter.ShiftR<W32>, &Interpreter.ShiftR<W64>);
        }

        return true;
    }

    /// <summary>
    /// The specialised register form of a shift or rotate: by CL, or by an immediate whose masked
    /// count is non-zero (a zero immediate count, which changes no flags, keeps the generic handler).
    /// </summary>
    private static delegate*<Cpu, ref Insn, int> ShiftRegHandler<TOp>(ref Insn d, int size) where TOp : struct, IShiftOp
    {
        if (d.Cc == 1)
        {
            return BySize(size, &Interpreter.ShiftRC<TOp, W8>, &Interpreter.ShiftRC<TOp, W16>, &Interpreter.ShiftRC<TOp, W32>, &Interpreter.ShiftRC<TOp, W64>);
        }

        if ((d.Imm & (size == 8 ? 63UL : 31UL)) == 0)
        {
            return null;
        }

        return BySize(size, &Interpreter.ShiftRI<TOp, W8>, &Interpreter.ShiftRI<TOp, W16>, &Interpreter.ShiftRI<TOp, W32>, &Interpreter.ShiftRI<TOp, W64>);
    }

    private static bool BuildShld(ref Insn d, in Instruction ins)
    {
        d.Aux = (byte)(ins.Mnemonic == Mnemonic.Shld ? 0 : 1);
        d.Rm = GprOff(ins.Op1Register);
        if (ins.Op2Kind == OpKind.Register)
        {
            d.Cc = 1;
        }
        else
        {
            d.Imm = ins.GetImmediate(2);
        }

        int size = OpSize(in ins, 0);
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = BySize(size, null, &Interpreter.ShldM<W16>, &Interpreter.ShldM<W32>, &Interpreter.ShldM<W64>);
        }
        else
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = BySize(size, null, &Interpreter.ShldR<W16>, &Interpreter.ShldR<W32>, &Interpreter.ShldR<W64>);
        }

        return true;
    }

    private static bool BuildMulDiv(ref Insn d, in Instruction ins)
    {
        if (ins.Mnemonic == Mnemonic.Imul && ins.OpCount >= 2)
        {
            int size2 = OpSize(in ins, 0);
            d.Reg = GprOff(ins.Op0Register);
            SetRmOperand(ref d, in ins, 1);
            if (ins.OpCount == 3)
            {
                d.Aux2 = 1;
                d.Imm = ins.GetImmediate(2);
            }

            if (IsMem(in ins, 1))
            {
                d.Fn = BySize(size2, null, &Interpreter.Imul2<W16>, &Interpreter.Imul2<W32>, &Interpreter.Imul2<W64>);
            }
            else if (d.Aux2 == 0)
            {
                d.Fn = BySize(size2, null, &Interpreter.Imul2RR<W16>, &Interpreter.Imul2RR<W32>, &Interpreter.Imul2RR<W64>);
            }
            else
            {
                d.Fn = BySize(size2, null, &Interpreter.Imul3RI<W16>, &Interpreter.Imul3RI<W32>, &Interpreter.Imul3RI<W64>);
            }

            return true;
        }

        int size = OpSize(in ins, 0);
        SetRmOperand(ref d, in ins, 0);
        d.Fn = ins.Mnemonic switch
        {
            Mnemonic.Mul => BySize(size, &Interpreter.Mul1<W8>, &Interpreter.Mul1<W16>, &Interpreter.Mul1<W32>, &Interpreter.Mul1<W64>),
            Mnemonic.Imul => BySize(size, &Interpreter.Imul1<W8>, &Interpreter.Imul1<W16>, &Interpreter.Imul1<W32>, &Interpreter.Imul1<W64>),
            Mnemonic.Div => BySize(size, &Interpreter.Div1<W8>, &Interpreter.Div1<W16>, &Interpreter.Div1<W32>, &Interpreter.Div1<W64>),
            _ => BySize(size, &Interpreter.Idiv1<W8>, &Interpreter.Idiv1<W16>, &Interpreter.Idiv1<W32>, &Interpreter.Idiv1<W64>),
        };
        return true;
    }

    private static bool BuildBt(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Bt => 0,
            Mnemonic.Bts => 1,
            Mnemonic.Btr => 2,
            _ => 3,
        };
        if (ins.Op1Kind == OpKind.Register)
        {
            d.Cc = 1;
            d.Rm = GprOff(ins.Op1Register);
        }
        else
        {
            d.Imm = ins.GetImmediate(1);
        }

        int size = OpSize(in ins, 0);
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = BySize(size, null, &Interpreter.BtM<W16>, &Interpreter.BtM<W32>, &Interpreter.BtM<W64>);
        }
        else
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = BySize(size, null, &Interpreter.BtR<W16>, &Interpreter.BtR<W32>, &Interpreter.BtR<W64>);
        }

        return true;
    }

    private static bool BuildBitScan(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Bsf => 0,
            Mnemonic.Bsr => 1,

            // Without BMI1/ABM reported, F3 0F BC/BD execute as BSF/BSR, as on pre-BMI CPUs.
            Mnemonic.Tzcnt => (CpuFeatures.Leaf7Ebx & CpuFeatures.Bmi1) != 0 ? (byte)2 : (byte)0,
            Mnemonic.Lzcnt => (CpuFeatures.Ext1Ecx & CpuFeatures.Abm) != 0 ? (byte)3 : (byte)1,
            _ => 4,
        };
        if (d.Aux == 4 && (CpuFeatures.Leaf1Ecx & CpuFeatures.Popcnt) == 0)
        {
            return false;
        }

        d.Reg = GprOff(ins.Op0Register);
        SetRmOperand(ref d, in ins, 1);
        d.Fn = BySize(OpSize(in ins, 0), null, &Interpreter.BitScan<W16>, &Interpreter.BitScan<W32>, &Interpreter.BitScan<W64>);
        return true;
    }

    private static bool BuildBswap(ref Insn d, in Instruction ins)
    {
        d.Reg = GprOff(ins.Op0Register);
        d.Fn = BySize(OpSize(in ins, 0), null, null, &Interpreter.Bswap<W32>, &Interpreter.Bswap<W64>);
        return true;
    }

    private static bool BuildXadd(ref Insn d, in Instruction ins)
    {
        int size = OpSize(in ins, 0);
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Reg = GprOff(ins.Op1Register);
            d.Fn = BySize(size, &Interpreter.XaddM<W8>, &Interpreter.XaddM<W16>, &Interpreter.XaddM<W32>, &Interpreter.XaddM<W64>);
        }
        else
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Rm = GprOff(ins.Op1Register);
            d.Fn = BySize(size, &Interpreter.XaddRR<W8>, &Interpreter.XaddRR<W16>, &Interpreter.XaddRR<W32>, &Interpreter.XaddRR<W64>);
        }

        return true;
    }

    private static bool BuildCmpxchg(ref Insn d, in Instruction ins)
    {
        int size = OpSize(in ins, 0);
        d.Rm = GprOff(ins.Op1Register);
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = BySize(size, &Interpreter.CmpxchgM<W8>, &Interpreter.CmpxchgM<W16>, &Interpreter.CmpxchgM<W32>, &Interpreter.CmpxchgM<W64>);
        }
        else
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = BySize(size, &Interpreter.CmpxchgRR<W8>, &Interpreter.CmpxchgRR<W16>, &Interpreter.CmpxchgRR<W32>, &Interpreter.CmpxchgRR<W64>);
        }

        return true;
    }

    private static bool BuildCmpxchgWide(ref Insn d, in Instruction ins)
    {
        SetMem(ref d, in ins);
        d.Fn = ins.Mnemonic == Mnemonic.Cmpxchg8b ? &Interpreter.Cmpxchg8b : &Interpreter.Cmpxchg16b;
        return true;
    }

    /// <summary>String instructions (MOVSD/CMPSD string forms come through the SSE builders' fallback).</summary>
    internal static bool BuildString(ref Insn d, in Instruction ins)
    {
        bool addr32 = false;
        for (int n = 0; n < ins.OpCount; n++)
        {
            addr32 |= ins.GetOpKind(n) is OpKind.MemorySegESI or OpKind.MemoryESEDI or OpKind.MemorySegSI or OpKind.MemoryESDI;
        }

        if (addr32)
        {
            return false; // 32-bit string addressing (67h) is not used by 64-bit compilers
        }

        (byte op, int size) = ins.Mnemonic switch
        {
            Mnemonic.Movsb => ((byte)0, 1), Mnemonic.Movsw => ((byte)0, 2), Mnemonic.Movsd => ((byte)0, 4), Mnemonic.Movsq => ((byte)0, 8),
            Mnemonic.Stosb => ((byte)1, 1), Mnemonic.Stosw => ((byte)1, 2), Mnemonic.Stosd => ((byte)1, 4), Mnemonic.Stosq => ((byte)1, 8),
            Mnemonic.Lodsb => ((byte)2, 1), Mnemonic.Lodsw => ((byte)2, 2), Mnemonic.Lodsd => ((byte)2, 4), Mnemonic.Lodsq => ((byte)2, 8),
            Mnemonic.Scasb => ((byte)3, 1), Mnemonic.Scasw => ((byte)3, 2), Mnemonic.Scasd => ((byte)3, 4), Mnemonic.Scasq => ((byte)3, 8),
            Mnemonic.Cmpsb => ((byte)4, 1), Mnemonic.Cmpsw => ((byte)4, 2), Mnemonic.Cmpsd => ((byte)4, 4), _ => ((byte)4, 8),
        };
        d.Aux = op;
        Register seg = ins.SegmentPrefix;
        d.Seg = seg switch
        {
            Register.FS => Reg.FsBase * 8,
            Register.GS => Reg.GsBase * 8,
            _ => Reg.Zero * 8,
        };
        d.Fn = BySize(size, &Interpreter.StringOp<W8>, &Interpreter.StringOp<W16>, &Interpreter.StringOp<W32>, &Interpreter.StringOp<W64>);
        return true;
    }

    private static bool BuildFlagOp(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Clc => 0,
            Mnemonic.Stc => 1,
            Mnemonic.Cmc => 2,
            Mnemonic.Cld => 3,
            _ => 4,
        };
        d.Fn = &Interpreter.FlagOpInsn;
        return true;
    }

    private static bool BuildMiscSimple(ref Insn d, in Instruction ins)
    {
        switch (ins.Mnemonic)
        {
            case Mnemonic.Lahf: d.Fn = &Interpreter.Lahf; break;
            case Mnemonic.Sahf: d.Fn = &Interpreter.Sahf; break;
            case Mnemonic.Rdtscp: d.Fn = &Interpreter.Rdtscp; break;
            default:
                d.Seg = ins.SegmentPrefix == Register.FS ? (byte)(Reg.FsBase * 8) : ins.SegmentPrefix == Register.GS ? (byte)(Reg.GsBase * 8) : (byte)(Reg.Zero * 8);
                d.Fn = &Interpreter.Xlat;
                break;
        }

        return true;
    }

    private static bool BuildMovbe(ref Insn d, in Instruction ins)
    {
        if ((CpuFeatures.Leaf1Ecx & CpuFeatures.Movbe) == 0)
        {
            return false;
        }

        SetMem(ref d, in ins);
        bool load = IsGpr(in ins, 0);
        d.Aux = (byte)(load ? 0 : 1);
        d.Reg = GprOff(load ? ins.Op0Register : ins.Op1Register);
        d.Fn = BySize(load ? OpSize(in ins, 0) : OpSize(in ins, 1), null, &Interpreter.Movbe<W16>, &Interpreter.Movbe<W32>, &Interpreter.Movbe<W64>);
        return true;
    }

    private static bool BuildEnter(ref Insn d, in Instruction ins)
    {
        d.Imm = ins.Immediate16;
        d.Aux = ins.Immediate8_2nd;
        d.Fn = &Interpreter.Enter;
        return true;
    }
}
