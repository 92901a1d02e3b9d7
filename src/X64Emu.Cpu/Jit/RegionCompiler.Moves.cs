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

    /// <summary>The legacy-SSE 128-bit moves (not their VEX forms): loads into an XMM register, and stores from one.</summary>
    private static readonly HashSet<Code> VecLoads = new()
    {
        Code.Movups_xmm_xmmm128, Code.Movupd_xmm_xmmm128, Code.Movaps_xmm_xmmm128, Code.Movapd_xmm_xmmm128,
        Code.Movdqa_xmm_xmmm128, Code.Movdqu_xmm_xmmm128,
    };

    private static readonly HashSet<Code> VecStores = new()
    {
        Code.Movups_xmmm128_xmm, Code.Movupd_xmmm128_xmm, Code.Movaps_xmmm128_xmm, Code.Movapd_xmmm128_xmm,
        Code.Movdqa_xmmm128_xmm, Code.Movdqu_xmmm128_xmm,
    };

    /// <summary>
    /// MOVUPS/MOVUPD/MOVAPS/MOVAPD/MOVDQA/MOVDQU: 16 bytes between XMM registers (which stay in the CPU) and
    /// memory through the inline TLB test. A misaligned operand of an aligned form (#GP), a miss or a page-crossing
    /// access runs the handler.
    /// </summary>
    private bool EmitMovVec(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        bool load = VecLoads.Contains(ins.Code);
        if (!load && !VecStores.Contains(ins.Code))
        {
            return false;
        }

        bool aligned = ins.Mnemonic is Mnemonic.Movaps or Mnemonic.Movapd or Mnemonic.Movdqa;
        if (ins.Op0Kind == OpKind.Register && ins.Op1Kind == OpKind.Register)
        {
            PushXmm(ins.Op0Register);
            PushXmm(ins.Op1Register);
            CopyBlock16();
            return true;
        }

        MemSite site = BeginMemory(bi, k, 16, write: !load);
        if (aligned)
        {
            EmitAlignmentCheck(site, 16);
        }

        if (load)
        {
            PushXmm(ins.Op0Register);
            _il.Emit(OpCodes.Ldloc, _host);
        }
        else
        {
            _il.Emit(OpCodes.Ldloc, _host);
            PushXmm(ins.Op1Register);
        }

        CopyBlock16();
        EndMemory(site);
        return true;
    }

    /// <summary>The SSE forms of MOVSD/MOVSS/MOVQ <see cref="EmitMovScalar"/> compiles.</summary>
    private static readonly HashSet<Code> ScalarMoves = new()
    {
        Code.Movsd_xmm_xmmm64, Code.Movsd_xmmm64_xmm, Code.Movss_xmm_xmmm32, Code.Movss_xmmm32_xmm,
        Code.Movq_xmm_xmmm64, Code.Movq_xmmm64_xmm,
    };

    /// <summary>
    /// MOVSD/MOVSS/MOVQ with XMM operands (the SSE forms, not the string MOVSD): a scalar load zeroes the
    /// rest of the register (MOVQ always does), a register-to-register MOVSD/MOVSS keeps it, a store writes
    /// the low 8 or 4 bytes.
    /// </summary>
    private bool EmitMovScalar(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        int size;
        bool toXmm;
        bool movq = false;
        switch (ins.Code)
        {
            case Code.Movsd_xmm_xmmm64: size = 8; toXmm = true; break;
            case Code.Movsd_xmmm64_xmm: size = 8; toXmm = false; break;
            case Code.Movss_xmm_xmmm32: size = 4; toXmm = true; break;
            case Code.Movss_xmmm32_xmm: size = 4; toXmm = false; break;
            case Code.Movq_xmm_xmmm64: size = 8; toXmm = true; movq = true; break;
            case Code.Movq_xmmm64_xmm: size = 8; toXmm = false; movq = true; break;
            default: return false;
        }

        // Whole 16-byte writes of the register (a later 16-byte read of it is forwarded from the store;
        // two 8-byte stores would stall it).
        if (ins.Op0Kind == OpKind.Register && ins.Op1Kind == OpKind.Register)
        {
            PushXmm(ins.Op0Register);
            PushXmm(ins.Op1Register);
            string helper = movq ? nameof(JitRuntime.MoveQ) : size == 8 ? nameof(JitRuntime.MoveLow64) : nameof(JitRuntime.MoveLow32);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), helper));
            return true;
        }

        if (toXmm)
        {
            if (ins.Op1Kind != OpKind.Memory)
            {
                return false;
            }

            MemSite site = BeginMemory(bi, k, size, write: false);
            PushXmm(ins.Op0Register);
            _il.Emit(OpCodes.Ldloc, _host);
            _il.Emit(OpCodes.Unaligned, (byte)1);
            _il.Emit(size == 8 ? OpCodes.Ldind_I8 : OpCodes.Ldind_U4);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), size == 8 ? nameof(JitRuntime.LoadScalar64) : nameof(JitRuntime.LoadScalar32)));
            EndMemory(site);
            return true;
        }

        if (ins.Op0Kind != OpKind.Memory)
        {
            return false;
        }

        MemSite store = BeginMemory(bi, k, size, write: true);
        _il.Emit(OpCodes.Ldloc, _host);
        PushXmm(ins.Op1Register);
        _il.Emit(size == 8 ? OpCodes.Ldind_I8 : OpCodes.Ldind_U4);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(size == 8 ? OpCodes.Stind_I8 : OpCodes.Stind_I4);
        EndMemory(store);
        return true;
    }

    /// <summary>Pushes the address of XMM register <paramref name="r"/> in the CPU's register file.</summary>
    private void PushXmm(Register r)
    {
        System.Reflection.FieldInfo xmm = Field(typeof(RegisterFile), nameof(RegisterFile.Xmm));
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldflda, Field(typeof(Cpu), nameof(Cpu.R)));
        _il.Emit(OpCodes.Ldflda, xmm);
        _il.Emit(OpCodes.Ldflda, xmm.FieldType.GetField("FixedElementField")!);
        int n = r - Register.XMM0;
        if (n != 0)
        {
            _il.Emit(OpCodes.Ldc_I4, n * 16);
            _il.Emit(OpCodes.Conv_I);
            _il.Emit(OpCodes.Add);
        }
    }

    /// <summary>Copies 16 bytes (destination and source addresses on the stack).</summary>
    private void CopyBlock16()
    {
        _il.Emit(OpCodes.Ldc_I4, 16);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(OpCodes.Cpblk);
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
