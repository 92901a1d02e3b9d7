using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

public static unsafe partial class Translator
{
    private static void RegisterStack()
    {
        Define(Mnemonic.Push, &BuildPush);
        Define(Mnemonic.Pop, &BuildPop);
        Define(Mnemonic.Pushfq, &BuildSimple);
        Define(Mnemonic.Popfq, &BuildSimple);
        Define(Mnemonic.Call, &BuildCall);
        Define(Mnemonic.Ret, &BuildRet);
        Define(Mnemonic.Leave, &BuildSimple);
    }

    private static bool BuildPush(ref Insn d, in Instruction ins)
    {
        int size = ins.StackPointerIncrement == -2 ? 2 : 8;
        if (IsGpr(in ins, 0))
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = size == 2 ? &Interpreter.PushR<W16> : &Interpreter.PushR<W64>;
        }
        else if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = size == 2 ? &Interpreter.PushM<W16> : &Interpreter.PushM<W64>;
        }
        else if (IsImm(in ins, 0))
        {
            d.Imm = ins.GetImmediate(0);
            d.Fn = size == 2 ? &Interpreter.PushI<W16> : &Interpreter.PushI<W64>;
        }
        else
        {
            return false; // segment registers
        }

        return true;
    }

    private static bool BuildPop(ref Insn d, in Instruction ins)
    {
        int size = ins.StackPointerIncrement == 2 ? 2 : 8;
        if (IsGpr(in ins, 0))
        {
            d.Reg = GprOff(ins.Op0Register);
            d.Fn = size == 2 ? &Interpreter.PopR<W16> : &Interpreter.PopR<W64>;
        }
        else if (IsMem(in ins, 0))
        {
            SetMem(ref d, in ins);
            d.Fn = size == 2 ? &Interpreter.PopM<W16> : &Interpreter.PopM<W64>;
        }
        else
        {
            return false;
        }

        return true;
    }

    private static bool BuildSimple(ref Insn d, in Instruction ins)
    {
        d.Fn = ins.Mnemonic switch
        {
            Mnemonic.Pushfq => &Interpreter.Pushf,
            Mnemonic.Popfq => &Interpreter.Popf,
            Mnemonic.Leave => &Interpreter.Leave,
            _ => null,
        };
        return d.Fn != null;
    }

    private static bool BuildCall(ref Insn d, in Instruction ins)
    {
        switch (ins.Op0Kind)
        {
            case OpKind.NearBranch64:
                d.Imm = ins.NearBranchTarget;
                d.Fn = &Interpreter.CallRel;
                return true;
            case OpKind.Register when ins.Op0Register.GetSize() == 8:
                d.Reg = GprOff(ins.Op0Register);
                d.Fn = &Interpreter.CallR;
                return true;
            case OpKind.Memory when ins.Code is Code.Call_rm64 or Code.Jmp_rm64:
                SetMem(ref d, in ins);
                d.Fn = &Interpreter.CallM;
                return true;
            default:
                return false; // far calls
        }
    }

    private static bool BuildRet(ref Insn d, in Instruction ins)
    {
        if (ins.Code != Code.Retnq && ins.Code != Code.Retnq_imm16)
        {
            return false;
        }

        d.Imm = ins.OpCount > 0 ? ins.Immediate16 : 0UL;
        d.Fn = &Interpreter.Ret;
        return true;
    }
}
