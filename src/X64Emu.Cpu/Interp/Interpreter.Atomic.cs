using System.Threading;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Memory;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    public static int XaddRR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong d = W.Get(c, i.Reg);
        ulong s = W.Get(c, i.Rm);
        ulong r = (d + s) & W.Mask;
        W.Set(c, i.Rm, d);
        W.Set(c, i.Reg, r);
        c.SetFlags(FlagOp.Add | W.SizeIndex, d, s, r);
        return 0;
    }

    /// <summary>XADD m, r (Reg = the register operand); atomic with LOCK.</summary>
    public static int XaddM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong ea = c.Ea(ref i);
        int size = W.Bits >> 3;
        ulong s = W.Get(c, i.Reg);
        if (Mmu.Crosses(ea, size))
        {
            if (!W.Load(c.Mmu, ea, out ulong d0) || !W.Store(c.Mmu, ea, (d0 + s) & W.Mask))
            {
                return c.Fault(ref i);
            }

            W.Set(c, i.Reg, d0);
            c.SetFlags(FlagOp.Add | W.SizeIndex, d0, s, (d0 + s) & W.Mask);
            return 0;
        }

        byte* p = c.Mmu.TryTranslate(ea, size, Access.Write);
        if (p == null)
        {
            return c.Fault(ref i);
        }

        ulong d;
        ulong r;
        do
        {
            d = ReadHost<W>(p);
            r = (d + s) & W.Mask;
        }
        while (!CompareExchangeHost<W>(p, r, d));
        W.Set(c, i.Reg, d);
        c.SetFlags(FlagOp.Add | W.SizeIndex, d, s, r);
        return 0;
    }

    public static int CmpxchgRR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong a = W.Get(c, Reg.Rax * 8);
        ulong d = W.Get(c, i.Reg);
        c.SetFlags(FlagOp.Sub | W.SizeIndex, a, d, (a - d) & W.Mask);
        if (a == d)
        {
            W.Set(c, i.Reg, W.Get(c, i.Rm));
        }
        else
        {
            W.Set(c, Reg.Rax * 8, d);
        }

        return 0;
    }

    /// <summary>CMPXCHG m, r (Rm = the source register); always a write access, atomic on the host.</summary>
    public static int CmpxchgM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong ea = c.Ea(ref i);
        int size = W.Bits >> 3;
        ulong a = W.Get(c, Reg.Rax * 8);
        ulong s = W.Get(c, i.Rm);
        ulong d;
        if (Mmu.Crosses(ea, size))
        {
            if (!W.Load(c.Mmu, ea, out d) || !W.Store(c.Mmu, ea, a == d ? s : d))
            {
                return c.Fault(ref i);
            }
        }
        else
        {
            byte* p = c.Mmu.TryTranslate(ea, size, Access.Write);
            if (p == null)
            {
                return c.Fault(ref i);
            }

            while (true)
            {
                d = ReadHost<W>(p);
                if (d != a || CompareExchangeHost<W>(p, s, a))
                {
                    break;
                }
            }
        }

        c.SetFlags(FlagOp.Sub | W.SizeIndex, a, d, (a - d) & W.Mask);
        if (a != d)
        {
            W.Set(c, Reg.Rax * 8, d);
        }

        return 0;
    }

    /// <summary>CMPXCHG8B m64: EDX:EAX vs memory; ECX:EBX stored on equality.</summary>
    public static int Cmpxchg8b(Cpu c, ref Insn i)
    {
        ulong ea = c.Ea(ref i);
        ulong expected = ((c.Gpr(Reg.Rdx) & 0xFFFF_FFFF) << 32) | (c.Gpr(Reg.Rax) & 0xFFFF_FFFF);
        ulong replacement = ((c.Gpr(Reg.Rcx) & 0xFFFF_FFFF) << 32) | (c.Gpr(Reg.Rbx) & 0xFFFF_FFFF);
        ulong seen;
        if (Mmu.Crosses(ea, 8))
        {
            if (!c.Mmu.TryRead64(ea, out seen) || !c.Mmu.TryWrite64(ea, seen == expected ? replacement : seen))
            {
                return c.Fault(ref i);
            }
        }
        else
        {
            byte* p = c.Mmu.TryTranslate(ea, 8, Access.Write);
            if (p == null)
            {
                return c.Fault(ref i);
            }

            seen = Interlocked.CompareExchange(ref *(ulong*)p, replacement, expected);
        }

        ulong f = c.ArithFlags & ~RFlags.ZF;
        if (seen == expected)
        {
            f |= RFlags.ZF;
        }
        else
        {
            c.Gpr(Reg.Rax) = (uint)seen;
            c.Gpr(Reg.Rdx) = seen >> 32;
        }

        c.SetMaterialized(f);
        return 0;
    }

    private static readonly object[] s_wideLocks = CreateLocks();

    private static object[] CreateLocks()
    {
        object[] l = new object[64];
        for (int k = 0; k < l.Length; k++)
        {
            l[k] = new object();
        }

        return l;
    }

    /// <summary>
    /// CMPXCHG16B m128 (16-byte aligned, else #GP). .NET has no 128-bit compare-and-swap, so the
    /// exchange is made atomic against other CMPXCHG16B on the same line with a lock striped by address.
    /// </summary>
    public static int Cmpxchg16b(Cpu c, ref Insn i)
    {
        ulong ea = c.Ea(ref i);
        if ((ea & 15) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        byte* p = c.Mmu.TryTranslate(ea, 16, Access.Write);
        if (p == null)
        {
            return c.Fault(ref i);
        }

        ulong lo, hi;
        bool equal;
        lock (s_wideLocks[(int)((ea >> 4) & 63)])
        {
            lo = Volatile.Read(ref *(ulong*)p);
            hi = Volatile.Read(ref *(ulong*)(p + 8));
            equal = lo == c.Gpr(Reg.Rax) && hi == c.Gpr(Reg.Rdx);
            if (equal)
            {
                *(ulong*)p = c.Gpr(Reg.Rbx);
                *(ulong*)(p + 8) = c.Gpr(Reg.Rcx);
            }
        }

        ulong f = c.ArithFlags & ~RFlags.ZF;
        if (equal)
        {
            f |= RFlags.ZF;
        }
        else
        {
            c.Gpr(Reg.Rax) = lo;
            c.Gpr(Reg.Rdx) = hi;
        }

        c.SetMaterialized(f);
        return 0;
    }
}
