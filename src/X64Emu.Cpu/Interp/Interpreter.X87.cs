using System;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.X87;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // Operand forms (Insn.Cc) shared by the x87 handlers.
    internal const byte FormSt = 0;     // ST(i) (Rm = i)
    internal const byte FormM32 = 1;
    internal const byte FormM64 = 2;
    internal const byte FormM80 = 3;
    internal const byte FormI16 = 4;
    internal const byte FormI32 = 5;
    internal const byte FormI64 = 6;
    internal const byte FormBcd = 7;
    internal const byte FormConst = 8;
    internal const byte FormStDest = 9;  // ST(i) op= ST0
    internal const byte FormStDestPop = 10;

    /// <summary>A pending unmasked x87 exception is delivered (#MF) by the next waiting x87 instruction.</summary>
    private static int X87Pending(Cpu c, ref Insn i) =>
        (c.FpuStatus & Cpu.FswEs) != 0 ? c.Raise(ref i, ExitReason.FloatingPointError) : 0;

    /// <summary>Reads a memory or ST(i) source operand as an extended value.</summary>
    private static int X87Source(Cpu c, ref Insn i, ref FpEnv env, out F80 v)
    {
        v = default;
        ulong ea = (i.Flags & InsnFlags.Mem) != 0 ? c.Ea(ref i) : 0;
        switch (i.Cc)
        {
            case FormM32:
            {
                if (!c.Mmu.TryRead32(ea, out uint b))
                {
                    return c.Fault(ref i);
                }

                v = X87Math.FromSingle(b, ref env);
                return 0;
            }

            case FormM64:
            {
                if (!c.Mmu.TryRead64(ea, out ulong b))
                {
                    return c.Fault(ref i);
                }

                v = X87Math.FromDouble(b, ref env);
                return 0;
            }

            case FormM80:
            {
                if (!c.Mmu.TryRead64(ea, out ulong m) || !c.Mmu.TryRead16(ea + 8, out ushort se))
                {
                    return c.Fault(ref i);
                }

                v = new F80(m, se);
                return 0;
            }

            case FormI16:
            {
                if (!c.Mmu.TryRead16(ea, out ushort b))
                {
                    return c.Fault(ref i);
                }

                v = X87Math.FromInt64((short)b);
                return 0;
            }

            case FormI32:
            {
                if (!c.Mmu.TryRead32(ea, out uint b))
                {
                    return c.Fault(ref i);
                }

                v = X87Math.FromInt64((int)b);
                return 0;
            }

            case FormI64:
            {
                if (!c.Mmu.TryRead64(ea, out ulong b))
                {
                    return c.Fault(ref i);
                }

                v = X87Math.FromInt64((long)b);
                return 0;
            }

            case FormBcd:
            {
                Span<byte> bcd = stackalloc byte[10];
                if (!c.Mmu.ReadBytes(ea, bcd))
                {
                    return c.Fault(ref i);
                }

                v = X87Math.FromBcd(bcd);
                return 0;
            }

            case FormConst:
                v = X87Constant(i.Aux2, c.FpuControl);
                return 0;
            default:
                v = c.St(i.Rm);
                return 0;
        }
    }

    /// <summary>FLD/FILD/FBLD/FLD1.. : push a converted source.</summary>
    public static int X87Load(Cpu c, ref Insn i)
    {
        int r = X87Pending(c, ref i);
        if (r != 0)
        {
            return r;
        }

        FpEnv env = c.FpuEnv();
        if (i.Cc == FormSt && c.StEmpty(i.Rm))
        {
            c.FpuUnderflow();
            if ((c.FpuControl & 1) != 0)
            {
                c.FpuPush(F80.Indefinite);
            }

            return 0;
        }

        r = X87Source(c, ref i, ref env, out F80 v);
        if (r != 0)
        {
            return r;
        }

        c.CommitFpu(env);
        c.FpuPush(v);
        return 0;
    }

    /// <summary>FST/FSTP/FIST/FISTP/FISTTP/FBSTP. Aux bit 0: pop; bit 1: truncate (FISTTP).</summary>
    public static int X87Store(Cpu c, ref Insn i)
    {
        int r = X87Pending(c, ref i);
        if (r != 0)
        {
            return r;
        }

        bool pop = (i.Aux & 1) != 0;
        FpEnv env = c.FpuEnv();
        F80 v;
        if (c.StEmpty(0))
        {
            c.FpuUnderflow();
            if ((c.FpuControl & 1) == 0)
            {
                return 0;
            }

            v = F80.Indefinite;
        }
        else
        {
            v = c.St(0);
        }

        ulong ea = (i.Flags & InsnFlags.Mem) != 0 ? c.Ea(ref i) : 0;
        bool ok = true;
        switch (i.Cc)
        {
            case FormSt:
                c.SetSt(i.Rm, v);
                break;
            case FormM32:
                ok = c.Mmu.TryWrite32(ea, X87Math.ToSingle(v, ref env));
                break;
            case FormM64:
                ok = c.Mmu.TryWrite64(ea, X87Math.ToDouble(v, ref env));
                break;
            case FormM80:
                ok = c.Mmu.TryTranslate(ea + 9, 1, Memory.Access.Write) != null && c.Mmu.TryWrite64(ea, v.Mant) && c.Mmu.TryWrite16(ea + 8, v.SignExp);
                break;
            case FormI16:
                ok = c.Mmu.TryWrite16(ea, (ushort)X87Math.ToInt(v, 16, (i.Aux & 2) != 0, ref env));
                break;
            case FormI32:
                ok = c.Mmu.TryWrite32(ea, (uint)X87Math.ToInt(v, 32, (i.Aux & 2) != 0, ref env));
                break;
            case FormI64:
                ok = c.Mmu.TryWrite64(ea, (ulong)X87Math.ToInt(v, 64, (i.Aux & 2) != 0, ref env));
                break;
            case FormBcd:
            {
                Span<byte> bcd = stackalloc byte[10];
                X87Math.ToBcd(v, ref env, bcd);
                ok = c.Mmu.WriteBytes(ea, bcd);
                break;
            }
        }

        if (!ok)
        {
            return c.Fault(ref i);
        }

        c.CommitFpu(env);
        if (pop)
        {
            c.FpuPop();
        }

        return 0;
    }

    /// <summary>
    /// The D8-group arithmetic (Aux = op: 0 ADD 1 MUL 2 COM 3 COMP 4 SUB 5 SUBR 6 DIV 7 DIVR; 8 UCOM 9 UCOMP;
    /// 10 COMPP 11 UCOMPP). Cc: FormSt (ST0 op= ST(i)), FormStDest/FormStDestPop (ST(i) op= ST0), or a memory form.
    /// </summary>
    public static int X87Arith(Cpu c, ref Insn i)
    {
        int r = X87Pending(c, ref i);
        if (r != 0)
        {
            return r;
        }

        int op = i.Aux;
        bool toSti = i.Cc is FormStDest or FormStDestPop;
        int other = (i.Flags & InsnFlags.Mem) != 0 ? -1 : i.Rm;
        if (c.StEmpty(0) || (other >= 0 && c.StEmpty(other)))
        {
            c.FpuUnderflow();
            if ((c.FpuControl & 1) != 0 && op is not (2 or 3 or 8 or 9 or 10 or 11))
            {
                c.SetSt(toSti ? other : 0, F80.Indefinite);
            }
            else if (op is 2 or 3 or 8 or 9 or 10 or 11)
            {
                c.FpuStatus |= Cpu.FswC0 | Cpu.FswC2 | Cpu.FswC3;
            }

            return X87PopAfter(c, op, i.Cc);
        }

        FpEnv env = c.FpuEnv();
        F80 src;
        if (toSti)
        {
            src = c.St(0);
        }
        else
        {
            r = X87Source(c, ref i, ref env, out src);
            if (r != 0)
            {
                return r;
            }
        }

        F80 dst = toSti ? c.St(other) : c.St(0);
        if (op is 2 or 3 or 8 or 9 or 10 or 11)
        {
            int cmp = X87Math.Compare(dst, src, quiet: op is 8 or 9 or 11, ref env);
            env.Flags &= unchecked((ushort)~FpEnv.C1);
            c.CommitFpu(env);
            ushort cc = cmp switch
            {
                -1 => Cpu.FswC0,
                0 => Cpu.FswC3,
                1 => 0,
                _ => Cpu.FswC0 | Cpu.FswC2 | Cpu.FswC3,
            };
            c.FpuStatus = (ushort)((c.FpuStatus & ~(Cpu.FswC0 | Cpu.FswC2 | Cpu.FswC3)) | cc);
            return X87PopAfter(c, op, i.Cc);
        }

        F80 result = op switch
        {
            0 => X87Math.Add(dst, src, ref env),
            1 => X87Math.Mul(dst, src, ref env),
            4 => X87Math.Sub(dst, src, ref env),
            5 => X87Math.Sub(src, dst, ref env),
            6 => X87Math.Div(dst, src, ref env),
            _ => X87Math.Div(src, dst, ref env),
        };
        c.CommitFpu(env);
        if ((env.Flags & ~c.FpuControl & 0x3F) == 0)
        {
            c.SetSt(toSti ? other : 0, result);
        }

        return X87PopAfter(c, op, i.Cc);
    }

    private static int X87PopAfter(Cpu c, int op, byte form)
    {
        if (op is 3 or 9 || form == FormStDestPop)
        {
            c.FpuPop();
        }
        else if (op is 10 or 11)
        {
            c.FpuPop();
            c.FpuPop();
        }

        return 0;
    }

    /// <summary>FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (Aux2 = 0..6). The irrational ones round per RC.</summary>
    private static F80 X87Constant(uint id, ushort controlWord)
    {
        int rc = (controlWord >> 10) & 3;
        (ulong mant, ushort exp, bool roundUpWhenUpOrNearest) = id switch
        {
            0 => (0x8000_0000_0000_0000UL, (ushort)0x3FFF, false),
            1 => (0xD49A_784B_CD1B_8AFEUL, (ushort)0x4000, false), // log2(10), next bit 0
            2 => (0xB8AA_3B29_5C17_F0BBUL, (ushort)0x3FFF, true),  // log2(e), rounds up to ...BC
            3 => (0xC90F_DAA2_2168_C234UL, (ushort)0x4000, true),  // pi, rounds up to ...35
            4 => (0x9A20_9A84_FBCF_F798UL, (ushort)0x3FFD, true),  // log10(2), rounds up to ...99
            5 => (0xB172_17F7_D1CF_79ABUL, (ushort)0x3FFE, true),  // ln(2), rounds up to ...AC
            _ => (0UL, (ushort)0, false),
        };
        if (roundUpWhenUpOrNearest && (rc == 0 || rc == 2))
        {
            mant++;
        }

        return new F80(mant, exp);
    }
}
