using System;
using System.Runtime.InteropServices;

namespace X64Emu.Cpu.X87;

/// <summary>
/// An x87 80-bit extended-precision value as stored: a 64-bit significand with an explicit integer
/// bit, and a sign + 15-bit biased exponent (SDM Vol.1 §4.2.2).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
public readonly struct F80 : IEquatable<F80>
{
    public const int Bias = 16383;
    public const ushort MaxExp = 0x7FFF;
    public const ulong IntegerBit = 1UL << 63;
    public const ulong QuietBit = 1UL << 62;

    public readonly ulong Mant;
    public readonly ushort SignExp;

    public F80(ulong mant, ushort signExp)
    {
        Mant = mant;
        SignExp = signExp;
    }

    public F80(bool negative, int exp, ulong mant)
    {
        Mant = mant;
        SignExp = (ushort)((negative ? 0x8000 : 0) | (exp & 0x7FFF));
    }

    public bool Negative => (SignExp & 0x8000) != 0;

    public int Exp => SignExp & 0x7FFF;

    public bool IsZero => Exp == 0 && Mant == 0;

    /// <summary>Exponent 0x7FFF with the integer bit set and fraction zero.</summary>
    public bool IsInf => Exp == MaxExp && Mant == IntegerBit;

    public bool IsNaN => Exp == MaxExp && (Mant & ~IntegerBit) != 0;

    public bool IsSNaN => IsNaN && (Mant & QuietBit) == 0;

    /// <summary>Denormal or pseudo-denormal (exponent 0, non-zero significand).</summary>
    public bool IsDenormal => Exp == 0 && Mant != 0;

    /// <summary>Unsupported encodings (unnormals, pseudo-NaN, pseudo-infinity): invalid operands since the 387.</summary>
    public bool IsUnsupported => Exp != 0 && (Mant & IntegerBit) == 0;

    public static F80 Zero(bool negative) => new(negative, 0, 0);

    public static F80 Inf(bool negative) => new(negative, MaxExp, IntegerBit);

    /// <summary>The default NaN ("real indefinite") that masked invalid operations produce.</summary>
    public static readonly F80 Indefinite = new(0xC000_0000_0000_0000UL, 0xFFFF);

    public F80 Negate() => new(Mant, (ushort)(SignExp ^ 0x8000));

    public F80 Abs() => new(Mant, (ushort)(SignExp & 0x7FFF));

    public F80 WithSign(bool negative) => new(Mant, (ushort)((SignExp & 0x7FFF) | (negative ? 0x8000 : 0)));

    /// <summary>Quiets a signalling NaN.</summary>
    public F80 Quiet() => new(Mant | QuietBit, SignExp);

    public bool Equals(F80 other) => Mant == other.Mant && SignExp == other.SignExp;

    public override bool Equals(object? obj) => obj is F80 f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(Mant, SignExp);

    public static bool operator ==(F80 a, F80 b) => a.Equals(b);

    public static bool operator !=(F80 a, F80 b) => !a.Equals(b);

    /// <summary>The nearest double (for diagnostics and the transcendental functions).</summary>
    public double ToDoubleApprox()
    {
        if (IsNaN)
        {
            return double.NaN;
        }

        if (IsInf)
        {
            return Negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (Mant == 0)
        {
            return Negative ? -0.0 : 0.0;
        }

        int e = (Exp == 0 ? 1 : Exp) - Bias - 63;
        double v = Math.ScaleB((double)Mant, e);
        return Negative ? -v : v;
    }

    public override string ToString() => $"{(Negative ? "-" : "+")}0x{Mant:x16}p{Exp - Bias} ({ToDoubleApprox():R})";
}
