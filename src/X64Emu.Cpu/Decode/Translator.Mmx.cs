using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterMmx()
    {
        Define(Mnemonic.Pshufw, &BuildPshufw);
        Define(Mnemonic.Movntq, &BuildMovntq);
        Define(Mnemonic.Maskmovq, &BuildMaskmovq);
        Define(Mnemonic.Emms, &BuildEmms);
        Define(Mnemonic.Movdq2q, &BuildMovdq2q);
        Define(Mnemonic.Movq2dq, &BuildMovdq2q);
    }

    private static bool IsMm(in Instruction ins, int n) => ins.GetOpKind(n) == OpKind.Register && ins.GetOpRegister(n) >= Register.MM0 && ins.GetOpRegister(n) <= Register.MM7;

    private static byte MmNum(Register r) => (byte)(r - Register.MM0);

    private static bool SetMmSource(ref Insn d, in Instruction ins, int n)
    {
        if (IsMem(in ins, n))
        {
            SetMem(ref d, in ins);
            return true;
        }

        if (!IsMm(in ins, n))
        {
            return false;
        }

        d.Rm = MmNum(ins.GetOpRegister(n));
        return true;
    }

    private static bool BuildMmxBinary<TOp>(ref Insn d, in Instruction ins) where TOp : struct, ISseOp
    {
        d.Reg = MmNum(ins.Op0Register);
        if (ins.OpCount == 2 && IsImm(in ins, 1))
        {
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

            d.Fn = &Interpreter.MmxShiftImm;
            return true;
        }

        if (!SetMmSource(ref d, in ins, 1))
        {
            return false;
        }

        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Punpckhbw or Mnemonic.Punpckhwd or Mnemonic.Punpckhdq => 1,
            Mnemonic.Packsswb or Mnemonic.Packssdw or Mnemonic.Packuswb => 2,
            _ => 0,
        };
        if (ins.OpCount == 3)
        {
            d.Imm = ins.GetImmediate(2);
        }

        d.Fn = &Interpreter.MmxBinary<TOp>;
        return true;
    }

    private static bool BuildPshufw(ref Insn d, in Instruction ins)
    {
        d.Reg = MmNum(ins.Op0Register);
        if (!SetMmSource(ref d, in ins, 1))
        {
            return false;
        }

        d.Imm = ins.GetImmediate(2);
        d.Fn = &Interpreter.Pshufw;
        return true;
    }

    private static bool BuildMovntq(ref Insn d, in Instruction ins)
    {
        SetMem(ref d, in ins);
        d.Reg = MmNum(ins.Op1Register);
        d.Aux = 1;
        d.Fn = &Interpreter.MmxMove;
        return true;
    }

    private static bool BuildMaskmovq(ref Insn d, in Instruction ins)
    {
        d.Reg = MmNum(ins.Op0Register);
        d.Rm = MmNum(ins.Op1Register);
        d.Seg = ins.SegmentPrefix == Register.FS ? (byte)(Reg.FsBase * 8) : ins.SegmentPrefix == Register.GS ? (byte)(Reg.GsBase * 8) : (byte)(Reg.Zero * 8);
        d.Fn = &Interpreter.Maskmovq;
        return true;
    }

    private static bool BuildEmms(ref Insn d, in Instruction ins)
    {
        d.Aux = 6;
        d.Fn = &Interpreter.MmxMove;
        return true;
    }

    private static bool BuildMovdq2q(ref Insn d, in Instruction ins)
    {
        if (ins.Mnemonic == Mnemonic.Movdq2q)
        {
            d.Reg = MmNum(ins.Op0Register);
            d.Rm = XmmNum(ins.Op1Register);
            d.Aux = 4;
        }
        else
        {
            d.Reg = XmmNum(ins.Op0Register);
            d.Rm = MmNum(ins.Op1Register);
            d.Aux = 5;
        }

        d.Fn = &Interpreter.MmxMove;
        return true;
    }
}
