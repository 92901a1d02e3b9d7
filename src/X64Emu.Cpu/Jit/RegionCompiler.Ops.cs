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
            default:
                if (ins.ConditionCode != ConditionCode.None && ins.Mnemonic.ToString().StartsWith("Set", System.StringComparison.Ordinal))
                {
                    return EmitSetcc(bi, k);
                }

                if (ins.ConditionCode != ConditionCode.None && ins.Mnemonic.ToString().StartsWith("Cmov", System.StringComparison.Ordinal))
                {
                    return EmitCmov(bi, k);
                }

                return false;
        }
    }

    private bool FlagsLive(BlockInfo bi, int k) => bi.LiveAfter[k] != 0;

    private void PushImm(in Instruction ins, int n, int size)
    {
        _il.Emit(OpCodes.Ldc_I8, (long)(ins.GetImmediate(n) & MaskOf(size)));
    }

    // ------------------------------------------------------------------ moves

    private bool EmitMov(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2)
        {
            return false;
        }

        int size = OpSize(ins, 0);
        if (IsGpr(ins, 0) && (IsGpr(ins, 1) || IsImm(ins, 1)))
        {
            if (IsGpr(ins, 1))
            {
                PushReg(ins.Op1Register);
            }
            else
            {
                PushImm(ins, 1, size);
            }

            PopReg(ins.Op0Register);
            return true;
        }

        if (IsGpr(ins, 0) && IsMem(ins, 1))
        {
            MemSite site = BeginMemory(bi, k, size, write: false);
            PushHost(size);
            PopReg(ins.Op0Register);
            EndMemory(site);
            return true;
        }

        if (IsMem(ins, 0) && (IsGpr(ins, 1) || IsImm(ins, 1)))
        {
            if (IsGpr(ins, 1))
            {
                PushReg(ins.Op1Register);
            }
            else
            {
                PushImm(ins, 1, size);
            }

            _il.Emit(OpCodes.Stloc, _t1);
            MemSite site = BeginMemory(bi, k, size, write: true);
            StoreHost(size, _t1);
            EndMemory(site);
            return true;
        }

        return false;
    }

    private bool EmitMovx(BlockInfo bi, int k, bool signed)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2 || !IsGpr(ins, 0))
        {
            return false;
        }

        int dstSize = OpSize(ins, 0);
        int srcSize = OpSize(ins, 1);
        MemSite? site = null;
        if (IsMem(ins, 1))
        {
            site = BeginMemory(bi, k, srcSize, write: false);
            PushHost(srcSize);
        }
        else if (IsGpr(ins, 1))
        {
            PushReg(ins.Op1Register);
        }
        else
        {
            return false;
        }

        if (signed)
        {
            SignExtend(srcSize * 8);
        }

        Truncate(dstSize);
        PopReg(ins.Op0Register);
        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
    }

    private bool EmitLea(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (!IsGpr(ins, 0) || !IsMem(ins, 1) || !SimpleMemory(ins, accessed: false))
        {
            return false;
        }

        int size = OpSize(ins, 0);
        EmitEa(ins, withSegment: false);
        _il.Emit(OpCodes.Ldloc, _ea);
        Truncate(size);
        PopReg(ins.Op0Register);
        return true;
    }

    private bool EmitConvert(Mnemonic m)
    {
        switch (m)
        {
            case Mnemonic.Cdqe: // RAX = sx(EAX)
                PushReg(Register.EAX);
                SignExtend(32);
                PopReg(Register.RAX);
                return true;
            case Mnemonic.Cdq: // EDX = sign of EAX
                PushReg(Register.EAX);
                SignExtend(32);
                _il.Emit(OpCodes.Ldc_I4, 63);
                _il.Emit(OpCodes.Shr);
                PopReg(Register.EDX);
                return true;
            default: // CQO: RDX = sign of RAX
                PushReg(Register.RAX);
                _il.Emit(OpCodes.Ldc_I4, 63);
                _il.Emit(OpCodes.Shr);
                PopReg(Register.RDX);
                return true;
        }
    }

    private bool EmitXchg(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2 || !IsGpr(ins, 0) || !IsGpr(ins, 1))
        {
            return false; // XCHG with memory is locked: the handler does it atomically
        }

        PushReg(ins.Op0Register);
        _il.Emit(OpCodes.Stloc, _t0);
        PushReg(ins.Op1Register);
        PopReg(ins.Op0Register);
        _il.Emit(OpCodes.Ldloc, _t0);
        PopReg(ins.Op1Register);
        return true;
    }

    private bool EmitSetcc(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (OpSize(ins, 0) != 1)
        {
            return false;
        }

        if (IsGpr(ins, 0))
        {
            PushCond(CondOf(ins));
            _il.Emit(OpCodes.Conv_U8);
            PopReg(ins.Op0Register);
            return true;
        }

        if (!IsMem(ins, 0))
        {
            return false;
        }

        PushCond(CondOf(ins));
        _il.Emit(OpCodes.Conv_U8);
        _il.Emit(OpCodes.Stloc, _t1);
        MemSite site = BeginMemory(bi, k, 1, write: true);
        StoreHost(1, _t1);
        EndMemory(site);
        return true;
    }

    private bool EmitCmov(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2 || !IsGpr(ins, 0))
        {
            return false;
        }

        int size = OpSize(ins, 0);
        PushCond(CondOf(ins));
        _il.Emit(OpCodes.Stloc, _result);
        MemSite? site = null;
        if (IsMem(ins, 1))
        {
            site = BeginMemory(bi, k, size, write: false); // the source is read whatever the condition
            PushHost(size);
        }
        else if (IsGpr(ins, 1))
        {
            PushReg(ins.Op1Register);
        }
        else
        {
            return false;
        }

        _il.Emit(OpCodes.Stloc, _t1);
        Label keep = _il.DefineLabel();
        Label done = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _result);
        _il.Emit(OpCodes.Brfalse, keep);
        _il.Emit(OpCodes.Ldloc, _t1);
        _il.Emit(OpCodes.Br, done);
        _il.MarkLabel(keep);
        PushReg(ins.Op0Register);
        _il.MarkLabel(done);
        PopReg(ins.Op0Register); // a 32-bit CMOV zero-extends even when it does not move
        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
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
        if (m0)
        {
            PushHost(size);
        }
        else
        {
            PushReg(ins.Op0Register);
        }

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
            if (m0)
            {
                StoreHost(size, _t2);
            }
            else
            {
                _il.Emit(OpCodes.Ldloc, _t2);
                PopReg(ins.Op0Register);
            }
        }

        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
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
        if (m0)
        {
            PushHost(size);
        }
        else
        {
            PushReg(ins.Op0Register);
        }

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

        if (m0)
        {
            StoreHost(size, _t2);
        }
        else
        {
            _il.Emit(OpCodes.Ldloc, _t2);
            PopReg(ins.Op0Register);
        }

        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
    }

    // ------------------------------------------------------------------ shifts and multiplies

    /// <summary>SHL/SHR/SAR/ROL/ROR by an immediate or CL. Op: 0 ROL, 1 ROR, 4 SHL, 5 SHR, 7 SAR.</summary>
    private bool EmitShift(BlockInfo bi, int k, int op)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2)
        {
            return false;
        }

        bool m0 = IsMem(ins, 0);
        bool byCl = ins.Op1Kind == OpKind.Register;
        if ((!m0 && !IsGpr(ins, 0)) || (byCl && ins.Op1Register != Register.CL) || (!byCl && !IsImm(ins, 1)))
        {
            return false;
        }

        int size = OpSize(ins, 0);
        int bits = size * 8;
        bool live = FlagsLive(bi, k);
        int count = byCl ? -1 : ShiftCount(ins);
        if (live && (op is 0 or 1 || m0))
        {
            return false; // its flags are needed and depend on the old flags: the handler
        }

        // A SHL/SHR/SAR by CL whose flags are needed: a zero count keeps the old flags, so they go to the
        // CPU first and the helper sets the new ones only for a non-zero count.
        bool liveByCl = live && byCl;
        if (liveByCl)
        {
            MaterializeHere();
        }

        if (count == 0)
        {
            if (m0)
            {
                return false;
            }

            // No flag changes, but a 32-bit destination is still written (zero-extended).
            PushReg(ins.Op0Register);
            PopReg(ins.Op0Register);
            return true;
        }

        if (byCl)
        {
            PushReg(Register.RCX);
            _il.Emit(OpCodes.Ldc_I8, size == 8 ? 63L : 31L);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Conv_I4);
            _il.Emit(OpCodes.Stloc, _result);
        }

        MemSite? site = m0 ? BeginMemory(bi, k, size, write: true) : null;
        if (m0)
        {
            PushHost(size);
        }
        else
        {
            PushReg(ins.Op0Register);
        }

        _il.Emit(OpCodes.Stloc, _t0);
        void PushCount()
        {
            if (byCl)
            {
                _il.Emit(OpCodes.Ldloc, _result);
            }
            else
            {
                _il.Emit(OpCodes.Ldc_I4, count);
            }
        }

        switch (op)
        {
            case 4:
                _il.Emit(OpCodes.Ldloc, _t0);
                PushCount();
                _il.Emit(OpCodes.Shl);
                Truncate(size);
                break;
            case 5:
                _il.Emit(OpCodes.Ldloc, _t0);
                PushCount();
                _il.Emit(OpCodes.Shr_Un);
                break;
            case 7:
                _il.Emit(OpCodes.Ldloc, _t0);
                SignExtend(bits);
                PushCount();
                _il.Emit(OpCodes.Shr);
                Truncate(size);
                break;
            default:
                // Rotate by n = count mod bits: (d << n | d >> (bits - n)), n = 0 gives d.
                if (byCl)
                {
                    _il.Emit(OpCodes.Ldloc, _result);
                    _il.Emit(OpCodes.Ldc_I4, bits);
                    _il.Emit(OpCodes.Rem_Un);
                    _il.Emit(OpCodes.Stloc, _result);
                }
                else
                {
                    count %= bits;
                }

                _il.Emit(OpCodes.Ldloc, _t0);
                PushCount();
                _il.Emit(op == 0 ? OpCodes.Shl : OpCodes.Shr_Un);
                _il.Emit(OpCodes.Ldloc, _t0);
                _il.Emit(OpCodes.Ldc_I4, bits);
                PushCount();
                _il.Emit(OpCodes.Sub);
                _il.Emit(OpCodes.Ldc_I4, 63);
                _il.Emit(OpCodes.And);
                _il.Emit(op == 0 ? OpCodes.Shr_Un : OpCodes.Shl);
                _il.Emit(OpCodes.Or);
                Truncate(size);
                break;
        }

        _il.Emit(OpCodes.Stloc, _t2);
        if (liveByCl)
        {
            // Computed only when needed (see Materialize): usually a later instruction overwrites them.
            Copy(_t0, _fd);
            _il.Emit(OpCodes.Ldloc, _result);
            _il.Emit(OpCodes.Conv_U8);
            _il.Emit(OpCodes.Stloc, _fs);
            _state = new FState(FKind.Deferred, op | DeferredByCl, SizeIndexOf(size));
        }
        else if (live)
        {
            Copy(_t0, _fd);
            _il.Emit(OpCodes.Ldc_I8, (long)count);
            _il.Emit(OpCodes.Stloc, _fs);
            _state = new FState(FKind.Deferred, op, SizeIndexOf(size));
        }
        else
        {
            _state = FState.Dead;
        }

        if (m0)
        {
            StoreHost(size, _t2);
        }
        else
        {
            _il.Emit(OpCodes.Ldloc, _t2);
            PopReg(ins.Op0Register);
        }

        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
    }

    /// <summary>Two- and three-operand IMUL (the low half of the signed product).</summary>
    private bool EmitImul(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount < 2 || !IsGpr(ins, 0))
        {
            return false;
        }

        int size = OpSize(ins, 0);
        int bits = size * 8;
        bool live = FlagsLive(bi, k);
        bool m1 = IsMem(ins, 1);
        if (size < 2 || (live && m1) || (ins.OpCount == 3 && !IsImm(ins, 2)) || (!m1 && !IsGpr(ins, 1)))
        {
            return false;
        }

        MemSite? site = m1 ? BeginMemory(bi, k, size, write: false) : null;
        if (m1)
        {
            PushHost(size);
        }
        else
        {
            PushReg(ins.Op1Register);
        }

        SignExtend(bits);
        _il.Emit(OpCodes.Stloc, _t1);
        if (ins.OpCount == 3)
        {
            PushImm(ins, 2, size);
        }
        else
        {
            PushReg(ins.Op0Register);
        }

        SignExtend(bits);
        _il.Emit(OpCodes.Stloc, _t0);
        _il.Emit(OpCodes.Ldloc, _t0);
        _il.Emit(OpCodes.Ldloc, _t1);
        _il.Emit(OpCodes.Mul);
        Truncate(size);
        PopReg(ins.Op0Register);
        if (live)
        {
            Copy(_t0, _fd);
            Copy(_t1, _fs);
            _state = new FState(FKind.Deferred, DeferredImul, SizeIndexOf(size));
        }
        else
        {
            _state = FState.Dead;
        }

        if (site is MemSite s)
        {
            EndMemory(s);
        }

        return true;
    }

    // ------------------------------------------------------------------ stack

    private bool EmitPush(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 1 || ins.StackPointerIncrement != -8)
        {
            return false;
        }

        if (IsGpr(ins, 0))
        {
            PushReg(ins.Op0Register);
        }
        else if (IsImm(ins, 0))
        {
            _il.Emit(OpCodes.Ldc_I8, (long)ins.GetImmediate(0));
        }
        else
        {
            return false;
        }

        _il.Emit(OpCodes.Stloc, _t1);
        PushToStack(bi, k, _t1);
        return true;
    }

    /// <summary>RSP -= 8; [RSP] = value (RSP changes only if the store succeeds).</summary>
    private void PushToStack(BlockInfo bi, int k, LocalBuilder value)
    {
        PushReg(Register.RSP);
        _il.Emit(OpCodes.Ldc_I8, 8L);
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Stloc, _ea);
        MemSite site = BeginMemory(bi, k, 8, write: true, computeEa: false);
        StoreHost(8, value);
        _il.Emit(OpCodes.Ldloc, _ea);
        PopReg(Register.RSP);
        EndMemory(site);
    }

    private bool EmitPop(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 1 || !IsGpr(ins, 0) || OpSize(ins, 0) != 8)
        {
            return false;
        }

        PushReg(Register.RSP);
        _il.Emit(OpCodes.Stloc, _ea);
        MemSite site = BeginMemory(bi, k, 8, write: false, computeEa: false);
        PushHost(8);
        _il.Emit(OpCodes.Stloc, _t1);
        _il.Emit(OpCodes.Ldloc, _ea);
        _il.Emit(OpCodes.Ldc_I8, 8L);
        _il.Emit(OpCodes.Add);
        PopReg(Register.RSP);
        _il.Emit(OpCodes.Ldloc, _t1);
        PopReg(ins.Op0Register); // POP RSP: the loaded value wins
        EndMemory(site);
        return true;
    }

    // ------------------------------------------------------------------ terminators

    private void EmitTerminator(int index, BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        bool candidate = (bi.Block.Insns[k].Flags & InsnFlags.Untranslated) == 0 && !ins.HasRepPrefix && !ins.HasRepnePrefix;
        if (candidate && IsInlineJcc(ins))
        {
            _region.InlineInsns++;
            PushCond(CondOf(ins));
            Label taken = _il.DefineLabel();
            _il.Emit(OpCodes.Brtrue, taken);
            FState afterCond = _state;
            Edge(index, ins.NextIP);
            _il.MarkLabel(taken);
            _state = afterCond;
            Edge(index, ins.NearBranchTarget);
            return;
        }

        if (candidate && IsDirectJmp(ins))
        {
            _region.InlineInsns++;
            Edge(index, ins.NearBranchTarget);
            return;
        }

        if (candidate && ins.Mnemonic == Mnemonic.Call && ins.Op0Kind == OpKind.NearBranch64)
        {
            _region.InlineInsns++;
            _il.Emit(OpCodes.Ldc_I8, (long)ins.NextIP);
            _il.Emit(OpCodes.Stloc, _t1);
            PushToStack(bi, k, _t1);
            Edge(index, ins.NearBranchTarget);
            return;
        }

        if (candidate && ins.Mnemonic == Mnemonic.Call && IsGpr(ins, 0) && OpSize(ins, 0) == 8)
        {
            _region.InlineInsns++;
            PushReg(ins.Op0Register);
            _il.Emit(OpCodes.Stloc, _t2);
            _il.Emit(OpCodes.Ldc_I8, (long)ins.NextIP);
            _il.Emit(OpCodes.Stloc, _t1);
            PushToStack(bi, k, _t1);
            _il.Emit(OpCodes.Ldloc, _t2);
            ExitToStack();
            return;
        }

        if (candidate && ins.Mnemonic == Mnemonic.Ret && (ins.OpCount == 0 || ins.Op0Kind == OpKind.Immediate16))
        {
            _region.InlineInsns++;
            PushReg(Register.RSP);
            _il.Emit(OpCodes.Stloc, _ea);
            MemSite site = BeginMemory(bi, k, 8, write: false, computeEa: false);
            PushHost(8);
            _il.Emit(OpCodes.Stloc, _t1);
            _il.Emit(OpCodes.Ldloc, _ea);
            _il.Emit(OpCodes.Ldc_I8, 8L + (long)(ins.OpCount == 0 ? 0 : ins.Immediate16));
            _il.Emit(OpCodes.Add);
            PopReg(Register.RSP);
            EndMemory(site);

            // Return into the region when the address is the return site of a call compiled in it.
            foreach (BlockInfo caller in _blocks)
            {
                Instruction call = caller.Ins[^1];
                if (!caller.FallsThrough && IsDirectCall(call) && _index.ContainsKey(call.NextIP))
                {
                    Label other = _il.DefineLabel();
                    _il.Emit(OpCodes.Ldloc, _t1);
                    _il.Emit(OpCodes.Ldc_I8, (long)call.NextIP);
                    _il.Emit(OpCodes.Bne_Un, other);
                    FState s = _state;
                    Edge(index, call.NextIP);
                    _state = s;
                    _il.MarkLabel(other);
                }
            }

            _il.Emit(OpCodes.Ldloc, _t1);
            ExitToStack();
            return;
        }

        if (candidate && ins.Mnemonic == Mnemonic.Jmp && ins.OpCount == 1 && OpSize(ins, 0) == 8
            && (IsGpr(ins, 0) || (IsMem(ins, 0) && SimpleMemory(ins))))
        {
            _region.InlineInsns++;
            if (IsGpr(ins, 0))
            {
                PushReg(ins.Op0Register);
                _il.Emit(OpCodes.Stloc, _t1);
            }
            else
            {
                MemSite site = BeginMemory(bi, k, 8, write: false);
                PushHost(8);
                _il.Emit(OpCodes.Stloc, _t1);
                EndMemory(site);
            }

            _il.Emit(OpCodes.Ldloc, _t1);
            ExitToStack();
            return;
        }

        // Anything else (syscall, indirect call through memory, ud2, ...) runs its handler, which ends the block.
        _region.FallbackInsns++;
        EmitFallback(bi, k);
        Edge(index, ins.NextIP);
    }
}
