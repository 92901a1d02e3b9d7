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
    /// The interpreter's table-driven two-operand SSE operations that compile inline: the integer ones
    /// (no MXCSR exceptions) with a 128-bit source, keyed by the handler the decoder chose
    /// (<see cref="Interpreter.SseBinary{TOp}"/> of that operation), so an instruction compiles inline only
    /// when the interpreter would run exactly that operation.
    /// </summary>
    private static readonly Dictionary<nint, MethodInfo> SseInline = BuildSseInline();

    private static Dictionary<nint, MethodInfo> BuildSseInline()
    {
        Dictionary<nint, MethodInfo> map = new();
        MethodInfo binary = typeof(Interpreter).GetMethod(nameof(Interpreter.SseBinary))!;
        MethodInfo op = typeof(JitRuntime).GetMethod(nameof(JitRuntime.SseOp))!;
        foreach (Type t in typeof(SseOps).GetNestedTypes())
        {
            if (!t.IsValueType || !typeof(ISseOp).IsAssignableFrom(t))
            {
                continue;
            }

            bool fp = (bool)t.GetProperty(nameof(ISseOp.Fp))!.GetValue(null)!;
            int memSize = (int)t.GetProperty(nameof(ISseOp.MemSize))!.GetValue(null)!;
            if (fp || memSize != 16)
            {
                continue;
            }

            map[binary.MakeGenericMethod(t).MethodHandle.GetFunctionPointer()] = op.MakeGenericMethod(t);
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
    /// An integer SSE operation xmm, xmm/m128 (the decoder's handler tells which), or PMOVMSKB r32/r64, xmm.
    /// XMM registers stay in the CPU; a memory source goes through the inline TLB test and must be 16-byte
    /// aligned (else the handler raises #GP).
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
            || (insn.Flags & InsnFlags.Fused) != 0 || !SseInline.TryGetValue((nint)insn.Fn, out MethodInfo? op))
        {
            return false;
        }

        if (ins.Op1Kind == OpKind.Register)
        {
            if (!ins.Op1Register.IsXMM())
            {
                return false;
            }

            PushXmm(ins.Op0Register);
            PushXmm(ins.Op1Register);
            _il.Emit(OpCodes.Ldobj, typeof(Vector128<byte>));
            _il.Emit(OpCodes.Call, op);
            return true;
        }

        if (ins.Op1Kind != OpKind.Memory || ins.MemorySize.GetSize() != 16)
        {
            return false;
        }

        MemSite site = BeginMemory(bi, k, 16, write: false);
        EmitAlignmentCheck(site, 16);
        PushXmm(ins.Op0Register);
        _il.Emit(OpCodes.Ldloc, _host);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(OpCodes.Ldobj, typeof(Vector128<byte>));
        _il.Emit(OpCodes.Call, op);
        EndMemory(site);
        return true;
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
