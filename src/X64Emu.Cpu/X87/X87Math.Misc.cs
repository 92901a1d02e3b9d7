using System;
using System.Numerics;

namespace X64Emu.Cpu.X87;

public static partial class X87Math
{
    /// <summary>
    /// FPREM (round toward zero) / FPREM1 (round to nearest): the exact remainder when the exponents
    /// differ by less than 64 (C2 = 0, C0:C3:C1 = the low quotient bits), else a partial reduction by
    /// a multiple of 2^(d − 32..63) with C2 = 1, as Intel's microcode does.
    /// </summary>
    public static F80 Remainder(F80 a, F80 b, bool ieee, ref FpEnv env, out int quotientLow3, out bool incomplete)
    {
        quotientLow3 = 0;
        incomplete = false;
        if (Special2(a, b, ref env, out F80 special))
        {
            return special;
        }

        if (a.IsInf || b.IsZero)
        {
            env.Flags |= FpEnv.IE;
            return F80.Indefinite;
        }

        if (a.IsZero || b.IsInf)
        {
            return a;
        }

        Unpack(a, out bool sa, out int ea, out UInt128 ga);
        Unpack(b, out _, out int eb, out UInt128 gb);
        BigInteger ma = (BigInteger)(ulong)(ga >> 64);
        BigInteger mb = (BigInteger)(ulong)(gb >> 64);
        int d = ea - eb;
        if (d < 0 || (d == 0 && ma < mb && !ieee))
        {
            // |a| < |b|: remainder is a itself for FPREM (FPREM1 may still round the quotient to 1).
            if (!ieee || d < -1)
            {
                return a;
            }
        }

        int shift = d;
        if (d >= 64)
        {
            incomplete = true;
            shift = 32 + ((d - 32) % 32);
        }

        // a = ma·2^(ea-63−bias), b = mb·2^(eb−63−bias); work in units of b's scale shifted by `shift`.
        BigInteger num = shift >= 0 ? ma << shift : ma;
        BigInteger den = shift >= 0 ? mb : mb << -shift;
        BigInteger q = BigInteger.DivRem(num, den, out BigInteger r);
        if (ieee && !incomplete)
        {
            BigInteger twice = r << 1;
            if (twice > den || (twice == den && !q.IsEven))
            {
                q += 1;
                r -= den;
            }
        }

        quotientLow3 = (int)(q & 7);
        bool rneg = r.Sign < 0;
        BigInteger mag = BigInteger.Abs(r);
        bool sign = sa != rneg;
        if (mag.IsZero)
        {
            return F80.Zero(sa);
        }

        // r is in units of 2^(eb − 63 − bias) (or finer for a partial step); exact in extended format.
        int unitExp = (shift >= 0 ? eb : ea) - 63;
        if (incomplete)
        {
            unitExp = ea - 63 - shift;
        }

        int bitLen = (int)mag.GetBitLength();
        UInt128 sig = (UInt128)(mag << (128 - bitLen));
        int e = unitExp + bitLen - 1;
        FpEnv exact = FpEnv.Exact64(0);
        F80 result = RoundPack(sign, e, sig, ref exact);
        env.Flags |= (ushort)(exact.Flags & FpEnv.UE);
        return result;
    }

    /// <summary>FSCALE: a × 2^trunc(b).</summary>
    public static F80 Scale(F80 a, F80 b, ref FpEnv env)
    {
        if (Special2(a, b, ref env, out F80 special))
        {
            return special;
        }

        if (b.IsInf)
        {
            if (!b.Negative)
            {
                if (a.IsZero)
                {
                    env.Flags |= FpEnv.IE;
                    return F80.Indefinite;
                }

                return F80.Inf(a.Negative);
            }

            if (a.IsInf)
            {
                env.Flags |= FpEnv.IE;
                return F80.Indefinite;
            }

            return F80.Zero(a.Negative);
        }

        if (a.IsZero || a.IsInf)
        {
            return a;
        }

        FpEnv t = FpEnv.Exact64(3);
        F80 n = RoundToIntegral(b, 3, ref t);
        long k = n.IsZero ? 0 : ToInt(n, 64, truncate: true, ref t);
        k = Math.Clamp(k, -100000, 100000);
        Unpack(a, out bool sign, out int e, out UInt128 sig);
        return RoundPack(sign, (int)(e + k), sig, ref env);
    }

    /// <summary>FXTRACT: the unbiased exponent and the significand scaled to [1, 2).</summary>
    public static (F80 Exponent, F80 Significand) Extract(F80 a, ref FpEnv env)
    {
        if (a.IsUnsupported)
        {
            env.Flags |= FpEnv.IE;
            return (F80.Indefinite, F80.Indefinite);
        }

        if (a.IsNaN)
        {
            if (a.IsSNaN)
            {
                env.Flags |= FpEnv.IE;
            }

            return (a.Quiet(), a.Quiet());
        }

        if (a.IsInf)
        {
            return (F80.Inf(false), a);
        }

        if (a.IsZero)
        {
            env.Flags |= FpEnv.ZE;
            return (F80.Inf(true), a);
        }

        if (a.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        Unpack(a, out bool sign, out int e, out UInt128 sig);
        return (FromInt64(e - F80.Bias), new F80(sign, F80.Bias, (ulong)(sig >> 64)));
    }

    /// <summary>An F80 from a double computed by the host (for the transcendental instructions).</summary>
    internal static F80 FromHostDouble(double d)
    {
        FpEnv ignore = FpEnv.Exact64(0);
        return FromDouble((ulong)BitConverter.DoubleToInt64Bits(d), ref ignore);
    }
}
