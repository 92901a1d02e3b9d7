using System;
using System.Buffers.Binary;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Cpu.X87;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    /// <summary>
    /// One-operand and ST0/ST1 operations. Aux: 0 FCHS 1 FABS 2 FTST 3 FXAM 4 FSQRT 5 FRNDINT 6 FSIN 7 FCOS
    /// 8 FSINCOS 9 FPTAN 10 FPATAN 11 F2XM1 12 FYL2X 13 FYL2XP1 14 FSCALE 15 FXTRACT 16 FPREM 17 FPREM1.
    /// </summary>
    public static int X87Unary(Cpu c, ref Insn i)
    {
        int op = i.Aux;
        if (op != 3)
        {
            int pending = X87Pending(c, ref i);
            if (pending != 0)
            {
                return pending;
            }
        }

        bool needsSt1 = op is 10 or 12 or 13 or 14 or 16 or 17;
        if (op == 3)
        {
            ushort cls = c.StEmpty(0) ? (ushort)(Cpu.FswC3 | Cpu.FswC0) : Classify(c.St(0));
            ushort sign = !c.StEmpty(0) && c.St(0).Negative ? Cpu.FswC1 : (ushort)0;
            c.FpuStatus = (ushort)((c.FpuStatus & ~(Cpu.FswC0 | Cpu.FswC1 | Cpu.FswC2 | Cpu.FswC3)) | cls | sign);
            return 0;
        }

        if (c.StEmpty(0) || (needsSt1 && c.StEmpty(1)))
        {
            c.FpuUnderflow();
            if ((c.FpuControl & 1) != 0 && op is not 2)
            {
                c.SetSt(0, F80.Indefinite);
            }

            return 0;
        }

        FpEnv env = c.FpuEnv();
        F80 a = c.St(0);
        switch (op)
        {
            case 0:
                c.SetSt(0, a.Negate());
                c.FpuStatus &= unchecked((ushort)~Cpu.FswC1);
                return 0;
            case 1:
                c.SetSt(0, a.Abs());
                c.FpuStatus &= unchecked((ushort)~Cpu.FswC1);
                return 0;
            case 2:
            {
                int cmp = X87Math.Compare(a, F80.Zero(false), quiet: false, ref env);
                c.CommitFpu(new FpEnv { Flags = (ushort)(env.Flags & 0x3F) });
                ushort cc = cmp switch { -1 => Cpu.FswC0, 0 => Cpu.FswC3, 1 => 0, _ => Cpu.FswC0 | Cpu.FswC2 | Cpu.FswC3 };
                c.FpuStatus = (ushort)((c.FpuStatus & ~(Cpu.FswC0 | Cpu.FswC1 | Cpu.FswC2 | Cpu.FswC3)) | cc);
                return 0;
            }

            case 4:
                return X87Result(c, X87Math.Sqrt(a, ref env), env, 0);
            case 5:
                return X87Result(c, X87Math.RoundToIntegral(a, env.Rc, ref env), env, 0);
            case 6:
            case 7:
            case 9:
                if (X87Transcendental.OutOfRange(a))
                {
                    c.FpuStatus |= Cpu.FswC2;
                    return 0;
                }

                c.FpuStatus &= unchecked((ushort)~Cpu.FswC2);
                if (op == 9)
                {
                    int r9 = X87Result(c, X87Transcendental.Tan(a, ref env), env, 0);
                    c.FpuPush(new F80(F80.IntegerBit, F80.Bias));
                    return r9;
                }

                return X87Result(c, op == 6 ? X87Transcendental.Sin(a, ref env) : X87Transcendental.Cos(a, ref env), env, 0);
            case 8:
            {
                if (X87Transcendental.OutOfRange(a))
                {
                    c.FpuStatus |= Cpu.FswC2;
                    return 0;
                }

                c.FpuStatus &= unchecked((ushort)~Cpu.FswC2);
                F80 s = X87Transcendental.Sin(a, ref env);
                F80 co = X87Transcendental.Cos(a, ref env);
                c.CommitFpu(env);
                c.SetSt(0, s);
                c.FpuPush(co);
                return 0;
            }

            case 10:
                X87Result(c, X87Transcendental.Atan2(c.St(1), a, ref env), env, 1);
                c.FpuPop();
                return 0;
            case 11:
                return X87Result(c, X87Transcendental.Exp2M1(a, ref env), env, 0);
            case 12:
            case 13:
                X87Result(c, X87Transcendental.YLog2X(c.St(1), a, op == 13, ref env), env, 1);
                c.FpuPop();
                return 0;
            case 14:
                return X87Result(c, X87Math.Scale(a, c.St(1), ref env), env, 0);
            case 15:
            {
                (F80 exp, F80 sig) = X87Math.Extract(a, ref env);
                c.CommitFpu(env);
                c.SetSt(0, exp);
                c.FpuPush(sig);
                return 0;
            }

            default:
            {
                F80 rem = X87Math.Remainder(a, c.St(1), op == 17, ref env, out int q, out bool incomplete);
                c.CommitFpu(env);
                c.SetSt(0, rem);
                ushort cc = incomplete ? Cpu.FswC2 : (ushort)(((q & 1) != 0 ? Cpu.FswC1 : 0) | ((q & 2) != 0 ? Cpu.FswC3 : 0) | ((q & 4) != 0 ? Cpu.FswC0 : 0));
                c.FpuStatus = (ushort)((c.FpuStatus & ~(Cpu.FswC0 | Cpu.FswC1 | Cpu.FswC2 | Cpu.FswC3)) | cc);
                return 0;
            }
        }
    }

    private static int X87Result(Cpu c, F80 v, FpEnv env, int sti)
    {
        c.CommitFpu(env);
        if ((env.Flags & ~c.FpuControl & 0x3F) == 0)
        {
            c.SetSt(sti, v);
        }

        return 0;
    }

    /// <summary>FXAM's class in C3, C2, C0.</summary>
    private static ushort Classify(F80 v)
    {
        if (v.IsUnsupported)
        {
            return 0;
        }

        if (v.IsNaN)
        {
            return Cpu.FswC0;
        }

        if (v.IsInf)
        {
            return Cpu.FswC2 | Cpu.FswC0;
        }

        if (v.IsZero)
        {
            return Cpu.FswC3;
        }

        return v.IsDenormal ? (ushort)(Cpu.FswC3 | Cpu.FswC2) : Cpu.FswC2;
    }

    /// <summary>FCOMI/FCOMIP/FUCOMI/FUCOMIP: ZF, PF, CF from ST0 vs ST(i). Aux bit 0: pop; bit 1: quiet.</summary>
    public static int X87Comi(Cpu c, ref Insn i)
    {
        int r = X87Pending(c, ref i);
        if (r != 0)
        {
            return r;
        }

        FpEnv env = c.FpuEnv();
        int cmp;
        if (c.StEmpty(0) || c.StEmpty(i.Rm))
        {
            c.FpuUnderflow();
            cmp = 2;
        }
        else
        {
            cmp = X87Math.Compare(c.St(0), c.St(i.Rm), quiet: (i.Aux & 2) != 0, ref env);
            env.Flags &= unchecked((ushort)~FpEnv.C1);
            c.CommitFpu(env);
        }

        ulong f = cmp switch
        {
            -1 => RFlags.CF,
            0 => RFlags.ZF,
            1 => 0,
            _ => RFlags.ZF | RFlags.PF | RFlags.CF,
        };
        c.SetMaterialized(f);
        if ((i.Aux & 1) != 0)
        {
            c.FpuPop();
        }

        return 0;
    }

    /// <summary>FCMOVcc ST0, ST(i): Cc is the EFLAGS condition (B, E, BE, P and their negations).</summary>
    public static int X87Fcmov(Cpu c, ref Insn i)
    {
        int r = X87Pending(c, ref i);
        if (r != 0)
        {
            return r;
        }

        if (c.StEmpty(i.Rm))
        {
            c.FpuUnderflow();
            return 0;
        }

        if (c.Cond(i.Cc))
        {
            c.SetSt(0, c.St(i.Rm));
        }

        return 0;
    }

    /// <summary>FXCH (Aux 0), FFREE (1), FINCSTP (2), FDECSTP (3), FFREEP (4).</summary>
    public static int X87Stack(Cpu c, ref Insn i)
    {
        int r = X87Pending(c, ref i);
        if (r != 0)
        {
            return r;
        }

        switch (i.Aux)
        {
            case 0:
            {
                bool e0 = c.StEmpty(0), ei = c.StEmpty(i.Rm);
                if (e0 || ei)
                {
                    c.FpuUnderflow();
                    if ((c.FpuControl & 1) == 0)
                    {
                        return 0;
                    }
                }

                F80 a = e0 ? F80.Indefinite : c.St(0);
                F80 b = ei ? F80.Indefinite : c.St(i.Rm);
                c.SetSt(0, b);
                c.SetSt(i.Rm, a);
                c.FpuStatus &= unchecked((ushort)~Cpu.FswC1);
                return 0;
            }

            case 1:
            case 4:
                c.FpuEmpty |= (byte)(1 << c.PhysOf(i.Rm));
                if (i.Aux == 4)
                {
                    c.FpuPop();
                }

                return 0;
            case 2:
                c.FpuTop = c.FpuTop + 1;
                c.FpuStatus &= unchecked((ushort)~Cpu.FswC1);
                return 0;
            default:
                c.FpuTop = c.FpuTop - 1;
                c.FpuStatus &= unchecked((ushort)~Cpu.FswC1);
                return 0;
        }
    }
}
