using System;
using System.Numerics;

namespace X64Emu.Cpu.X87;

public static partial class X87Math
{
    /// <summary>FLD m64: exact widening of a double (an SNaN is quieted with IE, a denormal raises DE).</summary>
    public static F80 FromDouble(ulong bits, ref FpEnv env)
    {
        bool sign = (bits >> 63) != 0;
        int exp = (int)((bits >> 52) & 0x7FF);
        ulong frac = bits & ((1UL << 52) - 1);
        if (exp == 0x7FF)
        {
            if (frac == 0)
            {
                return F80.Inf(sign);
            }

            if ((frac & (1UL << 51)) == 0)
            {
                env.Flags |= FpEnv.IE;
            }

            return new F80(sign, F80.MaxExp, F80.IntegerBit | F80.QuietBit | (frac << 11));
        }

        if (exp == 0)
        {
            if (frac == 0)
            {
                return F80.Zero(sign);
            }

            env.Flags |= FpEnv.DE;
            int lz = BitOperations.LeadingZeroCount(frac);
            ulong m = frac << lz;
            int e = 1 - 1023 - (lz - 11) + F80.Bias;
            return new F80(sign, e, m);
        }

        return new F80(sign, exp - 1023 + F80.Bias, F80.IntegerBit | (frac << 11));
    }

    /// <summary>FLD m32.</summary>
    public static F80 FromSingle(uint bits, ref FpEnv env)
    {
        bool sign = (bits >> 31) != 0;
        int exp = (int)((bits >> 23) & 0xFF);
        uint frac = bits & 0x7F_FFFF;
        if (exp == 0xFF)
        {
            if (frac == 0)
            {
                return F80.Inf(sign);
            }

            if ((frac & 0x40_0000) == 0)
            {
                env.Flags |= FpEnv.IE;
            }

            return new F80(sign, F80.MaxExp, F80.IntegerBit | F80.QuietBit | ((ulong)frac << 40));
        }

        if (exp == 0)
        {
            if (frac == 0)
            {
                return F80.Zero(sign);
            }

            env.Flags |= FpEnv.DE;
            int lz = BitOperations.LeadingZeroCount((ulong)frac);
            ulong m = (ulong)frac << lz;
            int e = 1 - 127 - (lz - 40) + F80.Bias;
            return new F80(sign, e, m);
        }

        return new F80(sign, exp - 127 + F80.Bias, F80.IntegerBit | ((ulong)frac << 40));
    }

    /// <summary>FILD: exact.</summary>
    public static F80 FromInt64(long v)
    {
        if (v == 0)
        {
            return F80.Zero(false);
        }

        bool sign = v < 0;
        ulong m = sign ? (ulong)(-(v + 1)) + 1 : (ulong)v;
        int lz = BitOperations.LeadingZeroCount(m);
        return new F80(sign, F80.Bias + 63 - lz, m << lz);
    }

    /// <summary>Rounds to an IEEE binary format (FST m32/m64) under the rounding control.</summary>
    private static ulong ToBinary(F80 a, ref FpEnv env, int p, int emin, int emax, int expBits)
    {
        int fracBits = p - 1;
        ulong signBit = a.Negative ? 1UL << (fracBits + expBits) : 0;
        ulong expMax = (1UL << expBits) - 1;
        if (a.IsUnsupported)
        {
            env.Flags |= FpEnv.IE;
            a = F80.Indefinite;
            signBit = 1UL << (fracBits + expBits);
        }

        if (a.IsNaN)
        {
            if (a.IsSNaN)
            {
                env.Flags |= FpEnv.IE;
            }

            ulong payload = ((a.Mant | F80.QuietBit) << 1) >> (64 - fracBits);
            return signBit | (expMax << fracBits) | payload;
        }

        if (a.IsInf)
        {
            return signBit | (expMax << fracBits);
        }

        if (a.IsZero)
        {
            return signBit;
        }

        if (a.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        Unpack(a, out bool sign, out int e, out UInt128 sig);
        int E = e - F80.Bias;
        UInt128 r = Round(sign, ref E, sig, p, emin, emax, ref env, out bool overflow, out _);
        if (overflow)
        {
            bool toInf = env.Rc == 0 || (env.Rc == 2 && !sign) || (env.Rc == 1 && sign);
            return toInf ? signBit | (expMax << fracBits) : signBit | ((expMax - 1) << fracBits) | ((1UL << fracBits) - 1);
        }

        ulong top = (ulong)(r >> (128 - p));
        if ((top >> fracBits) == 0)
        {
            return signBit | top; // denormal or zero
        }

        return signBit | ((ulong)(E + emax) << fracBits) | (top & ((1UL << fracBits) - 1));
    }

    public static ulong ToDouble(F80 a, ref FpEnv env) => ToBinary(a, ref env, 53, -1022, 1023, 11);

    public static uint ToSingle(F80 a, ref FpEnv env) => (uint)ToBinary(a, ref env, 24, -126, 127, 8);

    /// <summary>
    /// FIST/FISTP/FISTTP: rounds (or truncates) to an integer of <paramref name="bits"/> bits; NaN,
    /// infinity or out of range give the integer indefinite (most negative value) with IE.
    /// </summary>
    public static long ToInt(F80 a, int bits, bool truncate, ref FpEnv env)
    {
        long indefinite = bits == 64 ? long.MinValue : -(1L << (bits - 1));
        if (a.IsNaN || a.IsInf || a.IsUnsupported)
        {
            env.Flags |= FpEnv.IE;
            return indefinite;
        }

        if (a.IsZero)
        {
            return 0;
        }

        if (a.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        F80 r = RoundToIntegral(a, truncate ? 3 : env.Rc, ref env);
        if (r.IsZero)
        {
            return 0;
        }

        int shift = r.Exp - F80.Bias;
        if (shift > 63)
        {
            env.Flags = (ushort)((env.Flags | FpEnv.IE) & ~FpEnv.PE);
            return indefinite;
        }

        ulong mag = r.Mant >> (63 - shift);
        UInt128 limit = r.Negative ? (UInt128)1 << (bits - 1) : ((UInt128)1 << (bits - 1)) - 1;
        if (mag > limit)
        {
            env.Flags = (ushort)((env.Flags | FpEnv.IE) & ~FpEnv.PE);
            return indefinite;
        }

        return r.Negative ? -(long)mag : (long)mag;
    }

    /// <summary>Rounds to an integral value in extended format (FRNDINT; also the core of FIST).</summary>
    public static F80 RoundToIntegral(F80 a, int rc, ref FpEnv env)
    {
        if (a.IsNaN || a.IsInf || a.IsZero || a.IsUnsupported)
        {
            if (a.IsSNaN || a.IsUnsupported)
            {
                env.Flags |= FpEnv.IE;
                return a.IsUnsupported ? F80.Indefinite : a.Quiet();
            }

            return a;
        }

        int unbiased = a.Exp == 0 ? 1 - F80.Bias : a.Exp - F80.Bias;
        if (unbiased >= 63)
        {
            return a;
        }

        Unpack(a, out bool sign, out int e, out UInt128 sig);
        int E = e - F80.Bias;

        // Keep the bits worth at least 2^0: p = E + 1 of them (may be 0 or negative for |a| < 1).
        int keep = E + 1;
        UInt128 frac;
        UInt128 intPart;
        if (keep <= 0)
        {
            intPart = 0;
            frac = keep == 0 ? sig : ShiftRightJam(sig, -keep);
        }
        else
        {
            intPart = sig >> (128 - keep);
            frac = sig << keep;
        }

        UInt128 half = UInt128.One << 127;
        bool inexact = frac != 0;
        bool inc = rc switch
        {
            0 => keep > 0 && (frac > half || (frac == half && (intPart & 1) != 0)),
            1 => inexact && sign,
            2 => inexact && !sign,
            _ => false,
        };
        if (rc == 0 && keep == 0)
        {
            // |a| in [0.5, 1): rounds to 1 unless exactly 0.5 (ties to even 0).
            inc = sig > half;
        }

        if (inexact)
        {
            env.Flags |= FpEnv.PE;
        }

        if (inc)
        {
            env.Flags |= FpEnv.C1;
            intPart++;
        }

        if (intPart == 0)
        {
            return F80.Zero(sign);
        }

        return FromInt64Magnitude(sign, (ulong)intPart);
    }

    private static F80 FromInt64Magnitude(bool sign, ulong m)
    {
        int lz = BitOperations.LeadingZeroCount(m);
        return new F80(sign, F80.Bias + 63 - lz, m << lz);
    }

    /// <summary>FBSTP: 18 packed BCD digits and a sign byte; out of range gives the BCD indefinite with IE.</summary>
    public static void ToBcd(F80 a, ref FpEnv env, Span<byte> dst10)
    {
        long v = a.IsNaN || a.IsInf || a.IsUnsupported ? long.MinValue : ToInt(a, 64, truncate: false, ref env);
        if (v == long.MinValue || v > 999_999_999_999_999_999L || v < -999_999_999_999_999_999L)
        {
            env.Flags |= FpEnv.IE;
            dst10.Clear();
            dst10[7] = 0xC0;
            dst10[8] = 0xFF;
            dst10[9] = 0xFF;
            return;
        }

        ulong m = (ulong)Math.Abs(v);
        for (int k = 0; k < 9; k++)
        {
            byte lo = (byte)(m % 10);
            m /= 10;
            byte hi = (byte)(m % 10);
            m /= 10;
            dst10[k] = (byte)(lo | (hi << 4));
        }

        dst10[9] = (byte)(v < 0 || a.Negative && v == 0 ? 0x80 : 0);
    }

    /// <summary>FBLD.</summary>
    public static F80 FromBcd(ReadOnlySpan<byte> src10)
    {
        long v = 0;
        for (int k = 8; k >= 0; k--)
        {
            v = (v * 100) + ((src10[k] >> 4) * 10) + (src10[k] & 15);
        }

        F80 r = FromInt64(v);
        return (src10[9] & 0x80) != 0 ? r.WithSign(true) : r;
    }

    /// <summary>Compares (FCOM/FUCOM/FCOMI...): -1 less, 0 equal, 1 greater, 2 unordered. Signalling compares raise IE for any NaN.</summary>
    public static int Compare(F80 a, F80 b, bool quiet, ref FpEnv env)
    {
        if (a.IsUnsupported || b.IsUnsupported)
        {
            env.Flags |= FpEnv.IE;
            return 2;
        }

        if (a.IsNaN || b.IsNaN)
        {
            if (!quiet || a.IsSNaN || b.IsSNaN)
            {
                env.Flags |= FpEnv.IE;
            }

            return 2;
        }

        if (a.IsDenormal || b.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        if (a.IsZero && b.IsZero)
        {
            return 0;
        }

        if (a.Negative != b.Negative)
        {
            return a.Negative ? -1 : 1;
        }

        int mag = CompareMagnitude(a, b);
        return a.Negative ? -mag : mag;
    }

    private static int CompareMagnitude(F80 a, F80 b)
    {
        if (a.IsInf || b.IsInf)
        {
            return a.IsInf && b.IsInf ? 0 : a.IsInf ? 1 : -1;
        }

        if (a.IsZero)
        {
            return b.IsZero ? 0 : -1;
        }

        if (b.IsZero)
        {
            return 1;
        }

        Unpack(a, out _, out int ea, out UInt128 ga);
        Unpack(b, out _, out int eb, out UInt128 gb);
        return ea != eb ? (ea < eb ? -1 : 1) : ga.CompareTo(gb);
    }
}
