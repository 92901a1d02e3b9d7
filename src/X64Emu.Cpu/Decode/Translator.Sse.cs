using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterSse()
    {
        RegisterSseTable();
        Define(Mnemonic.Pslldq, &BuildSseShiftImm);
        Define(Mnemonic.Psrldq, &BuildSseShiftImm);
        foreach (Mnemonic m in new[] { Mnemonic.Movdqa, Mnemonic.Movdqu, Mnemonic.Movaps, Mnemonic.Movups, Mnemonic.Movapd, Mnemonic.Movupd, Mnemonic.Movntdq, Mnemonic.Movntps, Mnemonic.Movntpd })
        {
            Define(m, &BuildMovVec);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Movss, Mnemonic.Movhps, Mnemonic.Movlps, Mnemonic.Movhpd, Mnemonic.Movlpd, Mnemonic.Movhlps, Mnemonic.Movlhps })
        {
            Define(m, &BuildMovPart);
        }

        Define(Mnemonic.Movsd, &BuildMovsdOrString);
        Define(Mnemonic.Cmpsd, &BuildCmpsdOrString);
        Define(Mnemonic.Movd, &BuildMovdMovq);
        Define(Mnemonic.Movq, &BuildMovdMovq);
        Define(Mnemonic.Movmskps, &BuildMovMask);
        Define(Mnemonic.Movmskpd, &BuildMovMask);
        Define(Mnemonic.Pmovmskb, &BuildMovMask);
        Define(Mnemonic.Movnti, &BuildMovnti);
        Define(Mnemonic.Maskmovdqu, &BuildMaskmov);
        Define(Mnemonic.Pextrw, &BuildPextrw);
        Define(Mnemonic.Pinsrw, &BuildPinsrw);
        Define(Mnemonic.Cvtsi2ss, &BuildCvtIntToXmm);
        Define(Mnemonic.Cvtsi2sd, &BuildCvtIntToXmm);
        foreach (Mnemonic m in new[] { Mnemonic.Cvtss2si, Mnemonic.Cvtsd2si, Mnemonic.Cvttss2si, Mnemonic.Cvttsd2si })
        {
            Define(m, &BuildCvtXmmToInt);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Comiss, Mnemonic.Comisd, Mnemonic.Ucomiss, Mnemonic.Ucomisd })
        {
            Define(m, &BuildComis);
        }

        Define(Mnemonic.Ldmxcsr, &BuildMxcsr);
        Define(Mnemonic.Stmxcsr, &BuildMxcsr);
    }

    private static bool IsXmm(in Instruction ins, int n) => ins.GetOpKind(n) == OpKind.Register && ins.GetOpRegister(n).IsXMM();

    /// <summary>Sets Rm (XMM) or the memory operand for source operand <paramref name="n"/>.</summary>
    private static bool SetXmmSource(ref Insn d, in Instruction ins, int n)
    {
        if (IsMem(in ins, n))
        {
            SetMem(ref d, in ins);
            return true;
        }

        if (!IsXmm(in ins, n))
        {
            return false;
        }

        d.Rm = XmmNum(ins.GetOpRegister(n));
        return true;
    }

    private static bool BuildSseBinary<TOp>(ref Insn d, in Instruction ins) where TOp : struct, ISseOp
    {
        if (IsMm(in ins, 0))
        {
            return BuildMmxBinary<TOp>(ref d, in ins);
        }

        if (!IsXmm(in ins, 0))
        {
            return false;
        }

        d.Reg = XmmNum(ins.Op0Register);
        if (ins.OpCount == 2 && IsImm(in ins, 1))
        {
            // PSLLW/PSRLW/PSRAW... xmm, imm8
            d.Imm = ins.GetImmediate(1);
            d.Aux = ins.Mnemonic switch
            {
                Mnemonic.Psllw => 0,
                Mnemonic.Pslld => 1,
                Mnemonic.Psllq => 2,
                Mnemonic.Psrlw => 3,
                Mnemonic.Psrld => 4,
                Mnemonic.Psrlq => 5,
                Mnemonic.Psraw => 6,
                Mnemonic.Psrad => 7,
                _ => byte.MaxValue,
            };
            if (d.Aux == byte.MaxValue)
            {
                return false;
            }

            d.Fn = &Interpreter.SseShiftImm;
            return true;
        }

        if (!SetXmmSource(ref d, in ins, 1))
        {
            return false;
        }

        if (ins.OpCount == 3)
        {
            d.Imm = ins.GetImmediate(2);
        }

        d.Fn = &Interpreter.SseBinary<TOp>;
        return true;
    }

    private static bool BuildSseShiftImm(ref Insn d, in Instruction ins)
    {
        if (!IsXmm(in ins, 0))
        {
            return false;
        }

        d.Reg = XmmNum(ins.Op0Register);
        d.Imm = ins.GetImmediate(1);
        d.Aux = (byte)(ins.Mnemonic == Mnemonic.Pslldq ? 8 : 9);
        d.Fn = &Interpreter.SseShiftImm;
        return true;
    }

    private static bool BuildMovVec(ref Insn d, in Instruction ins)
    {
        bool aligned = ins.Mnemonic is Mnemonic.Movdqa or Mnemonic.Movaps or Mnemonic.Movapd or Mnemonic.Movntdq or Mnemonic.Movntps or Mnemonic.Movntpd;
        d.Aux2 = aligned ? 1u : 0u;
        if (IsXmm(in ins, 0))
        {
            d.Reg = XmmNum(ins.Op0Register);
            d.Aux = 0;
            if (!SetXmmSource(ref d, in ins, 1))
            {
                return false;
            }
        }
        else if (IsMem(in ins, 0) && IsXmm(in ins, 1))
        {
            SetMem(ref d, in ins);
            d.Reg = XmmNum(ins.Op1Register);
            d.Aux = 1;
        }
        else
        {
            return false;
        }

        d.Fn = d.Aux == 1
            ? ByEa(in d, &Interpreter.MovVecStore<EaFull>, &Interpreter.MovVecStore<EaBaseDisp>, &Interpreter.MovVecStore<EaDisp>)
            : (d.Flags & InsnFlags.Mem) != 0
                ? ByEa(in d, &Interpreter.MovVecLoad<EaFull>, &Interpreter.MovVecLoad<EaBaseDisp>, &Interpreter.MovVecLoad<EaDisp>)
                : &Interpreter.MovVecRR;
        return true;
    }

    private static bool BuildMovPart(ref Insn d, in Instruction ins)
    {
        bool toXmm = IsXmm(in ins, 0);
        bool srcMem = IsMem(in ins, 1);
        d.Reg = XmmNum(toXmm ? ins.Op0Register : ins.Op1Register);
        if (toXmm && !srcMem)
        {
            d.Rm = XmmNum(ins.Op1Register);
        }
        else
        {
            SetMem(ref d, in ins);
        }

        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Movss => (byte)(toXmm ? (srcMem ? 1 : 0) : 2),
            Mnemonic.Movsd => (byte)(toXmm ? (srcMem ? 4 : 3) : 5),
            Mnemonic.Movhps or Mnemonic.Movhpd => (byte)(toXmm ? 6 : 7),
            Mnemonic.Movlps or Mnemonic.Movlpd => (byte)(toXmm ? 8 : 9),
            Mnemonic.Movhlps => 10,
            _ => 11,
        };
        d.Fn = &Interpreter.MovPart;
        return true;
    }

    private static bool BuildMovsdOrString(ref Insn d, in Instruction ins) =>
        ins.Code == Code.Movsd_m32_m32 ? BuildString(ref d, in ins) : BuildMovPart(ref d, in ins);

    private static bool BuildCmpsdOrString(ref Insn d, in Instruction ins) =>
        ins.Code == Code.Cmpsd_m32_m32 ? BuildString(ref d, in ins) : BuildSseBinary<SseOps.Cmpsd>(ref d, in ins);

    private static bool BuildMovdMovq(ref Insn d, in Instruction ins)
    {
        switch (ins.Code)
        {
            case Code.Movq_xmm_xmmm64:
                d.Reg = XmmNum(ins.Op0Register);
                SetXmmSource(ref d, in ins, 1);
                d.Aux = 12;
                d.Fn = &Interpreter.MovPart;
                return true;
            case Code.Movq_xmmm64_xmm:
                d.Reg = XmmNum(ins.Op1Register);
                if (IsMem(in ins, 0))
                {
                    SetMem(ref d, in ins);
                    d.Aux = 13;
                    d.Fn = &Interpreter.MovPart;
                }
                else
                {
                    // movq xmm1, xmm2 (66 0F D6 register form): zero-extend into xmm1.
                    d.Rm = d.Reg;
                    d.Reg = XmmNum(ins.Op0Register);
                    d.Aux = 12;
                    d.Fn = &Interpreter.MovPart;
                }

                return true;
            case Code.Movd_xmm_rm32:
            case Code.Movq_xmm_rm64:
                d.Aux = 0;
                d.Aux2 = ins.Code == Code.Movq_xmm_rm64 ? 8u : 4u;
                d.Reg = XmmNum(ins.Op0Register);
                if (IsMem(in ins, 1))
                {
                    SetMem(ref d, in ins);
                }
                else
                {
                    d.Rm = GprOff(ins.Op1Register);
                }

                d.Fn = &Interpreter.MovdGpr;
                return true;
            case Code.Movd_rm32_xmm:
            case Code.Movq_rm64_xmm:
                d.Aux = 1;
                d.Aux2 = ins.Code == Code.Movq_rm64_xmm ? 8u : 4u;
                d.Reg = XmmNum(ins.Op1Register);
                if (IsMem(in ins, 0))
                {
                    SetMem(ref d, in ins);
                }
                else
                {
                    d.Rm = GprOff(ins.Op0Register);
                }

                d.Fn = &Interpreter.MovdGpr;
                return true;
            case Code.Movd_mm_rm32:
            case Code.Movq_mm_rm64:
            case Code.Movd_rm32_mm:
            case Code.Movq_rm64_mm:
            {
                bool toMm = IsMm(in ins, 0);
                d.Aux = (byte)(toMm ? 2 : 3);
                d.Aux2 = ins.Code is Code.Movq_mm_rm64 or Code.Movq_rm64_mm ? 8u : 4u;
                d.Reg = MmNum(toMm ? ins.Op0Register : ins.Op1Register);
                int other = toMm ? 1 : 0;
                if (IsMem(in ins, other))
                {
                    SetMem(ref d, in ins);
                }
                else
                {
                    d.Rm = GprOff(ins.GetOpRegister(other));
                }

                d.Fn = &Interpreter.MmxMove;
                return true;
            }

            case Code.Movq_mm_mmm64:
                d.Aux = 0;
                d.Reg = MmNum(ins.Op0Register);
                SetMmSource(ref d, in ins, 1);
                d.Fn = &Interpreter.MmxMove;
                return true;
            case Code.Movq_mmm64_mm:
                d.Reg = MmNum(ins.Op1Register);
                if (IsMem(in ins, 0))
                {
                    SetMem(ref d, in ins);
                    d.Aux = 1;
                }
                else
                {
                    d.Rm = d.Reg;
                    d.Reg = MmNum(ins.Op0Register);
                    d.Aux = 0;
                }

                d.Fn = &Interpreter.MmxMove;
                return true;
            default:
                return false;
        }
    }

    private static bool BuildMovMask(ref Insn d, in Instruction ins)
    {
        if (IsMm(in ins, 1))
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Rm = MmNum(ins.Op1Register);
            d.Fn = &Interpreter.MmxMovMask;
            return true;
        }

        if (!IsXmm(in ins, 1))
        {
            return false;
        }

        d.Reg = GprOff(ins.Op0Register);
        d.Rm = XmmNum(ins.Op1Register);
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Movmskps => 0,
            Mnemonic.Movmskpd => 1,
            _ => 2,
        };
        d.Fn = &Interpreter.MovMask;
        return true;
    }

    private static bool BuildMovnti(ref Insn d, in Instruction ins)
    {
        SetMem(ref d, in ins);
        d.Reg = GprOff(ins.Op1Register);
        d.Aux2 = (uint)ins.Op1Register.GetSize();
        d.Fn = &Interpreter.Movnti;
        return true;
    }

    private static bool BuildMaskmov(ref Insn d, in Instruction ins)
    {
        if (!IsXmm(in ins, 0))
        {
            return false;
        }

        d.Reg = XmmNum(ins.Op0Register);
        d.Rm = XmmNum(ins.Op1Register);
        d.Seg = ins.SegmentPrefix == Register.FS ? (byte)(Reg.FsBase * 8) : ins.SegmentPrefix == Register.GS ? (byte)(Reg.GsBase * 8) : (byte)(Reg.Zero * 8);
        d.Fn = &Interpreter.Maskmovdqu;
        return true;
    }

    private static bool BuildPextrw(ref Insn d, in Instruction ins)
    {
        if (IsMm(in ins, 1))
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Rm = MmNum(ins.Op1Register);
            d.Imm = ins.GetImmediate(2);
            d.Aux = 0;
            d.Fn = &Interpreter.MmxWord;
            return true;
        }

        if (!IsXmm(in ins, 1) || !IsGpr(in ins, 0))
        {
            return false; // MMX form, or the SSE4.1 memory form
        }

        d.Reg = GprOff(ins.Op0Register);
        d.Rm = XmmNum(ins.Op1Register);
        d.Imm = ins.GetImmediate(2);
        d.Fn = &Interpreter.Pextrw;
        return true;
    }

    private static bool BuildPinsrw(ref Insn d, in Instruction ins)
    {
        if (IsMm(in ins, 0))
        {
            d.Reg = MmNum(ins.Op0Register);
            if (IsMem(in ins, 1))
            {
                SetMem(ref d, in ins);
            }
            else
            {
                d.Rm = GprOff(ins.Op1Register);
            }

            d.Imm = ins.GetImmediate(2);
            d.Aux = 1;
            d.Fn = &Interpreter.MmxWord;
            return true;
        }

        if (!IsXmm(in ins, 0))
        {
            return false;
        }

        d.Reg = XmmNum(ins.Op0Register);
        if (IsMem(in ins, 1))
        {
            SetMem(ref d, in ins);
        }
        else
        {
            d.Rm = GprOff(ins.Op1Register);
        }

        d.Imm = ins.GetImmediate(2);
        d.Fn = &Interpreter.Pinsrw;
        return true;
    }

    private static bool BuildCvtIntToXmm(ref Insn d, in Instruction ins)
    {
        d.Reg = XmmNum(ins.Op0Register);
        d.Aux = (byte)(ins.Mnemonic == Mnemonic.Cvtsi2ss ? 0 : 1);
        d.Aux2 = (uint)OpSize(in ins, 1);
        if (IsMem(in ins, 1))
        {
            SetMem(ref d, in ins);
        }
        else
        {
            d.Rm = GprOff(ins.Op1Register);
        }

        d.Fn = &Interpreter.CvtIntToXmm;
        return true;
    }

    private static bool BuildCvtXmmToInt(ref Insn d, in Instruction ins)
    {
        d.Reg = GprOff(ins.Op0Register);
        d.Aux2 = (uint)ins.Op0Register.GetSize();
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Cvtss2si => 0,
            Mnemonic.Cvtsd2si => 1,
            Mnemonic.Cvttss2si => 2,
            _ => 3,
        };
        if (!SetXmmSource(ref d, in ins, 1))
        {
            return false;
        }

        d.Fn = &Interpreter.CvtXmmToInt;
        return true;
    }

    private static bool BuildComis(ref Insn d, in Instruction ins)
    {
        d.Reg = XmmNum(ins.Op0Register);
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Comiss => 0,
            Mnemonic.Comisd => 1,
            Mnemonic.Ucomiss => 2,
            _ => 3,
        };
        if (!SetXmmSource(ref d, in ins, 1))
        {
            return false;
        }

        d.Fn = &Interpreter.Comis;
        return true;
    }

    private static bool BuildMxcsr(ref Insn d, in Instruction ins)
    {
        SetMem(ref d, in ins);
        d.Aux = (byte)(ins.Mnemonic == Mnemonic.Ldmxcsr ? 0 : 1);
        d.Fn = &Interpreter.Mxcsr;
        return true;
    }
}
