using System;
using System.Collections.Generic;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;
using Iced.Intel;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
    // ------------------------------------------------------------------ SSE integer operations

    /// <summary>
    /// The interpreter's table-driven two-operand SSE operations, keyed by the handler the decoder chose
    /// (<see cref="Interpreter.SseBinary{TOp}"/> of that operation), so an instruction compiles inline only
    /// when the interpreter would run exactly that operation.
    /// </summary>
    private static readonly Dictionary<nint, SseInfo> SseInline = BuildSseInline();

    /// <summary>An SSE operation: the helpers applying it to a 128-bit, 64-bit or 32-bit source, its memory operand size, and whether it is floating point (may raise MXCSR exceptions).</summary>
    private sealed record SseInfo(MethodInfo Op128, MethodInfo Op64, MethodInfo Op32, int MemSize, bool Fp);

    private static Dictionary<nint, SseInfo> BuildSseInline()
    {
        Dictionary<nint, SseInfo> map = new();
        MethodInfo binary = typeof(Interpreter).GetMethod(nameof(Interpreter.SseBinary))!;
        foreach (Type t in typeof(SseOps).GetNestedTypes())
        {
            if (!t.IsValueType || !typeof(ISseOp).IsAssignableFrom(t))
            {
                continue;
            }

            bool fp = (bool)t.GetProperty(nameof(ISseOp.Fp))!.GetValue(null)!;
            int memSize = (int)t.GetProperty(nameof(ISseOp.MemSize))!.GetValue(null)!;
            if (memSize is not (16 or 8 or 4))
            {
                continue;
            }

            map[binary.MakeGenericMethod(t).MethodHandle.GetFunctionPointer()] = new SseInfo(
                typeof(JitRuntime).GetMethod(nameof(JitRuntime.SseOp))!.MakeGenericMethod(t),
                typeof(JitRuntime).GetMethod(nameof(JitRuntime.SseOp64))!.MakeGenericMethod(t),
                typeof(JitRuntime).GetMethod(nameof(JitRuntime.SseOp32))!.MakeGenericMethod(t),
                memSize,
                fp);
        }

        return map;
    }

    /// <summary>Mnemonics whose instructions may compile through <see cref="EmitSse"/>.</summary>
    private static bool IsSseCandidate(Mnemonic m) => m == Mnemonic.Pmovmskb || SseMnemonics.Contains(m);

    private static readonly HashSet<Mnemonic> SseMnemonics = BuildSseMnemonics();

    private static HashSet<Mnemonic> BuildSseMnemonics()
    {
        HashSet<Mnemonic> set = new();
        foreach (Type t in typeof(SseOps).GetNestedTypes())
        {
            if (Enum.TryParse(t.Name, out Mnemonic m))
            {
                set.Add(m);
            }
        }

        return set;
    }

    /// <summary>
    /// A two-operand SSE operation xmm, xmm/m128 (or m64/m32 for scalar ones; the decoder's handler tells
    /// which operation), or PMOVMSKB r32/r64, xmm. XMM registers stay in the CPU; a memory source goes
    /// through the inline TLB test, and a 128-bit one must be 16-byte aligned (else the handler raises #GP).
    /// The host's MXCSR carries the guest's rounding mode and collects its exception flags, as for the
    /// interpreter.
    /// </summary>
    private bool EmitSse(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.Mnemonic == Mnemonic.Pmovmskb)
        {
            if (ins.Code != Code.Pmovmskb_r32_xmm || ins.Op0Kind != OpKind.Register || ins.Op1Kind != OpKind.Register)
            {
                return false;
            }

            PushXmm(ins.Op1Register);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.MoveMask)));
            _il.Emit(OpCodes.Conv_U8);
            PopReg(ins.Op0Register);
            return true;
        }

        ref Insn insn = ref _region.Insns[bi.InsnBase + k];
        if (ins.OpCount != 2 || ins.Op0Kind != OpKind.Register || !ins.Op0Register.IsXMM()
            || (insn.Flags & InsnFlags.Fused) != 0 || !SseInline.TryGetValue((nint)insn.Fn, out SseInfo? op))
        {
            return false;
        }

        bool register = ins.Op1Kind == OpKind.Register;
        if (register ? !ins.Op1Register.IsXMM() : ins.Op1Kind != OpKind.Memory || ins.MemorySize.GetSize() != op.MemSize)
        {
            return false;
        }

        // A floating-point operation while the guest has an SSE exception unmasked runs its handler, which
        // checks for #XM after the operation (the host's MXCSR masks them all).
        MemSite? fpSite = null;
        if (op.Fp)
        {
            fpSite = new MemSite(bi, k, _il.DefineLabel(), _il.DefineLabel(), _state);
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldflda, Field(typeof(Cpu), nameof(Cpu.R)));
            _il.Emit(OpCodes.Ldfld, Field(typeof(RegisterFile), nameof(RegisterFile.Mxcsr)));
            _il.Emit(OpCodes.Ldc_I4, (int)Cpu.MxcsrMasks);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Ldc_I4, (int)Cpu.MxcsrMasks);
            _il.Emit(OpCodes.Bne_Un, fpSite.Value.Miss);
        }

        if (register)
        {
            PushXmm(ins.Op0Register);
            PushXmm(ins.Op1Register);
            _il.Emit(OpCodes.Ldobj, typeof(Vector128<byte>));
            _il.Emit(OpCodes.Call, op.Op128);
        }
        else
        {
            MemSite site = BeginMemory(bi, k, op.MemSize, write: false);
            if (op.MemSize == 16)
            {
                EmitAlignmentCheck(site, 16);
            }

            PushXmm(ins.Op0Register);
            _il.Emit(OpCodes.Ldloc, _host);
            _il.Emit(OpCodes.Unaligned, (byte)1);
            switch (op.MemSize)
            {
                case 16:
                    _il.Emit(OpCodes.Ldobj, typeof(Vector128<byte>));
                    _il.Emit(OpCodes.Call, op.Op128);
                    break;
                case 8:
                    _il.Emit(OpCodes.Ldind_I8);
                    _il.Emit(OpCodes.Call, op.Op64);
                    break;
                default:
                    _il.Emit(OpCodes.Ldind_U4);
                    _il.Emit(OpCodes.Call, op.Op32);
                    break;
            }

            EndMemory(site);
        }

        if (fpSite != null)
        {
            EndMemory(fpSite.Value);
        }

        return true;
    }

    /// <summary>
    /// True for the register forms <see cref="EmitSse"/>, <see cref="EmitMovVec"/> and <see cref="EmitMovScalar"/>
    /// compile with no slow path: vector and scalar moves between XMM registers, PMOVMSKB, and integer operations.
    /// </summary>
    private bool SseStaysInline(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if (ins.OpCount != 2 || ins.Op0Kind != OpKind.Register || ins.Op1Kind != OpKind.Register)
        {
            return false;
        }

        if (ins.Mnemonic == Mnemonic.Pmovmskb)
        {
            return ins.Code == Code.Pmovmskb_r32_xmm;
        }

        if (VectorMoves.Contains(ins.Mnemonic))
        {
            return VecLoads.Contains(ins.Code) || VecStores.Contains(ins.Code) || ScalarMoves.Contains(ins.Code);
        }

        ref Insn insn = ref _region.Insns[bi.InsnBase + k];
        return ins.Op0Register.IsXMM() && ins.Op1Register.IsXMM() && (insn.Flags & InsnFlags.Fused) == 0
            && SseInline.TryGetValue((nint)insn.Fn, out SseInfo? op) && !op.Fp;
    }

    /// <summary>Branches to the site's slow path unless <see cref="_ea"/> is a multiple of <paramref name="alignment"/>.</summary>
    private void EmitAlignmentCheck(MemSite site, int alignment)
    {
        _il.Emit(OpCodes.Ldloc, _ea);
        _il.Emit(OpCodes.Ldc_I4, alignment - 1);
        _il.Emit(OpCodes.Conv_I8);
        _il.Emit(OpCodes.And);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Conv_I8);
        _il.Emit(OpCodes.Bne_Un, site.Miss);
    }
}
