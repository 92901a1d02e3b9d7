using System.Collections.Generic;
using System.Reflection.Emit;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
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

        MemSite site = PopFromStack(bi, k, 8);
        _il.Emit(OpCodes.Ldloc, _t1);
        PopReg(ins.Op0Register); // POP RSP: the loaded value wins
        EndMemory(site);
        return true;
    }

    /// <summary>
    /// Loads the quadword at RSP into <see cref="_t1"/> and adds <paramref name="release"/> to RSP; the caller
    /// ends the returned memory site after what else the instruction does.
    /// </summary>
    private MemSite PopFromStack(BlockInfo bi, int k, long release)
    {
        PushReg(Register.RSP);
        _il.Emit(OpCodes.Stloc, _ea);
        MemSite site = BeginMemory(bi, k, 8, write: false, computeEa: false);
        PushHost(8);
        _il.Emit(OpCodes.Stloc, _t1);
        _il.Emit(OpCodes.Ldloc, _ea);
        _il.Emit(OpCodes.Ldc_I8, release);
        _il.Emit(OpCodes.Add);
        PopReg(Register.RSP);
        return site;
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
            EndMemory(PopFromStack(bi, k, 8L + (ins.OpCount == 0 ? 0 : ins.Immediate16)));

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
