using System;
using System.Numerics;

namespace X64Emu.Cpu.X87;

/// <summary>
/// Correctly rounded extended-precision arithmetic (SDM Vol.1 ch.4, ch.8): values are unpacked to a
/// 128-bit significand with the integer bit at bit 127 (value = sig × 2^(e − 16383 − 127)), computed
/// exactly or with a sticky bit, and rounded once under the control word's rounding and precision.
/// </summary>
public static partial class X87Math
{
    /// <summary>Unpacks a finite non-zero value; denormals are normalised (e may go below 1).</summary>
    internal static void Unpack(F80 x, out bool sign, out int e, out UInt128 sig)
    {
        sign = x.Negative;
        e = x.Exp == 0 ? 1 : x.Exp;
        ulong m = x.Mant;
        int lz = BitOperations.LeadingZeroCount(m);
        m <<= lz;
        e -= lz;
        sig = (UInt128)m << 64;
    }

    /// <summary>Shifts right, OR-ing every lost bit into bit 0 (a "jamming" shift that keeps rounding exact).</summary>
    internal static UInt128 ShiftRightJam(UInt128 v, int n)
    {
        if (n <= 0)
        {
            return v;
        }

        if (n >= 128)
        {
            return v != 0 ? UInt128.One : UInt128.Zero;
        }

        UInt128 lost = v & ((UInt128.One << n) - 1);
        return (v >> n) | (lost != 0 ? UInt128.One : UInt128.Zero);
    }

    internal static int Lz(UInt128 v)
    {
        ulong hi = (ulong)(v >> 64);
        return hi != 0 ? BitOperations.LeadingZeroCount(hi) : 64 + BitOperations.LeadingZeroCount((ulong)v);
    }

    /// <summary>
    /// Rounds sig × 2^(E − 127) (sig normalised, bit 127 set, low bits possibly jammed) to <paramref name="p"/>
    /// significant bits in a format whose normal exponents (unbiased) are emin..emax, with gradual underflow.
    /// Returns the rounded significand (bit 127 set for normals, clear for denormals/zero) and E, or sets
    /// <paramref name="overflow"/>.
    /// </summary>
    internal static UInt128 Round(bool sign, ref int E, UInt128 sig, int p, int emin, int emax, ref FpEnv env, out bool overflow, out bool tiny)
    {
        overflow = false;
        tiny = E < emin;
        if (tiny)
        {
            sig = ShiftRightJam(sig, emin - E);
            E = emin;
        }

        int lsb = 128 - p;
        UInt128 roundMask = (UInt128.One << lsb) - 1;
        UInt128 rem = sig & roundMask;
        UInt128 half = UInt128.One << (lsb - 1);
        bool inc;
        switch (env.Rc)
        {
            case 0:
                inc = rem > half || (rem == half && ((sig >> lsb) & 1) != 0);
                break;
            case 1:
                inc = rem != 0 && sign;
                break;
            case 2:
                inc = rem != 0 && !sign;
                break;
            default:
                inc = false;
                break;
        }

        sig &= ~roundMask;
        if (rem != 0)
        {
            env.Flags |= FpEnv.PE;
            if (tiny)
            {
                env.Flags |= FpEnv.UE;
            }
        }

        if (inc)
        {
            env.Flags |= FpEnv.C1;
            UInt128 before = sig;
            sig += UInt128.One << lsb;
            if (sig < before)
            {
                // Carried out of bit 127.
                sig = UInt128.One << 127;
                E++;
            }
        }

        if (E > emax)
        {
            overflow = true;
            env.Flags |= FpEnv.OE | FpEnv.PE;
        }

        return sig;
    }

    /// <summary>Rounds to the x87 register format under the context's precision control.</summary>
    internal static F80 RoundPack(bool sign, int e, UInt128 sig, ref FpEnv env)
    {
        int E = e - F80.Bias;
        UInt128 r = Round(sign, ref E, sig, env.Precision, 1 - F80.Bias, F80.Bias, ref env, out bool overflow, out _);
        if (overflow)
        {
            return OverflowResult(sign, env.Rc, env.Precision);
        }

        ulong mant = (ulong)(r >> 64);
        int biased = (mant & F80.IntegerBit) != 0 ? E + F80.Bias : 0;
        return new F80(sign, biased, mant);
    }

    /// <summary>The masked overflow response: infinity, or the largest finite value when rounding toward zero from that side.</summary>
    internal static F80 OverflowResult(bool sign, int rc, int precision)
    {
        bool toInf = rc == 0 || (rc == 2 && !sign) || (rc == 1 && sign);
        if (toInf)
        {
            return F80.Inf(sign);
        }

        ulong max = precision == 64 ? ulong.MaxValue : ~((1UL << (64 - precision)) - 1);
        return new F80(sign, F80.MaxExp - 1, max);
    }

    /// <summary>Chooses the NaN result of a two-operand operation (SDM Table 4-7); raises IE for an SNaN.</summary>
    internal static F80 PropagateNaN(F80 a, F80 b, ref FpEnv env)
    {
        if (a.IsSNaN || b.IsSNaN)
        {
            env.Flags |= FpEnv.IE;
        }

        if (a.IsNaN && b.IsNaN)
        {
            ulong ma = a.Mant | F80.QuietBit, mb = b.Mant | F80.QuietBit;
            F80 pick = ma > mb ? a : ma < mb ? b : (a.Negative ? b : a);
            return pick.Quiet();
        }

        return (a.IsNaN ? a : b).Quiet();
    }

    /// <summary>Invalid-operand checks shared by arithmetic: unsupported encodings and NaNs; true when the result is decided.</summary>
    private static bool Special2(F80 a, F80 b, ref FpEnv env, out F80 result)
    {
        if (a.IsUnsupported || b.IsUnsupported)
        {
            env.Flags |= FpEnv.IE;
            result = F80.Indefinite;
            return true;
        }

        if (a.IsNaN || b.IsNaN)
        {
            result = PropagateNaN(a, b, ref env);
            return true;
        }

        if (a.IsDenormal || b.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        result = default;
        return false;
    }

    public static F80 Add(F80 a, F80 b, ref FpEnv env) => AddSub(a, b, negateB: false, ref env);

    public static F80 Sub(F80 a, F80 b, ref FpEnv env) => AddSub(a, b, negateB: true, ref env);

    private static F80 AddSub(F80 a, F80 b, bool negateB, ref FpEnv env)
    {
        if (Special2(a, b, ref env, out F80 special))
        {
            return special;
        }

        if (negateB)
        {
            b = b.Negate();
        }

        if (a.IsInf || b.IsInf)
        {
            if (a.IsInf && b.IsInf && a.Negative != b.Negative)
            {
                env.Flags |= FpEnv.IE;
                return F80.Indefinite;
            }

            return a.IsInf ? a : b;
        }

        if (a.IsZero && b.IsZero)
        {
            bool neg = a.Negative == b.Negative ? a.Negative : env.Rc == 1;
            return F80.Zero(neg);
        }

        if (a.IsZero || b.IsZero)
        {
            F80 x = a.IsZero ? b : a;
            Unpack(x, out bool s0, out int e0, out UInt128 g0);
            return RoundPack(s0, e0, g0, ref env);
        }

        Unpack(a, out bool sa, out int ea, out UInt128 ga);
        Unpack(b, out bool sb, out int eb, out UInt128 gb);
        if (ea < eb || (ea == eb && ga < gb))
        {
            (sa, sb) = (sb, sa);
            (ea, eb) = (eb, ea);
            (ga, gb) = (gb, ga);
        }

        // Headroom for the carry: bit 126 holds the integer bit.
        ga >>= 1;
        gb = ShiftRightJam(gb >> 1, ea - eb);
        int e = ea + 1;
        UInt128 r;
        bool sign = sa;
        if (sa == sb)
        {
            r = ga + gb;
        }
        else
        {
            r = ga - gb;
            if (r == 0)
            {
                return F80.Zero(env.Rc == 1);
            }
        }

        int lz = Lz(r);
        r <<= lz;
        e -= lz;
        return RoundPack(sign, e, r, ref env);
    }

    public static F80 Mul(F80 a, F80 b, ref FpEnv env)
    {
        if (Special2(a, b, ref env, out F80 special))
        {
            return special;
        }

        bool sign = a.Negative != b.Negative;
        if (a.IsInf || b.IsInf)
        {
            if (a.IsZero || b.IsZero)
            {
                env.Flags |= FpEnv.IE;
                return F80.Indefinite;
            }

            return F80.Inf(sign);
        }

        if (a.IsZero || b.IsZero)
        {
            return F80.Zero(sign);
        }

        Unpack(a, out _, out int ea, out UInt128 ga);
        Unpack(b, out _, out int eb, out UInt128 gb);
        UInt128 prod = (ga >> 64) * (gb >> 64);
        int e = ea + eb - F80.Bias + 1;
        int lz = Lz(prod);
        prod <<= lz;
        e -= lz;
        return RoundPack(sign, e, prod, ref env);
    }

    public static F80 Div(F80 a, F80 b, ref FpEnv env)
    {
        if (Special2(a, b, ref env, out F80 special))
        {
            return special;
        }

        bool sign = a.Negative != b.Negative;
        if (a.IsInf)
        {
            if (b.IsInf)
            {
                env.Flags |= FpEnv.IE;
                return F80.Indefinite;
            }

            return F80.Inf(sign);
        }

        if (b.IsInf)
        {
            return F80.Zero(sign);
        }

        if (b.IsZero)
        {
            if (a.IsZero)
            {
                env.Flags |= FpEnv.IE;
                return F80.Indefinite;
            }

            env.Flags |= FpEnv.ZE;
            return F80.Inf(sign);
        }

        if (a.IsZero)
        {
            return F80.Zero(sign);
        }

        Unpack(a, out _, out int ea, out UInt128 ga);
        Unpack(b, out _, out int eb, out UInt128 gb);
        ulong ma = (ulong)(ga >> 64), mb = (ulong)(gb >> 64);

        // Two 64-bit quotient digits of ma·2^63 / mb, then the remainder as a sticky bit.
        UInt128 n1 = (UInt128)ma << 63;
        ulong q1 = (ulong)(n1 / mb);
        ulong r1 = (ulong)(n1 % mb);
        UInt128 n2 = (UInt128)r1 << 64;
        ulong q2 = (ulong)(n2 / mb);
        ulong r2 = (ulong)(n2 % mb);
        UInt128 q = ((UInt128)q1 << 64) | q2;
        int e = ea - eb + F80.Bias;
        int lz = Lz(q);
        q <<= lz;
        e -= lz;
        if (r2 != 0)
        {
            q |= 1;
        }

        return RoundPack(sign, e, q, ref env);
    }

    public static F80 Sqrt(F80 a, ref FpEnv env)
    {
        if (a.IsUnsupported)
        {
            env.Flags |= FpEnv.IE;
            return F80.Indefinite;
        }

        if (a.IsNaN)
        {
            if (a.IsSNaN)
            {
                env.Flags |= FpEnv.IE;
            }

            return a.Quiet();
        }

        if (a.IsZero)
        {
            return a;
        }

        if (a.Negative)
        {
            env.Flags |= FpEnv.IE;
            return F80.Indefinite;
        }

        if (a.IsInf)
        {
            return a;
        }

        if (a.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        Unpack(a, out _, out int ea, out UInt128 ga);

        // value = m · 2^k with m the 64-bit significand and k = ea − 16383 − 63; make k even.
        BigInteger m = (BigInteger)(ulong)(ga >> 64);
        int k = ea - F80.Bias - 63;
        if ((k & 1) != 0)
        {
            m <<= 1;
            k--;
        }

        // sqrt(m · 2^(2n)) has about 128 bits for n = 96.
        const int n = 96;
        BigInteger radicand = m << (2 * n);
        BigInteger s = ISqrt(radicand);
        bool exact = s * s == radicand;
        UInt128 sig = (UInt128)s;
        int e = (k / 2) - n + 127 + F80.Bias;
        int lz = Lz(sig);
        sig <<= lz;
        e -= lz;
        if (!exact)
        {
            sig |= 1;
        }

        return RoundPack(false, e, sig, ref env);
    }

    private static BigInteger ISqrt(BigInteger n)
    {
        if (n.IsZero)
        {
            return n;
        }

        BigInteger x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            BigInteger y = (x + (n / x)) >> 1;
            if (y >= x)
            {
                return x;
            }

            x = y;
        }
    }
}
