using System.Collections.Generic;
using System.Reflection.Emit;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
    /// <summary>Mnemonics with an inline form (operand forms the emitters decline run their handler).</summary>
    private static readonly HashSet<Mnemonic> Inline = new()
    {
        Mnemonic.Mov, Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd, Mnemonic.Lea,
        Mnemonic.Add, Mnemonic.Sub, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Or, Mnemonic.Xor, Mnemonic.Cmp, Mnemonic.Test,
        Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not,
        Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror,
        Mnemonic.Imul, Mnemonic.Push, Mnemonic.Pop, Mnemonic.Nop, Mnemonic.Endbr64,
        Mnemonic.Cdqe, Mnemonic.Cdq, Mnemonic.Cqo, Mnemonic.Xchg,
        Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne,
        Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp,
        Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
        Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne,
        Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp,
        Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
        Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movaps, Mnemonic.Movapd, Mnemonic.Movdqa, Mnemonic.Movdqu,
        Mnemonic.Movsd, Mnemonic.Movss, Mnemonic.Movq,
    };

    /// <summary>The SSE move mnemonics of <see cref="Inline"/> (see <see cref="MayLeave"/>).</summary>
    private static readonly HashSet<Mnemonic> VectorMoves = new()
    {
        Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movaps, Mnemonic.Movapd, Mnemonic.Movdqa, Mnemonic.Movdqu,
        Mnemonic.Movsd, Mnemonic.Movss, Mnemonic.Movq,
    };

    /// <summary>
    /// Flags an instruction overwrites for the liveness pass. Shifts and rotates whose count may be
    /// zero at run time leave the flags alone then, so they count as overwriting nothing.
    /// </summary>
    private static int FlagsWritten(in Instruction ins)
    {
        if (IsShift(ins.Mnemonic) && ins.OpCount == 2)
        {
            if (ins.Op1Kind == OpKind.Register)
            {
                return 0;
            }

            if (ShiftCount(ins) == 0)
            {
                return 0;
            }
        }

        return (int)ins.RflagsModified & AllFlags;
    }

    private static bool IsShift(Mnemonic m) =>
        m is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr;

    private static int ShiftCount(in Instruction ins)
    {
        int size = OpSize(ins, 0);
        return (int)(ins.GetImmediate(1) & (size == 8 ? 63UL : 31UL));
    }

    private static int OpSize(in Instruction ins, int n) => ins.GetOpKind(n) switch
    {
        OpKind.Register => ins.GetOpRegister(n).GetSize(),
        OpKind.Memory => ins.MemorySize.GetSize(),
        _ => 0,
    };

    private static bool IsGpr(in Instruction ins, int n) =>
        ins.GetOpKind(n) == OpKind.Register && Slot(ins.GetOpRegister(n)) >= 0;

    private static bool IsImm(in Instruction ins, int n) => ins.GetOpKind(n) is
        OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64
        or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64;

    private static bool IsMem(in Instruction ins, int n) => ins.GetOpKind(n) == OpKind.Memory;

    private static int CondOf(in Instruction ins) => (int)ins.ConditionCode - 1;

    private bool TryEmitInline(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        switch (ins.Mnemonic)
        {
            case Mnemonic.Nop:
            case Mnemonic.Endbr64:
                return true;
            case Mnemonic.Mov:
                return EmitMov(bi, k);
            case Mnemonic.Movzx:
            case Mnemonic.Movsx:
            case Mnemonic.Movsxd:
                return EmitMovx(bi, k, ins.Mnemonic != Mnemonic.Movzx);
            case Mnemonic.Lea:
                return EmitLea(bi, k);
            case Mnemonic.Add:
                return EmitAlu(bi, k, FlagOp.Add, OpCodes.Add, true);
            case Mnemonic.Sub:
                return EmitAlu(bi, k, FlagOp.Sub, OpCodes.Sub, true);
            case Mnemonic.Adc:
                return EmitAlu(bi, k, FlagOp.Adc, OpCodes.Add, true);
            case Mnemonic.Sbb:
                return EmitAlu(bi, k, FlagOp.Sbb, OpCodes.Sub, true);
            case Mnemonic.Cmp:
                return EmitAlu(bi, k, FlagOp.Sub, OpCodes.Sub, false);
            case Mnemonic.And:
                return EmitAlu(bi, k, FlagOp.Logic, OpCodes.And, true);
            case Mnemonic.Test:
                return EmitAlu(bi, k, FlagOp.Logic, OpCodes.And, false);
            case Mnemonic.Or:
                return EmitAlu(bi, k, FlagOp.Logic, OpCodes.Or, true);
            case Mnemonic.Xor:
                return EmitAlu(bi, k, FlagOp.Logic, OpCodes.Xor, true);
            case Mnemonic.Inc:
            case Mnemonic.Dec:
            case Mnemonic.Neg:
            case Mnemonic.Not:
                return EmitUnary(bi, k);
            case Mnemonic.Shl:
            case Mnemonic.Sal:
                return EmitShift(bi, k, 4);
            case Mnemonic.Shr:
                return EmitShift(bi, k, 5);
            case Mnemonic.Sar:
                return EmitShift(bi, k, 7);
            case Mnemonic.Rol:
                return EmitShift(bi, k, 0);
            case Mnemonic.Ror:
                return EmitShift(bi, k, 1);
            case Mnemonic.Imul:
                return EmitImul(bi, k);
            case Mnemonic.Push:
                return EmitPush(bi, k);
            case Mnemonic.Pop:
                return EmitPop(bi, k);
            case Mnemonic.Cdqe:
            case Mnemonic.Cdq:
            case Mnemonic.Cqo:
                return EmitConvert(ins.Mnemonic);
            case Mnemonic.Xchg:
                return EmitXchg(bi, k);
            case Mnemonic.Movups:
            case Mnemonic.Movupd:
            case Mnemonic.Movaps:
            case Mnemonic.Movapd:
            case Mnemonic.Movdqa:
            case Mnemonic.Movdqu:
                return EmitMovVec(bi, k);
            case Mnemonic.Movsd:
            case Mnemonic.Movss:
            case Mnemonic.Movq:
                return EmitMovScalar(bi, k);
            default:
                if (ins.ConditionCode != ConditionCode.None && ins.Mnemonic.ToString().StartsWith("Set", System.StringComparison.Ordinal))
                {
                    return EmitSetcc(bi, k);
                }

                if (ins.ConditionCode != ConditionCode.None && ins.Mnemonic.ToString().StartsWith("Cmov", System.StringComparison.Ordinal))
                {
                    return EmitCmov(bi, k);
                }

                return IsSseCandidate(ins.Mnemonic) && EmitSse(bi, k);
        }
    }

    private bool FlagsLive(BlockInfo bi, int k) => bi.LiveAfter[k] != 0;

    private void PushImm(in Instruction ins, int n, int size)
    {
        _il.Emit(OpCodes.Ldc_I8, (long)(ins.GetImmediate(n) & MaskOf(size)));
    }

    // ------------------------------------------------------------------ ALU

    private bool EmitAlu(BlockInfo bi, int k, int kind, OpCode op, bool writes)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2)
        {
            return false;
        }

        int size = OpSize(ins, 0);
        bool m0 = IsMem(ins, 0);
        bool m1 = IsMem(ins, 1);
        if ((!m0 && !IsGpr(ins, 0)) || (!m1 && !IsGpr(ins, 1) && !IsImm(ins, 1)) || size is not (1 or 2 or 4 or 8))
        {
            return false;
        }

        bool live = FlagsLive(bi, k);
        bool withCarry = kind is FlagOp.Adc or FlagOp.Sbb;
        if (withCarry)
        {
            // ADC/SBB: the carry in, from the flags before (computed before anything is overwritten).
            PushCarry();
            _il.Emit(OpCodes.Stloc, _cin);
        }

        MemSite? site = m0 || m1 ? BeginMemory(bi, k, size, write: m0 && writes) : null;
        ReadRm(ins, m0, size);
        _il.Emit(OpCodes.Stloc, _t0);
        if (m1)
        {
            PushHost(size);
        }
        else if (IsImm(ins, 1))
        {
            PushImm(ins, 1, size);
        }
        else
        {
            PushReg(ins.Op1Register);
        }

        _il.Emit(OpCodes.Stloc, _t1);
        _il.Emit(OpCodes.Ldloc, _t0);
        _il.Emit(OpCodes.Ldloc, _t1);
        _il.Emit(op);
        if (withCarry)
        {
            _il.Emit(OpCodes.Ldloc, _cin);
            _il.Emit(op);
        }

        if (kind != FlagOp.Logic)
        {
            Truncate(size);
        }

        _il.Emit(OpCodes.Stloc, _t2);
        if (live)
        {
            if (kind != FlagOp.Logic)
            {
                Copy(_t0, _fd);
                Copy(_t1, _fs);
            }

            Copy(_t2, _fr);
            _state = new FState(FKind.Lazy, kind | SizeIndexOf(size), SizeIndexOf(size));
        }
        else
        {
            _state = FState.Dead;
        }

        if (writes)
        {
            WriteRm(ins, m0, size, _t2);
        }

        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
    }

    /// <summary>Writes local <paramref name="value"/> to operand 0: memory at the site's host address, or a register.</summary>
    /// <summary>Pushes the r/m destination operand's value: from <see cref="_host"/> (after the TLB test) or its register.</summary>
    private void ReadRm(in Instruction ins, bool mem, int size)
    {
        if (mem)
        {
            PushHost(size);
        }
        else
        {
            PushReg(ins.Op0Register);
        }
    }

    private void WriteRm(in Instruction ins, bool mem, int size, LocalBuilder value)
    {
        if (mem)
        {
            StoreHost(size, value);
        }
        else
        {
            _il.Emit(OpCodes.Ldloc, value);
            PopReg(ins.Op0Register);
        }
    }

    private void Copy(LocalBuilder from, LocalBuilder to)
    {
        _il.Emit(OpCodes.Ldloc, from);
        _il.Emit(OpCodes.Stloc, to);
    }

    /// <summary>INC, DEC, NEG, NOT on a register or (unlocked) memory.</summary>
    private bool EmitUnary(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        bool m0 = IsMem(ins, 0);
        if (ins.OpCount != 1 || (!m0 && !IsGpr(ins, 0)))
        {
            return false;
        }

        int size = OpSize(ins, 0);
        Mnemonic m = ins.Mnemonic;
        bool live = FlagsLive(bi, k) && m != Mnemonic.Not;
        if (live && m is Mnemonic.Inc or Mnemonic.Dec)
        {
            // INC/DEC keep CF: take it from the flags before (computed before anything is overwritten),
            // unless nothing reads CF before it is overwritten.
            if ((bi.LiveAfter[k] & (int)RflagsBits.CF) != 0)
            {
                PushCarry();
            }
            else
            {
                _il.Emit(OpCodes.Ldc_I8, 0L);
            }

            _il.Emit(OpCodes.Stloc, _t1);
        }

        MemSite? site = m0 ? BeginMemory(bi, k, size, write: true) : null;
        ReadRm(ins, m0, size);
        _il.Emit(OpCodes.Stloc, _t0);
        switch (m)
        {
            case Mnemonic.Inc:
            case Mnemonic.Dec:
                _il.Emit(OpCodes.Ldloc, _t0);
                _il.Emit(OpCodes.Ldc_I8, 1L);
                _il.Emit(m == Mnemonic.Inc ? OpCodes.Add : OpCodes.Sub);
                break;
            case Mnemonic.Neg:
                _il.Emit(OpCodes.Ldc_I8, 0L);
                _il.Emit(OpCodes.Ldloc, _t0);
                _il.Emit(OpCodes.Sub);
                break;
            default:
                _il.Emit(OpCodes.Ldloc, _t0);
                _il.Emit(OpCodes.Not);
                break;
        }

        Truncate(size);
        _il.Emit(OpCodes.Stloc, _t2);
        if (m != Mnemonic.Not)
        {
            if (!live)
            {
                _state = FState.Dead;
            }
            else if (m == Mnemonic.Neg)
            {
                _il.Emit(OpCodes.Ldc_I8, 0L);
                _il.Emit(OpCodes.Stloc, _fd);
                Copy(_t0, _fs);
                Copy(_t2, _fr);
                _state = new FState(FKind.Lazy, FlagOp.Sub | SizeIndexOf(size), SizeIndexOf(size));
            }
            else
            {
                Copy(_t0, _fd);
                _il.Emit(OpCodes.Ldc_I8, 1L);
                _il.Emit(OpCodes.Stloc, _fs);
                Copy(_t2, _fr);
                Copy(_t1, _fcf);
                int kind = m == Mnemonic.Inc ? FlagOp.Inc : FlagOp.Dec;
                _state = new FState(FKind.Lazy, kind | SizeIndexOf(size), SizeIndexOf(size));
            }
        }

        WriteRm(ins, m0, size, _t2);

        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
    }

}
