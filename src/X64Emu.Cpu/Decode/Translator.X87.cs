using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterX87()
    {
        foreach (Mnemonic m in new[] { Mnemonic.Fld, Mnemonic.Fild, Mnemonic.Fbld, Mnemonic.Fld1, Mnemonic.Fldl2t, Mnemonic.Fldl2e, Mnemonic.Fldpi, Mnemonic.Fldlg2, Mnemonic.Fldln2, Mnemonic.Fldz })
        {
            Define(m, &BuildX87Load);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fst, Mnemonic.Fstp, Mnemonic.Fist, Mnemonic.Fistp, Mnemonic.Fisttp, Mnemonic.Fbstp })
        {
            Define(m, &BuildX87Store);
        }

        foreach (Mnemonic m in new[]
        {
            Mnemonic.Fadd, Mnemonic.Faddp, Mnemonic.Fiadd, Mnemonic.Fmul, Mnemonic.Fmulp, Mnemonic.Fimul, Mnemonic.Fsub, Mnemonic.Fsubp, Mnemonic.Fisub,
            Mnemonic.Fsubr, Mnemonic.Fsubrp, Mnemonic.Fisubr, Mnemonic.Fdiv, Mnemonic.Fdivp, Mnemonic.Fidiv, Mnemonic.Fdivr, Mnemonic.Fdivrp, Mnemonic.Fidivr,
            Mnemonic.Fcom, Mnemonic.Fcomp, Mnemonic.Fcompp, Mnemonic.Ficom, Mnemonic.Ficomp, Mnemonic.Fucom, Mnemonic.Fucomp, Mnemonic.Fucompp,
        })
        {
            Define(m, &BuildX87Arith);
        }

        foreach (Mnemonic m in new[]
        {
            Mnemonic.Fchs, Mnemonic.Fabs, Mnemonic.Ftst, Mnemonic.Fxam, Mnemonic.Fsqrt, Mnemonic.Frndint, Mnemonic.Fsin, Mnemonic.Fcos, Mnemonic.Fsincos,
            Mnemonic.Fptan, Mnemonic.Fpatan, Mnemonic.F2xm1, Mnemonic.Fyl2x, Mnemonic.Fyl2xp1, Mnemonic.Fscale, Mnemonic.Fxtract, Mnemonic.Fprem, Mnemonic.Fprem1,
        })
        {
            Define(m, &BuildX87Unary);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fcomi, Mnemonic.Fcomip, Mnemonic.Fucomi, Mnemonic.Fucomip })
        {
            Define(m, &BuildX87Comi);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fcmovb, Mnemonic.Fcmove, Mnemonic.Fcmovbe, Mnemonic.Fcmovu, Mnemonic.Fcmovnb, Mnemonic.Fcmovne, Mnemonic.Fcmovnbe, Mnemonic.Fcmovnu })
        {
            Define(m, &BuildX87Fcmov);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fxch, Mnemonic.Ffree, Mnemonic.Ffreep, Mnemonic.Fincstp, Mnemonic.Fdecstp })
        {
            Define(m, &BuildX87Stack);
        }

        Define(Mnemonic.Fnop, &BuildNop);
        foreach (Mnemonic m in new[]
        {
            Mnemonic.Fldcw, Mnemonic.Fnstcw, Mnemonic.Fstcw, Mnemonic.Fnstsw, Mnemonic.Fstsw, Mnemonic.Fnclex, Mnemonic.Fclex, Mnemonic.Fninit, Mnemonic.Finit,
            Mnemonic.Fnstenv, Mnemonic.Fstenv, Mnemonic.Fldenv, Mnemonic.Fnsave, Mnemonic.Fsave, Mnemonic.Frstor, Mnemonic.Fxsave, Mnemonic.Fxsave64,
            Mnemonic.Fxrstor, Mnemonic.Fxrstor64, Mnemonic.Wait,
        })
        {
            Define(m, &BuildX87Control);
        }
    }

    private static byte StIndex(Register r) => (byte)(r - Register.ST0);

    /// <summary>The memory form of an x87 operand from its memory size.</summary>
    private static byte X87MemForm(in Instruction ins) => ins.MemorySize switch
    {
        MemorySize.Float32 => Interpreter.FormM32,
        MemorySize.Float64 => Interpreter.FormM64,
        MemorySize.Float80 => Interpreter.FormM80,
        MemorySize.Int16 => Interpreter.FormI16,
        MemorySize.Int32 => Interpreter.FormI32,
        MemorySize.Int64 => Interpreter.FormI64,
        MemorySize.Bcd => Interpreter.FormBcd,
        _ => byte.MaxValue,
    };

    private static bool BuildX87Load(ref Insn d, in Instruction ins)
    {
        switch (ins.Mnemonic)
        {
            case Mnemonic.Fld1: d.Cc = Interpreter.FormConst; d.Aux2 = 0; break;
            case Mnemonic.Fldl2t: d.Cc = Interpreter.FormConst; d.Aux2 = 1; break;
            case Mnemonic.Fldl2e: d.Cc = Interpreter.FormConst; d.Aux2 = 2; break;
            case Mnemonic.Fldpi: d.Cc = Interpreter.FormConst; d.Aux2 = 3; break;
            case Mnemonic.Fldlg2: d.Cc = Interpreter.FormConst; d.Aux2 = 4; break;
            case Mnemonic.Fldln2: d.Cc = Interpreter.FormConst; d.Aux2 = 5; break;
            case Mnemonic.Fldz: d.Cc = Interpreter.FormConst; d.Aux2 = 6; break;
            default:
                if (IsMem(in ins, 0))
                {
                    SetMem(ref d, in ins);
                    d.Cc = X87MemForm(in ins);
                }
                else
                {
                    d.Cc = Interpreter.FormSt;
                    d.Rm = StIndex(ins.Op0Register);
                }

                break;
        }

        d.Fn = &Interpreter.X87Load;
        return d.Cc != byte.MaxValue;
    }

    private static bool BuildX87Store(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Fst or Mnemonic.Fist => 0,
            Mnemonic.Fisttp => 3,
            _ => 1,
        };
        if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Cc = X87MemForm(in ins);
        }
        else
        {
            d.Cc = Interpreter.FormSt;
            d.Rm = StIndex(ins.Op0Register);
        }

        d.Fn = &Interpreter.X87Store;
        return d.Cc != byte.MaxValue;
    }

    private static bool BuildX87Arith(ref Insn d, in Instruction ins)
    {
        (byte op, bool pop) = ins.Mnemonic switch
        {
            Mnemonic.Fadd or Mnemonic.Fiadd => ((byte)0, false),
            Mnemonic.Faddp => ((byte)0, true),
            Mnemonic.Fmul or Mnemonic.Fimul => ((byte)1, false),
            Mnemonic.Fmulp => ((byte)1, true),
            Mnemonic.Fcom or Mnemonic.Ficom => ((byte)2, false),
            Mnemonic.Fcomp or Mnemonic.Ficomp => ((byte)3, false),
            Mnemonic.Fsub or Mnemonic.Fisub => ((byte)4, false),
            Mnemonic.Fsubp => ((byte)4, true),
            Mnemonic.Fsubr or Mnemonic.Fisubr => ((byte)5, false),
            Mnemonic.Fsubrp => ((byte)5, true),
            Mnemonic.Fdiv or Mnemonic.Fidiv => ((byte)6, false),
            Mnemonic.Fdivp => ((byte)6, true),
            Mnemonic.Fdivr or Mnemonic.Fidivr => ((byte)7, false),
            Mnemonic.Fdivrp => ((byte)7, true),
            Mnemonic.Fucom => ((byte)8, false),
            Mnemonic.Fucomp => ((byte)9, false),
            Mnemonic.Fcompp => ((byte)10, false),
            _ => ((byte)11, false),
        };
        d.Aux = op;
        if (ins.OpCount == 0)
        {
            d.Cc = Interpreter.FormSt;
            d.Rm = 1;
        }
        else if (IsMem(in ins, 0) || (ins.OpCount > 1 && IsMem(in ins, 1)))
        {
            SetMem(ref d, in ins);
            d.Cc = X87MemForm(in ins);
        }
        else if (ins.OpCount == 1)
        {
            d.Cc = Interpreter.FormSt;
            d.Rm = StIndex(ins.Op0Register);
        }
        else if (ins.Op0Register == Register.ST0)
        {
            d.Cc = Interpreter.FormSt;
            d.Rm = StIndex(ins.Op1Register);
        }
        else
        {
            d.Cc = pop ? Interpreter.FormStDestPop : Interpreter.FormStDest;
            d.Rm = StIndex(ins.Op0Register);
        }

        d.Fn = &Interpreter.X87Arith;
        return d.Cc != byte.MaxValue;
    }

    private static bool BuildX87Unary(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Fchs => 0, Mnemonic.Fabs => 1, Mnemonic.Ftst => 2, Mnemonic.Fxam => 3, Mnemonic.Fsqrt => 4, Mnemonic.Frndint => 5,
            Mnemonic.Fsin => 6, Mnemonic.Fcos => 7, Mnemonic.Fsincos => 8, Mnemonic.Fptan => 9, Mnemonic.Fpatan => 10, Mnemonic.F2xm1 => 11,
            Mnemonic.Fyl2x => 12, Mnemonic.Fyl2xp1 => 13, Mnemonic.Fscale => 14, Mnemonic.Fxtract => 15, Mnemonic.Fprem => 16, _ => 17,
        };
        d.Fn = &Interpreter.X87Unary;
        return true;
    }

    private static bool BuildX87Comi(ref Insn d, in Instruction ins)
    {
        d.Aux = (byte)((ins.Mnemonic is Mnemonic.Fcomip or Mnemonic.Fucomip ? 1 : 0) | (ins.Mnemonic is Mnemonic.Fucomi or Mnemonic.Fucomip ? 2 : 0));
        d.Rm = StIndex(ins.Op1Register);
        d.Fn = &Interpreter.X87Comi;
        return true;
    }

    private static bool BuildX87Fcmov(ref Insn d, in Instruction ins)
    {
        d.Cc = ins.Mnemonic switch
        {
            Mnemonic.Fcmovb => 2, Mnemonic.Fcmovnb => 3, Mnemonic.Fcmove => 4, Mnemonic.Fcmovne => 5,
            Mnemonic.Fcmovbe => 6, Mnemonic.Fcmovnbe => 7, Mnemonic.Fcmovu => 10, _ => 11,
        };
        d.Rm = StIndex(ins.Op1Register);
        d.Fn = &Interpreter.X87Fcmov;
        return true;
    }

    private static bool BuildX87Stack(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Fxch => 0, Mnemonic.Ffree => 1, Mnemonic.Fincstp => 2, Mnemonic.Fdecstp => 3, _ => 4,
        };
        d.Rm = ins.Mnemonic == Mnemonic.Fxch ? StIndex(ins.Op1Register) : ins.OpCount > 0 ? StIndex(ins.Op0Register) : (byte)0;
        d.Fn = &Interpreter.X87Stack;
        return true;
    }

    private static bool BuildX87Control(ref Insn d, in Instruction ins)
    {
        d.Aux = ins.Mnemonic switch
        {
            Mnemonic.Fldcw => 0,
            Mnemonic.Fnstcw or Mnemonic.Fstcw => 1,
            Mnemonic.Fnstsw or Mnemonic.Fstsw => (byte)(IsMem(in ins, 0) ? 2 : 3),
            Mnemonic.Fnclex or Mnemonic.Fclex => 4,
            Mnemonic.Fninit or Mnemonic.Finit => 5,
            Mnemonic.Fnstenv or Mnemonic.Fstenv => 6,
            Mnemonic.Fldenv => 7,
            Mnemonic.Fnsave or Mnemonic.Fsave => 8,
            Mnemonic.Frstor => 9,
            Mnemonic.Fxsave or Mnemonic.Fxsave64 => 10,
            Mnemonic.Fxrstor or Mnemonic.Fxrstor64 => 11,
            _ => 12,
        };
        if (ins.OpCount > 0 && IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
        }

        d.Fn = &Interpreter.X87Control;
        return true;
    }
}
