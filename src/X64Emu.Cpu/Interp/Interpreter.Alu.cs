using System.Runtime.CompilerServices;
using System.Threading;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Memory;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // Forms: RR (reg ← reg), RM (reg ← mem), MR (mem ← reg), RI (reg ← imm), MI (mem ← imm).
    // Insn.Reg is the destination register of RR/RM/RI and the source of MR; Insn.Rm the source of RR.

    public static int AluRR<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth
    {
        ulong r = TOp.Exec<W>(c, W.Get(c, i.Reg), W.Get(c, i.Rm));
        if (TOp.Writes)
        {
            W.Set(c, i.Reg, r);
        }

        return 0;
    }

    public static int AluRI<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth
    {
        ulong r = TOp.Exec<W>(c, W.Get(c, i.Reg), i.Imm & W.Mask);
        if (TOp.Writes)
        {
            W.Set(c, i.Reg, r);
        }

        return 0;
    }

    public static int AluRM<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth
        => AluRM<TOp, W, EaFull>(c, ref i);

    /// <summary>ALU reg, mem with the address form chosen at decode time.</summary>
    public static int AluRM<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        if (!W.Load(c.Mmu, TEa.Ea(c, ref i), out ulong src))
        {
            return c.Fault(ref i);
        }

        ulong r = TOp.Exec<W>(c, W.Get(c, i.Reg), src);
        if (TOp.Writes)
        {
            W.Set(c, i.Reg, r);
        }

        return 0;
    }

    public static int AluMR<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth
        => AluMem<TOp, W, EaFull>(c, ref i, W.Get(c, i.Reg));

    public static int AluMI<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth
        => AluMem<TOp, W, EaFull>(c, ref i, i.Imm & W.Mask);

    /// <summary>ALU mem, reg with the address form chosen at decode time.</summary>
    public static int AluMR<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
        => AluMem<TOp, W, TEa>(c, ref i, W.Get(c, i.Reg));

    /// <summary>ALU mem, imm with the address form chosen at decode time.</summary>
    public static int AluMI<TOp, W, TEa>(Cpu c, ref Insn i) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
        => AluMem<TOp, W, TEa>(c, ref i, i.Imm & W.Mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AluMem<TOp, W, TEa>(Cpu c, ref Insn i, ulong src) where TOp : struct, IAluOp where W : struct, IWidth where TEa : struct, IAddressing
    {
        ulong ea = TEa.Ea(c, ref i);
        if (!TOp.Writes)
        {
            if (!W.Load(c.Mmu, ea, out ulong d0))
            {
                return c.Fault(ref i);
            }

            TOp.Exec<W>(c, d0, src);
            return 0;
        }

        int size = W.Bits >> 3;
        if (Mmu.Crosses(ea, size))
        {
            return AluMemSplit<TOp, W>(c, ref i, ea, src);
        }

        byte* p = c.Mmu.TryTranslate(ea, size, Access.Write);
        if (p == null)
        {
            return c.Fault(ref i);
        }

        if ((i.Flags & InsnFlags.Lock) != 0)
        {
            return AluLocked<TOp, W>(c, p, src);
        }

        ulong dst = ReadHost<W>(p);
        WriteHost<W>(p, TOp.Exec<W>(c, dst, src));
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int AluMemSplit<TOp, W>(Cpu c, ref Insn i, ulong ea, ulong src) where TOp : struct, IAluOp where W : struct, IWidth
    {
        if (!W.Load(c.Mmu, ea, out ulong dst))
        {
            return c.Fault(ref i);
        }

        FlagState saved = c.SaveFlags();
        ulong r = TOp.Exec<W>(c, dst, src);
        if (!W.Store(c.Mmu, ea, r))
        {
            // The store faulted: the instruction has no effect, flags included.
            c.RestoreFlags(saved);
            return c.Fault(ref i);
        }

        return 0;
    }

    /// <summary>LOCK-prefixed read-modify-write: a compare-and-swap loop on the host location.</summary>
    private static int AluLocked<TOp, W>(Cpu c, byte* p, ulong src) where TOp : struct, IAluOp where W : struct, IWidth
    {
        while (true)
        {
            ulong dst = ReadHost<W>(p);
            ulong r = TOp.Exec<W>(c, dst, src);
            if (CompareExchangeHost<W>(p, r, dst))
            {
                return 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ReadHost<W>(byte* p) where W : struct, IWidth
    {
        if (W.Bits == 8)
        {
            return *p;
        }

        if (W.Bits == 16)
        {
            return Unsafe.ReadUnaligned<ushort>(p);
        }

        if (W.Bits == 32)
        {
            return Unsafe.ReadUnaligned<uint>(p);
        }

        return Unsafe.ReadUnaligned<ulong>(p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteHost<W>(byte* p, ulong v) where W : struct, IWidth
    {
        if (W.Bits == 8)
        {
            *p = (byte)v;
        }
        else if (W.Bits == 16)
        {
            Unsafe.WriteUnaligned(p, (ushort)v);
        }
        else if (W.Bits == 32)
        {
            Unsafe.WriteUnaligned(p, (uint)v);
        }
        else
        {
            Unsafe.WriteUnaligned(p, v);
        }
    }

    /// <summary>Atomically replaces the value at <paramref name="p"/> with <paramref name="value"/> if it equals <paramref name="expected"/>.</summary>
    internal static bool CompareExchangeHost<W>(byte* p, ulong value, ulong expected) where W : struct, IWidth
    {
        if (W.Bits == 8)
        {
            return Interlocked.CompareExchange(ref *p, (byte)value, (byte)expected) == (byte)expected;
        }

        if (W.Bits == 16)
        {
            return Interlocked.CompareExchange(ref *(ushort*)p, (ushort)value, (ushort)expected) == (ushort)expected;
        }

        if (W.Bits == 32)
        {
            return Interlocked.CompareExchange(ref *(uint*)p, (uint)value, (uint)expected) == (uint)expected;
        }

        return Interlocked.CompareExchange(ref *(ulong*)p, value, expected) == expected;
    }

    // ---- one-operand ops: INC, DEC, NEG, NOT ----

    public static int IncR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong d = W.Get(c, i.Reg);
        ulong r = (d + 1) & W.Mask;
        c.FlagBits = c.Carry;
        c.SetFlags(FlagOp.Inc | W.SizeIndex, d, 1, r);
        W.Set(c, i.Reg, r);
        return 0;
    }

    public static int DecR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong d = W.Get(c, i.Reg);
        ulong r = (d - 1) & W.Mask;
        c.FlagBits = c.Carry;
        c.SetFlags(FlagOp.Dec | W.SizeIndex, d, 1, r);
        W.Set(c, i.Reg, r);
        return 0;
    }

    public static int NegR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong s = W.Get(c, i.Reg);
        ulong r = (0 - s) & W.Mask;
        c.SetFlags(FlagOp.Sub | W.SizeIndex, 0, s, r);
        W.Set(c, i.Reg, r);
        return 0;
    }

    public static int NotR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        W.Set(c, i.Reg, ~W.Get(c, i.Reg) & W.Mask);
        return 0;
    }

    /// <summary>INC/DEC/NEG/NOT on memory (LOCK honoured). Aux: 0 inc, 1 dec, 2 neg, 3 not.</summary>
    public static int UnaryM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong ea = c.Ea(ref i);
        int size = W.Bits >> 3;
        if (Mmu.Crosses(ea, size))
        {
            if (!W.Load(c.Mmu, ea, out ulong v0))
            {
                return c.Fault(ref i);
            }

            FlagState saved = c.SaveFlags();
            if (!W.Store(c.Mmu, ea, Unary<W>(c, i.Aux, v0)))
            {
                c.RestoreFlags(saved);
                return c.Fault(ref i);
            }

            return 0;
        }

        byte* p = c.Mmu.TryTranslate(ea, size, Access.Write);
        if (p == null)
        {
            return c.Fault(ref i);
        }

        while (true)
        {
            ulong d = ReadHost<W>(p);
            ulong r = Unary<W>(c, i.Aux, d);
            if ((i.Flags & InsnFlags.Lock) == 0)
            {
                WriteHost<W>(p, r);
                return 0;
            }

            if (CompareExchangeHost<W>(p, r, d))
            {
                return 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Unary<W>(Cpu c, int op, ulong d) where W : struct, IWidth
    {
        ulong r;
        switch (op)
        {
            case 0:
                r = (d + 1) & W.Mask;
                c.FlagBits = c.Carry;
                c.SetFlags(FlagOp.Inc | W.SizeIndex, d, 1, r);
                return r;
            case 1:
                r = (d - 1) & W.Mask;
                c.FlagBits = c.Carry;
                c.SetFlags(FlagOp.Dec | W.SizeIndex, d, 1, r);
                return r;
            case 2:
                r = (0 - d) & W.Mask;
                c.SetFlags(FlagOp.Sub | W.SizeIndex, 0, d, r);
                return r;
            default:
                return ~d & W.Mask;
        }
    }
}
