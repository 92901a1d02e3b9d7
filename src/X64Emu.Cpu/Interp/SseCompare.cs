using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace X64Emu.Cpu.Interp;

/// <summary>CMPPS/CMPPD/CMPSS/CMPSD with their imm8 predicates 0..7 (EQ LT LE UNORD NEQ NLT NLE ORD).</summary>
public static class SseCompare
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Ps(Vector128<byte> a, Vector128<byte> b, byte imm)
    {
        Vector128<float> x = a.AsSingle(), y = b.AsSingle();
        Vector128<byte> r = (imm & 7) switch
        {
            0 => Sse.CompareEqual(x, y).AsByte(),
            1 => Sse.CompareLessThan(x, y).AsByte(),
            2 => Sse.CompareLessThanOrEqual(x, y).AsByte(),
            3 => Sse.CompareUnordered(x, y).AsByte(),
            4 => Sse.CompareNotEqual(x, y).AsByte(),
            5 => Sse.CompareNotLessThan(x, y).AsByte(),
            6 => Sse.CompareNotLessThanOrEqual(x, y).AsByte(),
            _ => Sse.CompareOrdered(x, y).AsByte(),
        };
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Pd(Vector128<byte> a, Vector128<byte> b, byte imm)
    {
        Vector128<double> x = a.AsDouble(), y = b.AsDouble();
        Vector128<byte> r = (imm & 7) switch
        {
            0 => Sse2.CompareEqual(x, y).AsByte(),
            1 => Sse2.CompareLessThan(x, y).AsByte(),
            2 => Sse2.CompareLessThanOrEqual(x, y).AsByte(),
            3 => Sse2.CompareUnordered(x, y).AsByte(),
            4 => Sse2.CompareNotEqual(x, y).AsByte(),
            5 => Sse2.CompareNotLessThan(x, y).AsByte(),
            6 => Sse2.CompareNotLessThanOrEqual(x, y).AsByte(),
            _ => Sse2.CompareOrdered(x, y).AsByte(),
        };
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Ss(Vector128<byte> a, Vector128<byte> b, byte imm)
    {
        Vector128<float> x = a.AsSingle(), y = b.AsSingle();
        Vector128<byte> r = (imm & 7) switch
        {
            0 => Sse.CompareScalarEqual(x, y).AsByte(),
            1 => Sse.CompareScalarLessThan(x, y).AsByte(),
            2 => Sse.CompareScalarLessThanOrEqual(x, y).AsByte(),
            3 => Sse.CompareScalarUnordered(x, y).AsByte(),
            4 => Sse.CompareScalarNotEqual(x, y).AsByte(),
            5 => Sse.CompareScalarNotLessThan(x, y).AsByte(),
            6 => Sse.CompareScalarNotLessThanOrEqual(x, y).AsByte(),
            _ => Sse.CompareScalarOrdered(x, y).AsByte(),
        };
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Sd(Vector128<byte> a, Vector128<byte> b, byte imm)
    {
        Vector128<double> x = a.AsDouble(), y = b.AsDouble();
        Vector128<byte> r = (imm & 7) switch
        {
            0 => Sse2.CompareScalarEqual(x, y).AsByte(),
            1 => Sse2.CompareScalarLessThan(x, y).AsByte(),
            2 => Sse2.CompareScalarLessThanOrEqual(x, y).AsByte(),
            3 => Sse2.CompareScalarUnordered(x, y).AsByte(),
            4 => Sse2.CompareScalarNotEqual(x, y).AsByte(),
            5 => Sse2.CompareScalarNotLessThan(x, y).AsByte(),
            6 => Sse2.CompareScalarNotLessThanOrEqual(x, y).AsByte(),
            _ => Sse2.CompareScalarOrdered(x, y).AsByte(),
        };
        return r;
    }
}
