using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Jit;

/// <summary>Helpers that compiled code calls: register-file access and flag materialisation that mirrors the interpreter.</summary>
internal static unsafe class JitRuntime
{
    /// <summary>Runs the interpreter handler of a compiled site (a fused CMP/TEST + Jcc runs only its first half).</summary>
    public static int RunHandler(Cpu c, nint site)
    {
        Insn* insn = (Insn*)site;
        delegate*<Cpu, ref Insn, int> fn = (insn->Flags & InsnFlags.Fused) != 0 ? insn->Plain : insn->Fn;
        return fn(c, ref *insn);
    }

    /// <summary>An SSE operation on an XMM register of the CPU and a 128-bit source (inlined into compiled code).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SseOp<TOp>(ref Vector128<byte> dst, Vector128<byte> src) where TOp : struct, ISseOp =>
        dst = TOp.Exec(dst, src, 0);

    /// <summary>A scalar SSE operation with a 64-bit memory source (zero-extended, as the interpreter loads it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SseOp64<TOp>(ref Vector128<byte> dst, ulong src) where TOp : struct, ISseOp =>
        dst = TOp.Exec(dst, Vector128.CreateScalar(src).AsByte(), 0);

    /// <summary>A scalar SSE operation with a 32-bit memory source (zero-extended, as the interpreter loads it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SseOp32<TOp>(ref Vector128<byte> dst, uint src) where TOp : struct, ISseOp =>
        dst = TOp.Exec(dst, Vector128.CreateScalar(src).AsByte(), 0);

    /// <summary>MOVSD/MOVQ xmm, m64: the value in the low half, the upper half zeroed (one 16-byte store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadScalar64(ref Vector128<byte> dst, ulong v) => dst = Vector128.CreateScalar(v).AsByte();

    /// <summary>MOVSS xmm, m32: the value in the low 4 bytes, the rest zeroed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadScalar32(ref Vector128<byte> dst, uint v) => dst = Vector128.CreateScalar(v).AsByte();

    /// <summary>MOVSD xmm, xmm: the source's low 8 bytes into the destination, whose upper half stays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MoveLow64(ref Vector128<byte> dst, ref Vector128<byte> src) =>
        dst = dst.AsUInt64().WithElement(0, src.AsUInt64().ToScalar()).AsByte();

    /// <summary>MOVSS xmm, xmm: the source's low 4 bytes into the destination, whose other 12 stay.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MoveLow32(ref Vector128<byte> dst, ref Vector128<byte> src) =>
        dst = dst.AsUInt32().WithElement(0, src.AsUInt32().ToScalar()).AsByte();

    /// <summary>MOVQ xmm, xmm: the source's low 8 bytes, the upper half zeroed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MoveQ(ref Vector128<byte> dst, ref Vector128<byte> src) =>
        dst = Vector128.CreateScalar(src.AsUInt64().ToScalar()).AsByte();

    /// <summary>PMOVMSKB: the top bit of each byte of an XMM register of the CPU.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint MoveMask(ref Vector128<byte> x) => x.ExtractMostSignificantBits();

    /// <summary>Leaves compiled code after a site's instruction (its region was invalidated by the handler).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int LeaveAfter(Cpu c, nint site)
    {
        c.R.Rip = ((Insn*)site)->Next;
        return (int)ExitReason.BlockEnd;
    }

    /// <summary>Sets the flags a SHL/SHR/SAR by a non-zero count leaves (the interpreter's own computation).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ShiftFlags(Cpu c, int op, int sizeIndex, ulong d, int count)
    {
        switch (sizeIndex)
        {
            case 0: Interpreter.Shift<W8>(c, op, d, count); break;
            case 1: Interpreter.Shift<W16>(c, op, d, count); break;
            case 2: Interpreter.Shift<W32>(c, op, d, count); break;
            default: Interpreter.Shift<W64>(c, op, d, count); break;
        }
    }

    /// <summary>Sets the flags of a two- or three-operand IMUL of the sign-extended operands, as the interpreter does.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ImulFlags(Cpu c, int sizeIndex, long a, long b)
    {
        switch (sizeIndex)
        {
            case 1: Imul<W16>(c, a, b); break;
            case 2: Imul<W32>(c, a, b); break;
            default: Imul<W64>(c, a, b); break;
        }
    }

    private static void Imul<W>(Cpu c, long a, long b) where W : struct, IWidth
    {
        long h = Math.BigMul(a, b, out long l);
        ulong lo = (ulong)l & W.Mask;
        bool fits = W.Bits == 64 ? h == (l >> 63) : W.Sx(lo) == l;
        c.SetMaterialized((fits ? 0 : RFlags.CF | RFlags.OF) | Interpreter.ResultFlags<W>(lo));
    }
}
