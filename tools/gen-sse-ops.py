#!/usr/bin/env python3
"""Generates the SSE/SSE2 two-operand operation table of X64Emu's interpreter.

Each entry: mnemonic, expression over a, b (Vector128<byte>, destination and source) and imm (byte),
memory operand size (16 = m128 and 16-byte alignment required, 8/4 = scalar, no alignment), and whether
it is floating point (then unmasked MXCSR exceptions are checked). Expressions use .NET intrinsics, which
the JIT emits as the same x86 instruction, so results (and MXCSR flags) are the host CPU's own.
Output: src/X64Emu.Cpu/Interp/SseOps.g.cs and src/X64Emu.Cpu/Decode/Translator.SseTable.g.cs
"""
import sys

B, W, D, Q = "AsByte()", "AsInt16()", "AsInt32()", "AsInt64()"
OPS = [
    # packed integer
    ("Paddb", "Sse2.Add(a, b)", 16, False),
    ("Paddw", "Sse2.Add(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Paddd", "Sse2.Add(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Paddq", "Sse2.Add(a.AsInt64(), b.AsInt64()).AsByte()", 16, False),
    ("Psubb", "Sse2.Subtract(a, b)", 16, False),
    ("Psubw", "Sse2.Subtract(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Psubd", "Sse2.Subtract(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Psubq", "Sse2.Subtract(a.AsInt64(), b.AsInt64()).AsByte()", 16, False),
    ("Paddsb", "Sse2.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte()", 16, False),
    ("Paddsw", "Sse2.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Paddusb", "Sse2.AddSaturate(a, b)", 16, False),
    ("Paddusw", "Sse2.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte()", 16, False),
    ("Psubsb", "Sse2.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte()", 16, False),
    ("Psubsw", "Sse2.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Psubusb", "Sse2.SubtractSaturate(a, b)", 16, False),
    ("Psubusw", "Sse2.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte()", 16, False),
    ("Pmullw", "Sse2.MultiplyLow(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pmulhw", "Sse2.MultiplyHigh(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pmulhuw", "Sse2.MultiplyHigh(a.AsUInt16(), b.AsUInt16()).AsByte()", 16, False),
    ("Pmuludq", "Sse2.Multiply(a.AsUInt32(), b.AsUInt32()).AsByte()", 16, False),
    ("Pmaddwd", "Sse2.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Psadbw", "Sse2.SumAbsoluteDifferences(a, b).AsByte()", 16, False),
    ("Pavgb", "Sse2.Average(a, b)", 16, False),
    ("Pavgw", "Sse2.Average(a.AsUInt16(), b.AsUInt16()).AsByte()", 16, False),
    ("Pminub", "Sse2.Min(a, b)", 16, False),
    ("Pmaxub", "Sse2.Max(a, b)", 16, False),
    ("Pminsw", "Sse2.Min(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pmaxsw", "Sse2.Max(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pcmpeqb", "Sse2.CompareEqual(a, b)", 16, False),
    ("Pcmpeqw", "Sse2.CompareEqual(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pcmpeqd", "Sse2.CompareEqual(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Pcmpgtb", "Sse2.CompareGreaterThan(a.AsSByte(), b.AsSByte()).AsByte()", 16, False),
    ("Pcmpgtw", "Sse2.CompareGreaterThan(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pcmpgtd", "Sse2.CompareGreaterThan(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Pand", "Sse2.And(a, b)", 16, False),
    ("Pandn", "Sse2.AndNot(a, b)", 16, False),
    ("Por", "Sse2.Or(a, b)", 16, False),
    ("Pxor", "Sse2.Xor(a, b)", 16, False),
    ("Packsswb", "Sse2.PackSignedSaturate(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Packssdw", "Sse2.PackSignedSaturate(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Packuswb", "Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Punpcklbw", "Sse2.UnpackLow(a, b)", 16, False),
    ("Punpcklwd", "Sse2.UnpackLow(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Punpckldq", "Sse2.UnpackLow(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Punpcklqdq", "Sse2.UnpackLow(a.AsInt64(), b.AsInt64()).AsByte()", 16, False),
    ("Punpckhbw", "Sse2.UnpackHigh(a, b)", 16, False),
    ("Punpckhwd", "Sse2.UnpackHigh(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Punpckhdq", "Sse2.UnpackHigh(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Punpckhqdq", "Sse2.UnpackHigh(a.AsInt64(), b.AsInt64()).AsByte()", 16, False),
    # shifts by an xmm count (the immediate forms are handled by the shift builder)
    ("Psllw", "Sse2.ShiftLeftLogical(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Pslld", "Sse2.ShiftLeftLogical(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Psllq", "Sse2.ShiftLeftLogical(a.AsInt64(), b.AsInt64()).AsByte()", 16, False),
    ("Psrlw", "Sse2.ShiftRightLogical(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Psrld", "Sse2.ShiftRightLogical(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    ("Psrlq", "Sse2.ShiftRightLogical(a.AsInt64(), b.AsInt64()).AsByte()", 16, False),
    ("Psraw", "Sse2.ShiftRightArithmetic(a.AsInt16(), b.AsInt16()).AsByte()", 16, False),
    ("Psrad", "Sse2.ShiftRightArithmetic(a.AsInt32(), b.AsInt32()).AsByte()", 16, False),
    # packed single / double
    ("Addps", "Sse.Add(a.AsSingle(), b.AsSingle()).AsByte()", 16, True),
    ("Subps", "Sse.Subtract(a.AsSingle(), b.AsSingle()).AsByte()", 16, True),
    ("Mulps", "Sse.Multiply(a.AsSingle(), b.AsSingle()).AsByte()", 16, True),
    ("Divps", "Sse.Divide(a.AsSingle(), b.AsSingle()).AsByte()", 16, True),
    ("Minps", "Sse.Min(a.AsSingle(), b.AsSingle()).AsByte()", 16, True),
    ("Maxps", "Sse.Max(a.AsSingle(), b.AsSingle()).AsByte()", 16, True),
    ("Sqrtps", "Sse.Sqrt(b.AsSingle()).AsByte()", 16, True),
    ("Rcpps", "Sse.Reciprocal(b.AsSingle()).AsByte()", 16, True),
    ("Rsqrtps", "Sse.ReciprocalSqrt(b.AsSingle()).AsByte()", 16, True),
    ("Andps", "Sse.And(a.AsSingle(), b.AsSingle()).AsByte()", 16, False),
    ("Andnps", "Sse.AndNot(a.AsSingle(), b.AsSingle()).AsByte()", 16, False),
    ("Orps", "Sse.Or(a.AsSingle(), b.AsSingle()).AsByte()", 16, False),
    ("Xorps", "Sse.Xor(a.AsSingle(), b.AsSingle()).AsByte()", 16, False),
    ("Unpcklps", "Sse.UnpackLow(a.AsSingle(), b.AsSingle()).AsByte()", 16, False),
    ("Unpckhps", "Sse.UnpackHigh(a.AsSingle(), b.AsSingle()).AsByte()", 16, False),
    ("Addpd", "Sse2.Add(a.AsDouble(), b.AsDouble()).AsByte()", 16, True),
    ("Subpd", "Sse2.Subtract(a.AsDouble(), b.AsDouble()).AsByte()", 16, True),
    ("Mulpd", "Sse2.Multiply(a.AsDouble(), b.AsDouble()).AsByte()", 16, True),
    ("Divpd", "Sse2.Divide(a.AsDouble(), b.AsDouble()).AsByte()", 16, True),
    ("Minpd", "Sse2.Min(a.AsDouble(), b.AsDouble()).AsByte()", 16, True),
    ("Maxpd", "Sse2.Max(a.AsDouble(), b.AsDouble()).AsByte()", 16, True),
    ("Sqrtpd", "Sse2.Sqrt(b.AsDouble()).AsByte()", 16, True),
    ("Andpd", "Sse2.And(a.AsDouble(), b.AsDouble()).AsByte()", 16, False),
    ("Andnpd", "Sse2.AndNot(a.AsDouble(), b.AsDouble()).AsByte()", 16, False),
    ("Orpd", "Sse2.Or(a.AsDouble(), b.AsDouble()).AsByte()", 16, False),
    ("Xorpd", "Sse2.Xor(a.AsDouble(), b.AsDouble()).AsByte()", 16, False),
    ("Unpcklpd", "Sse2.UnpackLow(a.AsDouble(), b.AsDouble()).AsByte()", 16, False),
    ("Unpckhpd", "Sse2.UnpackHigh(a.AsDouble(), b.AsDouble()).AsByte()", 16, False),
    # scalar single / double
    ("Addss", "Sse.AddScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Subss", "Sse.SubtractScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Mulss", "Sse.MultiplyScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Divss", "Sse.DivideScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Minss", "Sse.MinScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Maxss", "Sse.MaxScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Sqrtss", "Sse.SqrtScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Rcpss", "Sse.ReciprocalScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Rsqrtss", "Sse.ReciprocalSqrtScalar(a.AsSingle(), b.AsSingle()).AsByte()", 4, True),
    ("Addsd", "Sse2.AddScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    ("Subsd", "Sse2.SubtractScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    ("Mulsd", "Sse2.MultiplyScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    ("Divsd", "Sse2.DivideScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    ("Minsd", "Sse2.MinScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    ("Maxsd", "Sse2.MaxScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    ("Sqrtsd", "Sse2.SqrtScalar(a.AsDouble(), b.AsDouble()).AsByte()", 8, True),
    # compares with an imm8 predicate
    ("Cmpps", "SseCompare.Ps(a, b, imm)", 16, True),
    ("Cmppd", "SseCompare.Pd(a, b, imm)", 16, True),
    ("Cmpss", "SseCompare.Ss(a, b, imm)", 4, True),
    ("Cmpsd", "SseCompare.Sd(a, b, imm)", 8, True),
    # shuffles with imm8
    ("Shufps", "SseShuffle.Shufps(a, b, imm)", 16, False),
    ("Shufpd", "SseShuffle.Shufpd(a, b, imm)", 16, False),
    ("Pshufd", "SseShuffle.Pshufd(b, imm)", 16, False),
    ("Pshufhw", "SseShuffle.Pshufhw(b, imm)", 16, False),
    ("Pshuflw", "SseShuffle.Pshuflw(b, imm)", 16, False),
    # conversions between vector forms
    ("Cvtss2sd", "Sse2.ConvertScalarToVector128Double(a.AsDouble(), b.AsSingle()).AsByte()", 4, True),
    ("Cvtsd2ss", "Sse2.ConvertScalarToVector128Single(a.AsSingle(), b.AsDouble()).AsByte()", 8, True),
    ("Cvtps2pd", "Sse2.ConvertToVector128Double(b.AsSingle()).AsByte()", 8, True),
    ("Cvtpd2ps", "Sse2.ConvertToVector128Single(b.AsDouble()).AsByte()", 16, True),
    ("Cvtdq2ps", "Sse2.ConvertToVector128Single(b.AsInt32()).AsByte()", 16, True),
    ("Cvtps2dq", "Sse2.ConvertToVector128Int32(b.AsSingle()).AsByte()", 16, True),
    ("Cvttps2dq", "Sse2.ConvertToVector128Int32WithTruncation(b.AsSingle()).AsByte()", 16, True),
    ("Cvtdq2pd", "Sse2.ConvertToVector128Double(b.AsInt32()).AsByte()", 8, True),
    ("Cvtpd2dq", "Sse2.ConvertToVector128Int32(b.AsDouble()).AsByte()", 16, True),
    ("Cvttpd2dq", "Sse2.ConvertToVector128Int32WithTruncation(b.AsDouble()).AsByte()", 16, True),
]

HEADER = "// <auto-generated>generated by tools/gen-sse-ops.py, do not edit</auto-generated>\n"

def main():
    ops = ["#nullable enable", "using System.Runtime.CompilerServices;", "using System.Runtime.Intrinsics;",
           "using System.Runtime.Intrinsics.X86;", "", "namespace X64Emu.Cpu.Interp;", "",
           "/// <summary>SSE/SSE2 two-operand operations (one struct each, see tools/gen-sse-ops.py).</summary>",
           "public static class SseOps", "{"]
    for name, expr, size, fp in OPS:
        ops += [f"    public struct {name} : ISseOp",
                "    {",
                f"        public static int MemSize => {size};",
                f"        public static bool Fp => {'true' if fp else 'false'};",
                "",
                "        [MethodImpl(MethodImplOptions.AggressiveInlining)]",
                f"        public static Vector128<byte> Exec(Vector128<byte> a, Vector128<byte> b, byte imm) => {expr};",
                "    }", ""]
    ops[-1:] = ["}"]
    open("src/X64Emu.Cpu/Interp/SseOps.g.cs", "w").write(HEADER + "\n".join(ops) + "\n")

    reg = ["#nullable enable", "using Iced.Intel;", "using X64Emu.Cpu.Interp;", "", "namespace X64Emu.Cpu.Decode;", "",
           "public static unsafe partial class Translator", "{",
           "    /// <summary>Registers every table-driven SSE operation.</summary>",
           "    private static void RegisterSseTable()", "    {"]
    for name, expr, size, fp in OPS:
        if name in ("Cmpsd",):
            continue  # shares its mnemonic with the string instruction; registered by hand
        reg.append(f"        Define(Mnemonic.{name}, &BuildSseBinary<SseOps.{name}>);")
    reg += ["    }", "}"]
    open("src/X64Emu.Cpu/Decode/Translator.SseTable.g.cs", "w").write(HEADER + "\n".join(reg) + "\n")

if __name__ == "__main__":
    main()
