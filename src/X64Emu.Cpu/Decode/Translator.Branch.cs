using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterBranch()
    {
        Define(Mnemonic.Jmp, &BuildJmp);
        foreach (Mnemonic m in new[]
        {
            Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
            Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
        })
        {
            Define(m, &BuildJcc);
        }

        Define(Mnemonic.Jrcxz, &BuildJrcxz);
        Define(Mnemonic.Jecxz, &BuildJrcxz);
        Define(Mnemonic.Loop, &BuildLoop);
        Define(Mnemonic.Loope, &BuildLoop);
        Define(Mnemonic.Loopne, &BuildLoop);
    }

    private static bool BuildJmp(ref Insn d, in Instruction ins)
    {
        switch (ins.Op0Kind)
        {
            case OpKind.NearBranch64:
                d.Imm = ins.NearBranchTarget;
                d.Fn = &Interpreter.JmpRel;
                return true;
            case OpKind.Register when ins.Op0Register.GetSize() == 8:
                d.Reg = GprOff(ins.Op0Register);
                d.Fn = &Interpreter.JmpR;
                return true;
            case OpKind.Memory when ins.Code is Code.Call_rm64 or Code.Jmp_rm64:
                SetMem(ref d, in ins);
                d.Fn = &Interpreter.JmpM;
                return true;
            default:
                return false;
        }
    }

    private static bool BuildJcc(ref Insn d, in Instruction ins)
    {
        d.Cc = CcOf(in ins);
        d.Imm = ins.NearBranchTarget;
        d.Fn = d.Cc switch
        {
            0 => &Interpreter.Jcc<CcO>,
            1 => &Interpreter.Jcc<CcNo>,
            2 => &Interpreter.Jcc<CcB>,
            3 => &Interpreter.Jcc<CcAe>,
            4 => &Interpreter.Jcc<CcE>,
            5 => &Interpreter.Jcc<CcNe>,
            6 => &Interpreter.Jcc<CcBe>,
            7 => &Interpreter.Jcc<CcA>,
            8 => &Interpreter.Jcc<CcS>,
            9 => &Interpreter.Jcc<CcNs>,
            10 => &Interpreter.Jcc<CcP>,
            11 => &Interpreter.Jcc<CcNp>,
            12 => &Interpreter.Jcc<CcL>,
            13 => &Interpreter.Jcc<CcGe>,
            14 => &Interpreter.Jcc<CcLe>,
            _ => &Interpreter.Jcc<CcG>,
        };
        return true;
    }

    private static bool BuildJrcxz(ref Insn d, in Instruction ins)
    {
        d.Aux = (byte)(ins.Mnemonic == Mnemonic.Jecxz ? 4 : 8);
        d.Imm = ins.NearBranchTarget;
        d.Fn = &Interpreter.Jrcxz;
        return true;
    }

    private static bool BuildLoop(ref Insn d, in Instruction ins)
    {
        d.Cc = ins.Mnemonic switch
        {
            Mnemonic.Loope => 1,
            Mnemonic.Loopne => 2,
            _ => 0,
        };
        d.Aux = (byte)(ins.Code is Code.Loop_rel8_64_ECX or Code.Loope_rel8_64_ECX or Code.Loopne_rel8_64_ECX ? 4 : 8);
        d.Imm = ins.NearBranchTarget;
        d.Fn = &Interpreter.Loop;
        return true;
    }
}
