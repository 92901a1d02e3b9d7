using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterAlu()
    {
        Define(Mnemonic.Add, &BuildAlu<AddOp>);
        Define(Mnemonic.Or, &BuildAlu<OrOp>);
        Define(Mnemonic.Adc, &BuildAlu<AdcOp>);
        Define(Mnemonic.Sbb, &BuildAlu<SbbOp>);
        Define(Mnemonic.And, &BuildAlu<AndOp>);
        Define(Mnemonic.Sub, &BuildAlu<SubOp>);
        Define(Mnemonic.Xor, &BuildAlu<XorOp>);
        Define(Mnemonic.Cmp, &BuildAlu<CmpOp>);
        Define(Mnemonic.Test, &BuildAlu<TestOp>);
        Define(Mnemonic.Inc, &BuildUnary);
        Define(Mnemonic.Dec, &BuildUnary);
        Define(Mnemonic.Neg, &BuildUnary);
        Define(Mnemonic.Not, &BuildUnary);
    }

    private static bool BuildAlu<TOp>(ref Insn d, in Instruction ins) where TOp : struct, IAluOp
    {
        int size = OpSize(in ins, 0);
        if (IsGpr(in ins, 0))
        {
            d.Reg = GprOff(ins.Op0Register);

            // xor r, r / sub r, r: a zeroing idiom, still flag-setting; handled by the generic RR path.
            if (IsGpr(in ins, 1))
            {
                d.Rm = GprOff(ins.Op1Register);
                d.Fn = BySize(size, &Interpreter.AluRR<TOp, W8>, &Interpreter.AluRR<TOp, W16>, &Interpreter.AluRR<TOp, W32>, &Interpreter.AluRR<TOp, W64>);
            }
            else if (IsMem(in ins, 1))
            {
                SetMem(ref d, in ins);
                d.Fn = ByEa(in d, AluRMFor<TOp, EaFull>(size), AluRMFor<TOp, EaBaseDisp>(size), AluRMFor<TOp, EaDisp>(size));
            }
            else if (IsImm(in ins, 1))
            {
                d.Imm = ins.GetImmediate(1);
                d.Fn = BySize(size, &Interpreter.AluRI<TOp, W8>, &Interpreter.AluRI<TOp, W16>, &Interpreter.AluRI<TOp, W32>, &Interpreter.AluRI<TOp, W64>);
            }

            return true;
        }

        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            if (IsGpr(in ins, 1))
            {
                d.Reg = GprOff(ins.Op1Register);
                d.Fn = ByEa(in d, AluMRFor<TOp, EaFull>(size), AluMRFor<TOp, EaBaseDisp>(size), AluMRFor<TOp, EaDisp>(size));
            }
            else if (IsImm(in ins, 1))
            {
                d.Imm = ins.GetImmediate(1);
                d.Fn = ByEa(in d, AluMIFor<TOp, EaFull>(size), AluMIFor<TOp, EaBaseDisp>(size), AluMIFor<TOp, EaDisp>(size));
            }

            return true;
        }

        return false;
    }

    private static delegate*<Cpu, ref Insn, int> AluRMFor<TOp, TEa>(int size) where TOp : struct, IAluOp where TEa : struct, IAddressing
        => BySize(size, &Interpreter.AluRM<TOp, W8, TEa>, &Interpreter.AluRM<TOp, W16, TEa>, &Interpreter.AluRM<TOp, W32, TEa>, &Interpreter.AluRM<TOp, W64, TEa>);

    private static delegate*<Cpu, ref Insn, int> AluMRFor<TOp, TEa>(int size) where TOp : struct, IAluOp where TEa : struct, IAddressing
        => BySize(size, &Interpreter.AluMR<TOp, W8, TEa>, &Interpreter.AluMR<TOp, W16, TEa>, &Interpreter.AluMR<TOp, W32, TEa>, &Interpreter.AluMR<TOp, W64, TEa>);

    private static delegate*<Cpu, ref Insn, int> AluMIFor<TOp, TEa>(int size) where TOp : struct, IAluOp where TEa : struct, IAddressing
        => BySize(size, &Interpreter.AluMI<TOp, W8, TEa>, &Interpreter.AluMI<TOp, W16, TEa>, &Interpreter.AluMI<TOp, W32, TEa>, &Interpreter.AluMI<TOp, W64, TEa>);

    private static bool BuildUnary(ref Insn d, in Instruction ins)
    {
        int size = OpSize(in ins, 0);
        byte op = ins.Mnemonic switch
        {
            Mnemonic.Inc => 0,
            Mnemonic.Dec => 1,
            Mnemonic.Neg => 2,
            _ => 3,
        };
        if (IsGpr(in ins, 0))
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = op switch
            {
                0 => BySize(size, &Interpreter.IncR<W8>, &Interpreter.IncR<W16>, &Interpreter.IncR<W32>, &Interpreter.IncR<W64>),
                1 => BySize(size, &Interpreter.DecR<W8>, &Interpreter.DecR<W16>, &Interpreter.DecR<W32>, &Interpreter.DecR<W64>),
                2 => BySize(size, &Interpreter.NegR<W8>, &Interpreter.NegR<W16>, &Interpreter.NegR<W32>, &Interpreter.NegR<W64>),
                _ => BySize(size, &Interpreter.NotR<W8>, &Interpreter.NotR<W16>, &Interpreter.NotR<W32>, &Interpreter.NotR<W64>),
            };
            return true;
        }

        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Aux = op;
            d.Fn = BySize(size, &Interpreter.UnaryM<W8>, &Interpreter.UnaryM<W16>, &Interpreter.UnaryM<W32>, &Interpreter.UnaryM<W64>);
            return true;
        }

        return false;
    }
}
