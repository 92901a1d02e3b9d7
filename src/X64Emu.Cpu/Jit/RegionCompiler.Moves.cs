using System.Collections.Generic;
using System.Reflection.Emit;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
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
}
