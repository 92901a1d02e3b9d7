using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterMov()
    {
        Define(Mnemonic.Mov, &BuildMov);
        Define(Mnemonic.Movzx, &BuildMovx);
        Define(Mnemonic.Movsx, &BuildMovx);
        Define(Mnemonic.Movsxd, &BuildMovx);
        Define(Mnemonic.Lea, &BuildLea);
        Define(Mnemonic.Xchg, &BuildXchg);
        Define(Mnemonic.Cbw, &BuildConvert);
        Define(Mnemonic.Cwde, &BuildConvert);
        Define(Mnemonic.Cdqe, &BuildConvert);
        Define(Mnemonic.Cwd, &BuildConvert);
        Define(Mnemonic.Cdq, &BuildConvert);
        Define(Mnemonic.Cqo, &BuildConvert);
        foreach (Mnemonic m in new[]
        {
            Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova,
            Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
        })
        {
            Define(m, &BuildCmov);
        }

        foreach (Mnemonic m in new[]
        {
            Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta,
            Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
        })
        {
            Define(m, &BuildSetcc);
        }
    }

    /// <summary>Condition code 0..15 (the Jcc low nibble) of a conditional instruction.</summary>
    public static byte CcOf(in Instruction ins) => ins.ConditionCode switch
    {
        ConditionCode.o => 0,
        ConditionCode.no => 1,
        ConditionCode.b => 2,
        ConditionCode.ae => 3,
        ConditionCode.e => 4,
        ConditionCode.ne => 5,
        ConditionCode.be => 6,
        ConditionCode.a => 7,
        ConditionCode.s => 8,
        ConditionCode.ns => 9,
        ConditionCode.p => 10,
        ConditionCode.np => 11,
        ConditionCode.l => 12,
        ConditionCode.ge => 13,
        ConditionCode.le => 14,
        ConditionCode.g => 15,
        _ => throw new System.ArgumentException($"{ins.Mnemonic} has no condition code"),
    };

    private static bool BuildMov(ref Insn d, in Instruction ins)
    {
        if (!IsGpr(in ins, 0) && !IsMem(in ins, 0))
        {
            return false; // segment and control registers
        }

        if (IsMem(in ins, 0) && !IsGpr(in ins, 1) && !IsImm(in ins, 1))
        {
            return false;
        }

        int size = OpSize(in ins, 0);
        if (IsGpr(in ins, 0))
        {
            d.Reg = GprOff(ins.Op0Register);
            if (IsGpr(in ins, 1))
            {
                d.Rm = GprOff(ins.Op1Register);
                d.Fn = BySize(size, &Interpreter.MovRR<W8>, &Interpreter.MovRR<W16>, &Interpreter.MovRR<W32>, &Interpreter.MovRR<W64>);
            }
            else if (IsMem(in ins, 1))
            {
                SetMem(ref d, in ins);
                d.Fn = ByEa(in d, MovRMFor<EaFull>(size), MovRMFor<EaBaseDisp>(size), MovRMFor<EaDisp>(size));
            }
            else if (IsImm(in ins, 1))
            {
                d.Imm = ins.GetImmediate(1);
                d.Fn = BySize(size, &Interpreter.MovRI<W8>, &Interpreter.MovRI<W16>, &Interpreter.MovRI<W32>, &Interpreter.MovRI<W64>);
            }
            else
            {
                return false;
            }

            return true;
        }

        SetMem(ref d, in ins);
        if (IsGpr(in ins, 1))
        {
            d.Reg = GprOff(ins.Op1Register);
            d.Fn = ByEa(in d, MovMRFor<EaFull>(size), MovMRFor<EaBaseDisp>(size), MovMRFor<EaDisp>(size));
        }
        else
        {
            d.Imm = ins.GetImmediate(1);
            d.Fn = ByEa(in d, MovMIFor<EaFull>(size), MovMIFor<EaBaseDisp>(size), MovMIFor<EaDisp>(size));
        }

        return true;
    }

    private static delegate*<Cpu, ref Insn, int> MovRMFor<TEa>(int size) where TEa : struct, IAddressing
        => BySize(size, &Interpreter.MovRM<W8, TEa>, &Interpreter.MovRM<W16, TEa>, &Interpreter.MovRM<W32, TEa>, &Interpreter.MovRM<W64, TEa>);

    private static delegate*<Cpu, ref Insn, int> MovMRFor<TEa>(int size) where TEa : struct, IAddressing
        => BySize(size, &Interpreter.MovMR<W8, TEa>, &Interpreter.MovMR<W16, TEa>, &Interpreter.MovMR<W32, TEa>, &Interpreter.MovMR<W64, TEa>);

    private static delegate*<Cpu, ref Insn, int> MovMIFor<TEa>(int size) where TEa : struct, IAddressing
        => BySize(size, &Interpreter.MovMI<W8, TEa>, &Interpreter.MovMI<W16, TEa>, &Interpreter.MovMI<W32, TEa>, &Interpreter.MovMI<W64, TEa>);

    private static bool BuildMovx(ref Insn d, in Instruction ins)
    {
        int dst = OpSize(in ins, 0);
        int src = OpSize(in ins, 1);
        bool sign = ins.Mnemonic != Mnemonic.Movzx;
        d.Reg = GprOff(ins.Op0Register);
        bool mem = IsMem(in ins, 1);
        if (mem)
        {
            SetMem(ref d, in ins);
        }
        else
        {
            d.Rm = GprOff(ins.Op1Register);
        }

        d.Fn = (sign, mem, src, dst) switch
        {
            (false, false, 1, 2) => &Interpreter.MovzxRR<W8, W16>,
            (false, false, 1, 4) => &Interpreter.MovzxRR<W8, W32>,
            (false, false, 1, 8) => &Interpreter.MovzxRR<W8, W64>,
            (false, false, 2, 2) => &Interpreter.MovzxRR<W16, W16>,
            (false, false, 2, 4) => &Interpreter.MovzxRR<W16, W32>,
            (false, false, 2, 8) => &Interpreter.MovzxRR<W16, W64>,
            (false, true, 1, 2) => &Interpreter.MovzxRM<W8, W16>,
            (false, true, 1, 4) => &Interpreter.MovzxRM<W8, W32>,
            (false, true, 1, 8) => &Interpreter.MovzxRM<W8, W64>,
            (false, true, 2, 2) => &Interpreter.MovzxRM<W16, W16>,
            (false, true, 2, 4) => &Interpreter.MovzxRM<W16, W32>,
            (false, true, 2, 8) => &Interpreter.MovzxRM<W16, W64>,
            (true, false, 1, 2) => &Interpreter.MovsxRR<W8, W16>,
            (true, false, 1, 4) => &Interpreter.MovsxRR<W8, W32>,
            (true, false, 1, 8) => &Interpreter.MovsxRR<W8, W64>,
            (true, false, 2, 2) => &Interpreter.MovsxRR<W16, W16>,
            (true, false, 2, 4) => &Interpreter.MovsxRR<W16, W32>,
            (true, false, 2, 8) => &Interpreter.MovsxRR<W16, W64>,
            (true, false, 4, 4) => &Interpreter.MovsxRR<W32, W32>,
            (true, false, 4, 8) => &Interpreter.MovsxRR<W32, W64>,
            (true, true, 1, 2) => &Interpreter.MovsxRM<W8, W16>,
            (true, true, 1, 4) => &Interpreter.MovsxRM<W8, W32>,
            (true, true, 1, 8) => &Interpreter.MovsxRM<W8, W64>,
            (true, true, 2, 2) => &Interpreter.MovsxRM<W16, W16>,
            (true, true, 2, 4) => &Interpreter.MovsxRM<W16, W32>,
            (true, true, 2, 8) => &Interpreter.MovsxRM<W16, W64>,
            (true, true, 4, 4) => &Interpreter.MovsxRM<W32, W32>,
            (true, true, 4, 8) => &Interpreter.MovsxRM<W32, W64>,
            _ => null,
        };

        // MOVZBL and MOVZWL loads, the common ones, also by address form.
        if (mem && !sign && dst == 4)
        {
            d.Fn = src == 1
                ? ByEa(in d, &Interpreter.MovzxRM<W8, W32, EaFull>, &Interpreter.MovzxRM<W8, W32, EaBaseDisp>, &Interpreter.MovzxRM<W8, W32, EaDisp>)
                : ByEa(in d, &Interpreter.MovzxRM<W16, W32, EaFull>, &Interpreter.MovzxRM<W16, W32, EaBaseDisp>, &Interpreter.MovzxRM<W16, W32, EaDisp>);
        }

        return true;
    }

    private static bool BuildLea(ref Insn d, in Instruction ins)
    {
        int size = OpSize(in ins, 0);
        d.Reg = GprOff(ins.Op0Register);
        SetMem(ref d, in ins);
        d.Fn = BySize(size, null, &Interpreter.Lea<W16>, &Interpreter.Lea<W32>, &Interpreter.Lea<W64>);
        return true;
    }

    private static bool BuildXchg(ref Insn d, in Instruction ins)
    {
        int size = OpSize(in ins, 0);
        if (IsGpr(in ins, 0) && IsGpr(in ins, 1))
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Rm = GprOff(ins.Op1Register);
            d.Fn = BySize(size, &Interpreter.XchgRR<W8>, &Interpreter.XchgRR<W16>, &Interpreter.XchgRR<W32>, &Interpreter.XchgRR<W64>);
            return true;
        }

        SetMem(ref d, in ins);
        d.Reg = GprOff(IsGpr(in ins, 0) ? ins.Op0Register : ins.Op1Register);
        d.Fn = BySize(size, &Interpreter.XchgRM<W8>, &Interpreter.XchgRM<W16>, &Interpreter.XchgRM<W32>, &Interpreter.XchgRM<W64>);
        return true;
    }

    private static bool BuildCmov(ref Insn d, in Instruction ins)
    {
        int size = OpSize(in ins, 0);
        d.Cc = CcOf(in ins);
        d.Reg = GprOff(ins.Op0Register);
        if (IsMem(in ins, 1))
        {
            SetMem(ref d, in ins);
            d.Fn = BySize(size, null, &Interpreter.CmovRM<W16>, &Interpreter.CmovRM<W32>, &Interpreter.CmovRM<W64>);
        }
        else
        {
            d.Rm = GprOff(ins.Op1Register);
            d.Fn = BySize(size, null, &Interpreter.CmovRR<W16>, &Interpreter.CmovRR<W32>, &Interpreter.CmovRR<W64>);
        }

        return true;
    }

    private static bool BuildSetcc(ref Insn d, in Instruction ins)
    {
        d.Cc = CcOf(in ins);
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = &Interpreter.SetccM;
        }
        else
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = &Interpreter.SetccR;
        }

        return true;
    }

    private static bool BuildConvert(ref Insn d, in Instruction ins)
    {
        switch (ins.Mnemonic)
        {
            case Mnemonic.Cbw: d.Aux = 2; d.Fn = &Interpreter.ConvertAx; break;
            case Mnemonic.Cwde: d.Aux = 4; d.Fn = &Interpreter.ConvertAx; break;
            case Mnemonic.Cdqe: d.Aux = 8; d.Fn = &Interpreter.ConvertAx; break;
            case Mnemonic.Cwd: d.Aux = 2; d.Fn = &Interpreter.ConvertDx; break;
            case Mnemonic.Cdq: d.Aux = 4; d.Fn = &Interpreter.ConvertDx; break;
            default: d.Aux = 8; d.Fn = &Interpreter.ConvertDx; break;
        }

        return true;
    }
}
