using System;

namespace X64Emu.Cpu.X87;

/// <summary>
/// FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1. Real x87 hardware does not round these
/// correctly either (its argument reduction uses a 66-bit π); X64Emu computes them in double precision
/// on the host and widens the result, so they agree with hardware to about 53 bits, not 64.
/// </summary>
public static class X87Transcendental
{
    /// <summary>2^63: FSIN/FCOS/FPTAN leave larger operands unchanged and set C2.</summary>
    private const double ReductionLimit = 9223372036854775808.0;

    public static bool OutOfRange(F80 a) => !a.IsNaN && (a.IsInf || Math.Abs(a.ToDoubleApprox()) >= ReductionLimit);

    private static bool Invalid(F80 a, ref FpEnv env, out F80 result)
    {
        if (a.IsUnsupported || a.IsInf)
        {
            env.Flags |= FpEnv.IE;
            result = F80.Indefinite;
            return true;
        }

        if (a.IsNaN)
        {
            if (a.IsSNaN)
            {
                env.Flags |= FpEnv.IE;
            }

            result = a.Quiet();
            return true;
        }

        if (a.IsDenormal)
        {
            env.Flags |= FpEnv.DE;
        }

        result = default;
        return false;
    }

    private static F80 Result(double d, ref FpEnv env, bool exactIfZero = false)
    {
        if (!exactIfZero || d != 0)
        {
            env.Flags |= FpEnv.PE;
        }

        return X87Math.FromHostDouble(d);
    }

    public static F80 Sin(F80 a, ref FpEnv env) => Invalid(a, ref env, out F80 r) ? r : a.IsZero ? a : Result(Math.Sin(a.ToDoubleApprox()), ref env);

    public static F80 Cos(F80 a, ref FpEnv env) => Invalid(a, ref env, out F80 r) ? r : Result(Math.Cos(a.ToDoubleApprox()), ref env);

    public static F80 Tan(F80 a, ref FpEnv env) => Invalid(a, ref env, out F80 r) ? r : a.IsZero ? a : Result(Math.Tan(a.ToDoubleApprox()), ref env);

    /// <summary>FPATAN: arctan(y / x) with the quadrant from both signs.</summary>
    public static F80 Atan2(F80 y, F80 x, ref FpEnv env)
    {
        if (y.IsNaN || x.IsNaN || y.IsUnsupported || x.IsUnsupported)
        {
            return X87Math.PropagateNaN(y.IsUnsupported ? F80.Indefinite : y, x.IsUnsupported ? F80.Indefinite : x, ref env);
        }

        if (y.IsZero && x.IsZero)
        {
            return Result(Math.Atan2(y.ToDoubleApprox(), x.ToDoubleApprox()), ref env, exactIfZero: true);
        }

        return Result(Math.Atan2(y.ToDoubleApprox(), x.ToDoubleApprox()), ref env);
    }

    /// <summary>F2XM1: 2^x − 1 for −1 ≤ x ≤ 1.</summary>
    public static F80 Exp2M1(F80 a, ref FpEnv env)
    {
        if (a.IsInf && !a.IsNaN)
        {
            return a.Negative ? new F80(true, F80.Bias, F80.IntegerBit) : a;
        }

        if (Invalid(a, ref env, out F80 r))
        {
            return r;
        }

        if (a.IsZero)
        {
            return a;
        }

        double x = a.ToDoubleApprox();
        double v = Math.Abs(x) < 1e-4 ? x * Math.Log(2) * (1 + (x * Math.Log(2) / 2) * (1 + (x * Math.Log(2) / 3))) : Math.Pow(2, x) - 1;
        return Result(v, ref env);
    }

    /// <summary>FYL2X: y × log2(x); FYL2XP1: y × log2(x + 1).</summary>
    public static F80 YLog2X(F80 y, F80 x, bool plusOne, ref FpEnv env)
    {
        if (x.IsNaN || y.IsNaN || x.IsUnsupported || y.IsUnsupported)
        {
            return X87Math.PropagateNaN(x.IsUnsupported ? F80.Indefinite : x, y.IsUnsupported ? F80.Indefinite : y, ref env);
        }

        double xd = x.ToDoubleApprox();
        double yd = y.ToDoubleApprox();
        double arg = plusOne ? xd + 1 : xd;
        if (arg < 0 || (arg == 0 && yd == 0) || (double.IsInfinity(arg) && yd == 0) || (arg == 1 && double.IsInfinity(yd)))
        {
            env.Flags |= FpEnv.IE;
            return F80.Indefinite;
        }

        if (arg == 0 && !plusOne)
        {
            env.Flags |= FpEnv.ZE;
            return F80.Inf(!y.Negative);
        }

        double l = plusOne && Math.Abs(xd) < 1e-4 ? (xd - (xd * xd / 2) + (xd * xd * xd / 3)) / Math.Log(2) : Math.Log2(arg);
        return Result(yd * l, ref env);
    }
}
