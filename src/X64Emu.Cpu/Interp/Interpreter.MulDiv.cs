using System;
using System.Runtime.CompilerServices;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    /// <summary>The source of a one-operand MUL/IMUL/DIV/IDIV: register (Rm) or memory.</summary>
    private static bool Source<W>(Cpu c, ref Insn i, out ulong v) where W : struct, IWidth
    {
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            return W.Load(c.Mmu, c.Ea(ref i), out v);
        }

        v = W.Get(c, i.Rm);
        return true;
    }

    /// <summary>MUL: rDX:rAX = rAX * src (AX = AL * src for 8 bits); CF = OF = upper half non-zero.</summary>
    public static int Mul1<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!Source<W>(c, ref i, out ulong s))
        {
            return c.Fault(ref i);
        }

        ulong a = W.Get(c, Reg.Rax * 8);
        ulong lo;
        ulong hi;
        if (W.Bits == 64)
        {
            hi = Math.BigMul(a, s, out lo);
        }
        else
        {
            ulong p = a * s;
            lo = p & W.Mask;
            hi = p >> W.Bits;
        }

        StoreWide<W>(c, lo, hi);
        c.SetMaterialized((hi != 0 ? RFlags.CF | RFlags.OF : 0) | ResultFlags<W>(lo));
        return 0;
    }

    /// <summary>IMUL one operand: signed rDX:rAX = rAX * src; CF = OF = the product does not fit the low half.</summary>
    public static int Imul1<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!Source<W>(c, ref i, out ulong s))
        {
            return c.Fault(ref i);
        }

        long a = W.Sx(W.Get(c, Reg.Rax * 8));
        long b = W.Sx(s);
        ulong lo;
        ulong hi;
        if (W.Bits == 64)
        {
            long h = Math.BigMul(a, b, out long l);
            lo = (ulong)l;
            hi = (ulong)h;
        }
        else
        {
            long p = a * b;
            lo = (ulong)p & W.Mask;
            hi = (ulong)(p >> W.Bits) & W.Mask;
        }

        StoreWide<W>(c, lo, hi);
        bool fits = W.Bits == 64 ? (long)hi == ((long)lo >> 63) : hi == ((W.Sx(lo) < 0) ? W.Mask : 0);
        c.SetMaterialized((fits ? 0 : RFlags.CF | RFlags.OF) | ResultFlags<W>(lo));
        return 0;
    }

    private static void StoreWide<W>(Cpu c, ulong lo, ulong hi) where W : struct, IWidth
    {
        if (W.Bits == 8)
        {
            W16.Set(c, Reg.Rax * 8, (hi << 8) | lo);
        }
        else
        {
            W.Set(c, Reg.Rax * 8, lo);
            W.Set(c, Reg.Rdx * 8, hi);
        }
    }

    /// <summary>IMUL r, r/m (Aux2 = 0) and IMUL r, r/m, imm (Aux2 = 1): truncated signed product.</summary>
    public static int Imul2<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!Source<W>(c, ref i, out ulong s))
        {
            return c.Fault(ref i);
        }

        TruncatedImul<W>(c, ref i, W.Sx(i.Aux2 == 0 ? W.Get(c, i.Reg) : s), W.Sx(i.Aux2 == 0 ? s : i.Imm));
        return 0;
    }

    /// <summary>IMUL r, r (the register form of <see cref="Imul2{W}"/> with Aux2 = 0).</summary>
    public static int Imul2RR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        TruncatedImul<W>(c, ref i, W.Sx(W.Get(c, i.Reg)), W.Sx(W.Get(c, i.Rm)));
        return 0;
    }

    /// <summary>IMUL r, r, imm (the register form of <see cref="Imul2{W}"/> with Aux2 = 1).</summary>
    public static int Imul3RI<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        TruncatedImul<W>(c, ref i, W.Sx(W.Get(c, i.Rm)), W.Sx(i.Imm));
        return 0;
    }

    /// <summary>
    /// Reg = a * b truncated to the width. The flags stay lazy (<see cref="FlagOp.Mul"/> with the
    /// sign-extended factors): whether the product fitted is only worked out if CF or OF is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TruncatedImul<W>(Cpu c, ref Insn i, long a, long b) where W : struct, IWidth
    {
        ulong lo = (ulong)(a * b) & W.Mask;
        W.Set(c, i.Reg, lo);
        c.SetFlags(FlagOp.Mul | W.SizeIndex, (ulong)a, (ulong)b, lo);
    }

    /// <summary>DIV: unsigned rDX:rAX / src; #DE on a zero divisor or a quotient that does not fit.</summary>
    public static int Div1<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!Source<W>(c, ref i, out ulong s))
        {
            return c.Fault(ref i);
        }

        if (s == 0)
        {
            return c.Raise(ref i, ExitReason.DivideError);
        }

        ulong q;
        ulong r;
        if (W.Bits == 64)
        {
            UInt128 n = ((UInt128)c.Gpr(Reg.Rdx) << 64) | c.Gpr(Reg.Rax);
            UInt128 qq = n / s;
            if (qq > ulong.MaxValue)
            {
                return c.Raise(ref i, ExitReason.DivideError);
            }

            q = (ulong)qq;
            r = (ulong)(n % s);
        }
        else
        {
            ulong n = W.Bits == 8 ? W16.Get(c, Reg.Rax * 8) : (W.Get(c, Reg.Rdx * 8) << W.Bits) | W.Get(c, Reg.Rax * 8);
            q = n / s;
            r = n % s;
            if (q > W.Mask)
            {
                return c.Raise(ref i, ExitReason.DivideError);
            }
        }

        StoreDivResult<W>(c, q, r);
        return 0;
    }

    /// <summary>IDIV: signed, truncating toward zero; #DE on zero or overflow (e.g. INT_MIN / -1).</summary>
    public static int Idiv1<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!Source<W>(c, ref i, out ulong s))
        {
            return c.Fault(ref i);
        }

        long d = W.Sx(s);
        if (d == 0)
        {
            return c.Raise(ref i, ExitReason.DivideError);
        }

        long q;
        long r;
        if (W.Bits == 64)
        {
            Int128 n = (Int128)(((UInt128)c.Gpr(Reg.Rdx) << 64) | c.Gpr(Reg.Rax));
            Int128 qq = n / d;
            if (qq > long.MaxValue || qq < long.MinValue)
            {
                return c.Raise(ref i, ExitReason.DivideError);
            }

            q = (long)qq;
            r = (long)(n % d);
        }
        else
        {
            long n = W.Bits == 8 ? (short)W16.Get(c, Reg.Rax * 8)
                : W.Bits == 16 ? (int)((W.Get(c, Reg.Rdx * 8) << 16) | W.Get(c, Reg.Rax * 8))
                : (long)((c.Gpr(Reg.Rdx) << 32) | (uint)c.Gpr(Reg.Rax));
            q = n / d;
            r = n % d;
            long max = (long)(W.SignBit - 1);
            if (q > max || q < -max - 1)
            {
                return c.Raise(ref i, ExitReason.DivideError);
            }
        }

        StoreDivResult<W>(c, (ulong)q & W.Mask, (ulong)r & W.Mask);
        return 0;
    }

    private static void StoreDivResult<W>(Cpu c, ulong q, ulong r) where W : struct, IWidth
    {
        if (W.Bits == 8)
        {
            W16.Set(c, Reg.Rax * 8, (r << 8) | q);
        }
        else
        {
            W.Set(c, Reg.Rax * 8, q);
            W.Set(c, Reg.Rdx * 8, r);
        }
    }
}
