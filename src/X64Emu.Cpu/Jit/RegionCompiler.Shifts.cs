using System.Collections.Generic;
using System.Reflection.Emit;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
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
        ReadRm(ins, m0, size);
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

        WriteRm(ins, m0, size, _t2);

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
}
